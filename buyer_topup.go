package zfb

import (
	"context"
	"errors"
	"fmt"
)

// TransferTopUp is a sandbox buyer's balance raised by the tester; its Ref
// is the buyer's user id.
const TransferTopUp = "top_up"

// ErrInvalidAmount refuses an amount that is not positive or is above
// MaxAmount.
var ErrInvalidAmount = errors.New("an amount must be above zero and at most 100000000.00")

// TopUpBuyer adds amount (fen) to a sandbox buyer's CNY balance, as a
// transfer from the sandbox's funding account, so that the ledger stays
// balanced, and returns the buyer as it stands after. ErrNotFound when
// there is no such buyer; ErrInvalidAmount for an amount not in 0.01 to
// MaxAmount.
func (s *Service) TopUpBuyer(ctx context.Context, userID string, amount int64) (*Buyer, error) {
	if amount <= 0 || amount > MaxAmount {
		return nil, fmt.Errorf("top up buyer %s by %d: %w", userID, amount, ErrInvalidAmount)
	}
	var b *Buyer
	err := s.store.InTx(ctx, func(q Queries) error {
		if _, err := q.Buyer(ctx, userID); err != nil {
			return err
		}
		// A buyer made before the funding account existed (none is
		// made without it) still gets one: opening an account is idempotent.
		if err := q.EnsureAccount(ctx, &Account{ID: FundingAccount(CNY), Kind: AccountKindFunding, Currency: CNY}); err != nil {
			return err
		}
		if err := q.EnsureAccount(ctx, &Account{ID: BuyerAccount(userID, CNY), Kind: AccountKindBuyerAvailable, Owner: userID, Currency: CNY, Floor: new(int64)}); err != nil {
			return err
		}
		if err := q.PostTransfer(ctx, &Transfer{
			Kind: TransferTopUp, Ref: userID,
			Debit: FundingAccount(CNY), Credit: BuyerAccount(userID, CNY),
			Amount: amount, Currency: CNY, CreatedAt: s.Clock.Now(),
		}); err != nil {
			return err
		}
		var err error
		b, err = q.Buyer(ctx, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

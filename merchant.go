package zfb

import (
	"context"
	"errors"
	"maps"
	"slices"
)

// SettleMerchant pays out what an app's merchant has been paid, in every
// currency, as Alipay settles to the merchant's bank: its balances move to
// the settlement accounts. Refunds and cancels of earlier payments then
// need new income, or fail for want of it (ACQ.SELLER_BALANCE_NOT_ENOUGH,
// MERCHANT_BALANCE_NOT_ENOUGH). It returns what was paid out, by currency.
func (s *Service) SettleMerchant(ctx context.Context, appID string) (map[string]int64, error) {
	var out map[string]int64
	err := s.command(ctx, func(q Queries) error {
		out = map[string]int64{}
		app, err := q.App(ctx, appID)
		if err != nil {
			return err
		}
		now := app.Clock(s.Clock).Now()
		for _, cur := range slices.Sorted(maps.Keys(currencies)) {
			a, err := q.Account(ctx, MerchantAccount(app.SellerID, cur))
			if errors.Is(err, ErrNotFound) || (err == nil && a.Balance <= 0) {
				continue
			} else if err != nil {
				return err
			}
			if err := q.EnsureAccount(ctx, &Account{ID: SettlementAccount(cur), Kind: AccountKindSettlement, Currency: cur}); err != nil {
				return err
			}
			if err := q.PostTransfer(ctx, &Transfer{
				Kind: TransferSettle, Ref: app.SellerID, Currency: cur, Amount: a.Balance, CreatedAt: now,
				Debit: a.ID, Credit: SettlementAccount(cur),
			}); err != nil {
				return err
			}
			out[cur] = a.Balance
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "merchant settled", "app_id", appID, "paid_out", out)
	return out, nil
}

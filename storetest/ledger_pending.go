package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
)

// A merchant's account: what concurrent payments credit. A store may
// record these credits without moving the balance column at once (pending
// entries); every rule below holds either way.
func openMerchant(t *testing.T, s zfb.Store, id string) string {
	t.Helper()
	ok(t, s.EnsureAccount(t.Context(), &zfb.Account{ID: id, Kind: zfb.AccountKindMerchant, Owner: id, Currency: zfb.CNY, Floor: floor(0)}))
	return id
}

// testConcurrentPaymentsThenRefunds: many buyers pay one merchant at once;
// every payment lands, the merchant's balance is their sum at once, and
// refunds that need the whole balance all succeed, one cent more is
// refused, and the ledger stays exact throughout.
func testConcurrentPaymentsThenRefunds(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	merchant := openMerchant(t, s, "merchant:concurrent")
	const buyers, paysEach, amount = 8, 6, 25
	ids := make([]string, buyers)
	for i := range ids {
		ids[i] = fund(t, s, fmt.Sprintf("buyer:%d", i), paysEach*amount)
	}
	var wg sync.WaitGroup
	errs := make(chan error, buyers*paysEach)
	for i, buyer := range ids {
		for j := range paysEach {
			wg.Go(func() {
				errs <- s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprintf("T%d-%d", i, j),
					Debit: buyer, Credit: merchant, Amount: amount, Currency: zfb.CNY, CreatedAt: at(1)})
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	total := int64(buyers * paysEach * amount)
	if got := balance(t, s, merchant); got != total {
		t.Fatalf("merchant balance after the payments = %d, want %d", got, total)
	}
	for _, buyer := range ids {
		if got := balance(t, s, buyer); got != 0 {
			t.Errorf("%s balance = %d, want 0", buyer, got)
		}
	}
	ledgerOK(t, s)

	// Refunds, concurrently, each buyer getting back all it paid: together
	// they need the merchant's whole balance.
	errs = make(chan error, buyers)
	for i, buyer := range ids {
		wg.Go(func() {
			errs <- s.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: fmt.Sprintf("R%d", i),
				Debit: merchant, Credit: buyer, Amount: paysEach * amount, Currency: zfb.CNY, CreatedAt: at(2)})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	if got := balance(t, s, merchant); got != 0 {
		t.Errorf("merchant balance after the refunds = %d, want 0", got)
	}
	for _, buyer := range ids {
		if got := balance(t, s, buyer); got != paysEach*amount {
			t.Errorf("%s balance after its refund = %d, want %d", buyer, got, paysEach*amount)
		}
	}
	err := s.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R-extra",
		Debit: merchant, Credit: ids[0], Amount: 1, Currency: zfb.CNY, CreatedAt: at(3)})
	wantErr(t, err, zfb.ErrInsufficientFunds)
	ledgerOK(t, s)
}

// testFloorWithPendingCredits: a debit is checked against every credit
// the account has received, and refused when it would go below the floor
// by as little as one cent, even right after the credits.
func testFloorWithPendingCredits(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	merchant := openMerchant(t, s, "merchant:floor")
	buyer := fund(t, s, "buyer:floor", 1000)
	for i := range 3 {
		ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprintf("T%d", i),
			Debit: buyer, Credit: merchant, Amount: 100, Currency: zfb.CNY, CreatedAt: at(1)}))
	}
	err := s.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R-too-much",
		Debit: merchant, Credit: buyer, Amount: 301, Currency: zfb.CNY, CreatedAt: at(2)})
	wantErr(t, err, zfb.ErrInsufficientFunds)
	if got := balance(t, s, merchant); got != 300 {
		t.Errorf("merchant balance after a refused refund = %d, want 300", got)
	}
	ledgerOK(t, s)
	// In a transaction that goes on and commits, the refused debit still
	// moves nothing.
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		err := q.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R-too-much-2",
			Debit: merchant, Credit: buyer, Amount: 301, Currency: zfb.CNY, CreatedAt: at(2)})
		if !errors.Is(err, zfb.ErrInsufficientFunds) {
			return fmt.Errorf("refund of 301 from 300: %v, want insufficient funds", err)
		}
		return nil
	}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R-all",
		Debit: merchant, Credit: buyer, Amount: 300, Currency: zfb.CNY, CreatedAt: at(3)}))
	if got, want := [2]int64{balance(t, s, merchant), balance(t, s, buyer)}, [2]int64{0, 1000}; got != want {
		t.Errorf("merchant and buyer balances = %v, want %v", got, want)
	}
	ledgerOK(t, s)
}

// testBalancesIncludeCredits: what the admin and ledger views read — an
// account, a buyer — includes every committed credit at once, also
// within the transaction that made it.
func testBalancesIncludeCredits(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: zfb.FundingAccount(zfb.CNY), Kind: zfb.AccountKindFunding, Currency: zfb.CNY}))
	b := &zfb.Buyer{UserID: "2088000000000777", PaymentCode: "280000000000000777", Behaviour: zfb.BehaviourPays, CreatedAt: at(0)}
	ok(t, s.CreateBuyer(ctx, b))
	account := zfb.BuyerAccount(b.UserID, zfb.CNY)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: account, Kind: zfb.AccountKindBuyerAvailable, Owner: b.UserID, Currency: zfb.CNY, Floor: floor(0)}))
	merchant := openMerchant(t, s, "merchant:views")
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: b.UserID,
		Debit: zfb.FundingAccount(zfb.CNY), Credit: account, Amount: 700, Currency: zfb.CNY, CreatedAt: at(1)}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T1",
		Debit: account, Credit: merchant, Amount: 200, Currency: zfb.CNY, CreatedAt: at(2)}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R1",
		Debit: merchant, Credit: account, Amount: 50, Currency: zfb.CNY, CreatedAt: at(3)}))

	got, err := s.Buyer(ctx, b.UserID)
	ok(t, err)
	if got.Balance != 550 {
		t.Errorf("Buyer balance = %d, want 550", got.Balance)
	}
	buyers, err := s.Buyers(ctx)
	ok(t, err)
	for _, bb := range buyers {
		if bb.UserID == b.UserID && bb.Balance != 550 {
			t.Errorf("Buyers: balance = %d, want 550", bb.Balance)
		}
	}
	if got := balance(t, s, merchant); got != 150 {
		t.Errorf("merchant balance = %d, want 150", got)
	}
	if got := balance(t, s, zfb.FundingAccount(zfb.CNY)); got != -700 {
		t.Errorf("funding balance = %d, want -700", got)
	}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T2",
			Debit: account, Credit: merchant, Amount: 25, Currency: zfb.CNY, CreatedAt: at(4)}); err != nil {
			return err
		}
		a, err := q.Account(ctx, merchant)
		if err != nil {
			return err
		}
		if a.Balance != 175 {
			return fmt.Errorf("merchant balance inside the paying transaction = %d, want 175", a.Balance)
		}
		return nil
	}))
	ledgerOK(t, s)
}

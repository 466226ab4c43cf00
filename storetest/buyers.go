package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// sameBuyerByPaymentCode checks that BuyerByPaymentCode finds want by its
// payment code, without a balance (Balance zero): it serves payments,
// whose money the ledger checks.
func sameBuyerByPaymentCode(t *testing.T, s zfb.Store, want *zfb.Buyer) {
	t.Helper()
	got, err := s.BuyerByPaymentCode(t.Context(), want.PaymentCode)
	ok(t, err)
	identity := *want
	identity.Balance = 0
	sameBuyer(t, got, &identity)
}

func sameBuyer(t *testing.T, got, want *zfb.Buyer) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("buyer = %+v\nwant %+v", g, w)
	}
}

func testBuyerRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	rich := newBuyer(1, 100000_00)
	rich.Behaviour = zfb.BehaviourPassword
	ok(t, svc.CreateBuyer(ctx, rich))

	got, err := s.Buyer(ctx, rich.UserID)
	ok(t, err)
	sameBuyer(t, got, rich)
	sameBuyerByPaymentCode(t, s, rich)

	// The balance is the ledger's: it follows a transfer.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: zfb.BuyerAccount(rich.UserID, zfb.CNY),
		Credit: zfb.FundingAccount(zfb.CNY), Amount: 1, Currency: zfb.CNY, CreatedAt: at(1)}))
	got, err = s.Buyer(ctx, rich.UserID)
	ok(t, err)
	if got.Balance != rich.Balance-1 {
		t.Errorf("Balance after paying 0.01 = %d, want %d", got.Balance, rich.Balance-1)
	}

	// A buyer stored without accounts has a zero balance; Balance given to
	// CreateBuyer is not stored.
	bare := &zfb.Buyer{UserID: "2088000000000777", PaymentCode: "280000000000000777", Behaviour: zfb.BehaviourPoor, Balance: 5}
	ok(t, s.CreateBuyer(ctx, bare))
	got, err = s.Buyer(ctx, bare.UserID)
	ok(t, err)
	bare.Balance = 0
	sameBuyer(t, got, bare)

	// Only the buyer's CNY available account counts.
	other := newBuyer(2, 0)
	ok(t, svc.CreateBuyer(ctx, other))
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: zfb.BuyerAccount(other.UserID, "USD"), Kind: zfb.AccountKindBuyerAvailable, Owner: other.UserID, Currency: "USD"}))
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: zfb.FundingAccount("USD"), Kind: zfb.AccountKindFunding, Currency: "USD"}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: other.UserID, Debit: zfb.FundingAccount("USD"),
		Credit: zfb.BuyerAccount(other.UserID, "USD"), Amount: 500, Currency: "USD"}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "freeze", Ref: "A1", Debit: zfb.FundingAccount(zfb.CNY),
		Credit: zfb.BuyerFrozenAccount(other.UserID, zfb.CNY), Amount: 700, Currency: zfb.CNY}))
	got, err = s.Buyer(ctx, other.UserID)
	ok(t, err)
	sameBuyer(t, got, other)
}

func testBuyerNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	_, err := s.Buyer(ctx, "2088000000000404")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.BuyerByPaymentCode(ctx, "280000000000000404")
	wantErr(t, err, zfb.ErrNotFound)
}

func testBuyerConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	first := newBuyer(1, 1000)
	ok(t, svc.CreateBuyer(ctx, first))

	for name, b := range map[string]*zfb.Buyer{
		"user id":      {UserID: first.UserID, LogonID: "x@example.com", PaymentCode: "280000000000000900", Behaviour: zfb.BehaviourPays},
		"logon id":     {UserID: "2088000000000901", LogonID: first.LogonID, PaymentCode: "280000000000000901", Behaviour: zfb.BehaviourPays},
		"payment code": {UserID: "2088000000000902", LogonID: "y@example.com", PaymentCode: first.PaymentCode, Behaviour: zfb.BehaviourPays},
	} {
		wantErr(t, s.CreateBuyer(ctx, b), zfb.ErrConflict)
		// Through the service, in a transaction that also funds the
		// buyer: nothing of it is kept.
		b.Balance = 300
		if err := svc.CreateBuyer(ctx, b); !errors.Is(err, zfb.ErrConflict) {
			t.Errorf("same %s through the service: err = %v, want ErrConflict", name, err)
		}
	}
	buyers, err := s.Buyers(ctx)
	ok(t, err)
	if len(buyers) != 1 {
		t.Errorf("%d buyers, want 1", len(buyers))
	}
	if got := balance(t, s, zfb.FundingAccount(zfb.CNY)); got != -1000 {
		t.Errorf("funding balance = %d, want -1000: only the first buyer is funded", got)
	}
	r := ledgerOK(t, s)
	if r.Transfers != 1 {
		t.Errorf("%d transfers, want 1", r.Transfers)
	}
}

func testBuyers(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyers, err := s.Buyers(ctx)
	ok(t, err)
	if len(buyers) != 0 {
		t.Fatalf("%d buyers in an empty store", len(buyers))
	}
	svc := zfb.NewService(s, nil, nil)
	want := []*zfb.Buyer{newBuyer(1, 100), newBuyer(2, 0), newBuyer(3, 300)}
	for _, i := range []int{2, 0, 1} {
		ok(t, svc.CreateBuyer(ctx, want[i]))
	}
	buyers, err = s.Buyers(ctx)
	ok(t, err)
	if len(buyers) != len(want) {
		t.Fatalf("%d buyers, want %d", len(buyers), len(want))
	}
	for i := range want {
		sameBuyer(t, buyers[i], want[i])
	}
}

func testBuyerRestricted(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	b, other := newBuyer(1, 100), newBuyer(2, 100)
	ok(t, svc.CreateBuyer(ctx, b))
	ok(t, svc.CreateBuyer(ctx, other))

	ok(t, s.SetBuyerRestricted(ctx, b.UserID, true))
	b.Restricted = true
	got, err := s.Buyer(ctx, b.UserID)
	ok(t, err)
	sameBuyer(t, got, b)
	sameBuyerByPaymentCode(t, s, b)
	all, err := s.Buyers(ctx)
	ok(t, err)
	for _, got := range all {
		if got.Restricted != (got.UserID == b.UserID) {
			t.Errorf("buyer %s restricted = %v", got.UserID, got.Restricted)
		}
	}

	ok(t, s.SetBuyerRestricted(ctx, b.UserID, false))
	got, err = s.Buyer(ctx, b.UserID)
	ok(t, err)
	if got.Restricted {
		t.Error("the restriction was not lifted")
	}
	wantErr(t, s.SetBuyerRestricted(ctx, "2088000000000404", true), zfb.ErrNotFound)
}

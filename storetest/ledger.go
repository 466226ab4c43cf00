package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func testAccountRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	for _, a := range []*zfb.Account{
		{ID: "unbounded", Kind: zfb.AccountKindFunding, Currency: zfb.CNY},
		{ID: "zero-floor", Kind: zfb.AccountKindBuyerAvailable, Owner: "2088000000000001", Currency: zfb.CNY, Floor: floor(0)},
		{ID: "overdraft", Kind: zfb.AccountKindMerchant, Owner: "2088000000000002", Currency: "USD", Floor: floor(-500)},
	} {
		ok(t, s.EnsureAccount(ctx, a))
		got, err := s.Account(ctx, a.ID)
		ok(t, err)
		if got.ID != a.ID || got.Kind != a.Kind || got.Owner != a.Owner || got.Currency != a.Currency || got.Balance != 0 {
			t.Errorf("account = %+v, want %+v", got, a)
		}
		switch {
		case a.Floor == nil && got.Floor != nil:
			t.Errorf("%s: Floor = %d, want nil", a.ID, *got.Floor)
		case a.Floor != nil && got.Floor == nil:
			t.Errorf("%s: Floor = nil, want %d", a.ID, *a.Floor)
		case a.Floor != nil && *got.Floor != *a.Floor:
			t.Errorf("%s: Floor = %d, want %d", a.ID, *got.Floor, *a.Floor)
		}
	}
	_, err := s.Account(ctx, "missing")
	wantErr(t, err, zfb.ErrNotFound)
}

func testEnsureAccountIdempotent(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	id := fund(t, s, "buyer", 1000)
	// Again, with other fields: nothing changes, the balance least of all.
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: id, Kind: zfb.AccountKindMerchant, Owner: "x", Currency: zfb.CNY, Balance: 5, Floor: floor(-100)}))
	a, err := s.Account(ctx, id)
	ok(t, err)
	if a.Kind != zfb.AccountKindBuyerAvailable || a.Owner != id || a.Balance != 1000 || a.Floor == nil || *a.Floor != 0 {
		t.Errorf("account after a second EnsureAccount = %+v", a)
	}

	// Racing to open one account is safe.
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			errs <- s.EnsureAccount(ctx, &zfb.Account{ID: "raced", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	ledgerOK(t, s)
}

func testPostTransfer(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	merchant := "merchant"
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: merchant, Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)}))

	tr := &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: buyer, Credit: merchant, Amount: 999, Currency: zfb.CNY, CreatedAt: at(5)}
	ok(t, s.PostTransfer(ctx, tr))
	if tr.ID == 0 {
		t.Error("PostTransfer did not set the ID")
	}
	if got := balance(t, s, buyer); got != 1 {
		t.Errorf("buyer balance = %d, want 1", got)
	}
	if got := balance(t, s, merchant); got != 999 {
		t.Errorf("merchant balance = %d, want 999", got)
	}
	if got := balance(t, s, zfb.FundingAccount(zfb.CNY)); got != -1000 {
		t.Errorf("funding balance = %d, want -1000", got)
	}

	// Down to the floor exactly, then back.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T2", Debit: buyer, Credit: merchant, Amount: 1, Currency: zfb.CNY}))
	back := &zfb.Transfer{Kind: "refund", Ref: "T1", Debit: merchant, Credit: buyer, Amount: 500, Currency: zfb.CNY}
	ok(t, s.PostTransfer(ctx, back))
	if back.ID <= tr.ID {
		t.Errorf("IDs do not increase: %d then %d", tr.ID, back.ID)
	}
	if b, m := balance(t, s, buyer), balance(t, s, merchant); b != 500 || m != 500 {
		t.Errorf("balances = %d, %d, want 500, 500", b, m)
	}

	// The entries match the balances.
	r := ledgerOK(t, s)
	if r.Accounts != 3 || r.Transfers != 4 {
		t.Errorf("report counts %d accounts and %d transfers, want 3 and 4", r.Accounts, r.Transfers)
	}
	if total, found := r.Totals[zfb.CNY]; !found || total != 0 {
		t.Errorf("Totals = %v, want CNY: 0", r.Totals)
	}
}

func testPostTransferInvalid(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	for name, tr := range map[string]*zfb.Transfer{
		"zero amount":     {Debit: buyer, Credit: zfb.FundingAccount(zfb.CNY), Amount: 0, Currency: zfb.CNY},
		"negative amount": {Debit: buyer, Credit: zfb.FundingAccount(zfb.CNY), Amount: -5, Currency: zfb.CNY},
		"same account":    {Debit: buyer, Credit: buyer, Amount: 5, Currency: zfb.CNY},
		"no currency":     {Debit: buyer, Credit: zfb.FundingAccount(zfb.CNY), Amount: 5},
	} {
		err := s.PostTransfer(ctx, tr)
		if err == nil || errors.Is(err, zfb.ErrNotFound) || errors.Is(err, zfb.ErrInsufficientFunds) || errors.Is(err, zfb.ErrConflict) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
		if tr.ID != 0 {
			t.Errorf("%s: ID set to %d", name, tr.ID)
		}
	}
	if got := balance(t, s, buyer); got != 1000 {
		t.Errorf("buyer balance = %d, want 1000", got)
	}
	if r := ledgerOK(t, s); r.Transfers != 1 {
		t.Errorf("%d transfers, want 1", r.Transfers)
	}
}

func testPostTransferNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "usd", Kind: zfb.AccountKindMerchant, Currency: "USD", Floor: floor(0)}))
	for name, tr := range map[string]*zfb.Transfer{
		"no debit account":       {Debit: "missing", Credit: buyer, Amount: 5, Currency: zfb.CNY},
		"no credit account":      {Debit: buyer, Credit: "missing", Amount: 5, Currency: zfb.CNY},
		"credit in another":      {Debit: buyer, Credit: "usd", Amount: 5, Currency: zfb.CNY},
		"both in another":        {Debit: buyer, Credit: zfb.FundingAccount(zfb.CNY), Amount: 5, Currency: "USD"},
		"debit in another":       {Debit: "usd", Credit: buyer, Amount: 5, Currency: "USD"},
		"missing and overdrawn":  {Debit: buyer, Credit: "missing", Amount: 5000, Currency: zfb.CNY},
		"overdrawn and in other": {Debit: buyer, Credit: "usd", Amount: 5000, Currency: zfb.CNY},
	} {
		wantErrNamed(t, name, s.PostTransfer(ctx, tr), zfb.ErrNotFound)
	}
	if got := balance(t, s, buyer); got != 1000 {
		t.Errorf("buyer balance = %d, want 1000", got)
	}
	if r := ledgerOK(t, s); r.Transfers != 1 {
		t.Errorf("%d transfers, want 1", r.Transfers)
	}
}

func wantErrNamed(t *testing.T, name string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", name, err, target)
	}
}

func testPostTransferFloor(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "overdraft", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(-100)}))

	refused := &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: buyer, Credit: "overdraft", Amount: 1001, Currency: zfb.CNY}
	wantErr(t, s.PostTransfer(ctx, refused), zfb.ErrInsufficientFunds)
	if refused.ID != 0 {
		t.Errorf("a refused transfer got ID %d", refused.ID)
	}
	ts, err := s.Transfers(ctx, "T1")
	ok(t, err)
	if len(ts) != 0 {
		t.Errorf("a refused transfer was recorded: %+v", ts[0])
	}
	if b, o := balance(t, s, buyer), balance(t, s, "overdraft"); b != 1000 || o != 0 {
		t.Errorf("balances after a refusal = %d, %d, want 1000, 0", b, o)
	}

	// A negative floor allows an overdraft down to it, not beyond.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T2", Debit: "overdraft", Credit: buyer, Amount: 100, Currency: zfb.CNY}))
	wantErr(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T3", Debit: "overdraft", Credit: buyer, Amount: 1, Currency: zfb.CNY}), zfb.ErrInsufficientFunds)
	if got := balance(t, s, "overdraft"); got != -100 {
		t.Errorf("overdraft balance = %d, want -100", got)
	}
	// No floor: the funding account goes as low as it must.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: "T4", Debit: zfb.FundingAccount(zfb.CNY), Credit: buyer, Amount: 1 << 50, Currency: zfb.CNY}))

	r := ledgerOK(t, s)
	if r.Transfers != 3 {
		t.Errorf("%d transfers, want 3", r.Transfers)
	}
}

// testPostTransferRefusedInTx: a refused transfer leaves nothing behind in
// the caller's transaction, which may go on and commit.
func testPostTransferRefusedInTx(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "merchant", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)}))

	err := s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: buyer, Credit: "merchant", Amount: 600, Currency: zfb.CNY}); err != nil {
			return err
		}
		err := q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T2", Debit: buyer, Credit: "merchant", Amount: 600, Currency: zfb.CNY})
		if !errors.Is(err, zfb.ErrInsufficientFunds) {
			return fmt.Errorf("second payment: err = %v, want ErrInsufficientFunds", err)
		}
		err = q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T3", Debit: buyer, Credit: "missing", Amount: 100, Currency: zfb.CNY})
		if !errors.Is(err, zfb.ErrNotFound) {
			return fmt.Errorf("payment to nowhere: err = %v, want ErrNotFound", err)
		}
		// The transaction is still usable.
		if b, err := q.Account(ctx, buyer); err != nil || b.Balance != 400 {
			return fmt.Errorf("buyer inside the transaction = %+v, %v; want balance 400", b, err)
		}
		return q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T4", Debit: buyer, Credit: "merchant", Amount: 400, Currency: zfb.CNY})
	})
	ok(t, err)
	if b, m := balance(t, s, buyer), balance(t, s, "merchant"); b != 0 || m != 1000 {
		t.Errorf("balances = %d, %d, want 0, 1000", b, m)
	}
	for _, ref := range []string{"T2", "T3"} {
		ts, err := s.Transfers(ctx, ref)
		ok(t, err)
		if len(ts) != 0 {
			t.Errorf("refused transfer %s was recorded", ref)
		}
	}
	if r := ledgerOK(t, s); r.Transfers != 3 {
		t.Errorf("%d transfers, want 3", r.Transfers)
	}
}

// testConcurrentTransfersDrain: 50 payments of 30 race for 1000; exactly 33
// go through and the floor holds.
func testConcurrentTransfersDrain(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "merchant", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)}))

	const n, amount = 50, 30
	var (
		wg       sync.WaitGroup
		paid     atomic.Int64
		refused  atomic.Int64
		failures = make(chan error, n)
	)
	for i := range n {
		wg.Go(func() {
			err := s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprintf("T%d", i), Debit: buyer, Credit: "merchant", Amount: amount, Currency: zfb.CNY})
			switch {
			case err == nil:
				paid.Add(1)
			case errors.Is(err, zfb.ErrInsufficientFunds):
				refused.Add(1)
			default:
				failures <- err
			}
		})
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	if paid.Load() != 1000/amount || refused.Load() != n-1000/amount {
		t.Errorf("%d paid and %d refused, want %d and %d", paid.Load(), refused.Load(), 1000/amount, n-1000/amount)
	}
	if b, m := balance(t, s, buyer), balance(t, s, "merchant"); b != 1000%amount || m != 1000/amount*amount {
		t.Errorf("balances = %d, %d, want %d, %d", b, m, 1000%amount, 1000/amount*amount)
	}
	if r := ledgerOK(t, s); r.Transfers != 1+1000/amount {
		t.Errorf("%d transfers, want %d", r.Transfers, 1+1000/amount)
	}
}

// testConcurrentTransfersBothWays: payments and refunds between the same two
// accounts at once neither deadlock nor lose an update.
func testConcurrentTransfersBothWays(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a := fund(t, s, "a", 1000)
	b := fund(t, s, "b", 1000)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		from, to := a, b
		if i%2 == 1 {
			from, to = b, a
		}
		wg.Go(func() {
			errs <- s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprintf("T%d", i), Debit: from, Credit: to, Amount: 10 + int64(i%2), Currency: zfb.CNY})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	// a paid 20×10 and received 20×11.
	if ba, bb := balance(t, s, a), balance(t, s, b); ba != 1020 || bb != 980 {
		t.Errorf("balances = %d, %d, want 1020, 980", ba, bb)
	}
	ledgerOK(t, s)
}

func testTransfers(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "merchant", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)}))

	ts, err := s.Transfers(ctx, "T1")
	ok(t, err)
	if len(ts) != 0 {
		t.Fatalf("%d transfers for an unknown ref", len(ts))
	}

	want := []*zfb.Transfer{
		{Kind: "pay", Ref: "T1", Debit: buyer, Credit: "merchant", Amount: 300, Currency: zfb.CNY, CreatedAt: at(30)},
		{Kind: "refund", Ref: "T1", Debit: "merchant", Credit: buyer, Amount: 100, Currency: zfb.CNY, CreatedAt: at(10)},
		{Kind: "refund", Ref: "T1", Debit: "merchant", Credit: buyer, Amount: 50, Currency: zfb.CNY, CreatedAt: at(20)},
	}
	for i, tr := range want {
		ok(t, s.PostTransfer(ctx, tr))
		// Another ref in between.
		ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprintf("X%d", i), Debit: buyer, Credit: "merchant", Amount: 1, Currency: zfb.CNY}))
	}
	ts, err = s.Transfers(ctx, "T1")
	ok(t, err)
	if len(ts) != len(want) {
		t.Fatalf("%d transfers, want %d", len(ts), len(want))
	}
	for i, got := range ts {
		w := *want[i]
		sameTime(t, "CreatedAt", got.CreatedAt, w.CreatedAt)
		g := *got
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("transfer %d = %+v\nwant %+v", i, g, w)
		}
	}
}

func testCheckLedgerHealthy(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	r := ledgerOK(t, s)
	if r.Accounts != 0 || r.Transfers != 0 || len(r.Totals) != 0 {
		t.Errorf("empty ledger: %+v", r)
	}

	svc := zfb.NewService(s, nil, nil)
	app := newApp(1)
	ok(t, svc.CreateApp(ctx, app))
	for i := 1; i <= 3; i++ {
		ok(t, svc.CreateBuyer(ctx, newBuyer(i, int64(i)*1000)))
	}
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: zfb.BuyerAccount(newBuyer(2, 0).UserID, zfb.CNY),
		Credit: zfb.MerchantAccount(app.SellerID, zfb.CNY), Amount: 1500, Currency: zfb.CNY}))
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: zfb.FundingAccount("USD"), Kind: zfb.AccountKindFunding, Currency: "USD"}))
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "usd", Kind: zfb.AccountKindMerchant, Currency: "USD", Floor: floor(0)}))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: "usd", Debit: zfb.FundingAccount("USD"), Credit: "usd", Amount: 7, Currency: "USD"}))

	r = ledgerOK(t, s)
	// funding CNY, merchant, 3 × (available, frozen), funding USD, usd.
	if r.Accounts != 10 || r.Transfers != 5 {
		t.Errorf("report counts %d accounts and %d transfers, want 10 and 5", r.Accounts, r.Transfers)
	}
	if len(r.Totals) != 2 || r.Totals[zfb.CNY] != 0 || r.Totals["USD"] != 0 {
		t.Errorf("Totals = %v, want CNY: 0, USD: 0", r.Totals)
	}
}

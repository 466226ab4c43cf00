package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// pendingEntries counts the entries not yet folded into a balance column.
func (s *Store) pendingEntries(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM ledger_entries WHERE pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// openPaidMerchant opens a buyer holding 1000 and a merchant it has paid
// n times 10, with the background fold stopped so that the credits stay
// pending until the test folds them.
func openPaidMerchant(t *testing.T, s *Store, n int) (buyer, merchant string) {
	t.Helper()
	if s.folder != nil {
		s.folder.close()
	}
	ctx := t.Context()
	buyer, merchant = "buyer", "merchant"
	for _, a := range []*zfb.Account{
		{ID: "funding", Kind: zfb.AccountKindFunding, Currency: zfb.CNY},
		{ID: buyer, Kind: zfb.AccountKindBuyerAvailable, Currency: zfb.CNY, Floor: new(int64)},
		{ID: merchant, Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: new(int64)},
	} {
		if err := s.EnsureAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	post := func(kind, ref, debit, credit string, amount int64) {
		t.Helper()
		if err := s.PostTransfer(ctx, &zfb.Transfer{Kind: kind, Ref: ref, Debit: debit, Credit: credit,
			Amount: amount, Currency: zfb.CNY, CreatedAt: time.Unix(1, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	post(zfb.TransferOpening, buyer, "funding", buyer, 1000)
	for i := range n {
		post("pay", fmt.Sprintf("T%d", i), buyer, merchant, 10)
	}
	return buyer, merchant
}

// TestCreditsArePendingUntilFolded: on PostgreSQL a credit leaves the
// balance column alone and is pending; FoldPending moves every pending entry into its
// column without changing any balance, and the ledger checks out before
// and after.
func TestCreditsArePendingUntilFolded(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		_, merchant := openPaidMerchant(t, s, 5)
		if !s.dialect.pendingEntries() {
			// One writer: every transfer moves its balances at once.
			if got := s.pendingEntries(t); got != 0 {
				t.Errorf("pending entries on %s = %d, want none", s.dialect.name, got)
			}
			if a, err := s.Account(ctx, merchant); err != nil || a.Balance != 50 {
				t.Errorf("merchant = %+v, %v; want a balance of 50", a, err)
			}
			if n, err := s.FoldPending(ctx); err != nil || n != 0 {
				t.Errorf("FoldPending on %s = %d, %v; want 0", s.dialect.name, n, err)
			}
			return
		}
		// Pending: funding's debit and the merchant's 5 credits. The
		// buyer's opening credit was folded by the buyer's first debit.
		if got := s.pendingEntries(t); got != 1+5 {
			t.Errorf("pending entries = %d, want 6", got)
		}
		var column int64
		if err := s.read.QueryRowContext(ctx, `SELECT balance FROM ledger_accounts WHERE id = $1`, merchant).Scan(&column); err != nil {
			t.Fatal(err)
		}
		if column != 0 {
			t.Errorf("merchant balance column = %d before a fold, want 0", column)
		}
		before := balances(t, s)
		if r, err := s.CheckLedger(ctx); err != nil || !r.OK {
			t.Fatalf("before the fold: %+v, %v", r, err)
		}
		if n, err := s.FoldPending(ctx); err != nil || n != 6 {
			t.Fatalf("FoldPending = %d, %v; want 6", n, err)
		}
		if got := s.pendingEntries(t); got != 0 {
			t.Errorf("pending entries after the fold = %d", got)
		}
		if n, err := s.FoldPending(ctx); err != nil || n != 0 {
			t.Errorf("a second FoldPending = %d, %v; want 0", n, err)
		}
		if after := balances(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("balances changed by the fold: %v, then %v", before, after)
		}
		if r, err := s.CheckLedger(ctx); err != nil || !r.OK {
			t.Fatalf("after the fold: %+v, %v", r, err)
		}
	})
}

func balances(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, id := range []string{"funding", "buyer", "merchant"} {
		a, err := s.Account(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = a.Balance
	}
	return out
}

// TestPaymentsDoNotWaitForEachOther: on PostgreSQL, while one payment into
// a merchant is uncommitted, another payment into it, a fold of it and a
// refund out of it all go through without waiting; the refund cannot
// spend the uncommitted payment.
func TestPaymentsDoNotWaitForEachOther(t *testing.T) {
	s := newPostgresStore(t)
	buyer, merchant := openPaidMerchant(t, s, 2)
	ctx := t.Context()
	if err := s.EnsureAccount(ctx, &zfb.Account{ID: "buyer2", Kind: zfb.AccountKindBuyerAvailable, Currency: zfb.CNY, Floor: new(int64)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: "buyer2", Debit: "funding", Credit: "buyer2", Amount: 100, Currency: zfb.CNY, CreatedAt: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	open, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Rollback()
	if err := s.txQueries(open).PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "open", Debit: buyer, Credit: merchant,
		Amount: 500, Currency: zfb.CNY, CreatedAt: time.Unix(2, 0)}); err != nil {
		t.Fatal(err)
	}

	quick, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := s.PostTransfer(quick, &zfb.Transfer{Kind: "pay", Ref: "other", Debit: "buyer2", Credit: merchant,
		Amount: 30, Currency: zfb.CNY, CreatedAt: time.Unix(2, 0)}); err != nil {
		t.Fatalf("a second payment while one is open: %v", err)
	}
	if _, err := s.FoldPending(quick); err != nil {
		t.Fatalf("a fold while a payment is open: %v", err)
	}
	// The merchant has 20 + 30 committed; 500 more uncommitted.
	err = s.PostTransfer(quick, &zfb.Transfer{Kind: "refund", Ref: "R1", Debit: merchant, Credit: buyer,
		Amount: 51, Currency: zfb.CNY, CreatedAt: time.Unix(3, 0)})
	if !errors.Is(err, zfb.ErrInsufficientFunds) {
		t.Fatalf("a refund of 51 from 50 committed: %v, want insufficient funds", err)
	}
	if err := s.PostTransfer(quick, &zfb.Transfer{Kind: "refund", Ref: "R2", Debit: merchant, Credit: buyer,
		Amount: 50, Currency: zfb.CNY, CreatedAt: time.Unix(3, 0)}); err != nil {
		t.Fatalf("a refund of 50 from 50 committed: %v", err)
	}
	// The open payment holds its buyer's row, which has a floor: another
	// debit of that buyer waits for it (and a fold passes it over).
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	err = s.PostTransfer(short, &zfb.Transfer{Kind: "pay", Ref: "same-buyer", Debit: buyer, Credit: merchant,
		Amount: 1, Currency: zfb.CNY, CreatedAt: time.Unix(2, 0)})
	if err == nil {
		t.Fatal("a debit of the buyer went through while another debit of it was uncommitted")
	}
	if _, err := s.FoldPending(quick); err != nil {
		t.Fatalf("a fold while the buyer's row is held: %v", err)
	}
	if err := open.Commit(); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Account(ctx, merchant); err != nil || a.Balance != 500 {
		t.Fatalf("merchant after the open payment commits: %+v, %v; want 500", a, err)
	}
	if r, err := s.CheckLedger(ctx); err != nil || !r.OK {
		t.Fatalf("ledger: %+v, %v", r, err)
	}
}

// TestFlooredDebitLocksItsAccount: on PostgreSQL a debit of an account
// with a floor holds the account's row from the statement that moves its
// balance, or from before it folds the account's pending entries, so that
// no two folds of one account ever run at once, even when the debit is
// then refused. A debit refused with nothing to fold has changed nothing
// and holds nothing. Payments into the account never wait for the row.
func TestFlooredDebitLocksItsAccount(t *testing.T) {
	s := newPostgresStore(t)
	buyer, merchant := openPaidMerchant(t, s, 1) // the merchant's 10 pending
	ctx := t.Context()
	held := func() bool {
		t.Helper()
		var id string
		err := s.write.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, merchant).Scan(&id)
		return err != nil
	}
	refund := func(amount int64, pending bool, wantErr error, wantHeld bool) {
		t.Helper()
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		err = s.txQueries(tx).PostTransfer(ctx, &zfb.Transfer{Kind: "refund", Ref: "R", Debit: merchant, Credit: buyer,
			Amount: amount, Currency: zfb.CNY, CreatedAt: time.Unix(2, 0)})
		if !errors.Is(err, wantErr) {
			t.Fatalf("a refund of %d from 10 (pending %v): %v, want %v", amount, pending, err, wantErr)
		}
		if got := held(); got != wantHeld {
			t.Errorf("a refund of %d from 10 (pending %v): row held = %v, want %v", amount, pending, got, wantHeld)
		}
		// A payment into the merchant does not wait for that lock.
		quick, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := s.PostTransfer(quick, &zfb.Transfer{Kind: "pay", Ref: "T-more", Debit: buyer, Credit: merchant,
			Amount: 5, Currency: zfb.CNY, CreatedAt: time.Unix(2, 0)}); err != nil {
			t.Fatalf("a payment while the merchant's row is held: %v", err)
		}
	}
	// Refused after folding: the fold wrote the row, which stays held.
	refund(1000, true, zfb.ErrInsufficientFunds, true)
	if _, err := s.FoldPending(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing pending: refused at once, and nothing held.
	refund(1000, false, zfb.ErrInsufficientFunds, false)
	if _, err := s.FoldPending(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing pending, and accepted: the statement that moved it holds it.
	refund(11, false, nil, true)
}

// TestSQLiteEntriesAreNeverPending: on SQLite every entry moves its
// balance column at once.
func TestSQLiteEntriesAreNeverPending(t *testing.T) {
	s := newSQLiteStore(t)
	_, merchant := openPaidMerchant(t, s, 3)
	if got := s.pendingEntries(t); got != 0 {
		t.Errorf("pending entries = %d, want 0", got)
	}
	var column int64
	if err := s.read.QueryRowContext(t.Context(), `SELECT balance FROM ledger_accounts WHERE id = $1`, merchant).Scan(&column); err != nil {
		t.Fatal(err)
	}
	if column != 30 {
		t.Errorf("merchant balance column = %d, want 30", column)
	}
	if r, err := s.CheckLedger(t.Context()); err != nil || !r.OK {
		t.Fatalf("ledger: %+v, %v", r, err)
	}
}

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func testInTxCommit(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	buyer := fund(t, s, "buyer", 1000)
	app := newApp(1)
	tr := &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: buyer, Credit: zfb.MerchantAccount(app.SellerID, zfb.CNY), Amount: 250, Currency: zfb.CNY}
	msg := &zfb.OutboxMessage{AppID: app.ID, Kind: "notify", Target: "http://127.0.0.1/notify", Payload: "trade_no=T1", NextAttempt: at(1), CreatedAt: at(1)}

	err := s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateApp(ctx, app); err != nil {
			return err
		}
		if err := q.EnsureAccount(ctx, &zfb.Account{ID: tr.Credit, Kind: zfb.AccountKindMerchant, Owner: app.SellerID, Currency: zfb.CNY, Floor: floor(0)}); err != nil {
			return err
		}
		if err := q.CreateBuyer(ctx, newBuyer(1, 0)); err != nil {
			return err
		}
		if err := q.PostTransfer(ctx, tr); err != nil {
			return err
		}
		if err := q.EnqueueOutbox(ctx, msg); err != nil {
			return err
		}
		if err := q.PutSetting(ctx, "k", "v"); err != nil {
			return err
		}
		if _, err := q.AdvanceAppClock(ctx, app.ID, time.Minute, zfb.MaxClockOffset); err != nil {
			return err
		}
		// The transaction reads its own writes.
		if _, err := q.App(ctx, app.ID); err != nil {
			return fmt.Errorf("app inside the transaction: %w", err)
		}
		if a, err := q.Account(ctx, tr.Credit); err != nil || a.Balance != 250 {
			return fmt.Errorf("merchant inside the transaction = %+v, %v; want balance 250", a, err)
		}
		if ts, err := q.Transfers(ctx, "T1"); err != nil || len(ts) != 1 {
			return fmt.Errorf("transfers inside the transaction = %d, %v; want 1", len(ts), err)
		}
		if r, err := q.CheckLedger(ctx); err != nil || !r.OK {
			return fmt.Errorf("ledger inside the transaction = %+v, %v; want OK", r, err)
		}
		return nil
	})
	ok(t, err)
	if tr.ID == 0 || msg.ID == 0 {
		t.Errorf("IDs not set: transfer %d, outbox message %d", tr.ID, msg.ID)
	}

	got, err := s.App(ctx, app.ID)
	ok(t, err)
	if got.ClockOffset != app.ClockOffset.Truncate(time.Microsecond)+time.Minute {
		t.Errorf("ClockOffset = %v", got.ClockOffset)
	}
	_, err = s.Buyer(ctx, newBuyer(1, 0).UserID)
	ok(t, err)
	if got := balance(t, s, tr.Credit); got != 250 {
		t.Errorf("merchant balance = %d, want 250", got)
	}
	ms, err := s.OutboxMessages(ctx, app.ID)
	ok(t, err)
	if len(ms) != 1 {
		t.Errorf("%d outbox messages, want 1", len(ms))
	}
	v, err := s.Setting(ctx, "k")
	ok(t, err)
	if v != "v" {
		t.Errorf("setting = %q, want v", v)
	}
	ledgerOK(t, s)
}

// inTxWrites writes one of everything in q.
func inTxWrites(t *testing.T, q zfb.Queries, buyer string) error {
	ctx := t.Context()
	app := newApp(1)
	if err := q.CreateApp(ctx, app); err != nil {
		return err
	}
	if err := q.CreateBuyer(ctx, newBuyer(1, 0)); err != nil {
		return err
	}
	if err := q.EnsureAccount(ctx, &zfb.Account{ID: "merchant", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: floor(0)}); err != nil {
		return err
	}
	if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: "T1", Debit: buyer, Credit: "merchant", Amount: 400, Currency: zfb.CNY}); err != nil {
		return err
	}
	if err := q.EnqueueOutbox(ctx, &zfb.OutboxMessage{AppID: app.ID, Kind: "notify", Target: "http://x", Payload: "p", NextAttempt: at(0), CreatedAt: at(0)}); err != nil {
		return err
	}
	return q.PutSetting(ctx, "k", "v")
}

// nothingLeft checks that none of inTxWrites' writes is in s.
func nothingLeft(t *testing.T, s zfb.Store, buyer string) {
	t.Helper()
	ctx := t.Context()
	_, err := s.App(ctx, newApp(1).ID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Buyer(ctx, newBuyer(1, 0).UserID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Account(ctx, "merchant")
	wantErr(t, err, zfb.ErrNotFound)
	ts, err := s.Transfers(ctx, "T1")
	ok(t, err)
	if len(ts) != 0 {
		t.Errorf("%d transfers T1 after a rollback", len(ts))
	}
	ms, err := s.OutboxMessages(ctx, newApp(1).ID)
	ok(t, err)
	if len(ms) != 0 {
		t.Errorf("%d outbox messages after a rollback", len(ms))
	}
	_, err = s.Setting(ctx, "k")
	wantErr(t, err, zfb.ErrNotFound)
	if got := balance(t, s, buyer); got != 1000 {
		t.Errorf("buyer balance = %d after a rollback, want 1000", got)
	}
	if r := ledgerOK(t, s); r.Transfers != 1 {
		t.Errorf("%d transfers after a rollback, want 1", r.Transfers)
	}
}

func testInTxRollback(t *testing.T, s zfb.Store) {
	buyer := fund(t, s, "buyer", 1000)
	errBoom := errors.New("boom")
	err := s.InTx(t.Context(), func(q zfb.Queries) error {
		if err := inTxWrites(t, q, buyer); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom)
	nothingLeft(t, s, buyer)

	// A refusal returned from fn rolls back what came before it.
	err = s.InTx(t.Context(), func(q zfb.Queries) error {
		if err := inTxWrites(t, q, buyer); err != nil {
			return err
		}
		return q.PostTransfer(t.Context(), &zfb.Transfer{Kind: "pay", Ref: "T2", Debit: buyer, Credit: "merchant", Amount: 601, Currency: zfb.CNY})
	})
	wantErr(t, err, zfb.ErrInsufficientFunds)
	nothingLeft(t, s, buyer)

	// So does a conflict (which on PostgreSQL aborts the transaction).
	err = s.InTx(t.Context(), func(q zfb.Queries) error {
		if err := inTxWrites(t, q, buyer); err != nil {
			return err
		}
		return q.CreateApp(t.Context(), newApp(1))
	})
	wantErr(t, err, zfb.ErrConflict)
	nothingLeft(t, s, buyer)

	// The store works on.
	ok(t, s.InTx(t.Context(), func(q zfb.Queries) error { return inTxWrites(t, q, buyer) }))
}

func testInTxPanic(t *testing.T, s zfb.Store) {
	buyer := fund(t, s, "buyer", 1000)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the panic to pass through InTx", p)
			}
		}()
		_ = s.InTx(t.Context(), func(q zfb.Queries) error {
			if err := inTxWrites(t, q, buyer); err != nil {
				t.Error(err)
			}
			panic("boom")
		})
	}()
	nothingLeft(t, s, buyer)
	// The transaction's connection went back to the pool.
	ok(t, s.InTx(t.Context(), func(q zfb.Queries) error { return inTxWrites(t, q, buyer) }))
}

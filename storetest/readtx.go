package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// testInReadTx: a read transaction sees one snapshot, whatever commits
// meanwhile, and neither waits for a write transaction nor makes one wait.
func testInReadTx(t *testing.T, s zfb.Store) {
	// Waiting would hang; fail instead.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	app, buyer := authSetup(t, s, 1000)
	order := freezeOrder(t, s, app, buyer, 1, 300)
	available := zfb.BuyerAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)

	// Writes committed during the read transaction are not seen in it.
	err := s.InReadTx(ctx, func(q zfb.Queries) error {
		if a, err := q.Account(ctx, available); err != nil || a.Balance != 700 {
			return fmt.Errorf("available account = %+v, %v; want balance 700", a, err)
		}
		o, err := q.AuthOrder(ctx, order.AuthNo)
		if err != nil {
			return err
		}
		// A command commits meanwhile, through the store.
		if err := s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferPay, Ref: "T1", Debit: available, Credit: merchant, Amount: 100, Currency: zfb.CNY}); err != nil {
			return fmt.Errorf("a write during a read transaction: %w", err)
		}
		o.Status = zfb.AuthOrderClosed
		if err := s.UpdateAuthOrder(ctx, o); err != nil {
			return fmt.Errorf("a write during a read transaction: %w", err)
		}
		if a, err := q.Account(ctx, available); err != nil || a.Balance != 700 {
			return fmt.Errorf("available account after a commit = %+v, %v; want the snapshot's 700", a, err)
		}
		if o, err := q.AuthOrder(ctx, order.AuthNo); err != nil || o.Version != 1 || o.Status != zfb.AuthOrderAuthorized {
			return fmt.Errorf("order after a commit = %+v, %v; want the snapshot's version 1", o, err)
		}
		if ts, err := q.Transfers(ctx, "T1"); err != nil || len(ts) != 0 {
			return fmt.Errorf("transfers T1 after a commit = %d, %v; want the snapshot's none", len(ts), err)
		}
		if r, err := q.CheckLedger(ctx); err != nil || !r.OK || r.Transfers != 2 {
			return fmt.Errorf("ledger = %+v, %v; want OK with the snapshot's 2 transfers", r, err)
		}
		return nil
	})
	ok(t, err)
	if got := balance(t, s, available); got != 600 {
		t.Errorf("available balance after the read transaction = %d, want 600", got)
	}
	ledgerOK(t, s)

	// A write transaction holds its uncommitted writes while a read
	// transaction runs: the read neither waits nor sees them.
	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(q zfb.Queries) error {
			if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferPay, Ref: "T2", Debit: available, Credit: merchant, Amount: 50, Currency: zfb.CNY}); err != nil {
				return err
			}
			if err := q.PutSetting(ctx, "k", "v"); err != nil {
				return err
			}
			close(entered)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("the write transaction ended early: %v", err)
	}
	err = s.InReadTx(ctx, func(q zfb.Queries) error {
		if a, err := q.Account(ctx, available); err != nil || a.Balance != 600 {
			return fmt.Errorf("available account during a write = %+v, %v; want the committed 600", a, err)
		}
		if _, err := q.Setting(ctx, "k"); !errors.Is(err, zfb.ErrNotFound) {
			return fmt.Errorf("an uncommitted setting: err = %v, want ErrNotFound", err)
		}
		if r, err := q.CheckLedger(ctx); err != nil || !r.OK {
			return fmt.Errorf("ledger during a write = %+v, %v; want OK", r, err)
		}
		return nil
	})
	close(release)
	ok(t, err)
	ok(t, <-done)
	if got := balance(t, s, available); got != 550 {
		t.Errorf("available balance after the write = %d, want 550", got)
	}

	// fn's error passes through, and so does a panic; the transaction's
	// connection goes back to the pool either way.
	errBoom := errors.New("boom")
	wantErr(t, s.InReadTx(ctx, func(q zfb.Queries) error { return errBoom }), errBoom)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the panic to pass through InReadTx", p)
			}
		}()
		_ = s.InReadTx(ctx, func(q zfb.Queries) error {
			if _, err := q.App(ctx, app.ID); err != nil {
				t.Error(err)
			}
			panic("boom")
		})
	}()
	for range 10 {
		ok(t, s.InReadTx(ctx, func(q zfb.Queries) error {
			_, err := q.AuthOrder(ctx, order.AuthNo)
			return err
		}))
	}
}

// testInReadTxWritesFail: every kind of write through a read transaction
// fails, with none of the errors a command takes for a lost race, and
// writes nothing.
func testInReadTxWritesFail(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app, buyer := authSetup(t, s, 1000)
	order := freezeOrder(t, s, app, buyer, 1, 300)
	available := zfb.BuyerAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)
	tr := bareTrade(app, 1)
	ok(t, s.CreateTrade(ctx, tr))
	before := ledgerOK(t, s)

	writes := map[string]func(q zfb.Queries) error{
		"CreateApp":   func(q zfb.Queries) error { return q.CreateApp(ctx, newApp(2)) },
		"CreateBuyer": func(q zfb.Queries) error { return q.CreateBuyer(ctx, newBuyer(2, 0)) },
		"EnsureAccount": func(q zfb.Queries) error {
			return q.EnsureAccount(ctx, &zfb.Account{ID: "new", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY})
		},
		"PostTransfer": func(q zfb.Queries) error {
			return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferPay, Ref: "T9", Debit: available, Credit: merchant, Amount: 1, Currency: zfb.CNY})
		},
		"AdvanceAppClock": func(q zfb.Queries) error {
			_, err := q.AdvanceAppClock(ctx, app.ID, time.Hour, zfb.MaxClockOffset)
			return err
		},
		"EnqueueOutbox": func(q zfb.Queries) error {
			return q.EnqueueOutbox(ctx, &zfb.OutboxMessage{AppID: app.ID, Kind: "notify", Target: "http://x", Payload: "p", NextAttempt: at(0), CreatedAt: at(0)})
		},
		"PutSetting":  func(q zfb.Queries) error { return q.PutSetting(ctx, "k", "v") },
		"CreateTrade": func(q zfb.Queries) error { return q.CreateTrade(ctx, bareTrade(app, 2)) },
		"UpdateTrade": func(q zfb.Queries) error {
			tr, err := q.Trade(ctx, tr.TradeNo)
			if err != nil {
				return err
			}
			tr.Status = zfb.TradeClosed
			return q.UpdateTrade(ctx, tr)
		},
		"CreateAuthOrder": func(q zfb.Queries) error { return q.CreateAuthOrder(ctx, bareAuthOrder(app, 2)) },
		"UpdateAuthOrder": func(q zfb.Queries) error {
			o, err := q.AuthOrder(ctx, order.AuthNo)
			if err != nil {
				return err
			}
			o.Status = zfb.AuthOrderClosed
			return q.UpdateAuthOrder(ctx, o)
		},
		"CreateAuthOperation": func(q zfb.Queries) error {
			return q.CreateAuthOperation(ctx, newAuthOperation(order, zfb.AuthOpUnfreeze, 2))
		},
		"UpdateAuthOperation": func(q zfb.Queries) error {
			ops, err := q.AuthOperations(ctx, order.AuthNo)
			if err != nil {
				return err
			}
			ops[0].Status = zfb.AuthOpClosed
			return q.UpdateAuthOperation(ctx, ops[0])
		},
	}
	for name, write := range writes {
		err := s.InReadTx(ctx, write)
		if err == nil {
			t.Errorf("%s through a read transaction succeeded", name)
		} else if errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s through a read transaction: err = %v, want a plain error", name, err)
		}
		// A read before the write does not make it succeed (PostgreSQL
		// might otherwise take the first statement as the start of a
		// writable transaction).
		err = s.InReadTx(ctx, func(q zfb.Queries) error {
			if _, err := q.App(ctx, app.ID); err != nil {
				return fmt.Errorf("read first: %w", err)
			}
			return write(q)
		})
		if err == nil {
			t.Errorf("%s after a read, through a read transaction, succeeded", name)
		}
	}

	// Nothing was written.
	_, err := s.App(ctx, newApp(2).ID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Buyer(ctx, newBuyer(2, 0).UserID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Account(ctx, "new")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Setting(ctx, "k")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Trade(ctx, bareTrade(app, 2).TradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOrder(ctx, bareAuthOrder(app, 2).AuthNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOperation(ctx, newAuthOperation(order, zfb.AuthOpUnfreeze, 2).OperationID)
	wantErr(t, err, zfb.ErrNotFound)
	if got, err := s.App(ctx, app.ID); err != nil || got.ClockOffset != app.ClockOffset.Truncate(time.Microsecond) {
		t.Errorf("app after a refused clock advance = %+v, %v", got, err)
	}
	if ms, err := s.OutboxMessages(ctx, app.ID); err != nil || len(ms) != 0 {
		t.Errorf("outbox after a refused enqueue = %d messages, %v; want none", len(ms), err)
	}
	if got, err := s.Trade(ctx, tr.TradeNo); err != nil || got.Version != 1 {
		t.Errorf("trade after a refused update = %+v, %v; want version 1", got, err)
	}
	if got, err := s.AuthOrder(ctx, order.AuthNo); err != nil || got.Version != 1 || got.Status != zfb.AuthOrderAuthorized {
		t.Errorf("order after a refused update = %+v, %v; want version 1, authorised", got, err)
	}
	if ops, err := s.AuthOperations(ctx, order.AuthNo); err != nil || len(ops) != 1 || ops[0].Status != zfb.AuthOpSuccess {
		t.Errorf("operations after a refused update = %+v, %v; want one, succeeded", ops, err)
	}
	if r := ledgerOK(t, s); r.Transfers != before.Transfers || r.Accounts != before.Accounts {
		t.Errorf("ledger after refused writes: %d transfers, %d accounts; want %d, %d", r.Transfers, r.Accounts, before.Transfers, before.Accounts)
	}
	// The store writes on.
	ok(t, s.PutSetting(ctx, "k", "v"))
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// newTrade is a trade of app with every field set, paid, partly refunded
// and cancelled; n tells trades apart.
func newTrade(app *zfb.App, n int) *zfb.Trade {
	return &zfb.Trade{
		TradeNo:        fmt.Sprintf("2025031422001%015d", n),
		AppID:          app.ID,
		OutTradeNo:     fmt.Sprintf("out-%d", n),
		Kind:           zfb.TradeKindPay,
		Status:         zfb.TradeSuccess,
		SellerID:       app.SellerID,
		BuyerID:        fmt.Sprintf("2088%012d", 500+n),
		Subject:        fmt.Sprintf("订单 %d «测试»", n),
		Body:           "two coffees, one without sugar",
		TotalAmount:    88_88,
		RefundedAmount: 8_88,
		Fingerprint:    "sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
		QRCode:         fmt.Sprintf("https://qr.alipay.com/bax0%d", n),
		Scanned:        true,
		NotifyURL:      "https://merchant.example/notify?shop=1&x=%E6%B5%8B",
		ExpiresAt:      at(n + 7200),
		CreatedAt:      at(n),
		PaidAt:         at(n + 3),
		ClosedAt:       at(n + 600),
		CancelAction:   "refund",
	}
}

// bareTrade is an unpaid trade with only the fields a trade must have.
func bareTrade(app *zfb.App, n int) *zfb.Trade {
	return &zfb.Trade{
		TradeNo:     fmt.Sprintf("2025031422001%015d", n),
		AppID:       app.ID,
		OutTradeNo:  fmt.Sprintf("out-%d", n),
		Kind:        zfb.TradeKindPrecreate,
		Status:      zfb.TradeWaitBuyerPay,
		SellerID:    app.SellerID,
		TotalAmount: 1,
	}
}

// sameTrade compares trades, their times to the microsecond: a zero time
// must come back zero.
func sameTrade(t *testing.T, got, want *zfb.Trade) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "ExpiresAt", g.ExpiresAt, w.ExpiresAt)
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	sameTime(t, "PaidAt", g.PaidAt, w.PaidAt)
	sameTime(t, "ClosedAt", g.ClosedAt, w.ClosedAt)
	g.ExpiresAt, w.ExpiresAt = time.Time{}, time.Time{}
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.PaidAt, w.PaidAt = time.Time{}, time.Time{}
	g.ClosedAt, w.ClosedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("trade = %+v\nwant %+v", g, w)
	}
}

func testTradeRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))

	full := newTrade(app, 1)
	full.Version = 7 // ignored: a new trade is at version 1
	ok(t, s.CreateTrade(ctx, full))
	if full.Version != 1 {
		t.Errorf("Version after CreateTrade = %d, want 1", full.Version)
	}
	got, err := s.Trade(ctx, full.TradeNo)
	ok(t, err)
	sameTrade(t, got, full)
	got, err = s.TradeByOutTradeNo(ctx, app.ID, full.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, full)

	// Zero times are zero again (NULL in the database), false is false.
	bare := bareTrade(app, 2)
	ok(t, s.CreateTrade(ctx, bare))
	got, err = s.Trade(ctx, bare.TradeNo)
	ok(t, err)
	sameTrade(t, got, bare)
	if !got.ExpiresAt.IsZero() || !got.CreatedAt.IsZero() || !got.PaidAt.IsZero() || !got.ClosedAt.IsZero() {
		t.Errorf("times of a bare trade = %v, %v, %v, %v; want zero", got.ExpiresAt, got.CreatedAt, got.PaidAt, got.ClosedAt)
	}

	// Each flag and time on its own.
	one := bareTrade(app, 3)
	one.Kind, one.Status, one.CancelAction = zfb.TradeKindCancelled, zfb.TradeClosed, "close"
	one.ClosedAt = at(-3600)
	ok(t, s.CreateTrade(ctx, one))
	got, err = s.TradeByOutTradeNo(ctx, app.ID, one.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, one)
}

func testTradeConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newTrade(a, 1)
	ok(t, s.CreateTrade(ctx, first))

	// The app's out_trade_no again, under another trade_no.
	sameOut := newTrade(a, 2)
	sameOut.OutTradeNo, sameOut.Subject = first.OutTradeNo, "second"
	wantErr(t, s.CreateTrade(ctx, sameOut), zfb.ErrConflict)
	// The trade_no again, in another app.
	sameNo := newTrade(b, 3)
	sameNo.TradeNo, sameNo.Subject = first.TradeNo, "third"
	wantErr(t, s.CreateTrade(ctx, sameNo), zfb.ErrConflict)
	// Through a transaction.
	err := s.InTx(ctx, func(q zfb.Queries) error { return q.CreateTrade(ctx, sameOut) })
	wantErr(t, err, zfb.ErrConflict)

	got, err := s.Trade(ctx, first.TradeNo)
	ok(t, err)
	sameTrade(t, got, first)
	_, err = s.Trade(ctx, sameOut.TradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.TradeByOutTradeNo(ctx, b.ID, sameNo.OutTradeNo)
	wantErr(t, err, zfb.ErrNotFound)

	// Another app may use the same out_trade_no.
	other := newTrade(b, 4)
	other.OutTradeNo = first.OutTradeNo
	ok(t, s.CreateTrade(ctx, other))
	for _, want := range []*zfb.Trade{first, other} {
		got, err := s.TradeByOutTradeNo(ctx, want.AppID, want.OutTradeNo)
		ok(t, err)
		sameTrade(t, got, want)
	}
}

func testTradeNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	tr := newTrade(a, 1)
	ok(t, s.CreateTrade(ctx, tr))

	_, err := s.Trade(ctx, "2025031422001999999999999999")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.TradeByOutTradeNo(ctx, a.ID, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	// Trades are the app's own.
	_, err = s.TradeByOutTradeNo(ctx, b.ID, tr.OutTradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.TradeByOutTradeNo(ctx, "2021000000000404", tr.OutTradeNo)
	wantErr(t, err, zfb.ErrNotFound)

	missing := newTrade(a, 2)
	missing.Version = 1
	wantErr(t, s.UpdateTrade(ctx, missing), zfb.ErrNotFound)
	if missing.Version != 1 {
		t.Errorf("Version after a failed update = %d, want 1", missing.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateTrade(ctx, missing) }), zfb.ErrNotFound)

	_, err = s.Refund(ctx, tr.TradeNo, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	rs, err := s.Refunds(ctx, missing.TradeNo)
	ok(t, err)
	if len(rs) != 0 {
		t.Errorf("%d refunds of a trade that does not exist", len(rs))
	}
}

func testUpdateTrade(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	created := bareTrade(app, 1)
	created.ExpiresAt = at(7200)
	created.CreatedAt = at(1)
	created.Fingerprint = "fp"
	created.Subject = "subject"
	ok(t, s.CreateTrade(ctx, created))

	mine, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)
	theirs, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)

	// Every mutable field changes; the immutable ones are kept whatever the
	// caller says.
	mine.Status = zfb.TradeSuccess
	mine.BuyerID = "2088000000000501"
	mine.Subject = "subject, changed"
	mine.Body = "body"
	mine.RefundedAmount = 1
	mine.QRCode = "https://qr.alipay.com/bax01"
	mine.Scanned = true
	mine.NotifyURL = "https://merchant.example/notify"
	mine.ExpiresAt = at(3600)
	mine.PaidAt = at(5)
	mine.ClosedAt = at(6)
	mine.CancelAction = "refund"
	want := *mine
	want.Version = 2
	mine.AppID = newApp(2).ID
	mine.OutTradeNo = "other"
	mine.Kind = zfb.TradeKindCreate
	mine.SellerID = "2088999999999999"
	mine.TotalAmount = 999
	mine.Fingerprint = "other"
	mine.CreatedAt = at(99)
	ok(t, s.UpdateTrade(ctx, mine))
	if mine.Version != 2 {
		t.Errorf("Version after UpdateTrade = %d, want 2", mine.Version)
	}
	got, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, &want)
	got, err = s.TradeByOutTradeNo(ctx, app.ID, created.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, &want)

	// A write over the version read before is stale and changes nothing.
	theirs.Status = zfb.TradeClosed
	theirs.ClosedAt = at(10)
	wantErr(t, s.UpdateTrade(ctx, theirs), zfb.ErrStale)
	if theirs.Version != 1 {
		t.Errorf("Version after a stale update = %d, want 1", theirs.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateTrade(ctx, theirs) }), zfb.ErrStale)
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, &want)

	// Re-read, it goes through; times go back to zero.
	theirs, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	theirs.Status = zfb.TradeWaitBuyerPay
	theirs.ExpiresAt, theirs.PaidAt, theirs.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	theirs.Scanned = false
	theirs.CancelAction = ""
	theirs.RefundedAmount = 0
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateTrade(ctx, theirs) }))
	if theirs.Version != 3 {
		t.Errorf("Version after the second update = %d, want 3", theirs.Version)
	}
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, theirs)

	// Refunding more than the total is refused, and changes nothing.
	over := *theirs
	over.RefundedAmount = over.TotalAmount + 1
	err = s.UpdateTrade(ctx, &over)
	if err == nil || errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrNotFound) {
		t.Errorf("refunding more than the total: err = %v, want a plain error", err)
	}
	if over.Version != 3 {
		t.Errorf("Version after a refused update = %d, want 3", over.Version)
	}
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, theirs)
}

// testUpdateTradeConcurrent: commands that read one version of a trade race
// to pay it, each posting the payment and updating the trade in one
// transaction. One wins; the others get ErrStale and their payments are
// rolled back. Run with the transfer first (the losers' transfers are
// written, then undone) and with the update first.
func testUpdateTradeConcurrent(t *testing.T, s zfb.Store) {
	const n, amount = 20, 100
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	buyer := fund(t, s, "buyer", 2*n*amount)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: merchant, Kind: zfb.AccountKindMerchant, Owner: app.SellerID, Currency: zfb.CNY, Floor: floor(0)}))

	for round, transferFirst := range []bool{true, false} {
		created := bareTrade(app, round+1)
		created.TotalAmount = amount
		ok(t, s.CreateTrade(ctx, created))

		var (
			read, done sync.WaitGroup
			start      = make(chan struct{})
			mu         sync.Mutex
			winners    []string
			stale      int
		)
		read.Add(n)
		for i := range n {
			done.Go(func() {
				tr, err := s.Trade(ctx, created.TradeNo)
				read.Done()
				if err != nil {
					t.Error(err)
					return
				}
				<-start
				tr.Status = zfb.TradeSuccess
				tr.BuyerID = fmt.Sprintf("buyer %d", i)
				tr.PaidAt = at(i)
				pay := &zfb.Transfer{Kind: zfb.TransferPay, Ref: tr.TradeNo, Debit: buyer, Credit: merchant, Amount: amount, Currency: zfb.CNY, CreatedAt: at(i)}
				err = s.InTx(ctx, func(q zfb.Queries) error {
					if transferFirst {
						if err := q.PostTransfer(ctx, pay); err != nil {
							return err
						}
						return q.UpdateTrade(ctx, tr)
					}
					if err := q.UpdateTrade(ctx, tr); err != nil {
						return err
					}
					return q.PostTransfer(ctx, pay)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, tr.BuyerID)
				case errors.Is(err, zfb.ErrStale):
					stale++
				default:
					t.Errorf("buyer %d: %v", i, err)
				}
			})
		}
		read.Wait()
		close(start)
		done.Wait()

		if len(winners) != 1 || stale != n-1 {
			t.Fatalf("transfer first %v: %d won (%q) and %d were stale, want 1 and %d", transferFirst, len(winners), winners, stale, n-1)
		}
		got, err := s.Trade(ctx, created.TradeNo)
		ok(t, err)
		if got.Version != 2 || got.Status != zfb.TradeSuccess || got.BuyerID != winners[0] {
			t.Errorf("transfer first %v: trade = %+v, want version 2, paid by %s", transferFirst, got, winners[0])
		}
		ts, err := s.Transfers(ctx, created.TradeNo)
		ok(t, err)
		if len(ts) != 1 {
			t.Errorf("transfer first %v: %d transfers of the trade, want 1", transferFirst, len(ts))
		}
		wantBuyer, wantMerchant := int64(2*n-round-1)*amount, int64(round+1)*amount
		if b, m := balance(t, s, buyer), balance(t, s, merchant); b != wantBuyer || m != wantMerchant {
			t.Errorf("transfer first %v: balances = %d, %d, want %d, %d", transferFirst, b, m, wantBuyer, wantMerchant)
		}
		if r := ledgerOK(t, s); r.Transfers != 2+round {
			t.Errorf("transfer first %v: %d transfers in the ledger, want %d", transferFirst, r.Transfers, 2+round)
		}
	}
}

func sameRefund(t *testing.T, got, want *zfb.Refund) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("refund = %+v\nwant %+v", g, w)
	}
}

func testRefunds(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	tr, other := newTrade(app, 1), newTrade(app, 2)
	ok(t, s.CreateTrade(ctx, tr))
	ok(t, s.CreateTrade(ctx, other))

	rs, err := s.Refunds(ctx, tr.TradeNo)
	ok(t, err)
	if len(rs) != 0 {
		t.Fatalf("%d refunds of a trade without any", len(rs))
	}

	// Created in another order than they are listed: by time, then by
	// out_request_no.
	b := &zfb.Refund{TradeNo: tr.TradeNo, OutRequestNo: "b", Amount: 200, Reason: "不想要了", CreatedAt: at(20)}
	z := &zfb.Refund{TradeNo: tr.TradeNo, OutRequestNo: "z", Amount: 100, CreatedAt: at(10)}
	a := &zfb.Refund{TradeNo: tr.TradeNo, OutRequestNo: "a", Amount: 300, Reason: "damaged", CreatedAt: at(20)}
	c := &zfb.Refund{TradeNo: tr.TradeNo, OutRequestNo: tr.TradeNo, Amount: 1, Reason: "cancel", ByCancel: true, CreatedAt: at(30)}
	for _, r := range []*zfb.Refund{b, z, c, a} {
		ok(t, s.CreateRefund(ctx, r))
	}
	// The same out_request_no for another trade is another refund.
	elsewhere := &zfb.Refund{TradeNo: other.TradeNo, OutRequestNo: "b", Amount: 5, CreatedAt: at(0)}
	ok(t, s.CreateRefund(ctx, elsewhere))

	// Taken: refused, and the first one stays.
	dup := *b
	dup.Amount, dup.Reason = 999, "again"
	wantErr(t, s.CreateRefund(ctx, &dup), zfb.ErrConflict)
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateRefund(ctx, &dup) }), zfb.ErrConflict)

	for _, want := range []*zfb.Refund{b, z, a, c, elsewhere} {
		got, err := s.Refund(ctx, want.TradeNo, want.OutRequestNo)
		ok(t, err)
		sameRefund(t, got, want)
	}
	_, err = s.Refund(ctx, other.TradeNo, "z")
	wantErr(t, err, zfb.ErrNotFound)

	rs, err = s.Refunds(ctx, tr.TradeNo)
	ok(t, err)
	want := []*zfb.Refund{z, a, b, c}
	if len(rs) != len(want) {
		t.Fatalf("%d refunds, want %d", len(rs), len(want))
	}
	for i := range want {
		sameRefund(t, rs[i], want[i])
	}
	rs, err = s.Refunds(ctx, other.TradeNo)
	ok(t, err)
	if len(rs) != 1 {
		t.Fatalf("%d refunds of the other trade, want 1", len(rs))
	}
	sameRefund(t, rs[0], elsewhere)
}

// tradeTxWrites creates, in q, a trade of app with a refund and a fault
// rule, and updates the trade.
func tradeTxWrites(t *testing.T, q zfb.Queries, app *zfb.App) error {
	ctx := t.Context()
	tr := bareTrade(app, 1)
	if err := q.CreateTrade(ctx, tr); err != nil {
		return err
	}
	if err := q.CreateRefund(ctx, &zfb.Refund{TradeNo: tr.TradeNo, OutRequestNo: "r1", Amount: 1, CreatedAt: at(1)}); err != nil {
		return err
	}
	tr.Status, tr.RefundedAmount = zfb.TradeClosed, 1
	if err := q.UpdateTrade(ctx, tr); err != nil {
		return err
	}
	if err := q.CreateFault(ctx, &zfb.Fault{AppID: app.ID, Method: "alipay.trade.pay", Effect: zfb.FaultErrorBefore}); err != nil {
		return err
	}
	// The transaction reads its own writes.
	if got, err := q.Trade(ctx, tr.TradeNo); err != nil || got.Version != 2 || got.Status != zfb.TradeClosed {
		return fmt.Errorf("trade inside the transaction = %+v, %v; want version 2, closed", got, err)
	}
	if got, err := q.TradeByOutTradeNo(ctx, app.ID, tr.OutTradeNo); err != nil || got.TradeNo != tr.TradeNo {
		return fmt.Errorf("trade by out_trade_no inside the transaction = %+v, %v", got, err)
	}
	if rs, err := q.Refunds(ctx, tr.TradeNo); err != nil || len(rs) != 1 {
		return fmt.Errorf("refunds inside the transaction = %d, %v; want 1", len(rs), err)
	}
	if _, err := q.Refund(ctx, tr.TradeNo, "r1"); err != nil {
		return fmt.Errorf("refund inside the transaction: %w", err)
	}
	if fs, err := q.Faults(ctx, app.ID); err != nil || len(fs) != 1 {
		return fmt.Errorf("faults inside the transaction = %d, %v; want 1", len(fs), err)
	}
	return nil
}

// noTradeLeft checks that none of tradeTxWrites' writes is in s.
func noTradeLeft(t *testing.T, s zfb.Store, app *zfb.App) {
	t.Helper()
	ctx := t.Context()
	tr := bareTrade(app, 1)
	_, err := s.Trade(ctx, tr.TradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.TradeByOutTradeNo(ctx, app.ID, tr.OutTradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.Refund(ctx, tr.TradeNo, "r1")
	wantErr(t, err, zfb.ErrNotFound)
	rs, err := s.Refunds(ctx, tr.TradeNo)
	ok(t, err)
	if len(rs) != 0 {
		t.Errorf("%d refunds after a rollback", len(rs))
	}
	fs, err := s.Faults(ctx, app.ID)
	ok(t, err)
	if len(fs) != 0 {
		t.Errorf("%d faults after a rollback", len(fs))
	}
}

func testTradeInTxRollback(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))

	errBoom := errors.New("boom")
	err := s.InTx(ctx, func(q zfb.Queries) error {
		if err := tradeTxWrites(t, q, app); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom)
	noTradeLeft(t, s, app)

	// A stale update returned from fn rolls back what came before it.
	err = s.InTx(ctx, func(q zfb.Queries) error {
		if err := tradeTxWrites(t, q, app); err != nil {
			return err
		}
		tr := bareTrade(app, 1)
		tr.Version = 1
		return q.UpdateTrade(ctx, tr)
	})
	wantErr(t, err, zfb.ErrStale)
	noTradeLeft(t, s, app)

	// So does a conflict (which on PostgreSQL aborts the transaction).
	err = s.InTx(ctx, func(q zfb.Queries) error {
		if err := tradeTxWrites(t, q, app); err != nil {
			return err
		}
		return q.CreateRefund(ctx, &zfb.Refund{TradeNo: bareTrade(app, 1).TradeNo, OutRequestNo: "r1", Amount: 1})
	})
	wantErr(t, err, zfb.ErrConflict)
	noTradeLeft(t, s, app)

	// The store works on, and a transaction that succeeds commits it all.
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return tradeTxWrites(t, q, app) }))
	tr, err := s.Trade(ctx, bareTrade(app, 1).TradeNo)
	ok(t, err)
	if tr.Version != 2 || tr.Status != zfb.TradeClosed || tr.RefundedAmount != 1 {
		t.Errorf("trade after commit = %+v", tr)
	}
	rs, err := s.Refunds(ctx, tr.TradeNo)
	ok(t, err)
	fs, err := s.Faults(ctx, app.ID)
	ok(t, err)
	if len(rs) != 1 || len(fs) != 1 {
		t.Errorf("after commit: %d refunds and %d faults, want 1 and 1", len(rs), len(fs))
	}
}

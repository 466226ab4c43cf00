package storetest

import (
	"errors"
	"fmt"
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
		AgentAppID:     "9021000000000003",
		PassbackParams: "merchantBizType%3d3C%26merchantBizNo%3d2016010101111",
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

// testCreateTradeIfNew: a new out_trade_no is stored; a taken one returns
// the stored trade and leaves the transaction usable, so that it can go on
// and commit; a taken trade_no is a conflict.
func testCreateTradeIfNew(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newTrade(a, 1)
	existing, err := s.CreateTradeIfNew(ctx, first)
	ok(t, err)
	if existing != nil || first.Version != 1 {
		t.Fatalf("new trade: existing = %+v, version %d; want nil, 1", existing, first.Version)
	}
	sameOut := newTrade(a, 2)
	sameOut.OutTradeNo, sameOut.Subject = first.OutTradeNo, "second"
	later := newTrade(a, 3)
	err = s.InTx(ctx, func(q zfb.Queries) error {
		existing, err := q.CreateTradeIfNew(ctx, sameOut)
		if err != nil {
			return err
		}
		if existing == nil {
			return errors.New("the taken out_trade_no was stored again")
		}
		sameTrade(t, existing, first)
		// The transaction goes on.
		existing, err = q.CreateTradeIfNew(ctx, later)
		if err != nil || existing != nil {
			return fmt.Errorf("after a taken out_trade_no: existing = %+v, err = %v", existing, err)
		}
		return nil
	})
	ok(t, err)
	_, err = s.Trade(ctx, sameOut.TradeNo)
	wantErr(t, err, zfb.ErrNotFound)
	got, err := s.TradeByOutTradeNo(ctx, a.ID, later.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, later)

	// The trade_no again, in another app.
	sameNo := newTrade(b, 4)
	sameNo.TradeNo = first.TradeNo
	_, err = s.CreateTradeIfNew(ctx, sameNo)
	wantErr(t, err, zfb.ErrConflict)
	_, err = s.TradeByOutTradeNo(ctx, b.ID, sameNo.OutTradeNo)
	wantErr(t, err, zfb.ErrNotFound)
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

package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// dueKeys checks a due-work query: what it lists for limit 10 (the keys
// want, in order, and the first row in full against first), for limit 2
// (the first two keys), and for limit 0 (nothing).
func dueKeys[T any](t *testing.T, what string, query func(limit int) ([]*T, error), key func(*T) string,
	same func(t *testing.T, got, want *T), first *T, want ...string) {
	t.Helper()
	keys := func(limit int) []string {
		t.Helper()
		rows, err := query(limit)
		ok(t, err)
		ks := make([]string, len(rows))
		for i, r := range rows {
			ks[i] = key(r)
		}
		if len(rows) > 0 && limit == 10 {
			same(t, rows[0], first)
		}
		return ks
	}
	if got := keys(10); !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
	if got := keys(2); !slices.Equal(got, want[:min(2, len(want))]) {
		t.Errorf("%s, limit 2: %q, want %q", what, got, want[:min(2, len(want))])
	}
	if got := keys(0); len(got) != 0 {
		t.Errorf("%s, limit 0: %q", what, got)
	}
}

func testExpiredTrades(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	now := at(1000)
	trade := func(app *zfb.App, n int, status zfb.TradeStatus, expires time.Time) *zfb.Trade {
		tr := bareTrade(app, n)
		tr.Status, tr.ExpiresAt, tr.CreatedAt = status, expires, at(n)
		if status != zfb.TradeWaitBuyerPay {
			tr.PaidAt = at(n + 1)
		}
		ok(t, s.CreateTrade(ctx, tr))
		return tr
	}
	t5 := trade(a, 5, zfb.TradeWaitBuyerPay, now.Add(-time.Minute))
	t2 := trade(a, 2, zfb.TradeWaitBuyerPay, now) // at exactly now: expired
	t1 := trade(a, 1, zfb.TradeWaitBuyerPay, now.Add(-time.Minute))
	trade(a, 3, zfb.TradeWaitBuyerPay, now.Add(time.Microsecond))
	trade(a, 4, zfb.TradeWaitBuyerPay, time.Time{}) // no expiry
	trade(a, 6, zfb.TradeSuccess, now.Add(-time.Hour))
	trade(a, 7, zfb.TradeClosed, now.Add(-time.Hour))
	tb := trade(b, 8, zfb.TradeWaitBuyerPay, now.Add(-time.Hour))

	tradeNo := func(tr *zfb.Trade) string { return tr.TradeNo }
	dueKeys(t, "ExpiredTrades", func(limit int) ([]*zfb.Trade, error) { return s.ExpiredTrades(ctx, a.ID, now, limit) },
		tradeNo, sameTrade, t1, t1.TradeNo, t5.TradeNo, t2.TradeNo)
	dueKeys(t, "ExpiredTrades of b", func(limit int) ([]*zfb.Trade, error) { return s.ExpiredTrades(ctx, b.ID, now, limit) },
		tradeNo, sameTrade, tb, tb.TradeNo)
	dueKeys(t, "ExpiredTrades of no app", func(limit int) ([]*zfb.Trade, error) { return s.ExpiredTrades(ctx, "2021000000000404", now, limit) },
		tradeNo, sameTrade, nil)
}

func testFinishableTrades(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	before := at(1000)
	trade := func(app *zfb.App, n int, status zfb.TradeStatus, paid time.Time) *zfb.Trade {
		tr := newTrade(app, n)
		tr.Status, tr.PaidAt, tr.ClosedAt = status, paid, time.Time{}
		ok(t, s.CreateTrade(ctx, tr))
		return tr
	}
	t4 := trade(a, 4, zfb.TradeSuccess, before.Add(-time.Hour))
	t1 := trade(a, 1, zfb.TradeSuccess, before) // at exactly the bound
	t2 := trade(a, 2, zfb.TradeSuccess, before.Add(-2*time.Hour))
	t3 := trade(a, 3, zfb.TradeSuccess, before.Add(-time.Hour))
	trade(a, 5, zfb.TradeSuccess, before.Add(time.Microsecond))
	trade(a, 6, zfb.TradeFinished, before.Add(-3*time.Hour))
	trade(a, 7, zfb.TradeClosed, before.Add(-3*time.Hour))
	trade(a, 8, zfb.TradeWaitBuyerPay, time.Time{})
	tb := trade(b, 9, zfb.TradeSuccess, before.Add(-3*time.Hour))

	tradeNo := func(tr *zfb.Trade) string { return tr.TradeNo }
	dueKeys(t, "FinishableTrades", func(limit int) ([]*zfb.Trade, error) { return s.FinishableTrades(ctx, a.ID, before, limit) },
		tradeNo, sameTrade, t2, t2.TradeNo, t3.TradeNo, t4.TradeNo, t1.TradeNo)
	dueKeys(t, "FinishableTrades of b", func(limit int) ([]*zfb.Trade, error) { return s.FinishableTrades(ctx, b.ID, before, limit) },
		tradeNo, sameTrade, tb, tb.TradeNo)
}

func testExpiredAuthOrders(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	now := at(1000)
	order := func(app *zfb.App, n int, kind string, status zfb.AuthOrderStatus, expires time.Time) *zfb.AuthOrder {
		o := bareAuthOrder(app, n)
		o.Kind, o.Status, o.ExpiresAt, o.CreatedAt = kind, status, expires, at(n)
		ok(t, s.CreateAuthOrder(ctx, o))
		return o
	}
	o3 := order(a, 3, zfb.AuthKindVoucher, zfb.AuthOrderInit, now.Add(-time.Minute))
	o1 := order(a, 1, zfb.AuthKindFreeze, zfb.AuthOrderInit, now) // at exactly now: expired
	o2 := order(a, 2, zfb.AuthKindVoucher, zfb.AuthOrderInit, now.Add(-time.Minute))
	order(a, 4, zfb.AuthKindVoucher, zfb.AuthOrderInit, now.Add(time.Microsecond))
	order(a, 5, zfb.AuthKindVoucher, zfb.AuthOrderInit, time.Time{})
	order(a, 6, zfb.AuthKindFreeze, zfb.AuthOrderAuthorized, now.Add(-time.Hour))
	order(a, 7, zfb.AuthKindVoucher, zfb.AuthOrderClosed, now.Add(-time.Hour))
	order(a, 8, zfb.AuthKindCancelled, zfb.AuthOrderInit, now.Add(-time.Hour)) // a tombstone
	ob := order(b, 9, zfb.AuthKindVoucher, zfb.AuthOrderInit, now.Add(-time.Hour))

	authNo := func(o *zfb.AuthOrder) string { return o.AuthNo }
	dueKeys(t, "ExpiredAuthOrders", func(limit int) ([]*zfb.AuthOrder, error) { return s.ExpiredAuthOrders(ctx, a.ID, now, limit) },
		authNo, sameAuthOrder, o2, o2.AuthNo, o3.AuthNo, o1.AuthNo)
	dueKeys(t, "ExpiredAuthOrders of b", func(limit int) ([]*zfb.AuthOrder, error) { return s.ExpiredAuthOrders(ctx, b.ID, now, limit) },
		authNo, sameAuthOrder, ob, ob.AuthNo)
}

func testExpiredIntlPayments(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	now := at(1000)
	payment := func(app *zfb.App, n int, status zfb.IntlPaymentStatus, expires time.Time) *zfb.IntlPayment {
		p := bareIntlPayment(app, n)
		p.Status, p.ExpiresAt, p.CreatedAt = status, expires, at(n)
		ok(t, s.CreateIntlPayment(ctx, p))
		return p
	}
	p2 := payment(a, 2, zfb.IntlPaymentInit, now.Add(-time.Minute))
	p3 := payment(a, 3, zfb.IntlPaymentInit, now) // at exactly now: expired
	p1 := payment(a, 1, zfb.IntlPaymentInit, now.Add(-time.Minute))
	payment(a, 4, zfb.IntlPaymentInit, now.Add(time.Microsecond))
	payment(a, 5, zfb.IntlPaymentInit, time.Time{})
	payment(a, 6, zfb.IntlPaymentSuccess, now.Add(-time.Hour))
	payment(a, 7, zfb.IntlPaymentClosed, now.Add(-time.Hour))
	tomb := intlTombstone(a, 8) // a tombstone, even one left INIT, is no payment
	tomb.Status, tomb.ExpiresAt = zfb.IntlPaymentInit, now.Add(-time.Hour)
	ok(t, s.CreateIntlPayment(ctx, tomb))
	pb := payment(b, 9, zfb.IntlPaymentInit, now.Add(-time.Hour))

	acqID := func(p *zfb.IntlPayment) string { return p.AcquirementID }
	dueKeys(t, "ExpiredIntlPayments", func(limit int) ([]*zfb.IntlPayment, error) { return s.ExpiredIntlPayments(ctx, a.ID, now, limit) },
		acqID, sameIntlPayment, p1, p1.AcquirementID, p2.AcquirementID, p3.AcquirementID)
	dueKeys(t, "ExpiredIntlPayments of b", func(limit int) ([]*zfb.IntlPayment, error) { return s.ExpiredIntlPayments(ctx, b.ID, now, limit) },
		acqID, sameIntlPayment, pb, pb.AcquirementID)
}

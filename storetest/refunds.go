package storetest

import (
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

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

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// newAuthOrder is an authorisation order of app with every field set,
// frozen, partly unfrozen, partly paid and finished; n tells orders apart.
func newAuthOrder(app *zfb.App, n int) *zfb.AuthOrder {
	return &zfb.AuthOrder{
		AuthNo:              fmt.Sprintf("2025031410002%015d", n),
		AppID:               app.ID,
		OutOrderNo:          fmt.Sprintf("order-%d", n),
		Kind:                zfb.AuthKindFreeze,
		Status:              zfb.AuthOrderFinish,
		PayeeUserID:         app.SellerID,
		PayerUserID:         fmt.Sprintf("2088%012d", 500+n),
		OrderTitle:          fmt.Sprintf("预授权 %d «测试»", n),
		ProductCode:         "PRE_AUTH",
		ExtraParam:          `{"category":"RENT_CAR","outStoreCode":"S-1"}`,
		TotalFreezeAmount:   100_00,
		TotalUnfreezeAmount: 30_00,
		TotalPayAmount:      70_00,
		Fingerprint:         "sha256:d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35",
		CodeValue:           fmt.Sprintf("https://qr.alipay.com/bax1%d", n),
		NotifyURL:           "https://merchant.example/fundauth?shop=1&x=%E6%B5%8B",
		AgentAppID:          "9021000000000003",
		ExpiresAt:           at(n + 900),
		CreatedAt:           at(n),
		ClosedAt:            at(n + 600),
	}
}

// bareAuthOrder is a voucher nobody has scanned, with only the fields an
// order must have.
func bareAuthOrder(app *zfb.App, n int) *zfb.AuthOrder {
	return &zfb.AuthOrder{
		AuthNo:     fmt.Sprintf("2025031410002%015d", n),
		AppID:      app.ID,
		OutOrderNo: fmt.Sprintf("order-%d", n),
		Kind:       zfb.AuthKindVoucher,
		Status:     zfb.AuthOrderInit,
	}
}

// sameAuthOrder compares orders, their times to the microsecond: a zero
// time must come back zero.
func sameAuthOrder(t *testing.T, got, want *zfb.AuthOrder) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "ExpiresAt", g.ExpiresAt, w.ExpiresAt)
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	sameTime(t, "ClosedAt", g.ClosedAt, w.ClosedAt)
	g.ExpiresAt, w.ExpiresAt = time.Time{}, time.Time{}
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.ClosedAt, w.ClosedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("fund auth order = %+v\nwant %+v", g, w)
	}
}

func testAuthOrderRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))

	full := newAuthOrder(app, 1)
	full.Version = 7 // ignored: a new order is at version 1
	ok(t, s.CreateAuthOrder(ctx, full))
	if full.Version != 1 {
		t.Errorf("Version after CreateAuthOrder = %d, want 1", full.Version)
	}
	got, err := s.AuthOrder(ctx, full.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, full)
	got, err = s.AuthOrderByOutOrderNo(ctx, app.ID, full.OutOrderNo)
	ok(t, err)
	sameAuthOrder(t, got, full)
	if got.RestAmount() != 0 {
		t.Errorf("RestAmount = %d, want 0", got.RestAmount())
	}

	// Zero times are zero again (NULL in the database).
	bare := bareAuthOrder(app, 2)
	ok(t, s.CreateAuthOrder(ctx, bare))
	got, err = s.AuthOrder(ctx, bare.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, bare)
	if !got.ExpiresAt.IsZero() || !got.CreatedAt.IsZero() || !got.ClosedAt.IsZero() {
		t.Errorf("times of a bare order = %v, %v, %v; want zero", got.ExpiresAt, got.CreatedAt, got.ClosedAt)
	}

	// Each time on its own; a cancelled placeholder.
	one := bareAuthOrder(app, 3)
	one.Kind, one.Status = zfb.AuthKindCancelled, zfb.AuthOrderClosed
	one.ClosedAt = at(-3600)
	ok(t, s.CreateAuthOrder(ctx, one))
	got, err = s.AuthOrderByOutOrderNo(ctx, app.ID, one.OutOrderNo)
	ok(t, err)
	sameAuthOrder(t, got, one)
	two := bareAuthOrder(app, 4)
	two.Status, two.TotalFreezeAmount, two.ExpiresAt = zfb.AuthOrderAuthorized, 1, at(7200)
	ok(t, s.CreateAuthOrder(ctx, two))
	got, err = s.AuthOrder(ctx, two.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, two)
	if got.RestAmount() != 1 {
		t.Errorf("RestAmount = %d, want 1", got.RestAmount())
	}

	// Inside a transaction, which reads its own writes.
	five := newAuthOrder(app, 5)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOrder(ctx, five); err != nil {
			return err
		}
		got, err := q.AuthOrderByOutOrderNo(ctx, app.ID, five.OutOrderNo)
		if err != nil {
			return err
		}
		sameAuthOrder(t, got, five)
		return nil
	}))
	got, err = s.AuthOrder(ctx, five.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, five)
}

func testAuthOrderConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newAuthOrder(a, 1)
	ok(t, s.CreateAuthOrder(ctx, first))

	// The app's out_order_no again, under another auth_no.
	sameOut := newAuthOrder(a, 2)
	sameOut.OutOrderNo, sameOut.OrderTitle = first.OutOrderNo, "second"
	wantErr(t, s.CreateAuthOrder(ctx, sameOut), zfb.ErrConflict)
	if sameOut.Version != 0 {
		t.Errorf("Version after a conflict = %d, want 0", sameOut.Version)
	}
	// The auth_no again, in another app.
	sameNo := newAuthOrder(b, 3)
	sameNo.AuthNo, sameNo.OrderTitle = first.AuthNo, "third"
	wantErr(t, s.CreateAuthOrder(ctx, sameNo), zfb.ErrConflict)
	// Through a transaction.
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateAuthOrder(ctx, sameOut) }), zfb.ErrConflict)

	got, err := s.AuthOrder(ctx, first.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, first)
	_, err = s.AuthOrder(ctx, sameOut.AuthNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOrderByOutOrderNo(ctx, b.ID, sameNo.OutOrderNo)
	wantErr(t, err, zfb.ErrNotFound)

	// Another app may use the same out_order_no.
	other := newAuthOrder(b, 4)
	other.OutOrderNo = first.OutOrderNo
	ok(t, s.CreateAuthOrder(ctx, other))
	for _, want := range []*zfb.AuthOrder{first, other} {
		got, err := s.AuthOrderByOutOrderNo(ctx, want.AppID, want.OutOrderNo)
		ok(t, err)
		sameAuthOrder(t, got, want)
	}

	// An order needs its keys; the schema refuses impossible totals.
	for name, o := range map[string]*zfb.AuthOrder{
		"no auth_no":      {AppID: a.ID, OutOrderNo: "o-x"},
		"no app":          {AuthNo: "A-x", OutOrderNo: "o-x"},
		"no out_order_no": {AuthNo: "A-x", AppID: a.ID},
		"negative freeze": {AuthNo: "A-x", AppID: a.ID, OutOrderNo: "o-x", TotalFreezeAmount: -1},
		"over-unfrozen":   {AuthNo: "A-x", AppID: a.ID, OutOrderNo: "o-x", TotalFreezeAmount: 10, TotalUnfreezeAmount: 11},
		"over-paid":       {AuthNo: "A-x", AppID: a.ID, OutOrderNo: "o-x", TotalFreezeAmount: 10, TotalUnfreezeAmount: 5, TotalPayAmount: 6},
	} {
		err := s.CreateAuthOrder(ctx, o)
		if err == nil || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
	}
	// An app that does not exist.
	wantErr(t, s.CreateAuthOrder(ctx, newAuthOrder(newApp(3), 5)), zfb.ErrNotFound)
}

func testAuthNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	order := newAuthOrder(a, 1)
	ok(t, s.CreateAuthOrder(ctx, order))
	op := newAuthOperation(order, zfb.AuthOpFreeze, 1)
	ok(t, s.CreateAuthOperation(ctx, op))

	_, err := s.AuthOrder(ctx, "2025031410002999999999999999")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOrderByOutOrderNo(ctx, a.ID, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	// Orders are the app's own.
	_, err = s.AuthOrderByOutOrderNo(ctx, b.ID, order.OutOrderNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOrderByOutOrderNo(ctx, "2021000000000404", order.OutOrderNo)
	wantErr(t, err, zfb.ErrNotFound)

	missing := newAuthOrder(a, 2)
	missing.Version = 1
	wantErr(t, s.UpdateAuthOrder(ctx, missing), zfb.ErrNotFound)
	if missing.Version != 1 {
		t.Errorf("Version after a failed update = %d, want 1", missing.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOrder(ctx, missing) }), zfb.ErrNotFound)

	_, err = s.AuthOperation(ctx, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	// By out_request_no: the type and the order count.
	_, err = s.AuthOperationByOutRequestNo(ctx, order.AuthNo, zfb.AuthOpFreeze, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOperationByOutRequestNo(ctx, order.AuthNo, zfb.AuthOpUnfreeze, op.OutRequestNo)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AuthOperationByOutRequestNo(ctx, missing.AuthNo, zfb.AuthOpFreeze, op.OutRequestNo)
	wantErr(t, err, zfb.ErrNotFound)
	ops, err := s.AuthOperations(ctx, missing.AuthNo)
	ok(t, err)
	if len(ops) != 0 {
		t.Errorf("%d operations of an order that does not exist", len(ops))
	}
	gone := newAuthOperation(order, zfb.AuthOpUnfreeze, 2)
	wantErr(t, s.UpdateAuthOperation(ctx, gone), zfb.ErrNotFound)
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOperation(ctx, gone) }), zfb.ErrNotFound)

	orders, err := s.AuthOrders(ctx, "2021000000000404", 10)
	ok(t, err)
	if len(orders) != 0 {
		t.Errorf("%d orders of an app that does not exist", len(orders))
	}
}

func testAuthOrders(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))

	orders, err := s.AuthOrders(ctx, a.ID, 10)
	ok(t, err)
	if len(orders) != 0 {
		t.Fatalf("%d orders of an app without any", len(orders))
	}

	// Created in another order than they are listed: newest first, then
	// by auth_no descending among orders made at the same time.
	o1 := newAuthOrder(a, 1)
	o1.CreatedAt = at(10)
	o2 := newAuthOrder(a, 2)
	o2.CreatedAt = at(30)
	o3 := newAuthOrder(a, 3)
	o3.CreatedAt = at(20)
	o4 := newAuthOrder(a, 4)
	o4.CreatedAt = at(20)
	o5 := bareAuthOrder(a, 5) // made at the zero time: the oldest
	g1 := newAuthOrder(b, 6)
	g1.CreatedAt = at(25)
	tomb := bareAuthOrder(a, 8) // a cancelled out_order_no: no order, never listed
	tomb.Kind, tomb.CreatedAt = zfb.AuthKindCancelled, at(50)
	for _, o := range []*zfb.AuthOrder{o3, o1, g1, o5, o2, tomb, o4} {
		ok(t, s.CreateAuthOrder(ctx, o))
	}
	all := []*zfb.AuthOrder{o2, o4, o3, o1, o5}
	for _, limit := range []int{1, 2, 4, 5, 6, 100} {
		orders, err := s.AuthOrders(ctx, a.ID, limit)
		ok(t, err)
		want := all[:min(limit, len(all))]
		if len(orders) != len(want) {
			t.Fatalf("limit %d: %d orders, want %d", limit, len(orders), len(want))
		}
		for i := range want {
			sameAuthOrder(t, orders[i], want[i])
		}
	}
	for _, limit := range []int{0, -1} {
		orders, err := s.AuthOrders(ctx, a.ID, limit)
		ok(t, err)
		if len(orders) != 0 {
			t.Errorf("limit %d: %d orders, want none", limit, len(orders))
		}
	}
	orders, err = s.AuthOrders(ctx, b.ID, 10)
	ok(t, err)
	if len(orders) != 1 {
		t.Fatalf("%d orders of the other app, want 1", len(orders))
	}
	sameAuthOrder(t, orders[0], g1)

	// Through a transaction, which sees its own writes.
	o6 := newAuthOrder(a, 7)
	o6.CreatedAt = at(40)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOrder(ctx, o6); err != nil {
			return err
		}
		orders, err := q.AuthOrders(ctx, a.ID, 1)
		if err != nil {
			return err
		}
		if len(orders) != 1 || orders[0].AuthNo != o6.AuthNo {
			return fmt.Errorf("newest order inside the transaction = %v, want %s", orders, o6.AuthNo)
		}
		return nil
	}))
}

// testCreateAuthOrderIfNew: a new out_order_no is stored; a taken one
// returns the stored order and leaves the transaction usable, so that it
// can go on and commit; a taken auth_no is a conflict.
func testCreateAuthOrderIfNew(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newAuthOrder(a, 1)
	existing, err := s.CreateAuthOrderIfNew(ctx, first)
	ok(t, err)
	if existing != nil || first.Version != 1 {
		t.Fatalf("new order: existing = %+v, version %d; want nil, 1", existing, first.Version)
	}
	sameOut := newAuthOrder(a, 2)
	sameOut.OutOrderNo, sameOut.OrderTitle = first.OutOrderNo, "second"
	later := newAuthOrder(a, 3)
	err = s.InTx(ctx, func(q zfb.Queries) error {
		existing, err := q.CreateAuthOrderIfNew(ctx, sameOut)
		if err != nil {
			return err
		}
		if existing == nil {
			return errors.New("the taken out_order_no was stored again")
		}
		sameAuthOrder(t, existing, first)
		if sameOut.Version != 0 {
			t.Errorf("Version of the order not stored = %d, want 0", sameOut.Version)
		}
		// The transaction goes on.
		existing, err = q.CreateAuthOrderIfNew(ctx, later)
		if err != nil || existing != nil {
			return fmt.Errorf("after a taken out_order_no: existing = %+v, err = %v", existing, err)
		}
		return nil
	})
	ok(t, err)
	_, err = s.AuthOrder(ctx, sameOut.AuthNo)
	wantErr(t, err, zfb.ErrNotFound)
	got, err := s.AuthOrderByOutOrderNo(ctx, a.ID, later.OutOrderNo)
	ok(t, err)
	sameAuthOrder(t, got, later)

	// The auth_no again, in another app.
	sameNo := newAuthOrder(b, 4)
	sameNo.AuthNo = first.AuthNo
	_, err = s.CreateAuthOrderIfNew(ctx, sameNo)
	wantErr(t, err, zfb.ErrConflict)
	_, err = s.AuthOrderByOutOrderNo(ctx, b.ID, sameNo.OutOrderNo)
	wantErr(t, err, zfb.ErrNotFound)
}

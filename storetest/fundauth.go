package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// newAuthOperation is an operation of order with every field set; n tells
// operations apart.
func newAuthOperation(order *zfb.AuthOrder, typ zfb.AuthOperationType, n int) *zfb.AuthOperation {
	return &zfb.AuthOperation{
		OperationID:  fmt.Sprintf("2025031410002%07d%08d", n, n),
		AuthNo:       order.AuthNo,
		OutRequestNo: fmt.Sprintf("req-%d", n),
		Type:         typ,
		Status:       zfb.AuthOpSuccess,
		Amount:       int64(n) * 100,
		Remark:       fmt.Sprintf("操作 %d «测试»", n),
		TradeNo:      fmt.Sprintf("2025031422001%015d", n),
		CancelAction: zfb.AuthCancelUnfreeze,
		CreatedAt:    at(n),
		TransAt:      at(n + 2),
		ClosedAt:     at(n + 60),
	}
}

// bareAuthOperation is an operation waiting for the buyer, with only the
// fields an operation must have.
func bareAuthOperation(order *zfb.AuthOrder, typ zfb.AuthOperationType, n int) *zfb.AuthOperation {
	return &zfb.AuthOperation{
		OperationID:  fmt.Sprintf("2025031410002%07d%08d", n, n),
		AuthNo:       order.AuthNo,
		OutRequestNo: fmt.Sprintf("req-%d", n),
		Type:         typ,
		Status:       zfb.AuthOpInit,
		Amount:       1,
	}
}

func sameAuthOperation(t *testing.T, got, want *zfb.AuthOperation) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	sameTime(t, "TransAt", g.TransAt, w.TransAt)
	sameTime(t, "ClosedAt", g.ClosedAt, w.ClosedAt)
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.TransAt, w.TransAt = time.Time{}, time.Time{}
	g.ClosedAt, w.ClosedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("fund auth operation = %+v\nwant %+v", g, w)
	}
}

func sameAuthOperations(t *testing.T, got, want []*zfb.AuthOperation) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d operations, want %d", len(got), len(want))
	}
	for i := range want {
		sameAuthOperation(t, got[i], want[i])
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

func testAuthOperationRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	order, other := newAuthOrder(app, 1), newAuthOrder(app, 2)
	ok(t, s.CreateAuthOrder(ctx, order))
	ok(t, s.CreateAuthOrder(ctx, other))

	ops, err := s.AuthOperations(ctx, order.AuthNo)
	ok(t, err)
	sameAuthOperations(t, ops, nil)

	full := newAuthOperation(order, zfb.AuthOpPay, 1)
	ok(t, s.CreateAuthOperation(ctx, full))
	got, err := s.AuthOperation(ctx, full.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, full)
	got, err = s.AuthOperationByOutRequestNo(ctx, order.AuthNo, zfb.AuthOpPay, full.OutRequestNo)
	ok(t, err)
	sameAuthOperation(t, got, full)

	// Zero times are zero again.
	bare := bareAuthOperation(order, zfb.AuthOpFreeze, 2)
	ok(t, s.CreateAuthOperation(ctx, bare))
	got, err = s.AuthOperation(ctx, bare.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, bare)
	if !got.CreatedAt.IsZero() || !got.TransAt.IsZero() || !got.ClosedAt.IsZero() {
		t.Errorf("times of a bare operation = %v, %v, %v; want zero", got.CreatedAt, got.TransAt, got.ClosedAt)
	}

	// Listed oldest first, by operation_id among those made at the same
	// time, whatever order they were created in; each order its own.
	late := newAuthOperation(order, zfb.AuthOpUnfreeze, 9)
	late.CreatedAt, late.TransAt, late.ClosedAt = at(90), at(91), time.Time{}
	early := newAuthOperation(order, zfb.AuthOpUnfreeze, 8)
	early.CreatedAt, early.CancelAction = at(1), ""
	elsewhere := newAuthOperation(other, zfb.AuthOpFreeze, 7)
	for _, op := range []*zfb.AuthOperation{late, elsewhere, early} {
		ok(t, s.CreateAuthOperation(ctx, op))
	}
	// bare (created at the zero time, stored as such) comes first; full
	// and early share at(1) and are ordered by operation_id.
	ops, err = s.AuthOperations(ctx, order.AuthNo)
	ok(t, err)
	sameAuthOperations(t, ops, []*zfb.AuthOperation{bare, full, early, late})
	ops, err = s.AuthOperations(ctx, other.AuthNo)
	ok(t, err)
	sameAuthOperations(t, ops, []*zfb.AuthOperation{elsewhere})

	// Through a transaction.
	inTx := newAuthOperation(other, zfb.AuthOpPay, 6)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOperation(ctx, inTx); err != nil {
			return err
		}
		got, err := q.AuthOperationByOutRequestNo(ctx, other.AuthNo, zfb.AuthOpPay, inTx.OutRequestNo)
		if err != nil {
			return err
		}
		sameAuthOperation(t, got, inTx)
		ops, err := q.AuthOperations(ctx, other.AuthNo)
		if err != nil {
			return err
		}
		sameAuthOperations(t, ops, []*zfb.AuthOperation{inTx, elsewhere})
		return nil
	}))
	got, err = s.AuthOperation(ctx, inTx.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, inTx)
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

func testAuthOperationConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	order, other := newAuthOrder(app, 1), newAuthOrder(app, 2)
	ok(t, s.CreateAuthOrder(ctx, order))
	ok(t, s.CreateAuthOrder(ctx, other))
	first := newAuthOperation(order, zfb.AuthOpFreeze, 1)
	ok(t, s.CreateAuthOperation(ctx, first))

	// The order's out_request_no again, for the same type.
	dup := newAuthOperation(order, zfb.AuthOpFreeze, 2)
	dup.OutRequestNo, dup.Amount = first.OutRequestNo, 999
	wantErr(t, s.CreateAuthOperation(ctx, dup), zfb.ErrConflict)
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateAuthOperation(ctx, dup) }), zfb.ErrConflict)
	// The operation_id again, elsewhere.
	sameID := newAuthOperation(other, zfb.AuthOpUnfreeze, 3)
	sameID.OperationID = first.OperationID
	wantErr(t, s.CreateAuthOperation(ctx, sameID), zfb.ErrConflict)

	got, err := s.AuthOperationByOutRequestNo(ctx, order.AuthNo, zfb.AuthOpFreeze, first.OutRequestNo)
	ok(t, err)
	sameAuthOperation(t, got, first)
	_, err = s.AuthOperation(ctx, dup.OperationID)
	wantErr(t, err, zfb.ErrNotFound)

	// The same out_request_no with another type is another operation (a
	// PAY's out_request_no is its trade's out_trade_no), and so is the same
	// out_request_no and type in another order.
	pay := newAuthOperation(order, zfb.AuthOpPay, 4)
	pay.OutRequestNo = first.OutRequestNo
	unfreeze := newAuthOperation(order, zfb.AuthOpUnfreeze, 5)
	unfreeze.OutRequestNo = first.OutRequestNo
	elsewhere := newAuthOperation(other, zfb.AuthOpFreeze, 6)
	elsewhere.OutRequestNo = first.OutRequestNo
	for _, op := range []*zfb.AuthOperation{pay, unfreeze, elsewhere} {
		ok(t, s.CreateAuthOperation(ctx, op))
	}
	for _, want := range []*zfb.AuthOperation{first, pay, unfreeze, elsewhere} {
		got, err := s.AuthOperationByOutRequestNo(ctx, want.AuthNo, want.Type, want.OutRequestNo)
		ok(t, err)
		sameAuthOperation(t, got, want)
	}

	// An order that does not exist.
	orphan := newAuthOperation(newAuthOrder(app, 9), zfb.AuthOpFreeze, 7)
	wantErr(t, s.CreateAuthOperation(ctx, orphan), zfb.ErrNotFound)
	// An operation needs its keys and a positive amount.
	for name, op := range map[string]*zfb.AuthOperation{
		"no operation_id":   {AuthNo: order.AuthNo, OutRequestNo: "r-x", Type: zfb.AuthOpFreeze, Amount: 1},
		"no auth_no":        {OperationID: "op-x", OutRequestNo: "r-x", Type: zfb.AuthOpFreeze, Amount: 1},
		"no out_request_no": {OperationID: "op-x", AuthNo: order.AuthNo, Type: zfb.AuthOpFreeze, Amount: 1},
		"no type":           {OperationID: "op-x", AuthNo: order.AuthNo, OutRequestNo: "r-x", Amount: 1},
		"zero amount":       {OperationID: "op-x", AuthNo: order.AuthNo, OutRequestNo: "r-x", Type: zfb.AuthOpFreeze},
		"negative amount":   {OperationID: "op-x", AuthNo: order.AuthNo, OutRequestNo: "r-x", Type: zfb.AuthOpFreeze, Amount: -1},
	} {
		err := s.CreateAuthOperation(ctx, op)
		if err == nil || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
	}
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
	for _, o := range []*zfb.AuthOrder{o3, o1, g1, o5, o2, o4} {
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

func testUpdateAuthOrder(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	created := bareAuthOrder(app, 1)
	created.PayeeUserID = app.SellerID
	created.OrderTitle = "title"
	created.ProductCode = "PRE_AUTH_ONLINE"
	created.ExtraParam = `{"category":"HOTEL"}`
	created.Fingerprint = "fp"
	created.CodeValue = "https://qr.alipay.com/bax01"
	created.ExpiresAt = at(900)
	created.CreatedAt = at(1)
	ok(t, s.CreateAuthOrder(ctx, created))

	mine, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	theirs, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)

	// Every mutable field changes; the immutable ones are kept whatever the
	// caller says.
	mine.Status = zfb.AuthOrderAuthorized
	mine.PayerUserID = "2088000000000501"
	mine.TotalFreezeAmount = 500
	mine.TotalUnfreezeAmount = 100
	mine.TotalPayAmount = 400
	mine.CodeValue = "https://qr.alipay.com/bax02"
	mine.NotifyURL = "https://merchant.example/notify"
	mine.ExpiresAt = at(1800)
	mine.ClosedAt = at(5)
	want := *mine
	want.Version = 2
	mine.AppID = newApp(2).ID
	mine.OutOrderNo = "other"
	mine.Kind = zfb.AuthKindFreeze
	mine.PayeeUserID = "2088999999999999"
	mine.OrderTitle = "other title"
	mine.ProductCode = "OTHER"
	mine.ExtraParam = "{}"
	mine.Fingerprint = "other"
	mine.CreatedAt = at(99)
	ok(t, s.UpdateAuthOrder(ctx, mine))
	if mine.Version != 2 {
		t.Errorf("Version after UpdateAuthOrder = %d, want 2", mine.Version)
	}
	got, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)
	got, err = s.AuthOrderByOutOrderNo(ctx, app.ID, created.OutOrderNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)

	// A write over the version read before is stale and changes nothing.
	theirs.Status = zfb.AuthOrderClosed
	theirs.ClosedAt = at(10)
	wantErr(t, s.UpdateAuthOrder(ctx, theirs), zfb.ErrStale)
	if theirs.Version != 1 {
		t.Errorf("Version after a stale update = %d, want 1", theirs.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOrder(ctx, theirs) }), zfb.ErrStale)
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)

	// Re-read, it goes through; times go back to zero.
	theirs, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	theirs.Status = zfb.AuthOrderInit
	theirs.PayerUserID = ""
	theirs.TotalFreezeAmount, theirs.TotalUnfreezeAmount, theirs.TotalPayAmount = 0, 0, 0
	theirs.CodeValue, theirs.NotifyURL = "", ""
	theirs.ExpiresAt, theirs.ClosedAt = time.Time{}, time.Time{}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOrder(ctx, theirs) }))
	if theirs.Version != 3 {
		t.Errorf("Version after the second update = %d, want 3", theirs.Version)
	}
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, theirs)

	// Impossible totals are refused, and change nothing.
	for name, change := range map[string]func(o *zfb.AuthOrder){
		"negative freeze":   func(o *zfb.AuthOrder) { o.TotalFreezeAmount = -1 },
		"negative unfreeze": func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount = 5, -1 },
		"negative pay":      func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalPayAmount = 5, -1 },
		"over-unfrozen":     func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount = 5, 6 },
		"over-paid":         func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount = 5, 3, 3 },
	} {
		over := *theirs
		change(&over)
		err := s.UpdateAuthOrder(ctx, &over)
		if err == nil || errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
		if over.Version != 3 {
			t.Errorf("%s: Version after a refused update = %d, want 3", name, over.Version)
		}
	}
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, theirs)
}

// authSetup makes an app with its merchant account and a buyer with
// balance and their available and frozen accounts, through the Service
// as the gateway does.
func authSetup(t *testing.T, s zfb.Store, balance int64) (app *zfb.App, buyer *zfb.Buyer) {
	t.Helper()
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	app = newApp(1)
	ok(t, svc.CreateApp(ctx, app))
	buyer = newBuyer(1, balance)
	ok(t, svc.CreateBuyer(ctx, buyer))
	return app, buyer
}

// freezeOrder creates an authorised order of app for buyer with amount
// frozen: the order, its FREEZE operation and the freeze transfer commit
// together.
func freezeOrder(t *testing.T, s zfb.Store, app *zfb.App, buyer *zfb.Buyer, n int, amount int64) *zfb.AuthOrder {
	t.Helper()
	ctx := t.Context()
	o := bareAuthOrder(app, n)
	o.Kind, o.Status = zfb.AuthKindFreeze, zfb.AuthOrderAuthorized
	o.PayeeUserID, o.PayerUserID = app.SellerID, buyer.UserID
	o.TotalFreezeAmount = amount
	o.CreatedAt = at(n)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOrder(ctx, o); err != nil {
			return err
		}
		op := newAuthOperation(o, zfb.AuthOpFreeze, n)
		op.Amount, op.TradeNo, op.CancelAction, op.ClosedAt = amount, "", "", time.Time{}
		if err := q.CreateAuthOperation(ctx, op); err != nil {
			return err
		}
		return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: o.AuthNo,
			Debit: zfb.BuyerAccount(buyer.UserID, zfb.CNY), Credit: zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY),
			Amount: amount, Currency: zfb.CNY, CreatedAt: at(n)})
	}))
	return o
}

// testUpdateAuthOrderConcurrent: commands that read one version of an
// order race to pay from it, each posting the payment, recording a PAY
// operation and updating the order in one transaction. One wins; the
// others get ErrStale and all they wrote is rolled back. Run with the
// transfer first and with the update first.
func testUpdateAuthOrderConcurrent(t *testing.T, s zfb.Store) {
	const n, amount = 20, 100
	ctx := t.Context()
	app, buyer := authSetup(t, s, 2*n*amount)
	frozen := zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)

	for round, transferFirst := range []bool{true, false} {
		// Enough frozen for every command's payment: only the order's
		// version stops the losers.
		created := freezeOrder(t, s, app, buyer, round+1, n*amount)

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
				o, err := s.AuthOrder(ctx, created.AuthNo)
				read.Done()
				if err != nil {
					t.Error(err)
					return
				}
				<-start
				o.TotalPayAmount = amount
				op := newAuthOperation(o, zfb.AuthOpPay, 100+i)
				op.Amount = amount
				pay := &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o.AuthNo, Debit: frozen, Credit: merchant, Amount: amount, Currency: zfb.CNY, CreatedAt: at(i)}
				err = s.InTx(ctx, func(q zfb.Queries) error {
					if transferFirst {
						if err := q.PostTransfer(ctx, pay); err != nil {
							return err
						}
						if err := q.CreateAuthOperation(ctx, op); err != nil {
							return err
						}
						return q.UpdateAuthOrder(ctx, o)
					}
					if err := q.UpdateAuthOrder(ctx, o); err != nil {
						return err
					}
					if err := q.CreateAuthOperation(ctx, op); err != nil {
						return err
					}
					return q.PostTransfer(ctx, pay)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, op.OperationID)
				case errors.Is(err, zfb.ErrStale):
					stale++
				default:
					t.Errorf("command %d: %v", i, err)
				}
			})
		}
		read.Wait()
		close(start)
		done.Wait()

		if len(winners) != 1 || stale != n-1 {
			t.Fatalf("transfer first %v: %d won (%q) and %d were stale, want 1 and %d", transferFirst, len(winners), winners, stale, n-1)
		}
		got, err := s.AuthOrder(ctx, created.AuthNo)
		ok(t, err)
		if got.Version != 2 || got.TotalPayAmount != amount || got.RestAmount() != (n-1)*amount {
			t.Errorf("transfer first %v: order = %+v, want version 2, paid %d once", transferFirst, got, amount)
		}
		ops, err := s.AuthOperations(ctx, created.AuthNo)
		ok(t, err)
		if len(ops) != 2 || ops[1].OperationID != winners[0] {
			t.Errorf("transfer first %v: %d operations, want the FREEZE and the winner's PAY %s", transferFirst, len(ops), winners[0])
		}
		ts, err := s.Transfers(ctx, created.AuthNo)
		ok(t, err)
		if len(ts) != 2 {
			t.Errorf("transfer first %v: %d transfers of the order, want 2 (freeze, pay)", transferFirst, len(ts))
		}
		wantFrozen, wantMerchant := int64(round+1)*(n-1)*amount, int64(round+1)*amount
		if f, m := balance(t, s, frozen), balance(t, s, merchant); f != wantFrozen || m != wantMerchant {
			t.Errorf("transfer first %v: frozen and merchant balances = %d, %d, want %d, %d", transferFirst, f, m, wantFrozen, wantMerchant)
		}
		// Opening, then a freeze and a pay per round.
		if r := ledgerOK(t, s); r.Transfers != 1+2*(round+1) {
			t.Errorf("transfer first %v: %d transfers in the ledger, want %d", transferFirst, r.Transfers, 1+2*(round+1))
		}
	}
}

func testUpdateAuthOperation(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	order := newAuthOrder(app, 1)
	ok(t, s.CreateAuthOrder(ctx, order))
	created := bareAuthOperation(order, zfb.AuthOpFreeze, 1)
	created.Amount = 500
	created.CreatedAt = at(1)
	ok(t, s.CreateAuthOperation(ctx, created))
	other := bareAuthOperation(order, zfb.AuthOpUnfreeze, 2)
	ok(t, s.CreateAuthOperation(ctx, other))

	// The mutable fields change; the rest stays whatever op says.
	op, err := s.AuthOperation(ctx, created.OperationID)
	ok(t, err)
	op.Status = zfb.AuthOpClosed
	op.Remark = "撤销"
	op.TradeNo = "2025031422001000000000000001"
	op.CancelAction = zfb.AuthCancelUnfreeze
	op.TransAt = at(2)
	op.ClosedAt = at(3)
	want := *op
	op.AuthNo = "other"
	op.OutRequestNo = "other"
	op.Type = zfb.AuthOpPay
	op.Amount = 999
	op.CreatedAt = at(99)
	ok(t, s.UpdateAuthOperation(ctx, op))
	got, err := s.AuthOperation(ctx, created.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, &want)
	got, err = s.AuthOperationByOutRequestNo(ctx, order.AuthNo, zfb.AuthOpFreeze, created.OutRequestNo)
	ok(t, err)
	sameAuthOperation(t, got, &want)
	// Only that operation.
	got, err = s.AuthOperation(ctx, other.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, other)

	// In a transaction, with times going back to zero.
	back := want
	back.Status, back.Remark, back.TradeNo, back.CancelAction = zfb.AuthOpInit, "", "", ""
	back.TransAt, back.ClosedAt = time.Time{}, time.Time{}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOperation(ctx, &back) }))
	got, err = s.AuthOperation(ctx, created.OperationID)
	ok(t, err)
	sameAuthOperation(t, got, &back)
	if !got.TransAt.IsZero() || !got.ClosedAt.IsZero() {
		t.Errorf("TransAt, ClosedAt = %v, %v; want zero", got.TransAt, got.ClosedAt)
	}
	// Writing what is stored already is no error.
	ok(t, s.UpdateAuthOperation(ctx, &back))
}

// testTradeAuthNo: a trade keeps the fund authorisation it was paid from,
// which no update changes.
func testTradeAuthNo(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	order := newAuthOrder(app, 1)
	ok(t, s.CreateAuthOrder(ctx, order))

	tr := newTrade(app, 1)
	tr.Kind, tr.AuthNo = zfb.TradeKindAuthPay, order.AuthNo
	ok(t, s.CreateTrade(ctx, tr))
	got, err := s.Trade(ctx, tr.TradeNo)
	ok(t, err)
	sameTrade(t, got, tr)
	got, err = s.TradeByOutTradeNo(ctx, app.ID, tr.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, tr)

	got.AuthNo = "other"
	got.Subject = "changed"
	ok(t, s.UpdateTrade(ctx, got))
	got, err = s.Trade(ctx, tr.TradeNo)
	ok(t, err)
	if got.AuthNo != order.AuthNo || got.Subject != "changed" {
		t.Errorf("after an update: AuthNo %q, Subject %q; want %q, changed", got.AuthNo, got.Subject, order.AuthNo)
	}

	// Other trades have none.
	bare := bareTrade(app, 2)
	ok(t, s.CreateTrade(ctx, bare))
	got, err = s.Trade(ctx, bare.TradeNo)
	ok(t, err)
	if got.AuthNo != "" {
		t.Errorf("AuthNo of a plain trade = %q, want empty", got.AuthNo)
	}
}

// ledgerBroken checks the ledger, fails t if it is healthy, and fails t
// unless each of want starts one of its failures.
func ledgerBroken(t *testing.T, s zfb.Store, want ...string) {
	t.Helper()
	r, err := s.CheckLedger(t.Context())
	ok(t, err)
	if r.OK {
		t.Fatalf("a broken ledger is OK: %+v", r)
	}
	if len(r.Failures) != len(want) {
		t.Errorf("failures = %q, want %d", r.Failures, len(want))
	}
	for _, w := range want {
		if !slices.ContainsFunc(r.Failures, func(f string) bool { return strings.HasPrefix(f, w) }) {
			t.Errorf("no failure %q in %q", w, r.Failures)
		}
	}
}

// testCheckLedgerFundAuth: CheckLedger holds fund authorisation orders to
// their transfers and buyers' frozen balances to their orders.
func testCheckLedgerFundAuth(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app, buyer := authSetup(t, s, 10_000)
	available := zfb.BuyerAccount(buyer.UserID, zfb.CNY)
	frozen := zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)

	// Healthy: an order frozen, partly paid and partly unfrozen; one
	// frozen; a voucher nobody scanned; a cancelled placeholder.
	o1 := freezeOrder(t, s, app, buyer, 1, 3000)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		o1.TotalPayAmount, o1.TotalUnfreezeAmount = 1000, 500
		if err := q.UpdateAuthOrder(ctx, o1); err != nil {
			return err
		}
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o1.AuthNo, Debit: frozen, Credit: merchant, Amount: 1000, Currency: zfb.CNY}); err != nil {
			return err
		}
		return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: o1.AuthNo, Debit: frozen, Credit: available, Amount: 500, Currency: zfb.CNY})
	}))
	o2 := freezeOrder(t, s, app, buyer, 2, 2000)
	ok(t, s.CreateAuthOrder(ctx, bareAuthOrder(app, 3)))
	cancelled := bareAuthOrder(app, 4)
	cancelled.Kind, cancelled.Status = zfb.AuthKindCancelled, zfb.AuthOrderClosed
	ok(t, s.CreateAuthOrder(ctx, cancelled))
	if got := balance(t, s, frozen); got != 1500+2000 {
		t.Fatalf("frozen balance = %d, want 3500", got)
	}
	ledgerOK(t, s)

	// A freeze posted without updating the order's totals.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: o2.AuthNo, Debit: available, Credit: frozen, Amount: 300, Currency: zfb.CNY}))
	ledgerBroken(t, s,
		fmt.Sprintf("fund auth order %s: frozen 2000, unfrozen 0, paid 0, but its transfers freeze 2300, unfreeze 0, pay 0", o2.AuthNo),
		fmt.Sprintf("account %s: balance 3800, but the fund auth orders of buyer %q leave 3500 frozen", frozen, buyer.UserID))
	// The order catches up: consistent again.
	o2.TotalFreezeAmount = 2300
	ok(t, s.UpdateAuthOrder(ctx, o2))
	ledgerOK(t, s)

	// Totals updated without the transfer.
	o2.TotalPayAmount = 100
	ok(t, s.UpdateAuthOrder(ctx, o2))
	ledgerBroken(t, s,
		fmt.Sprintf("fund auth order %s: frozen 2300, unfrozen 0, paid 100, but its transfers freeze 2300, unfreeze 0, pay 0", o2.AuthNo),
		fmt.Sprintf("account %s: balance 3800, but the fund auth orders of buyer %q leave 3700 frozen", frozen, buyer.UserID))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o2.AuthNo, Debit: frozen, Credit: merchant, Amount: 100, Currency: zfb.CNY}))
	ledgerOK(t, s)

	// A freeze of an order that does not exist, then the order.
	ghost := bareAuthOrder(app, 5)
	early := &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: ghost.AuthNo, Debit: available, Credit: frozen, Amount: 50, Currency: zfb.CNY}
	ok(t, s.PostTransfer(ctx, early))
	ledgerBroken(t, s,
		fmt.Sprintf("transfer %d: freeze of %s, which is no fund auth order", early.ID, ghost.AuthNo),
		fmt.Sprintf("account %s: balance 3750, but the fund auth orders of buyer %q leave 3700 frozen", frozen, buyer.UserID))
	ghost.Status, ghost.PayerUserID, ghost.TotalFreezeAmount = zfb.AuthOrderAuthorized, buyer.UserID, 50
	ok(t, s.CreateAuthOrder(ctx, ghost))
	ledgerOK(t, s)

	// Money in the frozen account of a buyer without orders.
	other := newBuyer(2, 1000)
	ok(t, zfb.NewService(s, nil, nil).CreateBuyer(ctx, other))
	otherFrozen := zfb.BuyerFrozenAccount(other.UserID, zfb.CNY)
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "adjust", Ref: other.UserID, Debit: zfb.BuyerAccount(other.UserID, zfb.CNY), Credit: otherFrozen, Amount: 70, Currency: zfb.CNY}))
	ledgerBroken(t, s, fmt.Sprintf("account %s: balance 70, but the fund auth orders of buyer %q leave 0 frozen", otherFrozen, other.UserID))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "adjust", Ref: other.UserID, Debit: otherFrozen, Credit: zfb.BuyerAccount(other.UserID, zfb.CNY), Amount: 70, Currency: zfb.CNY}))
	ledgerOK(t, s)

	// The check runs on one snapshot inside a transaction too, and sees
	// the transaction's own writes.
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: o2.AuthNo, Debit: frozen, Credit: available, Amount: 2200, Currency: zfb.CNY}); err != nil {
			return err
		}
		if r, err := q.CheckLedger(ctx); err != nil || r.OK {
			return fmt.Errorf("ledger inside the transaction, before the order's update = %+v, %v; want not OK", r, err)
		}
		o2.TotalUnfreezeAmount, o2.Status = 2200, zfb.AuthOrderFinish
		if err := q.UpdateAuthOrder(ctx, o2); err != nil {
			return err
		}
		if r, err := q.CheckLedger(ctx); err != nil || !r.OK {
			return fmt.Errorf("ledger inside the transaction = %+v, %v; want OK", r, err)
		}
		return nil
	}))
	ledgerOK(t, s)

	// A cancelled placeholder is no order: money may not move under its
	// auth_no. (Last: a transfer cannot be taken back.)
	moved := &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: cancelled.AuthNo, Debit: frozen, Credit: available, Amount: 1, Currency: zfb.CNY}
	ok(t, s.PostTransfer(ctx, moved))
	ledgerBroken(t, s,
		fmt.Sprintf("transfer %d: unfreeze of %s, which is no fund auth order", moved.ID, cancelled.AuthNo),
		fmt.Sprintf("account %s: balance 1549, but the fund auth orders of buyer %q leave 1550 frozen", frozen, buyer.UserID))
}

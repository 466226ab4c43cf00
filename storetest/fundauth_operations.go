package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

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

// testAuthOrderOperation: an order and one of its operations in one read,
// named by auth_no or out_order_no and by operation_id or out_request_no;
// without a type, the freeze before the unfreeze before the pay.
func testAuthOrderOperation(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	order, other := newAuthOrder(a, 1), newAuthOrder(a, 2)
	ok(t, s.CreateAuthOrder(ctx, order))
	ok(t, s.CreateAuthOrder(ctx, other))
	// Three operations of order share one out_request_no, created pay
	// first, so that only the ORDER BY puts the freeze first.
	pay, unfreeze, freeze := newAuthOperation(order, zfb.AuthOpPay, 1), newAuthOperation(order, zfb.AuthOpUnfreeze, 2), newAuthOperation(order, zfb.AuthOpFreeze, 3)
	unfreeze.OutRequestNo, freeze.OutRequestNo = pay.OutRequestNo, pay.OutRequestNo
	elsewhere := newAuthOperation(other, zfb.AuthOpFreeze, 4)
	for _, op := range []*zfb.AuthOperation{pay, unfreeze, elsewhere, freeze} {
		ok(t, s.CreateAuthOperation(ctx, op))
	}
	byAuthNo := zfb.AuthOperationRef{AuthNo: order.AuthNo}
	byOutOrderNo := zfb.AuthOperationRef{AppID: a.ID, OutOrderNo: order.OutOrderNo}
	for _, tc := range []struct {
		name string
		ref  zfb.AuthOperationRef
		want *zfb.AuthOperation
	}{
		{"operation_id", zfb.AuthOperationRef{OperationID: unfreeze.OperationID}, unfreeze},
		{"operation_id and its type", zfb.AuthOperationRef{OperationID: pay.OperationID, Type: zfb.AuthOpPay}, pay},
		{"out_request_no: the freeze first", zfb.AuthOperationRef{OutRequestNo: pay.OutRequestNo}, freeze},
		{"out_request_no and a type", zfb.AuthOperationRef{OutRequestNo: pay.OutRequestNo, Type: zfb.AuthOpUnfreeze}, unfreeze},
		{"out_request_no and the pay", zfb.AuthOperationRef{OutRequestNo: pay.OutRequestNo, Type: zfb.AuthOpPay}, pay},
	} {
		for _, orderRef := range []zfb.AuthOperationRef{byAuthNo, byOutOrderNo} {
			ref := tc.ref
			ref.AuthNo, ref.AppID, ref.OutOrderNo = orderRef.AuthNo, orderRef.AppID, orderRef.OutOrderNo
			gotOrder, gotOp, err := s.AuthOrderOperation(ctx, ref)
			if err != nil {
				t.Errorf("%s, %+v: %v", tc.name, ref, err)
				continue
			}
			sameAuthOrder(t, gotOrder, order)
			sameAuthOperation(t, gotOp, tc.want)
		}
	}
	// In a transaction, it sees the transaction's own writes.
	late := newAuthOperation(order, zfb.AuthOpPay, 5)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOperation(ctx, late); err != nil {
			return err
		}
		_, got, err := q.AuthOrderOperation(ctx, zfb.AuthOperationRef{AuthNo: order.AuthNo, OperationID: late.OperationID})
		if err == nil {
			sameAuthOperation(t, got, late)
		}
		return err
	}))

	for _, ref := range []zfb.AuthOperationRef{
		{AuthNo: order.AuthNo, OperationID: elsewhere.OperationID},                   // another order's operation
		{AuthNo: order.AuthNo, OperationID: pay.OperationID, Type: zfb.AuthOpFreeze}, // of another type
		{AuthNo: order.AuthNo, OutRequestNo: "missing"},
		{AuthNo: order.AuthNo, OutRequestNo: elsewhere.OutRequestNo},
		{AuthNo: "2025031410002999999999999999", OperationID: pay.OperationID},
		{AppID: b.ID, OutOrderNo: order.OutOrderNo, OperationID: pay.OperationID}, // another app's out_order_no
		{AppID: a.ID, OutOrderNo: "missing", OutRequestNo: pay.OutRequestNo},
	} {
		o, op, err := s.AuthOrderOperation(ctx, ref)
		if !errors.Is(err, zfb.ErrNotFound) || o != nil || op != nil {
			t.Errorf("%+v: %v, %v, %v; want ErrNotFound", ref, o, op, err)
		}
	}
}

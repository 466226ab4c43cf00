package zfbtest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestFundAuthOperationCancel(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		password := srv.Buyer(t, zfb.BehaviourPassword)
		t.Run("frozen: unfreeze, once", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			f := e.mustFreeze(t, "100.00")
			r := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			if r.Action != alipay.AuthCancelActionUnfreeze || r.AuthNo != f.AuthNo || r.OutOrderNo != f.OutOrderNo ||
				r.OperationID != f.OperationID || r.OutRequestNo != f.OutRequestNo {
				t.Fatalf("cancel %+v", r)
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderClosed, 10000, 10000, 0)
			again := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo})
			if *again != *r {
				t.Fatalf("repeated cancel %+v, first %+v", again, r)
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID})
			if q.OrderStatus != alipay.AuthOrderStatusClosed || q.RestAmount != "0.00" || q.TotalUnfreezeAmount != "100.00" || q.Status != alipay.AuthOperationStatusClosed {
				t.Fatalf("detail query after the cancel %+v", q)
			}
			_, err := e.unfreeze(f.AuthNo, "u", "1.00")
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			_, err = e.payAuth(f, e.next("T"), "1.00", "")
			wantSubCode(t, err, "40004", "ACQ.AUTH_ORDER_HAS_CLOSED")
			srv.CheckLedger(t)
		})
		t.Run("waiting: close", func(t *testing.T) {
			before := e.funds(t, password.UserID)
			w := e.mustFreezeWaiting(t, "10.00")
			r := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: w.OutOrderNo, OutRequestNo: w.OutRequestNo})
			if r.Action != alipay.AuthCancelActionClose || r.AuthNo != w.AuthNo || r.OperationID != w.OperationID {
				t.Fatalf("cancel %+v", r)
			}
			if again := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: w.AuthNo, OperationID: w.OperationID}); *again != *r {
				t.Fatalf("repeated cancel %+v, first %+v", again, r)
			}
			e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderClosed, 0, 0, 0)
			e.wantFunds(t, password.UserID, before, 0, 0, 0)
			if _, err := srv.Service.ActOnAuthorization(e.ctx, w.AuthNo, zfb.BuyerActionAuthorize, ""); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("authorize after the cancel: %v", err)
			}
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: w.AuthNo, OperationID: w.OperationID})
			if q.OrderStatus != alipay.AuthOrderStatusClosed || q.Status != alipay.AuthOperationStatusClosed {
				t.Fatalf("detail query %+v", q)
			}
			// A freeze the buyer declined before the cancel closes too.
			w2 := e.mustFreezeWaiting(t, "10.00")
			srv.ActOnAuthorization(t, w2.AuthNo, zfb.BuyerActionDecline)
			if r := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: w2.AuthNo, OperationID: w2.OperationID}); r.Action != alipay.AuthCancelActionClose {
				t.Fatalf("cancel of a declined freeze %+v", r)
			}
		})
		t.Run("partly unfrozen: REQUEST_AMOUNT_EXCEED", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			e.mustUnfreeze(t, f.AuthNo, "u1", "1.00")
			before := e.funds(t, e.payer.UserID)
			_, err := e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "REQUEST_AMOUNT_EXCEED")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 100, 0)
			// Fully unfrozen: still refused.
			e.mustUnfreeze(t, f.AuthNo, "u2", "9.00")
			_, err = e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "REQUEST_AMOUNT_EXCEED")
		})
		t.Run("partly paid: REQUEST_AMOUNT_EXCEED", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			e.mustPayAuth(t, f, e.next("T"), "1.00", "")
			before := e.funds(t, e.payer.UserID)
			_, err := e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "REQUEST_AMOUNT_EXCEED")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.mustUnfreeze(t, f.AuthNo, "u", "9.00")
		})
		t.Run("finished: ORDER_ALREADY_FINISH", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			e.mustPayAuth(t, f, e.next("T"), "3.00", alipay.AuthConfirmModeComplete)
			_, err := e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "ORDER_ALREADY_FINISH")
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderFinish, 1000, 700, 300)
		})
		t.Run("bad arguments", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			p := e.mustPayAuth(t, f, e.next("T"), "1.00", "")
			payOp := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: p.OutTradeNo})
			before := e.funds(t, e.payer.UserID)
			for _, c := range []alipay.FundAuthOperationCancel{
				{AuthNo: f.AuthNo, OperationID: f.OperationID, Remark: " "},
				{AuthNo: f.AuthNo, OperationID: f.OperationID, Remark: strings.Repeat("r", 101)},
				{OperationID: f.OperationID, OutRequestNo: f.OutRequestNo, Remark: "r"},
				{AuthNo: f.AuthNo, OutOrderNo: f.OutOrderNo, Remark: "r"},
				{AuthNo: f.AuthNo, OperationID: payOp.OperationID, Remark: "r"},
				{AuthNo: f.AuthNo, OperationID: "20260101000000000000", Remark: "r"},
			} {
				_, err := e.c.FundAuthOperationCancel(e.ctx, c)
				var ae *alipay.Error
				if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != "ILLEGAL_ARGUMENT" {
					t.Fatalf("%+v: got %v, want ILLEGAL_ARGUMENT", c, err)
				}
			}
			// No remark at all.
			_, err := e.c.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "ILLEGAL_ARGUMENT")
			_, err = e.cancel(alipay.FundAuthOperationCancel{AuthNo: "2026010100002001000000000000", OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			other := client(t, srv, srv.NewApp(t, zfb.SignTypeRSA2))
			_, err = other.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID, Remark: "r"})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 100)
		})
		t.Run("never seen: success without action, a late freeze is refused", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
			r := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			if r.Action != "" || r.OutOrderNo != req.OutOrderNo || r.OutRequestNo != req.OutRequestNo {
				t.Fatalf("cancel %+v", r)
			}
			if again := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo}); again.Action != "" {
				t.Fatalf("repeated cancel %+v", again)
			}
			_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			_, err = e.c.FundAuthOrderVoucherCreate(e.ctx, alipay.FundAuthOrderVoucherCreate{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo, OrderTitle: "x", Amount: "1.00"})
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantNoOrder(t, req.OutOrderNo)
			_, err = e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			srv.CheckLedger(t)
		})
		t.Run("auth_no and operation_id win", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			decoy := e.mustFreeze(t, "10.00")
			before := e.funds(t, e.payer.UserID)
			r := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OutOrderNo: decoy.OutOrderNo, OperationID: f.OperationID, OutRequestNo: decoy.OutRequestNo})
			if r.Action != alipay.AuthCancelActionUnfreeze || r.AuthNo != f.AuthNo || r.OperationID != f.OperationID || r.OutOrderNo != f.OutOrderNo {
				t.Fatalf("cancel %+v", r)
			}
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderClosed, 1000, 1000, 0)
			e.wantOrder(t, decoy.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 0)
			e.wantFunds(t, e.payer.UserID, before, 1000, -1000, 0)
			// A wrong out_order_no and out_request_no beside them change nothing.
			r2 := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: decoy.AuthNo, OutOrderNo: "nonexistent", OperationID: decoy.OperationID, OutRequestNo: "nonexistent"})
			if r2.Action != alipay.AuthCancelActionUnfreeze || r2.AuthNo != decoy.AuthNo {
				t.Fatalf("cancel %+v", r2)
			}
			e.wantFunds(t, e.payer.UserID, before, 2000, -2000, 0)
			srv.CheckLedger(t)
		})
		// Last: it moves the app's clock.
		t.Run("after 24h: CANCEL_OPERATION_TIME_OUT", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			w := e.mustFreezeWaiting(t, "10.00")
			srv.AdvanceClock(t, e.app, 23*time.Hour)
			early := e.mustFreeze(t, "10.00")
			srv.AdvanceClock(t, e.app, 2*time.Hour)
			before := e.funds(t, e.payer.UserID)
			_, err := e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "CANCEL_OPERATION_TIME_OUT")
			_, err = e.cancel(alipay.FundAuthOperationCancel{AuthNo: w.AuthNo, OperationID: w.OperationID})
			wantSubCode(t, err, "40004", "CANCEL_OPERATION_TIME_OUT")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 0)
			// Two hours old: still cancellable.
			if r := e.mustCancel(t, alipay.FundAuthOperationCancel{AuthNo: early.AuthNo, OperationID: early.OperationID}); r.Action != alipay.AuthCancelActionUnfreeze {
				t.Fatalf("cancel of a 2h old freeze %+v", r)
			}
			// An unfreeze still releases it.
			e.mustUnfreeze(t, f.AuthNo, "u", "10.00")
			e.wantFunds(t, e.payer.UserID, before, 2000, -2000, 0)
			srv.CheckLedger(t)
		})
	})
}

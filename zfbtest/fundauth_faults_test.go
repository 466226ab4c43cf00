package zfbtest_test

import (
	"encoding/json"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestFundAuthFaults(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		t.Run("error after: frozen, unknown to the merchant; cancel unfreezes it", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.fund.auth.order.freeze", OutTradeNo: req.OutOrderNo, Effect: zfb.FaultErrorAfter, SubCode: "SYSTEM_ERROR"})
			_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "SYSTEM_ERROR")
			if !err.(*alipay.Error).UnknownResult() {
				t.Fatal("SYSTEM_ERROR must read as an unknown result")
			}
			q := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			if q.Status != alipay.AuthOperationStatusSuccess || q.OrderStatus != alipay.AuthOrderStatusAuthorized || q.Amount != "10.00" {
				t.Fatalf("detail query %+v", q)
			}
			e.wantFunds(t, e.payer.UserID, before, -1000, 1000, 0)
			r := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			if r.Action != alipay.AuthCancelActionUnfreeze || r.AuthNo != q.AuthNo {
				t.Fatalf("cancel %+v", r)
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, req.OutOrderNo, zfb.AuthOrderClosed, 1000, 1000, 0)
			srv.ClearFaults(t, e.app)
			srv.CheckLedger(t)
		})
		t.Run("error before: nothing happens", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.fund.auth.order.freeze", OutTradeNo: req.OutRequestNo, Effect: zfb.FaultErrorBefore})
			_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "20000", "isp.unknow-error")
			if !err.(*alipay.Error).UnknownResult() {
				t.Fatal("a system error must read as an unknown result")
			}
			_, err = e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			e.wantNoOrder(t, req.OutOrderNo)
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			srv.ClearFaults(t, e.app)
			// Once the fault is gone, the same freeze goes through.
			if f, err := e.c.FundAuthOrderFreeze(e.ctx, req); err != nil || f.Status != alipay.AuthOperationStatusSuccess {
				t.Fatalf("freeze after the fault %v %+v", err, f)
			}
			e.wantFunds(t, e.payer.UserID, before, -1000, 1000, 0)
		})
		t.Run("cancel and detail query: SYSTEM_ERROR, then the retry answers", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			before := e.funds(t, e.payer.UserID)
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.fund.auth.operation.detail.query", OutTradeNo: f.OutOrderNo, Effect: zfb.FaultErrorBefore, SubCode: "SYSTEM_ERROR"})
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.fund.auth.operation.cancel", OutTradeNo: f.OutRequestNo, Effect: zfb.FaultErrorAfter, SubCode: "SYSTEM_ERROR"})
			_, err := e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo})
			wantSubCode(t, err, "40004", "SYSTEM_ERROR")
			_, err = e.cancel(alipay.FundAuthOperationCancel{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo})
			wantSubCode(t, err, "40004", "SYSTEM_ERROR")
			e.wantFunds(t, e.payer.UserID, before, 1000, -1000, 0)
			srv.ClearFaults(t, e.app)
			if r := e.mustCancel(t, alipay.FundAuthOperationCancel{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo}); r.Action != alipay.AuthCancelActionUnfreeze {
				t.Fatalf("retried cancel %+v", r)
			}
			if q := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo}); q.OrderStatus != alipay.AuthOrderStatusClosed {
				t.Fatalf("detail query %+v", q)
			}
			e.wantFunds(t, e.payer.UserID, before, 1000, -1000, 0)
		})
		t.Run("unfreeze error after: the retry answers it, once", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			before := e.funds(t, e.payer.UserID)
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.fund.auth.order.unfreeze", OutTradeNo: "flaky-*", Effect: zfb.FaultErrorAfter, SubCode: "SYSTEM_ERROR"})
			_, err := e.unfreeze(f.AuthNo, "flaky-1", "4.00")
			wantSubCode(t, err, "40004", "SYSTEM_ERROR")
			srv.ClearFaults(t, e.app)
			e.wantFunds(t, e.payer.UserID, before, 400, -400, 0)
			u := e.mustUnfreeze(t, f.AuthNo, "flaky-1", "4.00")
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: u.OperationID})
			if q.OutRequestNo != "flaky-1" || q.RestAmount != "6.00" {
				t.Fatalf("detail query %+v", q)
			}
			e.wantFunds(t, e.payer.UserID, before, 400, -400, 0)
			srv.CheckLedger(t)
		})
	})
}

func TestFundAuthNotifications(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		const notifyURL = "https://merchant.example/notify"
		messages := func(kind string) []map[string]string {
			t.Helper()
			all, err := srv.Store.OutboxMessages(e.ctx, e.app)
			if err != nil {
				t.Fatal(err)
			}
			var out []map[string]string
			for _, m := range all {
				if m.Kind != kind {
					continue
				}
				if m.Target != notifyURL || m.AppID != e.app {
					t.Fatalf("%s message to %q of %q", kind, m.Target, m.AppID)
				}
				var fields map[string]string
				if err := json.Unmarshal([]byte(m.Payload), &fields); err != nil {
					t.Fatalf("%s payload %q: %v", kind, m.Payload, err)
				}
				out = append(out, fields)
			}
			return out
		}
		wantFields := func(kind string, got map[string]string, want map[string]string) {
			t.Helper()
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("%s notification: %s = %q, want %q (all: %v)", kind, k, got[k], v, got)
				}
			}
		}

		// Without notify_url, nothing is recorded.
		quiet := e.mustFreeze(t, "1.00")
		e.mustUnfreeze(t, quiet.AuthNo, "u", "1.00")

		req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
		req.NotifyURL = notifyURL
		f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		freezes := messages(zfb.NotifyFundAuthFreeze)
		if len(freezes) != 1 {
			t.Fatalf("%d freeze notifications, want 1", len(freezes))
		}
		wantFields(zfb.NotifyFundAuthFreeze, freezes[0], map[string]string{
			"auth_no": f.AuthNo, "out_order_no": f.OutOrderNo, "operation_id": f.OperationID, "out_request_no": f.OutRequestNo,
			"operation_type": "FREEZE", "amount": "10.00", "status": "SUCCESS", "gmt_trans": f.GmtTrans,
			"payer_user_id": e.payer.UserID, "payee_user_id": e.seller, "order_status": "AUTHORIZED",
			"total_freeze_amount": "10.00", "total_unfreeze_amount": "0.00", "total_pay_amount": "0.00", "rest_amount": "10.00",
			"trans_currency": "CNY",
		})
		// A repeat records nothing more.
		_, err = e.c.FundAuthOrderFreeze(e.ctx, req)
		wantSubCode(t, err, "40004", "FREEZE_ALREADY_SUCCESS")

		u, err := e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{NotifyURL: notifyURL, AuthNo: f.AuthNo, OutRequestNo: "u1", Amount: "3.00", Remark: "r"})
		if err != nil {
			t.Fatal(err)
		}
		// A replay records nothing more.
		if _, err := e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{NotifyURL: notifyURL, AuthNo: f.AuthNo, OutRequestNo: "u1", Amount: "3.00", Remark: "r"}); err != nil {
			t.Fatal(err)
		}
		unfreezes := messages(zfb.NotifyFundAuthUnfreeze)
		if len(unfreezes) != 1 {
			t.Fatalf("%d unfreeze notifications, want 1", len(unfreezes))
		}
		wantFields(zfb.NotifyFundAuthUnfreeze, unfreezes[0], map[string]string{
			"auth_no": f.AuthNo, "out_order_no": f.OutOrderNo, "operation_id": u.OperationID, "out_request_no": "u1",
			"operation_type": "UNFREEZE", "amount": "3.00", "status": "SUCCESS", "gmt_trans": u.GmtTrans,
			"order_status": "AUTHORIZED", "total_freeze_amount": "10.00", "total_unfreeze_amount": "3.00", "rest_amount": "7.00",
		})

		g := e.mustFreeze(t, "5.00")
		r, err := e.c.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{NotifyURL: notifyURL, AuthNo: g.AuthNo, OperationID: g.OperationID, Remark: "r"})
		if err != nil || r.Action != alipay.AuthCancelActionUnfreeze {
			t.Fatalf("cancel %v %+v", err, r)
		}
		if _, err := e.c.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{NotifyURL: notifyURL, AuthNo: g.AuthNo, OperationID: g.OperationID, Remark: "r"}); err != nil {
			t.Fatal(err)
		}
		cancels := messages(zfb.NotifyFundAuthOperationCancel)
		if len(cancels) != 1 {
			t.Fatalf("%d cancel notifications, want 1", len(cancels))
		}
		wantFields(zfb.NotifyFundAuthOperationCancel, cancels[0], map[string]string{
			"auth_no": g.AuthNo, "out_order_no": g.OutOrderNo, "operation_id": g.OperationID, "out_request_no": g.OutRequestNo, "action": "unfreeze",
		})

		// A password buyer's freeze is notified when the buyer authorises it.
		w := e.freezeReq(t, zfb.BehaviourPassword, "2.00")
		w.NotifyURL = notifyURL
		wr, err := e.c.FundAuthOrderFreeze(e.ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(messages(zfb.NotifyFundAuthFreeze)); n != 1 {
			t.Fatalf("%d freeze notifications before the buyer authorised, want 1", n)
		}
		srv.ActOnAuthorization(t, wr.AuthNo, zfb.BuyerActionAuthorize)
		freezes = messages(zfb.NotifyFundAuthFreeze)
		if len(freezes) != 2 {
			t.Fatalf("%d freeze notifications, want 2", len(freezes))
		}
		wantFields(zfb.NotifyFundAuthFreeze, freezes[1], map[string]string{"auth_no": wr.AuthNo, "status": "SUCCESS", "amount": "2.00", "order_status": "AUTHORIZED"})
	})
}

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

func TestFundAuthWaitingBuyer(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		password := srv.Buyer(t, zfb.BehaviourPassword)
		t.Run("authorizes", func(t *testing.T) {
			before := e.funds(t, password.UserID)
			w := e.mustFreezeWaiting(t, "20.00")
			if w.PayerUserID != password.UserID || w.Amount != "20.00" || !strings.Contains(w.PayerLogonID, "*") {
				t.Fatalf("freeze answer %+v", w)
			}
			e.wantFunds(t, password.UserID, before, 0, 0, 0)
			e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderInit, 0, 0, 0)
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: w.AuthNo, OperationID: w.OperationID})
			if q.OrderStatus != alipay.AuthOrderStatusInit || q.Status != alipay.AuthOperationStatusInit || q.GmtTrans != "" ||
				q.Amount != "20.00" || q.TotalFreezeAmount != "0.00" || q.RestAmount != "0.00" {
				t.Fatalf("detail query of a waiting freeze %+v", q)
			}
			// Nothing to pay from yet.
			_, err := e.payAuth(w, e.next("T"), "1.00", "")
			wantSubCode(t, err, "40004", "ACQ.AUTH_ORDER_NOT_PAID")

			d := srv.ActOnAuthorization(t, w.AuthNo, zfb.BuyerActionAuthorize)
			if d.Order.Status != zfb.AuthOrderAuthorized || d.Order.TotalFreezeAmount != 2000 {
				t.Fatalf("after authorize %+v", d.Order)
			}
			e.wantFunds(t, password.UserID, before, -2000, 2000, 0)
			q = e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: w.OutOrderNo, OutRequestNo: w.OutRequestNo})
			if q.OrderStatus != alipay.AuthOrderStatusAuthorized || q.Status != alipay.AuthOperationStatusSuccess ||
				!gatewayTimePattern.MatchString(q.GmtTrans) || q.RestAmount != "20.00" || q.TotalFreezeAmount != "20.00" {
				t.Fatalf("detail query after authorize %+v", q)
			}
			// The first freeze's repeat now finds it frozen.
			_, err = e.c.FundAuthOrderFreeze(e.ctx, alipay.FundAuthOrderFreeze{
				AuthCode: password.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: w.OutOrderNo, OutRequestNo: w.OutRequestNo,
				OrderTitle: "充电宝押金", Amount: "20.00", ProductCode: "PRE_AUTH",
			})
			wantSubCode(t, err, "40004", "FREEZE_ALREADY_SUCCESS")
			e.mustUnfreeze(t, w.AuthNo, "u", "20.00")
			e.wantFunds(t, password.UserID, before, 0, 0, 0)
			srv.CheckLedger(t)
		})
		t.Run("declines", func(t *testing.T) {
			before := e.funds(t, password.UserID)
			w := e.mustFreezeWaiting(t, "20.00")
			if d := srv.ActOnAuthorization(t, w.AuthNo, zfb.BuyerActionDecline); d.Order.Status != zfb.AuthOrderClosed {
				t.Fatalf("after decline %+v", d.Order)
			}
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: w.AuthNo, OperationID: w.OperationID})
			if q.OrderStatus != alipay.AuthOrderStatusClosed || q.Status != alipay.AuthOperationStatusClosed {
				t.Fatalf("detail query after decline %+v", q)
			}
			e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderClosed, 0, 0, 0)
			e.wantFunds(t, password.UserID, before, 0, 0, 0)
			if _, err := srv.Service.ActOnAuthorization(e.ctx, w.AuthNo, zfb.BuyerActionAuthorize, ""); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("authorize after decline: %v", err)
			}
			_, err := e.payAuth(w, e.next("T"), "1.00", "")
			wantSubCode(t, err, "40004", "ACQ.AUTH_ORDER_HAS_CLOSED")
		})
		t.Run("times out on the app clock", func(t *testing.T) {
			before := e.funds(t, password.UserID)
			req := e.freezeReq(t, zfb.BehaviourPassword, "20.00")
			req.PayTimeout = "5m"
			w, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			if err != nil || w.Status != alipay.AuthOperationStatusInit {
				t.Fatalf("freeze %v %+v", err, w)
			}
			srv.AdvanceClock(t, e.app, 4*time.Minute)
			if q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: w.AuthNo, OperationID: w.OperationID}); q.OrderStatus != alipay.AuthOrderStatusInit || q.Status != alipay.AuthOperationStatusInit {
				t.Fatalf("after 4m: %+v", q)
			}
			srv.AdvanceClock(t, e.app, time.Minute+time.Second)
			q := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: w.OutOrderNo, OutRequestNo: w.OutRequestNo})
			if q.OrderStatus != alipay.AuthOrderStatusClosed || q.Status != alipay.AuthOperationStatusClosed || q.RestAmount != "0.00" {
				t.Fatalf("after 5m: %+v", q)
			}
			e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderClosed, 0, 0, 0)
			if _, err := srv.Service.ActOnAuthorization(e.ctx, w.AuthNo, zfb.BuyerActionAuthorize, ""); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("authorize after the time-out: %v", err)
			}
			_, err = e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			_, err = e.unfreeze(w.AuthNo, "u", "1.00")
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			e.wantFunds(t, password.UserID, before, 0, 0, 0)
			srv.CheckLedger(t)
		})
	})
}

func TestFundAuthVoucher(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		before := e.funds(t, e.payer.UserID)
		no := e.next("V")
		req := alipay.FundAuthOrderVoucherCreate{OutOrderNo: no, OutRequestNo: no + "-f", OrderTitle: "租车押金", Amount: "50.00", ProductCode: "PRE_AUTH"}
		v, err := e.c.FundAuthOrderVoucherCreate(e.ctx, req)
		if err != nil || v.Code != "10000" || v.CodeType != "qrCode" || !strings.HasPrefix(v.CodeValue, "https://qr.alipay.com/") ||
			!strings.HasPrefix(v.CodeURL, v.CodeValue) || v.OutOrderNo != no || v.OutRequestNo != req.OutRequestNo {
			t.Fatalf("voucher %v %+v", err, v)
		}
		again, err := e.c.FundAuthOrderVoucherCreate(e.ctx, req)
		if err != nil || again.CodeValue != v.CodeValue {
			t.Fatalf("repeated voucher %v %+v", err, again)
		}
		other := req
		other.Amount = "51.00"
		_, err = e.c.FundAuthOrderVoucherCreate(e.ctx, other)
		wantSubCode(t, err, "40004", "UNIQUE_VIOLATION")
		_, err = e.c.FundAuthOrderVoucherCreate(e.ctx, alipay.FundAuthOrderVoucherCreate{OutOrderNo: e.next("V"), OutRequestNo: "r", Amount: "1.00"})
		wantSubCode(t, err, "40004", "ILLEGAL_ARGUMENT")

		d := e.wantOrder(t, no, zfb.AuthOrderInit, 0, 0, 0)
		if d.Order.PayerUserID != "" || d.Order.Kind != zfb.AuthKindVoucher {
			t.Fatalf("voucher order %+v", d.Order)
		}
		q := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: no, OutRequestNo: req.OutRequestNo})
		if q.OrderStatus != alipay.AuthOrderStatusInit || q.Status != alipay.AuthOperationStatusInit || q.PayerUserID != "" || q.Amount != "50.00" {
			t.Fatalf("detail query of an unscanned voucher %+v", q)
		}
		_, err = e.unfreeze(d.Order.AuthNo, "u", "1.00")
		wantSubCode(t, err, "40004", "ILLEGAL_STATUS")
		// Nobody has authorised it yet: there is nothing to pay from,
		// whoever is named as the buyer.
		_, err = e.c.TradePay(e.ctx, alipay.TradePay{
			OutTradeNo: e.next("T"), TotalAmount: "1.00", Subject: "房费", ProductCode: alipay.ProductCodePreAuthPay,
			AuthNo: d.Order.AuthNo, BuyerID: e.payer.UserID,
		})
		wantSubCode(t, err, "40004", "ACQ.AUTH_ORDER_NOT_PAID")

		d = srv.ActOnAuthorization(t, d.Order.AuthNo, zfb.BuyerActionAuthorize)
		if d.Order.Status != zfb.AuthOrderAuthorized || d.Order.PayerUserID != e.payer.UserID || d.Order.TotalFreezeAmount != 5000 {
			t.Fatalf("after the scan %+v", d.Order)
		}
		e.wantFunds(t, e.payer.UserID, before, -5000, 5000, 0)
		q = e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: d.Order.AuthNo, OutRequestNo: req.OutRequestNo})
		if q.OrderStatus != alipay.AuthOrderStatusAuthorized || q.Status != alipay.AuthOperationStatusSuccess || q.PayerUserID != e.payer.UserID ||
			!strings.Contains(q.PayerLogonID, "*") || q.RestAmount != "50.00" || q.GmtTrans == "" {
			t.Fatalf("detail query after the scan %+v", q)
		}
		_, err = e.c.FundAuthOrderVoucherCreate(e.ctx, req)
		wantSubCode(t, err, "40004", "FREEZE_ALREADY_SUCCESS")
		// Paid from like any freeze.
		e.mustPayAuth(t, &alipay.FundAuthOrderFreezeResponse{AuthNo: d.Order.AuthNo, PayerUserID: e.payer.UserID}, e.next("T"), "5.00", alipay.AuthConfirmModeComplete)
		e.wantFunds(t, e.payer.UserID, before, -500, 0, 500)
		e.wantOrder(t, no, zfb.AuthOrderFinish, 5000, 4500, 500)
		srv.CheckLedger(t)
	})
}

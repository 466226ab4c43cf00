package zfbtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// A failed call's typed response comes beside its *alipay.Error, with the
// business fields zfb answers: Alipay's face-to-face demo retries a cancel
// only on retry_flag "Y" (seed 003, spec §6.2).
func TestFailedCallsCarryTheirBusinessFields(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)

		t.Run("cancel during a system error: retry", func(t *testing.T) {
			no := e.outTradeNo()
			e.mustPay(no, "1.00")
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.trade.cancel", Effect: zfb.FaultErrorBefore, SubCode: "ACQ.SYSTEM_ERROR"})
			r, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no})
			var ae *alipay.Error
			if !errors.As(err, &ae) || ae.SubCode != "ACQ.SYSTEM_ERROR" {
				t.Fatalf("got %v, want ACQ.SYSTEM_ERROR", err)
			}
			if r == nil || r.RetryFlag != "Y" || !r.ShouldRetry() || r.OutTradeNo != no || r.Action != "" || r.SubCode != "ACQ.SYSTEM_ERROR" {
				t.Fatalf("response beside the error: %+v", r)
			}
			srv.ClearFaults(t, e.app)
			// The retry the flag asked for goes through.
			r, err = e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no})
			if err != nil || r.Action != alipay.CancelActionRefund || r.RetryFlag != "N" {
				t.Fatalf("retried cancel: %v %+v", err, r)
			}
		})
		t.Run("cancel refused: no retry, the trade named", func(t *testing.T) {
			no := e.outTradeNo()
			paid := e.mustPay(no, "1.00")
			srv.AdvanceClock(t, e.app, zfb.CancelWindow+time.Minute)
			r, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no})
			wantSubCode(t, err, "40004", "ACQ.TRADE_CANCEL_TIME_OUT")
			if r == nil || r.RetryFlag != "N" || r.ShouldRetry() || r.OutTradeNo != no || r.TradeNo != paid.TradeNo {
				t.Fatalf("response beside the error: %+v", r)
			}
		})
		t.Run("query of no trade: zeroed amounts", func(t *testing.T) {
			no := e.outTradeNo()
			r, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{OutTradeNo: no})
			wantSubCode(t, err, "40004", "ACQ.TRADE_NOT_EXIST")
			if r == nil || r.OutTradeNo != no || r.BuyerPayAmount != "0.00" || r.InvoiceAmount != "0.00" || r.PointAmount != "0.00" || r.ReceiptAmount != "0.00" {
				t.Fatalf("response beside the error: %+v", r)
			}
		})
		t.Run("refund refused: nothing refunded", func(t *testing.T) {
			no := e.outTradeNo()
			e.mustPay(no, "5.00")
			r, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "6.00"})
			var ae *alipay.Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *alipay.Error", err)
			}
			if r == nil || r.OutTradeNo != no || r.RefundFee != "0.00" || r.SendBackFee != "0.00" || r.SubCode != ae.SubCode {
				t.Fatalf("response beside the error: %+v", r)
			}
		})
		srv.CheckLedger(t)
	})
}

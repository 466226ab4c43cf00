package zfbtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestFundAuthPay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		t.Run("NOT_COMPLETE, then COMPLETE, refund, cancel", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			f := e.mustFreeze(t, "100.00")
			t1 := e.next("T")
			p1 := e.mustPayAuth(t, f, t1, "30.00", alipay.AuthConfirmModeNotComplete)
			if p1.GmtPayment == "" || !strings.Contains(p1.BuyerLogonID, "*") {
				t.Fatalf("pay answer %+v", p1)
			}
			e.wantFunds(t, e.payer.UserID, before, -10000, 7000, 3000)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 10000, 0, 3000)
			if s := e.tradeStatus(t, t1); s != alipay.TradeStatusSuccess {
				t.Fatalf("trade %s", s)
			}
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: t1})
			if q.OperationType != alipay.AuthOperationPay || q.Amount != "30.00" || q.Status != alipay.AuthOperationStatusSuccess ||
				q.RestAmount != "70.00" || q.TotalPayAmount != "30.00" || q.OrderStatus != alipay.AuthOrderStatusAuthorized {
				t.Fatalf("detail query of the pay %+v", q)
			}
			// The default mode is NOT_COMPLETE.
			p2 := e.mustPayAuth(t, f, e.next("T"), "10.00", "")
			e.wantFunds(t, e.payer.UserID, before, -10000, 6000, 4000)

			t3 := e.next("T")
			p3 := e.mustPayAuth(t, f, t3, "20.00", alipay.AuthConfirmModeComplete)
			e.wantFunds(t, e.payer.UserID, before, -6000, 0, 6000)
			d := e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderFinish, 10000, 4000, 6000)
			if n := len(d.Operations); n != 5 {
				t.Fatalf("%d operations, want freeze, 3 pays and the release: %+v", n, d.Operations)
			}
			pay := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: t3, OperationType: alipay.AuthOperationPay})
			if pay.OperationType != alipay.AuthOperationPay || pay.Amount != "20.00" || pay.OutRequestNo != t3 || pay.OrderStatus != alipay.AuthOrderStatusFinish ||
				pay.RestAmount != "0.00" || pay.TotalPayAmount != "60.00" || pay.TotalUnfreezeAmount != "40.00" || pay.TotalFreezeAmount != "100.00" {
				t.Fatalf("detail query of the COMPLETE pay %+v", pay)
			}
			release := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: t3})
			if release.OperationType != alipay.AuthOperationUnfreeze || release.Amount != "40.00" || release.OutRequestNo != t3 ||
				release.Status != alipay.AuthOperationStatusSuccess || release.OperationID == pay.OperationID {
				t.Fatalf("detail query of the release %+v", release)
			}
			if byID := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: release.OperationID}); byID.OperationType != alipay.AuthOperationUnfreeze {
				t.Fatalf("by operation_id %+v", byID)
			}

			_, err := e.payAuth(f, t3, "20.00", alipay.AuthConfirmModeComplete)
			wantSubCode(t, err, "40004", "ACQ.TRADE_HAS_SUCCESS")
			_, err = e.payAuth(f, e.next("T"), "1.00", "")
			wantSubCode(t, err, "40004", "ACQ.AUTH_ORDER_HAS_FINISHED")
			e.wantFunds(t, e.payer.UserID, before, -6000, 0, 6000)

			// A refund gives back to the buyer's available funds.
			r, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: t1, RefundAmount: "10.00", OutRequestNo: "r1"})
			if err != nil || r.FundChange != "Y" || r.RefundFee != "10.00" || r.TradeNo != p1.TradeNo {
				t.Fatalf("refund %v %+v", err, r)
			}
			e.wantFunds(t, e.payer.UserID, before, -5000, 0, 5000)
			// trade.cancel within 24h refunds the whole trade.
			c, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{TradeNo: p2.TradeNo})
			if err != nil || c.Action != "refund" {
				t.Fatalf("trade cancel %v %+v", err, c)
			}
			e.wantFunds(t, e.payer.UserID, before, -4000, 0, 4000)
			if s := e.tradeStatus(t, p3.OutTradeNo); s != alipay.TradeStatusSuccess {
				t.Fatalf("trade %s", s)
			}
			// The order keeps its totals: refunds are the trade's.
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderFinish, 10000, 4000, 6000)
			srv.CheckLedger(t)
		})
		t.Run("NOT_COMPLETE of all that is left finishes", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			e.mustPayAuth(t, f, e.next("T"), "10.00", alipay.AuthConfirmModeNotComplete)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderFinish, 1000, 0, 1000)
		})
		t.Run("COMPLETE numbered like earlier unfreezes", func(t *testing.T) {
			// The release of a COMPLETE pay takes the pay's out_trade_no, or
			// that and "-COMPLETE" when an unfreeze of the order has the
			// number already. Both taken: the pay must still go through
			// (or be refused as a business failure), not fail as a system
			// error on every retry.
			f := e.mustFreeze(t, "10.00")
			no := e.next("T")
			e.mustUnfreeze(t, f.AuthNo, no, "1.00")
			e.mustUnfreeze(t, f.AuthNo, no+"-COMPLETE", "1.00")
			before := e.funds(t, e.payer.UserID)
			if _, err := e.payAuth(f, no, "2.00", alipay.AuthConfirmModeComplete); err != nil {
				t.Fatalf("COMPLETE pay %s: %v", no, err)
			}
			e.wantFunds(t, e.payer.UserID, before, 600, -800, 200)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderFinish, 1000, 800, 200)
			srv.CheckLedger(t)
		})
		t.Run("refusals", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			closed := e.mustFreeze(t, "1.00")
			e.mustUnfreeze(t, closed.AuthNo, "all", "1.00")
			other := srv.NewApp(t, zfb.SignTypeRSA2)
			oc := client(t, srv, other)
			password := srv.Buyer(t, zfb.BehaviourPassword)
			before := e.funds(t, e.payer.UserID)
			for _, tt := range []struct {
				name    string
				c       *alipay.Client
				pay     alipay.TradePay
				subCode string
			}{
				{"more than is frozen", e.c, alipay.TradePay{TotalAmount: "10.01", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: e.payer.UserID}, "ACQ.AUTH_AMOUNT_NOT_ENOUGH"},
				{"another buyer", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: password.UserID}, "ACQ.PAYER_UNMATCHED"},
				{"unknown auth_no", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: "2026010100002001000000000000", BuyerID: e.payer.UserID}, "ACQ.AUTH_NO_ERROR"},
				{"another seller", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: e.payer.UserID, SellerID: "2088000000000001"}, "ACQ.AUTH_NO_ERROR"},
				{"another app's order", oc, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: e.payer.UserID}, "ACQ.AUTH_NO_ERROR"},
				{"closed order", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: closed.AuthNo, BuyerID: e.payer.UserID}, "ACQ.AUTH_ORDER_HAS_CLOSED"},
				{"face-to-face product_code", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "FACE_TO_FACE_PAYMENT", AuthNo: f.AuthNo, BuyerID: e.payer.UserID}, "ACQ.PRE_AUTH_PROD_CODE_INCONSISTENT"},
				{"no product_code", e.c, alipay.TradePay{TotalAmount: "1.00", AuthNo: f.AuthNo, BuyerID: e.payer.UserID}, "ACQ.PRE_AUTH_PROD_CODE_INCONSISTENT"},
				{"no buyer_id", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo}, "ACQ.INVALID_PARAMETER"},
				{"pre-auth product_code without auth_no", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", BuyerID: e.payer.UserID}, "ACQ.INVALID_PARAMETER"},
				{"bad auth_confirm_mode", e.c, alipay.TradePay{TotalAmount: "1.00", ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: e.payer.UserID, AuthConfirmMode: "ALL"}, "ACQ.INVALID_PARAMETER"},
			} {
				tt.pay.OutTradeNo, tt.pay.Subject = e.next("T"), "x"
				_, err := tt.c.TradePay(e.ctx, tt.pay)
				var ae *alipay.Error
				if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != tt.subCode {
					t.Fatalf("%s: got %v, want 40004 %s", tt.name, err, tt.subCode)
				}
				if s := e.tradeStatus(t, tt.pay.OutTradeNo); s != "NOT_EXIST" {
					t.Fatalf("%s: the refused pay left a trade (%s)", tt.name, s)
				}
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 0)
			// The refused out_trade_no is free; another pay's is not.
			no := e.next("T")
			_, err := e.payAuth(f, no, "10.01", "")
			wantSubCode(t, err, "40004", "ACQ.AUTH_AMOUNT_NOT_ENOUGH")
			e.mustPayAuth(t, f, no, "1.00", "")
			_, err = e.payAuth(f, no, "2.00", "")
			wantSubCode(t, err, "40004", "ACQ.CONTEXT_INCONSISTENT")
			e.wantFunds(t, e.payer.UserID, before, 0, -100, 100)
			srv.CheckLedger(t)
		})
	})
}

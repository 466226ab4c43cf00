package zfbtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// tradeEnv is one zfb and a client of its sandbox app.
type tradeEnv struct {
	t   *testing.T
	srv *zfbtest.Server
	c   *alipay.Client
	ctx context.Context
	app string
	n   int
}

func newTradeEnv(t *testing.T, srv *zfbtest.Server) *tradeEnv {
	return &tradeEnv{t: t, srv: srv, c: client(t, srv, srv.App()), ctx: context.Background(), app: srv.App().AppID}
}

// outTradeNo is a fresh out_trade_no for this test.
func (e *tradeEnv) outTradeNo() string {
	e.n++
	return fmt.Sprintf("%s-%d", strings.NewReplacer("/", "-", " ", "_").Replace(e.t.Name()), e.n)
}

func (e *tradeEnv) pay(outTradeNo, amount, behaviour string) (*alipay.TradePayResponse, error) {
	return e.c.TradePay(e.ctx, alipay.TradePay{
		OutTradeNo: outTradeNo, Scene: "bar_code", AuthCode: e.srv.Buyer(e.t, behaviour).PaymentCode,
		Subject: "咖啡", TotalAmount: amount,
	})
}

func (e *tradeEnv) mustPay(outTradeNo, amount string) *alipay.TradePayResponse {
	e.t.Helper()
	r, err := e.pay(outTradeNo, amount, zfb.BehaviourPays)
	if err != nil || r.Code != "10000" {
		e.t.Fatalf("pay %s: %v %+v", outTradeNo, err, r)
	}
	return r
}

func (e *tradeEnv) status(outTradeNo string) string {
	e.t.Helper()
	r, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{OutTradeNo: outTradeNo})
	if alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST") {
		return "NOT_EXIST"
	}
	if err != nil {
		e.t.Fatalf("query %s: %v", outTradeNo, err)
	}
	return r.TradeStatus
}

// wantSubCode fails unless err is an Alipay error with code and subCode.
func wantSubCode(t *testing.T, err error, code, subCode string) {
	t.Helper()
	var ae *alipay.Error
	if !errors.As(err, &ae) || ae.Code != code || ae.SubCode != subCode {
		t.Fatalf("got %v, want %s %s", err, code, subCode)
	}
}

func TestPay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		payer := srv.Buyer(t, zfb.BehaviourPays)
		before := srv.Balance(t, payer.UserID)

		no := e.outTradeNo()
		r := e.mustPay(no, "88.88")
		if r.TradeNo == "" || len(r.TradeNo) != 28 || r.OutTradeNo != no || r.TotalAmount != "88.88" ||
			r.ReceiptAmount != "88.88" || r.BuyerPayAmount != "88.88" || r.BuyerUserID != payer.UserID ||
			!strings.Contains(r.BuyerLogonID, "***") || r.GmtPayment == "" ||
			len(r.FundBillList) != 1 || r.FundBillList[0].FundChannel != "ALIPAYACCOUNT" || r.FundBillList[0].Amount != "88.88" {
			t.Fatalf("pay answer %+v", r)
		}
		if got := srv.Balance(t, payer.UserID); got != before-8888 {
			t.Fatalf("buyer balance %d, want %d", got, before-8888)
		}
		q, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{TradeNo: r.TradeNo})
		if err != nil || q.TradeStatus != alipay.TradeStatusSuccess || q.OutTradeNo != no || q.SendPayDate != r.GmtPayment || q.TotalAmount != "88.88" {
			t.Fatalf("query %v %+v", err, q)
		}

		t.Run("repeats never charge twice", func(t *testing.T) {
			_, err := e.pay(no, "88.88", zfb.BehaviourPays)
			wantSubCode(t, err, "40004", "ACQ.TRADE_HAS_SUCCESS")
			_, err = e.pay(no, "1.00", zfb.BehaviourPays)
			wantSubCode(t, err, "40004", "ACQ.CONTEXT_INCONSISTENT")
			if got := srv.Balance(t, payer.UserID); got != before-8888 {
				t.Fatalf("buyer balance %d after repeats, want %d", got, before-8888)
			}
		})
		t.Run("refusals change nothing", func(t *testing.T) {
			// The merchant's own Alipay account as a buyer.
			seller := &zfb.Buyer{UserID: srv.App().SellerID, PaymentCode: "280000000000000001", Behaviour: zfb.BehaviourPays, Balance: 10000}
			if err := srv.Service.CreateBuyer(e.ctx, seller); err != nil {
				t.Fatal(err)
			}
			sellerCode := seller.PaymentCode
			for _, tt := range []struct {
				name, behaviour, amount, authCode, subCode string
			}{
				{"poor buyer", zfb.BehaviourPoor, "5.00", "", "ACQ.BUYER_BALANCE_NOT_ENOUGH"},
				{"unknown code", "", "5.00", "289999999999999999", "ACQ.PAYMENT_AUTH_CODE_INVALID"},
				{"amount with three decimals", zfb.BehaviourPays, "5.001", "", "ACQ.INVALID_PARAMETER"},
				{"zero amount", zfb.BehaviourPays, "0.00", "", "ACQ.INVALID_PARAMETER"},
				{"negative amount", zfb.BehaviourPays, "-1", "", "ACQ.INVALID_PARAMETER"},
				{"buyer is the seller", "", "5.00", sellerCode, "ACQ.BUYER_SELLER_EQUAL"},
			} {
				no := e.outTradeNo()
				code := tt.authCode
				if code == "" {
					code = srv.Buyer(t, tt.behaviour).PaymentCode
				}
				_, err := e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: no, Scene: "bar_code", AuthCode: code, Subject: "x", TotalAmount: tt.amount})
				wantSubCode(t, err, "40004", tt.subCode)
				if s := e.status(no); s != "NOT_EXIST" {
					t.Fatalf("%s: the refused pay left a trade (%s)", tt.name, s)
				}
			}
			// The out_trade_no of a refused pay is free for a good one.
			no := e.outTradeNo()
			_, err := e.pay(no, "5.00", zfb.BehaviourPoor)
			wantSubCode(t, err, "40004", "ACQ.BUYER_BALANCE_NOT_ENOUGH")
			e.mustPay(no, "5.00")
			srv.CheckLedger(t)
		})
	})
}

func TestPasswordBuyer(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		pay := func() (string, *alipay.TradePayResponse) {
			no := e.outTradeNo()
			r, err := e.pay(no, "10.00", zfb.BehaviourPassword)
			if err != nil || !r.InProgress() || r.Msg != " order success pay inprocess" || r.TradeNo == "" || r.ReceiptAmount != "0.00" {
				t.Fatalf("pay by a password buyer: %v %+v", err, r)
			}
			if s := e.status(no); s != alipay.TradeStatusWaitBuyerPay {
				t.Fatalf("status %s", s)
			}
			return no, r
		}
		t.Run("confirms", func(t *testing.T) {
			no, r := pay()
			again, err := e.pay(no, "10.00", zfb.BehaviourPassword)
			if err != nil || !again.InProgress() || again.TradeNo != r.TradeNo {
				t.Fatalf("repeated pay while waiting: %v %+v", err, again)
			}
			srv.ActAsBuyer(t, r.TradeNo, zfb.BuyerActionPay)
			if s := e.status(no); s != alipay.TradeStatusSuccess {
				t.Fatalf("status %s", s)
			}
		})
		t.Run("declines", func(t *testing.T) {
			no, r := pay()
			srv.ActAsBuyer(t, r.TradeNo, zfb.BuyerActionDecline)
			if s := e.status(no); s != alipay.TradeStatusClosed {
				t.Fatalf("status %s", s)
			}
		})
		t.Run("times out on the app clock", func(t *testing.T) {
			no, _ := pay()
			srv.AdvanceClock(t, e.app, 2*time.Hour)
			if s := e.status(no); s != alipay.TradeStatusWaitBuyerPay {
				t.Fatalf("after 2h: %s", s)
			}
			srv.AdvanceClock(t, e.app, time.Hour+time.Second)
			if s := e.status(no); s != alipay.TradeStatusClosed {
				t.Fatalf("after 3h: %s", s)
			}
			_, err := e.pay(no, "10.00", zfb.BehaviourPassword)
			wantSubCode(t, err, "40004", "ACQ.TRADE_HAS_CLOSE")
		})
		srv.CheckLedger(t)
	})
}

func TestCancel(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		payer := srv.Buyer(t, zfb.BehaviourPays)
		cancel := func(ref alipay.TradeCancel) *alipay.TradeCancelResponse {
			t.Helper()
			r, err := e.c.TradeCancel(e.ctx, ref)
			if err != nil {
				t.Fatalf("cancel: %v", err)
			}
			return r
		}
		t.Run("paid: refund, once", func(t *testing.T) {
			before := srv.Balance(t, payer.UserID)
			no := e.outTradeNo()
			p := e.mustPay(no, "20.00")
			r := cancel(alipay.TradeCancel{OutTradeNo: no})
			if r.Action != "refund" || r.RetryFlag != "N" || r.TradeNo != p.TradeNo || r.OutTradeNo != no {
				t.Fatalf("cancel %+v", r)
			}
			if again := cancel(alipay.TradeCancel{TradeNo: p.TradeNo}); again.Action != "refund" {
				t.Fatalf("repeated cancel %+v", again)
			}
			if got := srv.Balance(t, payer.UserID); got != before {
				t.Fatalf("balance %d, want %d back", got, before)
			}
			if s := e.status(no); s != alipay.TradeStatusClosed {
				t.Fatalf("status %s", s)
			}
		})
		t.Run("unpaid: close", func(t *testing.T) {
			no := e.outTradeNo()
			if _, err := e.pay(no, "10.00", zfb.BehaviourPassword); err != nil {
				t.Fatal(err)
			}
			if r := cancel(alipay.TradeCancel{OutTradeNo: no}); r.Action != "close" {
				t.Fatalf("cancel %+v", r)
			}
			if r := cancel(alipay.TradeCancel{OutTradeNo: no}); r.Action != "close" {
				t.Fatalf("repeated cancel %+v", r)
			}
		})
		t.Run("never seen: no action, and a late pay is refused", func(t *testing.T) {
			no := e.outTradeNo()
			r := cancel(alipay.TradeCancel{OutTradeNo: no})
			if r.Action != "" || r.RetryFlag != "N" || r.OutTradeNo != no {
				t.Fatalf("cancel %+v", r)
			}
			before := srv.Balance(t, payer.UserID)
			_, err := e.pay(no, "10.00", zfb.BehaviourPays)
			wantSubCode(t, err, "40004", "ACQ.TRADE_HAS_CLOSE")
			if got := srv.Balance(t, payer.UserID); got != before {
				t.Fatal("a late pay took money")
			}
			if s := e.status(no); s != "NOT_EXIST" {
				t.Fatalf("status %s", s)
			}
			if r := cancel(alipay.TradeCancel{TradeNo: "2026112322001000000000000000"}); r.Action != "" {
				t.Fatalf("cancel of an unknown trade_no %+v", r)
			}
		})
		t.Run("after 24h", func(t *testing.T) {
			no := e.outTradeNo()
			e.mustPay(no, "10.00")
			srv.AdvanceClock(t, e.app, 24*time.Hour+time.Minute)
			_, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no})
			wantSubCode(t, err, "40004", "ACQ.TRADE_CANCEL_TIME_OUT")
		})
		t.Run("partly refunded", func(t *testing.T) {
			no := e.outTradeNo()
			e.mustPay(no, "10.00")
			if _, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "1.00", OutRequestNo: "r1"}); err != nil {
				t.Fatal(err)
			}
			_, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no})
			wantSubCode(t, err, "40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR")
		})
		t.Run("neither number", func(t *testing.T) {
			_, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{})
			wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
		})
		srv.CheckLedger(t)
	})
}

func TestRefund(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		payer := srv.Buyer(t, zfb.BehaviourPays)
		before := srv.Balance(t, payer.UserID)
		no := e.outTradeNo()
		p := e.mustPay(no, "10.00")
		refund := func(amount, requestNo string) (*alipay.TradeRefundResponse, error) {
			return e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: amount, OutRequestNo: requestNo})
		}
		r, err := refund("3.00", "r1")
		if err != nil || r.FundChange != "Y" || r.RefundFee != "3.00" || r.TradeNo != p.TradeNo || r.GmtRefundPay == "" {
			t.Fatalf("refund %v %+v", err, r)
		}
		if r, err = refund("3.00", "r1"); err != nil || r.FundChange != "N" || r.RefundFee != "3.00" {
			t.Fatalf("repeated refund %v %+v", err, r)
		}
		_, err = refund("4.00", "r1")
		wantSubCode(t, err, "40004", "ACQ.DISCORDANT_REPEAT_REQUEST")
		_, err = refund("7.01", "r2")
		wantSubCode(t, err, "40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR")
		_, err = refund("7.00", "")
		wantSubCode(t, err, "40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
		if s := e.status(no); s != alipay.TradeStatusSuccess {
			t.Fatalf("after a partial refund: %s", s)
		}
		if r, err = refund("7.00", "r2"); err != nil || r.RefundFee != "10.00" {
			t.Fatalf("last refund %v %+v", err, r)
		}
		if s := e.status(no); s != alipay.TradeStatusClosed {
			t.Fatalf("after a full refund: %s", s)
		}
		if got := srv.Balance(t, payer.UserID); got != before {
			t.Fatalf("balance %d, want %d", got, before)
		}
		_, err = refund("0.01", "r3")
		wantSubCode(t, err, "40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR")

		q, err := e.c.TradeFastpayRefundQuery(e.ctx, alipay.TradeFastpayRefundQuery{TradeNo: p.TradeNo, OutRequestNo: "r2"})
		if err != nil || q.RefundAmount != "7.00" || q.RefundStatus != "REFUND_SUCCESS" || q.TotalAmount != "10.00" || q.OutRequestNo != "r2" {
			t.Fatalf("refund query %v %+v", err, q)
		}
		q, err = e.c.TradeFastpayRefundQuery(e.ctx, alipay.TradeFastpayRefundQuery{TradeNo: p.TradeNo, OutRequestNo: "never"})
		if err != nil || q.RefundStatus != "" || q.RefundAmount != "" {
			t.Fatalf("query of a refund that never happened %v %+v", err, q)
		}

		t.Run("whole refund without out_request_no", func(t *testing.T) {
			no := e.outTradeNo()
			e.mustPay(no, "2.50")
			r, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "2.50"})
			if err != nil || r.FundChange != "Y" || r.RefundFee != "2.50" {
				t.Fatalf("%v %+v", err, r)
			}
			q, err := e.c.TradeFastpayRefundQuery(e.ctx, alipay.TradeFastpayRefundQuery{OutTradeNo: no})
			if err != nil || q.RefundAmount != "2.50" || q.OutRequestNo != no {
				t.Fatalf("refund query %v %+v", err, q)
			}
		})
		t.Run("refusals", func(t *testing.T) {
			_, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: "nope", RefundAmount: "1.00"})
			wantSubCode(t, err, "40004", "ACQ.TRADE_NOT_EXIST")
			waiting := e.outTradeNo()
			if _, err := e.pay(waiting, "1.00", zfb.BehaviourPassword); err != nil {
				t.Fatal(err)
			}
			_, err = e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: waiting, RefundAmount: "1.00"})
			wantSubCode(t, err, "40004", "ACQ.TRADE_STATUS_ERROR")
			_, err = e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: waiting, RefundAmount: "abc"})
			wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
		})
		srv.CheckLedger(t)
	})
}

func TestPrecreateAndCreate(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		no := e.outTradeNo()
		pre, err := e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{OutTradeNo: no, TotalAmount: "6.00", Subject: "QR"})
		if err != nil || pre.OutTradeNo != no || !strings.HasPrefix(pre.QRCode, srv.URL+"/cashier/qr/bax") {
			t.Fatalf("precreate %v %+v", err, pre)
		}
		again, err := e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{OutTradeNo: no, TotalAmount: "6.00", Subject: "QR"})
		if err != nil || again.QRCode != pre.QRCode {
			t.Fatalf("repeated precreate %v %+v", err, again)
		}
		// Until a buyer scans, Alipay has no trade (spec §4.2).
		if s := e.status(no); s != "NOT_EXIST" {
			t.Fatalf("before the scan: %s", s)
		}
		_, err = e.c.TradeClose(e.ctx, alipay.TradeClose{OutTradeNo: no})
		wantSubCode(t, err, "40004", "ACQ.TRADE_NOT_EXIST")
		trade := srv.Trade(t, e.app, no)
		srv.ActAsBuyer(t, trade.TradeNo, zfb.BuyerActionScan)
		if s := e.status(no); s != alipay.TradeStatusWaitBuyerPay {
			t.Fatalf("after the scan: %s", s)
		}
		srv.ActAsBuyer(t, trade.TradeNo, zfb.BuyerActionPay)
		if s := e.status(no); s != alipay.TradeStatusSuccess {
			t.Fatalf("after paying: %s", s)
		}

		buyer := srv.Buyer(t, zfb.BehaviourPays)
		cno := e.outTradeNo()
		cr, err := e.c.TradeCreate(e.ctx, alipay.TradeCreate{OutTradeNo: cno, TotalAmount: "3.00", Subject: "mini", BuyerID: buyer.UserID})
		if err != nil || cr.TradeNo == "" || cr.OutTradeNo != cno {
			t.Fatalf("create %v %+v", err, cr)
		}
		if s := e.status(cno); s != alipay.TradeStatusWaitBuyerPay {
			t.Fatalf("created: %s", s)
		}
		cl, err := e.c.TradeClose(e.ctx, alipay.TradeClose{TradeNo: cr.TradeNo})
		if err != nil || cl.TradeNo != cr.TradeNo {
			t.Fatalf("close %v %+v", err, cl)
		}
		_, err = e.c.TradeClose(e.ctx, alipay.TradeClose{TradeNo: cr.TradeNo})
		wantSubCode(t, err, "40004", "ACQ.TRADE_STATUS_ERROR")
		_, err = e.c.TradeCreate(e.ctx, alipay.TradeCreate{OutTradeNo: e.outTradeNo(), TotalAmount: "3.00", Subject: "mini", BuyerID: "2088000000000000"})
		wantSubCode(t, err, "40004", "ACQ.BUYER_NOT_EXIST")
		srv.CheckLedger(t)
	})
}

func TestFaults(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		t.Run("error before: nothing happens", func(t *testing.T) {
			no := e.outTradeNo()
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.trade.pay", OutTradeNo: no, Effect: zfb.FaultErrorBefore})
			_, err := e.pay(no, "1.00", zfb.BehaviourPays)
			wantSubCode(t, err, "20000", "isp.unknow-error")
			if !err.(*alipay.Error).UnknownResult() {
				t.Fatal("a system error must read as an unknown result")
			}
			if s := e.status(no); s != "NOT_EXIST" {
				t.Fatalf("status %s", s)
			}
			srv.ClearFaults(t, e.app)
		})
		t.Run("error after: the money moved", func(t *testing.T) {
			no := e.outTradeNo()
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.trade.pay", OutTradeNo: "*" + no[len(no)-3:], Effect: zfb.FaultErrorAfter, SubCode: "ACQ.SYSTEM_ERROR"})
			_, err := e.pay(no, "1.00", zfb.BehaviourPays)
			wantSubCode(t, err, "40004", "ACQ.SYSTEM_ERROR")
			if s := e.status(no); s != alipay.TradeStatusSuccess {
				t.Fatalf("status %s", s)
			}
			if r, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no}); err != nil || r.Action != "refund" {
				t.Fatalf("cancel %v %+v", err, r)
			}
			srv.ClearFaults(t, e.app)
		})
		t.Run("delay: the client times out, the trade is paid", func(t *testing.T) {
			no := e.outTradeNo()
			srv.AddFault(t, zfb.Fault{AppID: e.app, Method: "alipay.trade.pay", Effect: zfb.FaultDelay, DelayMS: 3000})
			impatient := client(t, srv, srv.App(), alipay.WithTimeout(500*time.Millisecond))
			_, err := impatient.TradePay(e.ctx, alipay.TradePay{OutTradeNo: no, Scene: "bar_code", AuthCode: srv.Buyer(t, zfb.BehaviourPays).PaymentCode, Subject: "x", TotalAmount: "1.00"})
			if err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "deadline") && !strings.Contains(err.Error(), "Timeout") {
				t.Fatalf("got %v, want a client time-out", err)
			}
			srv.ClearFaults(t, e.app)
			if s := e.status(no); s != alipay.TradeStatusSuccess {
				t.Fatalf("status %s", s)
			}
		})
		srv.CheckLedger(t)
	})
}

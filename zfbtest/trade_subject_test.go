package zfbtest_test

import (
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// Alipay only advises against "/", "=" and "&" in a subject; it takes them.
// The Go SDK signs the raw values, so the gateway must verify the same raw
// text and store it unchanged.
func TestSubjectWithReservedCharacters(t *testing.T) {
	const subject = "A/B=C&D 咖啡 100% <大杯> ?x=1&y=2"
	const body = "k=v&k2=v2 / body"
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)

		payNo := e.outTradeNo()
		pay, err := e.c.TradePay(e.ctx, alipay.TradePay{
			OutTradeNo: payNo, Scene: "bar_code", AuthCode: srv.Buyer(t, zfb.BehaviourPays).PaymentCode,
			Subject: subject, Body: body, TotalAmount: "1.00",
		})
		if err != nil || pay.Code != "10000" {
			t.Fatalf("pay: %v %+v", err, pay)
		}

		preNo := e.outTradeNo()
		pre, err := e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{OutTradeNo: preNo, TotalAmount: "2.00", Subject: subject, Body: body})
		if err != nil || pre.QRCode == "" {
			t.Fatalf("precreate: %v %+v", err, pre)
		}

		createNo := e.outTradeNo()
		cr, err := e.c.TradeCreate(e.ctx, alipay.TradeCreate{
			OutTradeNo: createNo, TotalAmount: "3.00", Subject: subject, Body: body,
			BuyerID: srv.Buyer(t, zfb.BehaviourPays).UserID,
		})
		if err != nil || cr.TradeNo == "" {
			t.Fatalf("create: %v %+v", err, cr)
		}

		for _, no := range []string{payNo, preNo, createNo} {
			tr := srv.Trade(t, e.app, no)
			if tr.Subject != subject || tr.Body != body {
				t.Fatalf("%s stored subject %q body %q", no, tr.Subject, tr.Body)
			}
		}
		q, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{OutTradeNo: payNo})
		if err != nil || q.Subject != subject {
			t.Fatalf("query: %v %+v", err, q)
		}
		// The hardening limits still hold: a control character is refused.
		_, err = e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{OutTradeNo: e.outTradeNo(), TotalAmount: "2.00", Subject: "a\x01b"})
		wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
	})
}

package zfbtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// A trade's time limits hold on the app's clock: time_expire,
// timeout_express and qr_code_timeout_express close a waiting trade exactly
// when they say, not a second before, with its TRADE_CLOSED notification.
func TestTradeTimeLimits(t *testing.T) {
	clockBackends(t, func(t *testing.T, srv *zfbtest.Server, wall *wallClock) {
		e := newTradeEnv(t, srv)
		rc := zfbtest.NewReceiver(t)
		t0 := wall.Now()
		password := srv.Buyer(t, zfb.BehaviourPassword).PaymentCode
		waitingPay := func(no string, limits alipay.TradePay) {
			t.Helper()
			limits.NotifyURL, limits.OutTradeNo, limits.Scene, limits.AuthCode = rc.URL, no, "bar_code", password
			limits.Subject, limits.TotalAmount = "x", "1.00"
			r, err := e.c.TradePay(e.ctx, limits)
			if err != nil || !r.InProgress() {
				t.Fatalf("password pay %s: %v %+v", no, err, r)
			}
		}
		relative, absolute, both := e.outTradeNo(), e.outTradeNo(), e.outTradeNo()
		waitingPay(relative, alipay.TradePay{TimeoutExpress: "90m"})
		waitingPay(absolute, alipay.TradePay{TimeExpire: zfb.FormatGatewayTime(t0.Add(30 * time.Minute))})
		// Both given: time_expire is the one Alipay uses.
		waitingPay(both, alipay.TradePay{TimeoutExpress: "10m", TimeExpire: zfb.FormatGatewayTime(t0.Add(20 * time.Minute))})

		qr := e.outTradeNo()
		if _, err := e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{
			NotifyURL: rc.URL, OutTradeNo: qr, TotalAmount: "2.00", Subject: "QR", TimeoutExpress: "1h", QRCodeTimeoutExpress: "15m",
		}); err != nil {
			t.Fatalf("precreate: %v", err)
		}
		srv.ActAsBuyer(t, srv.Trade(t, e.app, qr).TradeNo, zfb.BuyerActionScan)

		endOfDay := e.outTradeNo()
		if _, err := e.c.TradeCreate(e.ctx, alipay.TradeCreate{
			NotifyURL: rc.URL, OutTradeNo: endOfDay, TotalAmount: "3.00", Subject: "mini", TimeoutExpress: "1c",
			BuyerID: srv.Buyer(t, zfb.BehaviourPays).UserID,
		}); err != nil {
			t.Fatalf("create: %v", err)
		}
		y, m, d := t0.In(zfb.Beijing).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, zfb.Beijing)
		if got := srv.Trade(t, e.app, endOfDay).ExpiresAt; !got.Equal(midnight) {
			t.Fatalf("1c: expires at %v, want the end of the day %v", got, midnight)
		}

		elapsed := time.Duration(0)
		moveTo := func(d time.Duration) {
			t.Helper()
			srv.AdvanceClock(t, e.app, d-elapsed)
			elapsed = d
		}
		for _, step := range []struct {
			at     time.Duration
			closed []string
			open   []string
		}{
			{15*time.Minute - time.Second, nil, []string{qr, both, absolute, relative, endOfDay}},
			{15 * time.Minute, []string{qr}, []string{both, absolute, relative}},
			{20*time.Minute - time.Second, nil, []string{both}},
			{20 * time.Minute, []string{both}, []string{absolute}},
			{30*time.Minute - time.Second, nil, []string{absolute}},
			{30 * time.Minute, []string{absolute}, []string{relative}},
			{90*time.Minute - time.Second, nil, []string{relative}},
			{90 * time.Minute, []string{relative}, nil},
		} {
			moveTo(step.at)
			for _, no := range step.open {
				if s := e.status(no); s != alipay.TradeStatusWaitBuyerPay {
					t.Fatalf("at +%v %s is %s, want still waiting", step.at, no, s)
				}
			}
			for _, no := range step.closed {
				if s := e.status(no); s != alipay.TradeStatusClosed {
					t.Fatalf("at +%v %s is %s, want closed", step.at, no, s)
				}
				n := rc.Wait(t, notifyWait, byField("out_trade_no", no))
				wantFields(t, no, n.Form, map[string]string{
					"trade_status": alipay.TradeStatusClosed, "gmt_close": zfb.FormatGatewayTime(t0.Add(step.at)),
				})
			}
		}

		// A time_expire in the past or malformed is refused, and nothing is made.
		for _, bad := range []string{zfb.FormatGatewayTime(t0), "2026/11/29 10:00:00", "tomorrow"} {
			no := e.outTradeNo()
			_, err := e.c.TradePay(e.ctx, alipay.TradePay{
				OutTradeNo: no, Scene: "bar_code", AuthCode: password, Subject: "x", TotalAmount: "1.00", TimeExpire: bad,
			})
			wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
			if s := e.status(no); s != "NOT_EXIST" {
				t.Fatalf("time_expire %q: %s", bad, s)
			}
		}
		_, err := e.c.TradePrecreate(e.ctx, alipay.TradePrecreate{OutTradeNo: e.outTradeNo(), TotalAmount: "1.00", Subject: "QR", QRCodeTimeoutExpress: "16d"})
		wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
		srv.CheckLedger(t)
	})
}

// TestRepeatedPayAfterItsTimeExpire: a pay repeated with the same numbers
// after its time_expire has passed is answered as any repeat of a paid
// trade is (ACQ.TRADE_HAS_SUCCESS), not ACQ.INVALID_PARAMETER for a
// time_expire in the past: the time limits are a new trade's, and a
// repeat creates nothing.
func TestRepeatedPayAfterItsTimeExpire(t *testing.T) {
	clockBackends(t, func(t *testing.T, srv *zfbtest.Server, wall *wallClock) {
		e := newTradeEnv(t, srv)
		no := e.outTradeNo()
		pay := alipay.TradePay{
			OutTradeNo: no, Scene: "bar_code", AuthCode: srv.Buyer(t, zfb.BehaviourPays).PaymentCode,
			Subject: "x", TotalAmount: "1.00", TimeExpire: zfb.FormatGatewayTime(wall.Now().Add(5 * time.Minute)),
		}
		first, err := e.c.TradePay(e.ctx, pay)
		if err != nil {
			t.Fatalf("pay: %v", err)
		}
		_, repeat := e.c.TradePay(e.ctx, pay) // before the time_expire
		srv.AdvanceClock(t, e.app, 10*time.Minute)
		_, late := e.c.TradePay(e.ctx, pay)
		var want, got *alipay.Error
		if !errors.As(repeat, &want) || !errors.As(late, &got) || got.SubCode != want.SubCode {
			t.Fatalf("repeated pay of trade %s: %v before its time_expire, %v after; want the same answer", first.TradeNo, repeat, late)
		}
	})
}

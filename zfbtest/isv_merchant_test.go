package zfbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestISVCallIsTheMerchants: a call with a token runs under the merchant
// app's fault rules, clock and method permissions; a fund authorisation
// made through the ISV notifies as the ISV.
func TestISVCallIsTheMerchants(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		e := newISVEnv(t, srv)
		token := srv.Sandbox.ISV.AppAuthToken

		// The merchant app's fault rule applies to the ISV's call for it,
		// not to the ISV's own calls.
		srv.AddFault(t, zfb.Fault{AppID: e.merchant.AppID, Method: "alipay.trade.query", OutTradeNo: "faulty", Effect: zfb.FaultErrorBefore})
		_, err := e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: token, OutTradeNo: "faulty"})
		wantSubCode(t, err, "20000", "isp.unknow-error")
		_, err = e.c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "faulty"})
		wantSubCode(t, err, "40004", "ACQ.TRADE_NOT_EXIST")
		srv.ClearFaults(t, e.merchant.AppID)

		// The merchant app's clock.
		srv.AdvanceClock(t, e.merchant.AppID, 48*time.Hour)
		paid, err := e.pay(token, "clock", "")
		if err != nil {
			t.Fatal(err)
		}
		at, err := zfb.ParseGatewayTime(paid.GmtPayment)
		if err != nil || at.Sub(time.Now()) < 47*time.Hour {
			t.Fatalf("gmt_payment %s: not on the merchant app's clock (%v)", paid.GmtPayment, err)
		}

		// A method the merchant app may not call: 20001 …-no-api.
		if _, err := srv.Service.UpdateApp(ctx, e.merchant.AppID, func(a *zfb.App) error {
			a.Methods = []string{"alipay.trade.query"}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, err = e.pay(token, "no-api", "")
		wantSubCode(t, err, "20001", "aop.invalid-app-auth-token-no-api")
		if _, err := e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: token, OutTradeNo: "clock"}); err != nil {
			t.Fatalf("a method the merchant may call: %v", err)
		}
		if _, err := srv.Service.UpdateApp(ctx, e.merchant.AppID, func(a *zfb.App) error {
			a.Methods = []string{zfb.AllMethods}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		// A fund authorisation through the ISV: the merchant's order, the
		// ISV's notification.
		rc := zfbtest.NewReceiver(t)
		fr, err := e.c.FundAuthOrderFreeze(ctx, alipay.FundAuthOrderFreeze{
			AppAuthToken: token, NotifyURL: rc.URL,
			AuthCode: srv.Buyer(t, zfb.BehaviourPays).PaymentCode, AuthCodeType: "bar_code",
			OutOrderNo: "isv-order", OutRequestNo: "isv-order-f", OrderTitle: "押金", Amount: "1.00", ProductCode: "PRE_AUTH",
		})
		if err != nil || fr.Status != alipay.AuthOperationStatusSuccess {
			t.Fatalf("freeze for the merchant: %+v %v", fr, err)
		}
		if d := srv.AuthOrder(t, e.merchant.AppID, "isv-order"); d.Order.PayeeUserID != e.merchant.SellerID || d.Order.AgentAppID != e.isv.AppID {
			t.Fatalf("order = %+v", d.Order)
		}
		n := rc.Wait(t, notifyWait, byField("notify_type", "fund_auth_freeze", "out_order_no", "isv-order"))
		if err := e.c.VerifyNotification(n.Form); err != nil {
			t.Fatalf("the ISV's SDK does not verify the freeze notification: %v", err)
		}
		if n.Form.Get("app_id") != e.isv.AppID || n.Form.Get("auth_app_id") != e.merchant.AppID {
			t.Fatalf("freeze notification app_id %s auth_app_id %s", n.Form.Get("app_id"), n.Form.Get("auth_app_id"))
		}
	})
}

// TestISVTokenAppTopLevel: smartwalle sends the token.app fields at the
// top level too; with no biz_content at all they still count (spec §1.2).
func TestISVTokenAppTopLevel(t *testing.T) {
	srv := zfbtest.NewServer(t)
	e := newISVEnv(t, srv)
	var out struct {
		Tokens []struct {
			AuthAppID string `json:"auth_app_id"`
			ExpiresIn int64  `json:"expires_in"`
		} `json:"tokens"`
	}
	code := srv.AuthorizeApp(t, e.isv.AppID, e.merchant.AppID)
	err := e.c.Do(context.Background(), alipay.Request{Method: "alipay.open.auth.token.app",
		Params: map[string]string{"grant_type": "authorization_code", "code": code}}, &out)
	if err != nil || len(out.Tokens) != 1 || out.Tokens[0].AuthAppID != e.merchant.AppID {
		t.Fatalf("exchange with top-level fields: %+v %v", out, err)
	}
}

package interop

// smartwalle/alipay v3.2.30 as an ISV: OpenAuthTokenApp reads only tokens[] (OpenAuthTokenAppRsp
// has no flat fields) with int64 lifetimes, and every request type carries an AppAuthToken field
// (json:"-", sent as the app_auth_token common parameter, skipped when empty). It sends the
// token.app fields twice, in biz_content and at the top level.

import (
	"context"
	"net/http"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb/zfbtest"
)

func TestSmartwalleISV(t *testing.T) {
	srv := zfbtest.NewServer(t)
	isv, merchant := srv.Sandbox.ISV.App, srv.App()
	sw := newSmartwalle(t, srv, isv.AppID, isv.AppPrivateKey, isv.AlipayPublicKey)

	exchange := func(p alipay.OpenAuthTokenApp, want alipay.Code) *alipay.OpenAuthTokenAppRsp {
		t.Helper()
		return swCall(t, sw, "alipay.open.auth.token.app", want, func(ctx context.Context) (*alipay.OpenAuthTokenAppRsp, error) {
			return sw.OpenAuthTokenApp(ctx, p)
		})
	}
	code := authorizeISV(t, srv)
	rsp := exchange(alipay.OpenAuthTokenApp{GrantType: "authorization_code", Code: code}, alipay.CodeSuccess)
	if len(rsp.Tokens) != 1 {
		t.Fatalf("tokens = %+v", rsp.Tokens)
	}
	tok := rsp.Tokens[0]
	swWant(t, sw, "auth_app_id", tok.AuthAppId, merchant.AppID)
	swWant(t, sw, "user_id", tok.UserId, merchant.SellerID)
	if len(tok.AppAuthToken) != 40 || tok.ExpiresIn != 31536000 || tok.ReExpiresIn != 32140800 {
		t.Fatalf("token = %+v", tok)
	}
	used := exchange(alipay.OpenAuthTokenApp{GrantType: "authorization_code", Code: code}, "40004")
	swWant(t, sw, "sub_code", used.SubCode, "AUTH_CODE_NOT_VALID")

	// Pay and query for the merchant with the token.
	out := newOutTradeNo(t, "sw_isv")
	p := alipay.TradePay{Scene: "bar_code", AuthCode: sandboxBuyer(t, srv, buyerPays).PaymentCode}
	p.Subject, p.OutTradeNo, p.TotalAmount, p.AppAuthToken = interopSubject, out, "0.01", tok.AppAuthToken
	paid := swCall(t, sw, "alipay.trade.pay", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradePayRsp, error) {
		return sw.TradePay(ctx, p)
	})
	q := swCall(t, sw, "alipay.trade.query", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeQueryRsp, error) {
		return sw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: out, AppAuthToken: tok.AppAuthToken})
	})
	swWant(t, sw, "trade_no", q.TradeNo, paid.TradeNo)
	tr := adminDo(t, srv, http.MethodGet, "/apps/"+merchant.AppID+"/trades/"+out, nil, http.StatusOK)
	if tr["seller_id"] != merchant.SellerID {
		t.Fatalf("admin trade: %v", tr)
	}

	info := swCall(t, sw, "alipay.open.auth.token.app.query", alipay.CodeSuccess, func(ctx context.Context) (*alipay.OpenAuthTokenAppQueryRsp, error) {
		return sw.OpenAuthTokenAppQuery(ctx, alipay.OpenAuthTokenAppQuery{AppAuthToken: tok.AppAuthToken})
	})
	if info.Status != "valid" || !info.IsByAppAuth || info.ExpiresIn <= 0 || info.AuthAppId != merchant.AppID {
		t.Fatalf("token query = %+v", info)
	}

	// Refresh (biz_content's code is "" then: smartwalle has no omitempty on it).
	fresh := exchange(alipay.OpenAuthTokenApp{GrantType: "refresh_token", RefreshToken: tok.AppRefreshToken}, alipay.CodeSuccess)
	if len(fresh.Tokens) != 1 || fresh.Tokens[0].AppAuthToken == tok.AppAuthToken {
		t.Fatalf("refreshed tokens = %+v", fresh.Tokens)
	}

	// A made-up token: 20001, signed, verified.
	bad := swCall(t, sw, "alipay.trade.query", "20001", func(ctx context.Context) (*alipay.TradeQueryRsp, error) {
		return sw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: out, AppAuthToken: "201611BB0072dd1af77d4b46a1e8f98ab3e2fX14"})
	})
	swWant(t, sw, "sub_code", bad.SubCode, "aop.invalid-app-auth-token")
}

package zfbtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// isvEnv is the sandbox's ISV app calling for the sandbox's first app.
type isvEnv struct {
	t        *testing.T
	srv      *zfbtest.Server
	isv      sandbox.App
	merchant sandbox.App
	c        *alipay.Client // the ISV app's client
}

func newISVEnv(t *testing.T, srv *zfbtest.Server) *isvEnv {
	t.Helper()
	isv := srv.ISV(t).App
	return &isvEnv{t: t, srv: srv, isv: isv, merchant: srv.App(), c: client(t, srv, isv)}
}

// authorize plays the merchant authorizing the ISV app on the admin API and
// returns the app_auth_code.
func (e *isvEnv) authorize() string {
	e.t.Helper()
	status, out := adminCall(e.t, e.srv, http.MethodPost, "/apps/"+e.isv.AppID+"/authorizations",
		`{"merchant_app_id":"`+e.merchant.AppID+`"}`)
	code, _ := out["app_auth_code"].(string)
	if status != http.StatusCreated || len(code) != 32 {
		e.t.Fatalf("authorize: HTTP %d %v", status, out)
	}
	return code
}

func (e *isvEnv) exchange(code string) (*alipay.OpenAuthTokenAppResponse, error) {
	return e.c.OpenAuthTokenApp(context.Background(), alipay.OpenAuthTokenApp{GrantType: alipay.GrantTypeAuthorizationCode, Code: code})
}

func (e *isvEnv) mustExchange(code string) alipay.AppAuthToken {
	e.t.Helper()
	r, err := e.exchange(code)
	if err != nil {
		e.t.Fatalf("exchanging the code: %v", err)
	}
	tok := r.Token()
	if len(tok.AppAuthToken) != 40 || len(tok.AppRefreshToken) != 40 || tok.AuthAppID != e.merchant.AppID ||
		tok.UserID != e.merchant.SellerID || tok.ReExpiresIn != "32140800" || tok.ExpiresIn != "31536000" {
		e.t.Fatalf("token = %+v", tok)
	}
	if len(r.Tokens) != 1 || r.Tokens[0] != tok {
		e.t.Fatalf("tokens[] = %+v, want the flat fields once", r.Tokens)
	}
	return tok
}

func (e *isvEnv) pay(token, outTradeNo, notifyURL string) (*alipay.TradePayResponse, error) {
	return e.c.TradePay(context.Background(), alipay.TradePay{
		AppAuthToken: token, NotifyURL: notifyURL, OutTradeNo: outTradeNo, Scene: "bar_code",
		AuthCode: e.srv.Buyer(e.t, "pays").PaymentCode, Subject: "ISV 代收", TotalAmount: "12.34",
	})
}

func TestISVActsForMerchant(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		e := newISVEnv(t, srv)
		tok := e.mustExchange(e.authorize())

		rc := zfbtest.NewReceiver(t)
		paid, err := e.pay(tok.AppAuthToken, "isv-1", rc.URL)
		if err != nil {
			t.Fatalf("pay for the merchant: %v", err)
		}
		q, err := e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: tok.AppAuthToken, OutTradeNo: "isv-1"})
		if err != nil || q.TradeNo != paid.TradeNo || q.TradeStatus != alipay.TradeStatusSuccess {
			t.Fatalf("query for the merchant: %+v, %v", q, err)
		}
		// The trade is the merchant's: its out_trade_no, its seller.
		status, tr := adminCall(t, srv, http.MethodGet, "/apps/"+e.merchant.AppID+"/trades/isv-1", "")
		if status != http.StatusOK || tr["seller_id"] != e.merchant.SellerID || tr["agent_app_id"] != e.isv.AppID {
			t.Fatalf("admin: HTTP %d %v", status, tr)
		}
		if status, _ := adminCall(t, srv, http.MethodGet, "/apps/"+e.isv.AppID+"/trades/isv-1", ""); status != http.StatusNotFound {
			t.Fatalf("the ISV app's own trade isv-1: HTTP %d, want 404", status)
		}
		// Without the token the ISV app calls for itself: no such trade.
		if _, err := e.c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "isv-1"}); !alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST") {
			t.Fatalf("the ISV's own query: %v, want ACQ.TRADE_NOT_EXIST", err)
		}

		// The notification is the ISV's: app_id the ISV app, auth_app_id the
		// merchant app, signed with the ISV app's gateway key.
		n := rc.Wait(t, notifyWait, byField("out_trade_no", "isv-1"))
		if err := e.c.VerifyNotification(n.Form); err != nil {
			t.Fatalf("the ISV's SDK does not verify the notification: %v", err)
		}
		if n.Form.Get("app_id") != e.isv.AppID || n.Form.Get("auth_app_id") != e.merchant.AppID || n.Form.Get("seller_id") != e.merchant.SellerID {
			t.Fatalf("notification app_id %s auth_app_id %s seller_id %s", n.Form.Get("app_id"), n.Form.Get("auth_app_id"), n.Form.Get("seller_id"))
		}

		// The token query.
		qr, err := e.c.OpenAuthTokenAppQuery(ctx, alipay.OpenAuthTokenAppQuery{AppAuthToken: tok.AppAuthToken})
		if err != nil || qr.Status != "valid" || !qr.IsByAppAuth || qr.AuthAppID != e.merchant.AppID || qr.UserID != e.merchant.SellerID ||
			!slices.Contains(qr.AuthMethods, "alipay.trade.pay") || qr.ExpiresIn == "" || qr.AuthStart == "" {
			t.Fatalf("token query: %+v, %v", qr, err)
		}

		// Refresh: a new pair; the old token keeps working, the old refresh
		// token works once.
		rr, err := e.c.OpenAuthTokenApp(ctx, alipay.OpenAuthTokenApp{GrantType: alipay.GrantTypeRefreshToken, RefreshToken: tok.AppRefreshToken})
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		fresh := rr.Token()
		if fresh.AppAuthToken == tok.AppAuthToken || fresh.AuthAppID != e.merchant.AppID || fresh.UserID != e.merchant.SellerID {
			t.Fatalf("refreshed = %+v", fresh)
		}
		_, err = e.c.OpenAuthTokenApp(ctx, alipay.OpenAuthTokenApp{GrantType: alipay.GrantTypeRefreshToken, RefreshToken: tok.AppRefreshToken})
		wantSubCode(t, err, "40004", "REFRESH_TOKEN_NOT_VALID")
		for _, token := range []string{tok.AppAuthToken, fresh.AppAuthToken} {
			if _, err := e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: token, OutTradeNo: "isv-1"}); err != nil {
				t.Fatalf("query with a token after the refresh: %v", err)
			}
		}

		// The merchant cancels: the token stops working at once.
		req, _ := http.NewRequest(http.MethodDelete, srv.AdminURL()+"/apps/"+e.isv.AppID+"/authorizations/"+fresh.AppAuthToken, nil)
		req.Header.Set("Authorization", "Bearer "+srv.Sandbox.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %v %v", resp, err)
		}
		resp.Body.Close()
		_, err = e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: fresh.AppAuthToken, OutTradeNo: "isv-1"})
		wantSubCode(t, err, "20001", "aop.invalid-app-auth-token")
		qr, err = e.c.OpenAuthTokenAppQuery(ctx, alipay.OpenAuthTokenAppQuery{AppAuthToken: fresh.AppAuthToken})
		if err != nil || qr.Status != "invalid" {
			t.Fatalf("query of a revoked token: %+v, %v", qr, err)
		}

		// Re-authorization invalidates the earlier token.
		again := e.mustExchange(e.authorize())
		_, err = e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: tok.AppAuthToken, OutTradeNo: "isv-1"})
		wantSubCode(t, err, "20001", "aop.invalid-app-auth-token")
		if _, err := e.c.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: again.AppAuthToken, OutTradeNo: "isv-1"}); err != nil {
			t.Fatalf("query with the new token: %v", err)
		}
		// The admin API lists the ISV's authorizations, newest first.
		status, list := adminCall(t, srv, http.MethodGet, "/apps/"+e.isv.AppID+"/authorizations", "")
		auths, _ := list["authorizations"].([]any)
		if status != http.StatusOK || len(auths) < 4 || auths[0].(map[string]any)["app_auth_token"] != again.AppAuthToken {
			t.Fatalf("authorizations: HTTP %d %v", status, list)
		}
	})
}

func TestISVBadTokens(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		e := newISVEnv(t, srv)
		// A made-up token, shaped like Alipay's.
		_, err := e.pay("201611BB0072dd1af77d4b46a1e8f98ab3e2fX14", "made-up", "")
		wantSubCode(t, err, "20001", "aop.invalid-app-auth-token")
		var ae *alipay.Error
		if errors.As(err, &ae); ae.Msg != "Insufficient Token Permissions" || ae.SubMsg != "无效的应用授权令牌" {
			t.Fatalf("msg %q sub_msg %q", ae.Msg, ae.SubMsg)
		}
		// Nothing was made, for either app.
		for _, app := range []string{e.isv.AppID, e.merchant.AppID} {
			if status, _ := adminCall(t, srv, http.MethodGet, "/apps/"+app+"/trades/made-up", ""); status != http.StatusNotFound {
				t.Fatalf("trade made-up of %s: HTTP %d, want 404", app, status)
			}
		}
		// The sandbox's token works for the ISV app only: another app
		// sending it (here the merchant app itself) is refused.
		token := srv.Sandbox.ISV.AppAuthToken
		if _, err := e.pay(token, "sandbox-token", ""); err != nil {
			t.Fatalf("pay with the sandbox.json token: %v", err)
		}
		own := client(t, srv, e.merchant)
		_, err = own.TradeQuery(ctx, alipay.TradeQuery{AppAuthToken: token, OutTradeNo: "sandbox-token"})
		wantSubCode(t, err, "20001", "aop.invalid-app-auth-token")
		// An empty token is no token (Node sends app_auth_token="").
		if err := e.c.Do(ctx, alipay.Request{Method: "alipay.trade.query", BizContent: map[string]string{"out_trade_no": "sandbox-token"},
			Params: map[string]string{}}, nil); !alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST") {
			t.Fatalf("the ISV's own query: %v", err)
		}
	})
}

func TestISVAuthCodes(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		e := newISVEnv(t, srv)
		code := e.authorize()
		e.mustExchange(code)
		_, err := e.exchange(code)
		wantSubCode(t, err, "40004", "AUTH_CODE_NOT_VALID")
		_, err = e.exchange("P00000000000000000000000000000000")
		wantSubCode(t, err, "40004", "AUTH_CODE_NOT_EXIST")
		_, err = e.c.OpenAuthTokenApp(ctx, alipay.OpenAuthTokenApp{GrantType: "password", Code: code})
		wantSubCode(t, err, "40004", "GRANT_TYPE_INVALID")
		_, err = e.c.OpenAuthTokenApp(ctx, alipay.OpenAuthTokenApp{GrantType: alipay.GrantTypeRefreshToken, RefreshToken: "nope"})
		wantSubCode(t, err, "40004", "REFRESH_TOKEN_NOT_EXIST")

		// 24 h on the ISV app's clock.
		late := e.authorize()
		srv.AdvanceClock(t, e.isv.AppID, 24*time.Hour)
		_, err = e.exchange(late)
		wantSubCode(t, err, "40004", "AUTH_CODE_NOT_VALID")

		// A non-ISV app may neither be authorized nor exchange.
		status, out := adminCall(t, srv, http.MethodPost, "/apps/"+e.merchant.AppID+"/authorizations", `{"merchant_app_id":"`+e.isv.AppID+`"}`)
		if status != http.StatusBadRequest || !strings.Contains(mustJSON(out), "APP_NOT_ISV") {
			t.Fatalf("authorizing a non-ISV app: HTTP %d %v", status, out)
		}
		_, err = client(t, srv, e.merchant).OpenAuthTokenApp(ctx, alipay.OpenAuthTokenApp{GrantType: alipay.GrantTypeAuthorizationCode, Code: e.authorize()})
		wantSubCode(t, err, "40004", "APP_NOT_ISV")
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

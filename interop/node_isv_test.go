package interop

// The ISV flow driven by the official Node SDK (alipay-sdk 4.14.0) through node/call.mjs, unchanged:
// the sandbox's third-party app exchanges an app_auth_code, then pays and queries for the
// merchant with exec's appAuthToken; every answer is verified with the ISV app's Alipay public
// key, and so is the trade notification (notify.mjs).

import (
	"net/http"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

func withToken(s nodeStep, token string) nodeStep {
	s.AppAuthToken = &token
	return s
}

// authorizeISV plays the merchant (apps[0]) authorizing the sandbox's ISV app and returns the
// app_auth_code.
func authorizeISV(t *testing.T, srv *zfbtest.Server) string {
	t.Helper()
	out := adminDo(t, srv, http.MethodPost, "/apps/"+srv.Sandbox.ISV.AppID+"/authorizations",
		map[string]string{"merchant_app_id": srv.App().AppID}, http.StatusCreated)
	code, _ := out["app_auth_code"].(string)
	if code == "" {
		t.Fatalf("no app_auth_code: %v", out)
	}
	return code
}

func TestNodeSDKISV(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	isv, merchant := srv.Sandbox.ISV.App, srv.App()
	base := nodeCall{
		Gateway: srv.GatewayURL, AppID: isv.AppID, PrivateKey: isv.AppPrivateKey,
		AlipayPublicKey: isv.AlipayPublicKey, SignType: isv.SignType, ValidateSign: true,
	}

	exchange := nodeStep{Method: "alipay.open.auth.token.app", BizContent: map[string]any{
		"grant_type": "authorization_code", "code": authorizeISV(t, srv)}}
	res := runNodeCalls(t, node, base, exchange, exchange)
	tok := wantNode(t, res, 0, exchange, "10000")
	token := tok.nonEmpty("appAuthToken")
	refresh := tok.nonEmpty("appRefreshToken")
	tok.eq("authAppId", merchant.AppID)
	tok.eq("userId", merchant.SellerID)
	tok.eq("expiresIn", float64(31536000)) // a JSON number
	tok.eq("reExpiresIn", float64(32140800))
	if tokens, _ := tok.m["tokens"].([]any); len(tokens) != 1 || tokens[0].(map[string]any)["appAuthToken"] != token {
		t.Fatalf("tokens = %v", tok.m["tokens"])
	}
	used := wantNode(t, res, 1, exchange, "40004")
	used.eq("subCode", "AUTH_CODE_NOT_VALID")

	rc := zfbtest.NewReceiver(t)
	out := newOutTradeNo(t, "node_isv")
	pay := withToken(payStep(out, sandboxBuyer(t, srv, buyerPays).PaymentCode, "0.01"), token)
	pay.NotifyURL = rc.URL
	steps := []nodeStep{
		pay,
		withToken(queryStep(out), token),
		withToken(queryStep(out), "201611BB0072dd1af77d4b46a1e8f98ab3e2fX14"), // made up
		withToken(queryStep(out), ""),                                         // Node's "no token": the ISV app's own trades
		{Method: "alipay.open.auth.token.app.query", BizContent: map[string]any{"app_auth_token": token}},
		{Method: "alipay.open.auth.token.app", BizContent: map[string]any{"grant_type": "refresh_token", "refresh_token": refresh}},
	}
	res = runNodeCalls(t, node, base, steps...)
	paid := wantNode(t, res, 0, steps[0], "10000")
	tradeNo := paid.nonEmpty("tradeNo")
	q := wantNode(t, res, 1, steps[1], "10000")
	q.eq("tradeNo", tradeNo)
	q.eq("tradeStatus", "TRADE_SUCCESS")
	bad := wantNode(t, res, 2, steps[2], "20001")
	bad.eq("msg", "Insufficient Token Permissions")
	bad.eq("subCode", "aop.invalid-app-auth-token")
	bad.eq("subMsg", "无效的应用授权令牌")
	own := wantNode(t, res, 3, steps[3], "40004")
	own.eq("subCode", "ACQ.TRADE_NOT_EXIST")
	info := wantNode(t, res, 4, steps[4], "10000")
	info.eq("status", "valid")
	info.eq("isByAppAuth", true)
	info.eq("authAppId", merchant.AppID)
	if _, ok := info.m["expiresIn"].(float64); !ok {
		t.Errorf("expiresIn = %#v, want a number", info.m["expiresIn"])
	}
	if methods, _ := info.m["authMethods"].([]any); len(methods) == 0 {
		t.Errorf("authMethods = %#v, want the methods", info.m["authMethods"])
	}
	refreshed := wantNode(t, res, 5, steps[5], "10000")
	fresh := refreshed.nonEmpty("appAuthToken")

	// The trade is the merchant's.
	tr := adminDo(t, srv, http.MethodGet, "/apps/"+merchant.AppID+"/trades/"+out, nil, http.StatusOK)
	if tr["seller_id"] != merchant.SellerID || tr["trade_no"] != tradeNo {
		t.Fatalf("admin trade: %v", tr)
	}
	// Its notification is the ISV's, and the Node SDK configured as the ISV verifies it.
	form := waitNotification(t, rc, zfb.NotifyTradeStatusSync, "out_trade_no", out)
	wantFields(t, form, map[string]string{"app_id": isv.AppID, "auth_app_id": merchant.AppID, "seller_id": merchant.SellerID})
	verifyWithNode(t, node, isv,
		notifyCheck{PostData: form, want: true, name: "ISV trade notification"},
		notifyCheck{PostData: form, AlipayPublicKey: merchant.AlipayPublicKey, want: false, name: "… with the merchant app's key"})

	// The merchant cancels: the token stops working.
	adminDo(t, srv, http.MethodDelete, "/apps/"+isv.AppID+"/authorizations/"+fresh, nil, http.StatusNoContent)
	after := withToken(queryStep(out), fresh)
	res = runNodeCalls(t, node, base, after)
	wantNode(t, res, 0, after, "20001").eq("subCode", "aop.invalid-app-auth-token")
}

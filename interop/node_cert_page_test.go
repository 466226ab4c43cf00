package interop

// page.pay from the official Node SDK in certificate mode: the certificate-mode app's pageExec
// GET URL carries app_cert_sn and alipay_root_cert_sn, signed; gateway.do takes it, the buyer
// pays at the cashier (plain HTTP here, hop by hop), and the Node SDK, given the Alipay public
// key from the certificate, verifies the return. The return carries no alipay_cert_sn: spec
// web-and-app-pay.md §4.2 lists its 12 keys and that is not one.

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestNodeSDKCertModePagePay(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	certApp, _ := certFiles(t, srv)
	buyer := srv.Buyer(t, zfb.BehaviourPays)

	gatewayURL := runCashierMJS(t, node, cashierInput{
		Gateway: srv.GatewayURL, AppID: certApp.AppID, PrivateKey: certApp.AppPrivateKey, SignType: certApp.SignType,
		Method: "alipay.trade.page.pay", HTTPMethod: "GET",
		BizContent: map[string]any{"outTradeNo": "NODE-CERT-PAGE", "totalAmount": "6.66", "subject": "证书 模式", "productCode": "FAST_INSTANT_TRADE_PAY"},
		ReturnURL:  "https://shop.example/return", NotifyURL: recv.URL,
		AppCertPath: certApp.AppCertPath, AlipayPublicCertPath: certApp.AlipayCertPath, AlipayRootCertPath: certApp.AlipayRootCertPath,
	})
	u, err := url.Parse(gatewayURL)
	if err != nil || u.Query().Get("app_cert_sn") != certApp.AppCertSN || u.Query().Get("alipay_root_cert_sn") != certApp.AlipayRootCertSN {
		t.Fatalf("the Node SDK's URL has no certificate SNs: %s", gatewayURL)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	post := func(u string, form url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp, body := get(gatewayURL)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/cashier/") {
		t.Fatalf("gateway.do: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	cashierURL := srv.URL + resp.Header.Get("Location")
	_, page := get(cashierURL)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "¥6.66") {
		t.Fatalf("cashier page: %s", page)
	}
	if r := post(cashierURL+"/login", url.Values{"csrf": {m[1]}, "logon_id": {buyer.LogonID}, "password": {buyer.LoginPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", r.StatusCode)
	}
	r := post(cashierURL+"/pay", url.Values{"csrf": {m[1]}})
	ret, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || err != nil || ret.Host != "shop.example" {
		t.Fatalf("pay: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	q := ret.Query()
	if q.Get("app_id") != certApp.AppID || q.Get("out_trade_no") != "NODE-CERT-PAGE" || len(q) != 12 || q.Has("alipay_cert_sn") {
		t.Errorf("return: %v", q)
	}
	fields := map[string]string{}
	for k := range q {
		fields[k] = q.Get(k)
	}
	verifyWithNode(t, node, certApp, notifyCheck{PostData: fields, name: "cert-mode page.pay return", want: true})
	got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "NODE-CERT-PAGE" })
	if got.Form.Get("trade_status") != "TRADE_SUCCESS" || got.Form.Get("app_id") != certApp.AppID {
		t.Errorf("notification: %v", got.Form)
	}
}

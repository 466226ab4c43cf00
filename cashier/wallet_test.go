package cashier_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// orderString is an app.pay order string as the Node SDK's sdkExec makes
// it: its keys in its order, values encodeURIComponent-ed.
func orderString(t *testing.T, srv *zfbtest.Server, biz, notifyURL string) string {
	t.Helper()
	app := srv.App()
	key, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]string{
		"method": "alipay.trade.app.pay", "app_id": app.AppID, "charset": "utf-8", "version": "1.0", "sign_type": app.SignType,
		"timestamp": zfb.FormatGatewayTime(time.Now()), "notify_url": notifyURL, "biz_content": biz,
	}
	if err := sign.SignRequest(key, sign.Algorithm(app.SignType), p); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, k := range []string{"method", "app_id", "charset", "version", "sign_type", "timestamp", "notify_url", "biz_content", "sign"} {
		parts = append(parts, k+"="+strings.ReplaceAll(url.QueryEscape(p[k]), "+", "%20"))
	}
	return strings.Join(parts, "&")
}

var appResultRE = regexp.MustCompile(`(?s)<pre id="app-result">(.*?)</pre>`)

type appResult struct{ ResultStatus, Result, Memo string }

func readAppResult(t *testing.T, page string) appResult {
	t.Helper()
	m := appResultRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no app result on the page: %s", page)
	}
	var r appResult
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &r); err != nil {
		t.Fatalf("app result %s: %v", m[1], err)
	}
	return r
}

func TestWalletAppPay(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	b := newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	order := orderString(t, srv, `{"out_trade_no":"APP-1","total_amount":"5.00","subject":"测试 a+b","product_code":"QUICK_MSECURITY_PAY"}`, recv.URL)
	resp, _ := b.post(srv.URL+"/cashier/app", url.Values{"order": {order}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cashier/") {
		t.Fatalf("wallet: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cashierURL := srv.URL + resp.Header.Get("Location")
	_, page := b.get(cashierURL)
	token := csrf(t, page)
	b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {"111111"}})
	b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	_, page = b.get(cashierURL)
	res := readAppResult(t, page)
	if res.ResultStatus != "9000" || res.Memo != "处理成功" {
		t.Fatalf("app result %+v", res)
	}
	checkAppResult(t, srv, res.Result, "APP-1", "5.00")
	if tr := srv.Trade(t, srv.App().AppID, "APP-1"); tr.Status != zfb.TradeSuccess || tr.Kind != zfb.TradeKindApp {
		t.Errorf("trade %s %s", tr.Status, tr.Kind)
	}
	recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "APP-1" })
}

// checkAppResult verifies result as an app's server does: the node's
// bytes against sign, with the app's alipay_public_key.
func checkAppResult(t *testing.T, srv *zfbtest.Server, result, outTradeNo, amount string) {
	t.Helper()
	var env struct {
		Node     json.RawMessage `json:"alipay_trade_app_pay_response"`
		Sign     string          `json:"sign"`
		SignType string          `json:"sign_type"`
	}
	if err := json.Unmarshal([]byte(result), &env); err != nil {
		t.Fatalf("result %s: %v", result, err)
	}
	pub, _ := sign.ParsePublicKey(srv.App().AlipayPublicKey)
	if err := sign.Verify(pub, sign.Algorithm(env.SignType), env.Node, env.Sign); err != nil {
		t.Errorf("the result's sign does not verify: %v", err)
	}
	var node map[string]string
	_ = json.Unmarshal(env.Node, &node)
	if node["code"] != "10000" || node["out_trade_no"] != outTradeNo || node["total_amount"] != amount || node["app_id"] != srv.App().AppID || node["seller_id"] != srv.App().SellerID {
		t.Errorf("result node %v", node)
	}
	if !strings.HasSuffix(result, `,"sign_type":"`+env.SignType+`"}`) {
		t.Errorf("sign_type does not come after sign: %s", result)
	}
}

func TestWalletRefusesAndCancels(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t)
	order := orderString(t, srv, `{"out_trade_no":"APP-2","total_amount":"5.00","subject":"x"}`, "https://shop.example/n")
	tampered := strings.Replace(order, "5.00", "0.01", 1)
	_, page := b.get(srv.URL + "/cashier/app?order=" + url.QueryEscape(tampered))
	if res := readAppResult(t, page); res.ResultStatus != "4000" || !strings.Contains(res.Result, "isv.invalid-signature") {
		t.Errorf("a tampered order: %+v", res)
	}
	if !strings.Contains(page, `id="diagnosis"`) {
		t.Errorf("no diagnosis of the failed signature: %s", page)
	}
	empty := orderString(t, srv, `{"out_trade_no":"APP-3","total_amount":"5.00","subject":"x"}`, "")
	_, page = b.post(srv.URL+"/cashier/app", url.Values{"order": {empty}})
	if res := readAppResult(t, page); res.ResultStatus != "4000" || !strings.Contains(res.Memo, "notify_url") {
		t.Errorf("an order with an empty value: %+v", res)
	}
	// A merchant server that POSTs app.pay to gateway.do gets a 302, as
	// from Alipay (spec §2.5).
	form, _ := url.ParseQuery(order)
	if resp, body := b.post(srv.GatewayURL, form); resp.StatusCode != http.StatusFound || body != "" {
		t.Errorf("app.pay POSTed to gateway.do: %d %q", resp.StatusCode, body)
	}
	resp, _ := b.get(srv.URL + "/cashier/app?order=" + url.QueryEscape(order))
	cashierURL := srv.URL + resp.Header.Get("Location")
	_, page = b.get(cashierURL)
	b.post(cashierURL+"/cancel", url.Values{"csrf": {csrf(t, page)}})
	_, page = b.get(cashierURL)
	if res := readAppResult(t, page); res.ResultStatus != "6001" || res.Result != "" {
		t.Errorf("a cancelled order: %+v", res)
	}
	if tr := srv.Trade(t, srv.App().AppID, "APP-2"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Errorf("trade after cancel: %s", tr.Status)
	}
}

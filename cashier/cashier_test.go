package cashier_test

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
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// browser is a cookie-keeping client that does not follow redirects, so
// that each hop can be checked.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// pageURL is a signed GET URL of method, as Java's pageExecute(GET) builds.
func pageURL(t *testing.T, srv *zfbtest.Server, method, biz, returnURL, notifyURL string) string {
	t.Helper()
	app := srv.App()
	key, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]string{
		"app_id": app.AppID, "method": method, "charset": "utf-8", "sign_type": app.SignType, "version": "1.0",
		"timestamp": zfb.FormatGatewayTime(time.Now()), "biz_content": biz, "return_url": returnURL, "notify_url": notifyURL,
	}
	if err := sign.SignRequest(key, sign.Algorithm(app.SignType), p); err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	for k, v := range p {
		if v != "" {
			q.Set(k, v)
		}
	}
	return srv.GatewayURL + "?" + q.Encode()
}

// open follows the gateway's redirect to the cashier and returns the
// cashier's URL and page.
func open(t *testing.T, b *browser, srv *zfbtest.Server, gatewayURL string) (string, string) {
	t.Helper()
	resp, body := b.get(gatewayURL)
	if resp.StatusCode != http.StatusFound || body != "" {
		t.Fatalf("gateway.do answered %d %q, want 302 with an empty body", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/cashier/") {
		t.Fatalf("Location = %q, want /cashier/…", loc)
	}
	resp, page := b.get(srv.URL + loc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("cashier: %d %s", resp.StatusCode, page)
	}
	return srv.URL + loc, page
}

func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in %s", page)
	}
	return m[1]
}

func TestPagePayReturnAndNotify(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	b := newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	biz := `{"out_trade_no":"WEB-1","total_amount":"12.34","subject":"一本书 a+b","product_code":"FAST_INSTANT_TRADE_PAY","timeout_express":"30m"}`
	cashierURL, page := open(t, b, srv, pageURL(t, srv, "alipay.trade.page.pay", biz, "https://shop.example/return", recv.URL))
	for _, want := range []string{"一本书 a&#43;b", "¥12.34", srv.App().SellerID, "WEB-1", "30m", `id="login"`} {
		if !strings.Contains(page, want) {
			t.Errorf("cashier page lacks %q", want)
		}
	}
	tr := srv.Trade(t, srv.App().AppID, "WEB-1")
	if tr.Status != zfb.TradeWaitBuyerPay || tr.Kind != zfb.TradeKindPage {
		t.Fatalf("trade = %s %s, want WAIT_BUYER_PAY page", tr.Status, tr.Kind)
	}
	token := csrf(t, page)

	// A wrong password and a missing token are refused.
	if resp, page := b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {"123456"}}); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "111111") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if resp, _ := b.post(cashierURL+"/login", url.Values{"logon_id": {buyer.LogonID}, "password": {"111111"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without the CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {buyer.LoginPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, page = b.get(cashierURL)
	if !strings.Contains(page, `id="pay-button"`) || !strings.Contains(page, buyer.LogonID) {
		t.Fatalf("after login the page offers no payment: %s", page)
	}
	// Another browser, without the login cookie, cannot pay.
	if resp, _ := newBrowser(t).post(cashierURL+"/pay", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("pay without logging in: %d, want 401", resp.StatusCode)
	}
	resp, _ := b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pay: %d", resp.StatusCode)
	}
	ret, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || ret.Host != "shop.example" || ret.Path != "/return" {
		t.Fatalf("return to %q", resp.Header.Get("Location"))
	}
	q := ret.Query()
	tr = srv.Trade(t, srv.App().AppID, "WEB-1")
	want := map[string]string{
		"method": "alipay.trade.page.pay.return", "charset": "utf-8", "out_trade_no": "WEB-1", "trade_no": tr.TradeNo,
		"total_amount": "12.34", "app_id": srv.App().AppID, "auth_app_id": srv.App().AppID, "seller_id": srv.App().SellerID,
		"version": "1.0", "sign_type": srv.App().SignType,
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("return %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != 12 {
		t.Errorf("return has %d keys, want 12: %v", len(q), q)
	}
	verifyReturn(t, srv, q)
	if tr.Status != zfb.TradeSuccess || tr.BuyerID != buyer.UserID {
		t.Fatalf("trade = %s by %s", tr.Status, tr.BuyerID)
	}
	got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "WEB-1" })
	if got.Form.Get("trade_status") != "TRADE_SUCCESS" {
		t.Errorf("notification trade_status = %q", got.Form.Get("trade_status"))
	}
	_, page = b.get(cashierURL)
	if !strings.Contains(page, `id="result"`) || !strings.Contains(page, "Paid") {
		t.Errorf("the cashier does not show the payment: %s", page)
	}
	// The same call again: the trade is paid (ACQ.TRADE_HAS_SUCCESS), shown
	// on the error page.
	resp, page = b.get(pageURL(t, srv, "alipay.trade.page.pay", biz, "https://shop.example/return", recv.URL))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "ACQ.TRADE_HAS_SUCCESS") {
		t.Errorf("repeat of a paid order: %d %s", resp.StatusCode, page)
	}
}

func verifyReturn(t *testing.T, srv *zfbtest.Server, q url.Values) {
	t.Helper()
	pub, err := sign.ParsePublicKey(srv.App().AlipayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]string{}
	for k := range q {
		p[k] = q.Get(k)
	}
	if err := sign.Verify(pub, sign.Algorithm(q.Get("sign_type")), []byte(sign.NotifyContent(p)), q.Get("sign")); err != nil {
		t.Errorf("the return's signature does not verify: %v", err)
	}
}

func TestPagePayBadSignatureShowsErrorPage(t *testing.T) {
	srv := zfbtest.NewServer(t)
	u := pageURL(t, srv, "alipay.trade.page.pay", `{"out_trade_no":"WEB-2","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY"}`, "", "")
	u = strings.Replace(u, "WEB-2", "WEB-3", 1) // tampered after signing
	resp, page := newBrowser(t).get(u)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("error page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"调试错误，请回到请求来源地，重新发起请求。", "错误代码 <strong id=\"error-code\">invalid-signature</strong>", "WEB-3", `id="diagnosis"`} {
		if !strings.Contains(page, want) {
			t.Errorf("error page lacks %q:\n%s", want, page)
		}
	}
}

func TestWapPayPoorBuyerThenQuit(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t)
	poor := srv.Buyer(t, zfb.BehaviourPoor)
	biz := `{"out_trade_no":"WAP-1","total_amount":"90000.00","subject":"phone","product_code":"QUICK_WAP_WAY","quit_url":"https://shop.example/quit"}`
	cashierURL, page := open(t, b, srv, pageURL(t, srv, "alipay.trade.wap.pay", biz, "https://shop.example/return", ""))
	token := csrf(t, page)
	b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {poor.LogonID}, "password": {"111111"}})
	_, page = b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	if !strings.Contains(page, "余额不足") || !strings.Contains(page, `id="cancel-button"`) {
		t.Fatalf("a poor buyer's payment: %s", page)
	}
	if tr := srv.Trade(t, srv.App().AppID, "WAP-1"); tr.Status != zfb.TradeWaitBuyerPay || tr.Kind != zfb.TradeKindWap {
		t.Fatalf("trade after a refused payment: %s %s", tr.Status, tr.Kind)
	}
	resp, _ := b.post(cashierURL+"/cancel", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://shop.example/quit" {
		t.Fatalf("cancel: %d to %q, want quit_url", resp.StatusCode, resp.Header.Get("Location"))
	}
	if tr := srv.Trade(t, srv.App().AppID, "WAP-1"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Fatalf("trade after cancel: %s, want still waiting", tr.Status)
	}
}

func TestPrecreateQRCodeOpensCashier(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	b := newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	resp, body := b.get(pageURL(t, srv, "alipay.trade.precreate", `{"out_trade_no":"QR-1","total_amount":"3.30","subject":"coffee"}`, "", recv.URL))
	m := regexp.MustCompile(`"qr_code":"([^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("precreate: %d %s", resp.StatusCode, body)
	}
	qr := strings.ReplaceAll(m[1], `\/`, `/`)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(srv.URL) + `/cashier/qr/bax[0-9a-z]{21}$`).MatchString(qr) {
		t.Fatalf("qr_code %q is not zfb's URL shaped like Alipay's", qr)
	}
	resp, _ = b.get(qr)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cashier/") {
		t.Fatalf("opening the QR code: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cashierURL := srv.URL + resp.Header.Get("Location")
	_, page := b.get(cashierURL)
	if !strings.Contains(page, "coffee") || !strings.Contains(page, "¥3.30") {
		t.Fatalf("the scanned cashier does not show the order: %s", page)
	}
	token := csrf(t, page)
	b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {"111111"}})
	resp, _ = b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != strings.TrimPrefix(cashierURL, srv.URL) {
		t.Fatalf("pay without return_url: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = b.get(cashierURL); !strings.Contains(page, "Paid") {
		t.Errorf("after paying the cashier shows: %s", page)
	}
	if tr := srv.Trade(t, srv.App().AppID, "QR-1"); tr.Status != zfb.TradeSuccess || tr.BuyerID != buyer.UserID || !tr.Scanned {
		t.Errorf("trade %s by %q scanned %v", tr.Status, tr.BuyerID, tr.Scanned)
	}
	recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool {
		return r.Form.Get("out_trade_no") == "QR-1" && r.Form.Get("trade_status") == "TRADE_SUCCESS"
	})
	// A code that names no precreated trade is not found.
	if resp, _ := b.get(srv.URL + "/cashier/qr/bax000000000000000000001"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown QR code: %d, want 404", resp.StatusCode)
	}
}

func TestPageCallsInRequestLog(t *testing.T) {
	srv := zfbtest.NewServer(t, zfbtest.WithRequestLog(100))
	b := newBrowser(t)
	biz := `{"out_trade_no":"LOG-1","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY"}`
	open(t, b, srv, pageURL(t, srv, "alipay.trade.page.pay", biz, "", ""))
	b.get(strings.Replace(pageURL(t, srv, "alipay.trade.page.pay", biz, "", ""), "LOG-1", "LOG-2", 1))
	var recs []*zfb.RequestRecord
	deadline := time.Now().Add(10 * time.Second)
	for len(recs) < 2 && time.Now().Before(deadline) {
		var err error
		if recs, err = srv.Service.Requests(t.Context(), zfb.RequestFilter{Method: "alipay.trade.page.pay"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(recs) != 2 {
		t.Fatalf("request log has %d page.pay calls, want 2", len(recs))
	}
	codes := map[string]string{}
	for _, r := range recs {
		codes[r.Code] = r.Signature
	}
	if codes["10000"] != zfb.SignatureVerified || codes["40002"] != zfb.SignatureFailed {
		t.Errorf("recorded calls: %v", codes)
	}
}

func TestRestrictedBuyerIsRefused(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	srv.RestrictBuyer(t, buyer.UserID, true)
	biz := `{"out_trade_no":"WEB-R","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY"}`
	cashierURL, page := open(t, b, srv, pageURL(t, srv, "alipay.trade.page.pay", biz, "https://shop.example/return", ""))
	token := csrf(t, page)
	b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {"111111"}})
	resp, page := b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "restricted") {
		t.Fatalf("a restricted buyer's payment: %d %s", resp.StatusCode, page)
	}
	if tr := srv.Trade(t, srv.App().AppID, "WEB-R"); tr.Status != zfb.TradeWaitBuyerPay || tr.BuyerID != "" {
		t.Errorf("trade after a refused payment: %s by %q", tr.Status, tr.BuyerID)
	}
}

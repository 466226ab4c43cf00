package interop

// The hosted cashier (page.pay, wap.pay) in headless Chromium, as a buyer meets it: the official
// Node SDK's pageExec builds the URL or the auto-submitting form on a loopback "merchant" site; the
// browser opens it, gateway.do verifies it and sends the browser to zfb's cashier; the buyer logs
// in as a sandbox buyer and pays (or cancels), and lands back on the merchant's return_url, whose
// parameters the Node SDK's checkNotifySign / checkNotifySignV2 verify (notify.mjs). The
// notification reaches notify_url (zfbtest.Receiver).

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// cashierScreenshot is the screenshot of the cashier README shows, relative to the interop module.
const cashierScreenshot = "../docs/screenshots/cashier.png"

// cashierInput is the stdin of cashier.mjs.
type cashierInput struct {
	Gateway         string         `json:"gateway"`
	AppID           string         `json:"appId"`
	PrivateKey      string         `json:"privateKey"`
	AlipayPublicKey string         `json:"alipayPublicKey"`
	SignType        string         `json:"signType"`
	Method          string         `json:"method"`
	HTTPMethod      string         `json:"httpMethod"`
	BizContent      map[string]any `json:"bizContent"`
	ReturnURL       string         `json:"returnUrl,omitempty"`
	NotifyURL       string         `json:"notifyUrl,omitempty"`
	// The certificate files, for certificate mode (nodeCertPageExec).
	AppCertPath          string `json:"appCertPath,omitempty"`
	AlipayPublicCertPath string `json:"alipayPublicCertPath,omitempty"`
	AlipayRootCertPath   string `json:"alipayRootCertPath,omitempty"`
}

// nodePageExec has the Node SDK build a page call (pageExec GET or POST, or sdkExec with "SDK").
func nodePageExec(t *testing.T, node string, srv *zfbtest.Server, app sandbox.App, method, httpMethod string, biz map[string]any, returnURL, notifyURL string) string {
	t.Helper()
	return runCashierMJS(t, node, cashierInput{
		Gateway: srv.GatewayURL, AppID: app.AppID, PrivateKey: app.AppPrivateKey, AlipayPublicKey: app.AlipayPublicKey,
		SignType: app.SignType, Method: method, HTTPMethod: httpMethod, BizContent: biz, ReturnURL: returnURL, NotifyURL: notifyURL,
	})
}

// runCashierMJS runs cashier.mjs on in and returns what the SDK built.
func runCashierMJS(t *testing.T, node string, in cashierInput) string {
	t.Helper()
	stdout, raw := runNodeScript(t, node, "cashier.mjs", in)
	var out struct {
		OK     bool   `json:"ok"`
		Result string `json:"result"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil || !out.OK {
		t.Fatalf("node cashier.mjs: %v %s\n%s", err, out.Error, raw)
	}
	return out.Result
}

// merchantSite is a loopback merchant website: /checkout serves what the SDK built (a form, or a
// redirect to a URL), /return and /quit record the buyer's arrival.
type merchantSite struct {
	URL string

	mu       sync.Mutex
	checkout string // HTML form, or a URL to redirect to
	returns  []url.Values
	quits    int
}

func newMerchantSite(t *testing.T) *merchantSite {
	m := &merchantSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		c := m.checkout
		m.mu.Unlock()
		if strings.HasPrefix(c, "http") {
			http.Redirect(w, r, c, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><meta charset=\"utf-8\"><title>checkout</title></head><body>" + c + "</body></html>"))
	})
	mux.HandleFunc("GET /return", func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.returns = append(m.returns, r.URL.Query())
		m.mu.Unlock()
		_, _ = w.Write([]byte("merchant: back from the cashier"))
	})
	mux.HandleFunc("GET /quit", func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.quits++
		m.mu.Unlock()
		_, _ = w.Write([]byte("merchant: the buyer quit"))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	m.URL = s.URL
	return m
}

func (m *merchantSite) serve(checkout string) {
	m.mu.Lock()
	m.checkout = checkout
	m.mu.Unlock()
}

func (m *merchantSite) lastReturn() url.Values {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.returns) == 0 {
		return nil
	}
	return m.returns[len(m.returns)-1]
}

// payAtCashier logs in on the cashier shown as buyer and pays.
func payAtCashier(t *testing.T, b *browser, buyer sandbox.Buyer, amount string) {
	t.Helper()
	b.waitText("¥" + amount)
	b.fill("logon_id", buyer.LogonID)
	b.fill("password", buyer.LoginPassword)
	b.clickAndLoad("Log in")
	b.waitText(buyer.LogonID)
	b.clickAndLoad("Pay ¥" + amount)
}

func TestCashierBrowserNodePagePay(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	shop := newMerchantSite(t)
	app, buyer := srv.App(), srv.Buyer(t, zfb.BehaviourPays)
	b := newBrowser(t, "")

	for _, tc := range []struct{ method, httpMethod, outTradeNo, wantMethod string }{
		{"alipay.trade.page.pay", "GET", "NODE-PAGE-GET", "alipay.trade.page.pay.return"},
		{"alipay.trade.page.pay", "POST", "NODE-PAGE-POST", "alipay.trade.page.pay.return"},
		{"alipay.trade.wap.pay", "POST", "NODE-WAP-POST", "alipay.trade.wap.pay.return"},
	} {
		code := "FAST_INSTANT_TRADE_PAY"
		if strings.Contains(tc.method, "wap") {
			code = "QUICK_WAP_WAY"
		}
		biz := map[string]any{"outTradeNo": tc.outTradeNo, "totalAmount": "12.34", "subject": "测试 商品 a+b", "productCode": code}
		shop.serve(nodePageExec(t, node, srv, app, tc.method, tc.httpMethod, biz, shop.URL+"/return", recv.URL))
		b.open(shop.URL + "/checkout")
		if p := b.path(); !strings.Contains(p, "/cashier/") {
			t.Fatalf("%s %s: the browser is at %s, want the cashier", tc.method, tc.httpMethod, p)
		}
		payAtCashier(t, b, buyer, "12.34")
		b.waitText("merchant: back from the cashier")
		q := shop.lastReturn()
		if q.Get("method") != tc.wantMethod || q.Get("out_trade_no") != tc.outTradeNo || q.Get("total_amount") != "12.34" {
			t.Fatalf("%s %s: return %v", tc.method, tc.httpMethod, q)
		}
		post := map[string]string{}
		for k := range q {
			post[k] = q.Get(k)
		}
		verifyWithNode(t, node, app, notifyCheck{PostData: post, name: tc.outTradeNo + " return", want: true})
		got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == tc.outTradeNo })
		if got.Form.Get("trade_status") != "TRADE_SUCCESS" || got.Form.Get("total_amount") != "12.34" {
			t.Errorf("%s: notification %v", tc.outTradeNo, got.Form)
		}
		if tr := srv.Trade(t, app.AppID, tc.outTradeNo); tr.Status != zfb.TradeSuccess || tr.BuyerID != buyer.UserID {
			t.Errorf("%s: trade %s paid by %s", tc.outTradeNo, tr.Status, tr.BuyerID)
		}
	}
	b.requireNoPageErrors()
}

func TestCashierBrowserWapCancel(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	shop := newMerchantSite(t)
	app, poor := srv.App(), srv.Buyer(t, zfb.BehaviourPoor)
	b := newBrowser(t, "")
	b.run("phone-sized window", emulatePhone())
	biz := map[string]any{"outTradeNo": "NODE-WAP-QUIT", "totalAmount": "99999.00", "subject": "phone", "productCode": "QUICK_WAP_WAY", "quitUrl": shop.URL + "/quit"}
	shop.serve(nodePageExec(t, node, srv, app, "alipay.trade.wap.pay", "GET", biz, shop.URL+"/return", ""))
	b.open(shop.URL + "/checkout")
	b.waitText("¥99999.00")
	if w := b.scrollWidth(); w > phoneWidth {
		t.Errorf("on a %d px wide phone the cashier is %d px wide", phoneWidth, w)
	}
	payAtCashier(t, b, poor, "99999.00")
	b.waitText("余额不足")
	if tr := srv.Trade(t, app.AppID, "NODE-WAP-QUIT"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Fatalf("a poor buyer's payment left the trade %s", tr.Status)
	}
	b.clickAndLoad("Cancel")
	b.waitText("merchant: the buyer quit")
	if tr := srv.Trade(t, app.AppID, "NODE-WAP-QUIT"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Errorf("after cancel the trade is %s, want still WAIT_BUYER_PAY", tr.Status)
	}
	if q := shop.lastReturn(); q != nil {
		t.Errorf("a cancelled payment returned to return_url: %v", q)
	}
}

func TestCashierBrowserPageCancelAndScreenshot(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	shop := newMerchantSite(t)
	app, buyer := srv.App(), srv.Buyer(t, zfb.BehaviourPays)
	b := newBrowser(t, "")
	biz := map[string]any{"outTradeNo": "NODE-PAGE-CANCEL", "totalAmount": "42.50", "subject": "zfb mug", "productCode": "FAST_INSTANT_TRADE_PAY", "timeoutExpress": "30m"}
	shop.serve(nodePageExec(t, node, srv, app, "alipay.trade.page.pay", "POST", biz, shop.URL+"/return", ""))
	b.open(shop.URL + "/checkout")
	b.waitText("¥42.50")
	b.fill("logon_id", buyer.LogonID)
	b.fill("password", buyer.LoginPassword)
	b.clickAndLoad("Log in")
	b.waitText("Pay ¥42.50")
	shot, err := b.screenshot()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if os.Getenv("ZFB_UPDATE_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(filepath.Dir(cashierScreenshot), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cashierScreenshot, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", cashierScreenshot, len(shot))
	}
	b.clickAndLoad("Cancel")
	b.waitText("You left the payment")
	if tr := srv.Trade(t, app.AppID, "NODE-PAGE-CANCEL"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Errorf("after cancel the trade is %s, want still WAIT_BUYER_PAY", tr.Status)
	}
	if q := shop.lastReturn(); q != nil {
		t.Errorf("a cancelled payment returned to return_url: %v", q)
	}
}

// phoneWidth is the CSS width of the phone emulatePhone plays.
const phoneWidth = 390

// emulatePhone makes the tab a phone-sized, touch, mobile viewport.
func emulatePhone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))
}

// scrollWidth is the width of the page's content, in CSS pixels.
func (b *browser) scrollWidth() int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		b.t.Fatalf("browser: reading the page's width: %v", err)
	}
	return w
}

func TestCashierBrowserSmartwallePagePay(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	shop := newMerchantSite(t)
	app, buyer := srv.App(), srv.Buyer(t, zfb.BehaviourPays)
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	u, err := sw.TradePagePay(alipay.TradePagePay{Trade: alipay.Trade{
		OutTradeNo: "SW-PAGE-1", TotalAmount: "7.25", Subject: "smartwalle 页面支付", ProductCode: "FAST_INSTANT_TRADE_PAY",
		NotifyURL: recv.URL, ReturnURL: shop.URL + "/return",
	}})
	if err != nil {
		t.Fatalf("TradePagePay: %v", err)
	}
	b := newBrowser(t, "")
	b.open(u.String())
	payAtCashier(t, b, buyer, "7.25")
	b.waitText("merchant: back from the cashier")
	q := shop.lastReturn()
	if q.Get("method") != "alipay.trade.page.pay.return" || q.Get("out_trade_no") != "SW-PAGE-1" {
		t.Fatalf("return %v", q)
	}
	if err := sw.VerifySign(t.Context(), q); err != nil {
		t.Errorf("smartwalle VerifySign of the return: %v", err)
	}
	got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "SW-PAGE-1" })
	if err := sw.VerifySign(t.Context(), got.Form); err != nil || got.Form.Get("trade_status") != "TRADE_SUCCESS" {
		t.Errorf("notification %v: %v", got.Form, err)
	}
	b.requireNoPageErrors()
}

func TestCashierBrowserPrecreateQRCode(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	app, buyer := srv.App(), srv.Buyer(t, zfb.BehaviourPays)
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	pre, err := sw.TradePreCreate(t.Context(), alipay.TradePreCreate{Trade: alipay.Trade{
		OutTradeNo: "SW-QR-1", TotalAmount: "18.00", Subject: "scan me", NotifyURL: recv.URL,
	}})
	if err != nil || pre.Code != alipay.CodeSuccess {
		t.Fatalf("TradePreCreate: %v %+v", err, pre)
	}
	if !strings.HasPrefix(pre.QRCode, srv.URL+"/cashier/qr/bax") {
		t.Fatalf("qr_code %q", pre.QRCode)
	}
	b := newBrowser(t, "")
	b.run("phone-sized window", emulatePhone())
	b.open(pre.QRCode)
	b.waitText("scan me")
	payAtCashier(t, b, buyer, "18.00")
	b.waitText("Paid")
	recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool {
		return r.Form.Get("out_trade_no") == "SW-QR-1" && r.Form.Get("trade_status") == "TRADE_SUCCESS"
	})
	q, err := sw.TradeQuery(t.Context(), alipay.TradeQuery{OutTradeNo: "SW-QR-1"})
	if err != nil || q.TradeStatus != alipay.TradeStatusSuccess || q.BuyerLogonId == "" {
		t.Errorf("TradeQuery after the scan: %v %+v", err, q)
	}
	b.requireNoPageErrors()
}

func TestCashierBrowserNodeAppPay(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	app, buyer := srv.App(), srv.Buyer(t, zfb.BehaviourPays)
	b := newBrowser(t, srv.URL)
	b.run("phone-sized window", emulatePhone())
	for _, tc := range []struct {
		outTradeNo string
		pay        bool
		want       string
	}{{"NODE-APP-PAY", true, "9000"}, {"NODE-APP-CANCEL", false, "6001"}} {
		biz := map[string]any{"outTradeNo": tc.outTradeNo, "totalAmount": "8.80", "subject": "app 商品", "productCode": "QUICK_MSECURITY_PAY"}
		order := nodePageExec(t, node, srv, app, "alipay.trade.app.pay", "SDK", biz, "", recv.URL)
		b.open("/cashier/app")
		b.run("paste the order string", chromedp.SetValue(field("order"), order)) // as a paste: no typing
		b.clickAndLoad("Open in the wallet")
		b.waitText("¥8.80")
		b.fill("logon_id", buyer.LogonID)
		b.fill("password", buyer.LoginPassword)
		b.clickAndLoad("Log in")
		if tc.pay {
			b.clickAndLoad("Pay ¥8.80")
		} else {
			b.clickAndLoad("Cancel")
		}
		var res struct{ ResultStatus, Result, Memo string }
		if err := json.Unmarshal([]byte(b.textOf("#app-result")), &res); err != nil || res.ResultStatus != tc.want {
			t.Fatalf("%s: the app result %+v (%v)", tc.outTradeNo, res, err)
		}
		if !tc.pay {
			continue
		}
		// The app's server checks the result as it checks a gateway answer: the node's bytes against
		// sign, with the alipay_public_key (spec web-and-app-pay.md §5.3).
		pub, err := sign.ParsePublicKey(app.AlipayPublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sign.VerifyResponse(pub, sign.Algorithm(app.SignType), []byte(res.Result), "alipay_trade_app_pay_response"); err != nil {
			t.Errorf("the result's sign: %v\n%s", err, res.Result)
		}
		recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool {
			return r.Form.Get("out_trade_no") == tc.outTradeNo && r.Form.Get("trade_status") == "TRADE_SUCCESS"
		})
	}
	if tr := srv.Trade(t, app.AppID, "NODE-APP-CANCEL"); tr.Status != zfb.TradeWaitBuyerPay {
		t.Errorf("a cancelled app payment left the trade %s", tr.Status)
	}
	b.requireNoPageErrors()
}

package cashier_test

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

var qrImageRE = regexp.MustCompile(`<img id="qr-image" src="([^"]+)" width="(\d+)" height="(\d+)"`)

// pngSize fetches a PNG and returns its width and height.
func pngSize(t *testing.T, b *browser, u string) (int, int) {
	t.Helper()
	resp, body := b.get(u)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %q", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("GET %s: no PNG: %v", u, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// qr_pay_mode 0, 1, 3 and 4 show a framable QR code sized for the mode;
// 2 and none show the full cashier.
func TestPagePayQRPayModes(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t)
	for i, tc := range []struct {
		mode, width string
		size        int
		order       bool // the page shows the order beside the code
	}{
		{"0", "", 200, true}, {"1", "", 260, true}, {"3", "", 75, false}, {"4", "150", 150, false}, {"4", "", 200, false},
		{"2", "", 0, false}, {"", "", 0, false},
	} {
		biz := `{"out_trade_no":"QM-` + string(rune('a'+i)) + `","total_amount":"1.00","subject":"mode","product_code":"FAST_INSTANT_TRADE_PAY"`
		if tc.mode != "" {
			biz += `,"qr_pay_mode":"` + tc.mode + `"`
		}
		if tc.width != "" {
			biz += `,"qrcode_width":` + tc.width
		}
		resp, _ := b.get(pageURL(t, srv, "alipay.trade.page.pay", biz+"}", "https://shop.example/r", ""))
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("mode %q: gateway %d", tc.mode, resp.StatusCode)
		}
		resp, page := b.get(srv.URL + resp.Header.Get("Location"))
		m := qrImageRE.FindStringSubmatch(page)
		if tc.size == 0 {
			if m != nil || !strings.Contains(page, `id="login"`) || resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
				t.Errorf("mode %q: not the full cashier", tc.mode)
			}
			continue
		}
		if m == nil || m[2] != strconv.Itoa(tc.size) || m[3] != strconv.Itoa(tc.size) || strings.Contains(page, `id="login"`) {
			t.Fatalf("mode %q: no %d px QR code: %s", tc.mode, tc.size, page)
		}
		if resp.Header.Get("X-Frame-Options") != "" {
			t.Errorf("mode %q: the merchant cannot frame it (X-Frame-Options %q)", tc.mode, resp.Header.Get("X-Frame-Options"))
		}
		if got := strings.Contains(page, `id="amount"`); got != tc.order {
			t.Errorf("mode %q: shows the order %v, want %v", tc.mode, got, tc.order)
		}
		if w, h := pngSize(t, b, srv.URL+m[1]); w < tc.size || w > tc.size*2 || w != h {
			t.Errorf("mode %q: QR image %d×%d, want about %d", tc.mode, w, h, tc.size)
		}
	}
}

// A framed QR code is paid on the phone that scans it; the frame then
// goes to return_url.
func TestPagePayQRPayModeScanAndReturn(t *testing.T) {
	srv := zfbtest.NewServer(t)
	frame, phone := newBrowser(t), newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	biz := `{"out_trade_no":"QM-PAY","total_amount":"2.00","subject":"scan me","product_code":"FAST_INSTANT_TRADE_PAY","qr_pay_mode":"4","qrcode_width":120}`
	cashierURL, page := open(t, frame, srv, pageURL(t, srv, "alipay.trade.page.pay", biz, "https://shop.example/r", ""))
	if !strings.Contains(page, `http-equiv="refresh"`) {
		t.Error("the framed page does not look again")
	}
	// The phone opens what the code holds: the full cashier.
	scanURL := cashierURL + "?scan=1"
	_, page = phone.get(scanURL)
	if !strings.Contains(page, `id="login"`) {
		t.Fatalf("the scanned cashier: %s", page)
	}
	token := csrf(t, page)
	if resp, _ := phone.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {buyer.LoginPassword}}); resp.Header.Get("Location") != "/cashier/"+strings.TrimPrefix(scanURL, srv.URL+"/cashier/") {
		t.Fatalf("login goes to %q", resp.Header.Get("Location"))
	}
	resp, _ := phone.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "scan=1") {
		t.Fatalf("pay on the phone: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The frame, looking again, goes to the signed return.
	resp, _ = frame.get(cashierURL)
	ret, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || ret.Host != "shop.example" {
		t.Fatalf("frame after payment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if ret.Query().Get("method") != "alipay.trade.page.pay.return" || ret.Query().Get("out_trade_no") != "QM-PAY" {
		t.Errorf("return %v", ret.Query())
	}
	verifyReturn(t, srv, ret.Query())
}

// qr_pay_mode outside 0–4, or a bad qrcode_width with mode 4, is shown on
// Alipay's error page, and no trade is made; wap.pay has no such field.
func TestPagePayQRPayModeRefused(t *testing.T) {
	srv := zfbtest.NewServer(t)
	for _, extra := range []string{`"qr_pay_mode":"5"`, `"qr_pay_mode":"x"`, `"qr_pay_mode":"4","qrcode_width":"wide"`, `"qr_pay_mode":"4","qrcode_width":0`, `"qr_pay_mode":"4","qrcode_width":5000`} {
		biz := `{"out_trade_no":"QM-BAD","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY",` + extra + `}`
		resp, page := newBrowser(t).get(pageURL(t, srv, "alipay.trade.page.pay", biz, "", ""))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "调试错误") || !strings.Contains(page, "ACQ.INVALID_PARAMETER") {
			t.Errorf("%s: %d %s", extra, resp.StatusCode, page)
		}
	}
	if _, err := srv.Service.TradeByOutTradeNo(t.Context(), srv.App().AppID, "QM-BAD"); err == nil {
		t.Error("a refused call made a trade")
	}
	biz := `{"out_trade_no":"QM-WAP","total_amount":"1.00","subject":"x","product_code":"QUICK_WAP_WAY","qr_pay_mode":"9"}`
	_, page := open(t, newBrowser(t), srv, pageURL(t, srv, "alipay.trade.wap.pay", biz, "", ""))
	if !strings.Contains(page, `id="login"`) {
		t.Errorf("wap.pay with qr_pay_mode: %s", page)
	}
}

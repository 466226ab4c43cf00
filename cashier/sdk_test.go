package cashier_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// The Go SDK's page.pay and wap.pay URLs, plain and with biz_content
// AES-encrypted (as the SDK does for page methods when the client has an
// AES key), open zfb's cashier; the buyer pays there and the SDK verifies
// the return it is redirected to.
func TestGoSDKPagePayThroughTheCashier(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	app := srv.App()
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	for _, tc := range []struct {
		name string
		aes  bool
		wap  bool
	}{{"page", false, false}, {"page with AES", true, false}, {"wap", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []alipay.Option{alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType))}
			if tc.aes {
				opts = append(opts, alipay.WithAESKey(app.AESKey))
			}
			c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			out := "SDK-" + strings.ReplaceAll(tc.name, " ", "-")
			var link string
			if tc.wap {
				link, err = c.TradeWapPayURL(alipay.TradeWapPay{OutTradeNo: out, TotalAmount: "6.66", Subject: "a & b = c",
					ReturnURL: "https://shop.example/back", NotifyURL: recv.URL, QuitURL: "https://shop.example/quit"})
			} else {
				link, err = c.TradePagePayURL(alipay.TradePagePay{OutTradeNo: out, TotalAmount: "6.66", Subject: "a & b = c",
					ReturnURL: "https://shop.example/back", NotifyURL: recv.URL})
			}
			if err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t)
			cashierURL, page := open(t, b, srv, link)
			if !strings.Contains(page, "a &amp; b = c") || !strings.Contains(page, "¥6.66") {
				t.Fatalf("the cashier does not show the order: %s", page)
			}
			token := csrf(t, page)
			if resp, _ := b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {buyer.LoginPassword}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			resp, _ := b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
			back, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || err != nil || back.Host != "shop.example" {
				t.Fatalf("pay: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			ret, err := c.VerifyReturn(back.Query())
			if err != nil {
				t.Fatalf("the SDK refuses the return: %v (%v)", err, back.Query())
			}
			tr := srv.Trade(t, app.AppID, out)
			wantMethod := alipay.MethodTradePagePayReturn
			if tc.wap {
				wantMethod = alipay.MethodTradeWapPayReturn
			}
			if ret.Method != wantMethod || ret.OutTradeNo != out || ret.TradeNo != tr.TradeNo || ret.TotalAmount != "6.66" || ret.SellerID != app.SellerID {
				t.Errorf("return = %+v, want %s of %s (%s), 6.66", ret, wantMethod, out, tr.TradeNo)
			}
			if tr.Status != zfb.TradeSuccess {
				t.Errorf("trade status %s, want TRADE_SUCCESS", tr.Status)
			}
			// A return whose amount was changed on the way is refused.
			forged := back.Query()
			forged.Set("total_amount", "0.01")
			if _, err := c.VerifyReturn(forged); err == nil {
				t.Error("the SDK accepts a return whose amount was changed")
			}
			got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == out })
			if err := c.VerifyNotification(got.Form); err != nil || got.Form.Get("trade_status") != "TRADE_SUCCESS" {
				t.Errorf("notification: %v, trade_status %q", err, got.Form.Get("trade_status"))
			}
		})
	}
}

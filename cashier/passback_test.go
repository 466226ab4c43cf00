package cashier_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

// passback_params comes back in the notification exactly as sent (still
// URL-encoded), and not in the return, whose 12 keys are fixed (spec
// web-and-app-pay.md §4.2, §7).
func TestPassbackParamsInNotificationNotReturn(t *testing.T) {
	srv := zfbtest.NewServer(t)
	recv := zfbtest.NewReceiver(t)
	b := newBrowser(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	const passback = "merchantBizType%3d3C%26merchantBizNo%3d2016010101111"
	biz := `{"out_trade_no":"PB-1","total_amount":"3.00","subject":"passback","product_code":"QUICK_WAP_WAY","passback_params":"` + passback + `"}`
	cashierURL, page := open(t, b, srv, pageURL(t, srv, "alipay.trade.wap.pay", biz, "https://shop.example/r", recv.URL))
	token := csrf(t, page)
	if resp, _ := b.post(cashierURL+"/login", url.Values{"csrf": {token}, "logon_id": {buyer.LogonID}, "password": {buyer.LoginPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, _ := b.post(cashierURL+"/pay", url.Values{"csrf": {token}})
	ret, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || ret.Host != "shop.example" {
		t.Fatalf("pay: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := ret.Query()
	if _, there := q["passback_params"]; there || len(q) != 12 || q.Get("method") != "alipay.trade.wap.pay.return" {
		t.Errorf("return: %v", q)
	}
	verifyReturn(t, srv, q)
	got := recv.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "PB-1" })
	if got.Form.Get("passback_params") != passback || got.Form.Get("trade_status") != "TRADE_SUCCESS" {
		t.Errorf("notification passback_params = %q (%s), want %q", got.Form.Get("passback_params"), got.Form.Get("trade_status"), passback)
	}
	if tr := srv.Trade(t, srv.App().AppID, "PB-1"); tr.PassbackParams != passback {
		t.Errorf("stored passback_params = %q", tr.PassbackParams)
	}
}

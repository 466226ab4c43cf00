package cashier_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

// The wallet page's runs of app.pay order strings are in the request log
// as gateway.do calls are: one that opens the cashier (302), and one
// whose signature fails (40002, with its diagnosis).
func TestWalletRunsInRequestLog(t *testing.T) {
	srv := zfbtest.NewServer(t, zfbtest.WithRequestLog(100))
	b := newBrowser(t)
	order := orderString(t, srv, `{"out_trade_no":"APP-LOG-1","total_amount":"1.00","subject":"x","product_code":"QUICK_MSECURITY_PAY"}`, "https://shop.example/notify")
	if resp, _ := b.post(srv.URL+"/cashier/app", url.Values{"order": {order}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("wallet: %d", resp.StatusCode)
	}
	tampered := strings.Replace(order, "APP-LOG-1", "APP-LOG-2", 1)
	if resp, _ := b.post(srv.URL+"/cashier/app", url.Values{"order": {tampered}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a tampered order string opened the cashier")
	}
	var recs []*zfb.RequestRecord
	deadline := time.Now().Add(10 * time.Second)
	for len(recs) < 2 && time.Now().Before(deadline) {
		var err error
		if recs, err = srv.Service.Requests(t.Context(), zfb.RequestFilter{Method: "alipay.trade.app.pay"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(recs) != 2 {
		t.Fatalf("request log has %d app.pay runs, want 2", len(recs))
	}
	byCode := map[string]*zfb.RequestRecord{}
	for _, r := range recs {
		byCode[r.Code] = r
	}
	ok, bad := byCode["10000"], byCode["40002"]
	if ok == nil || ok.Signature != zfb.SignatureVerified || ok.HTTPStatus != http.StatusFound || ok.AppID != srv.App().AppID || ok.Failed {
		t.Errorf("the run that opened the cashier: %+v", ok)
	}
	if bad == nil || bad.Signature != zfb.SignatureFailed || !bad.Failed || bad.SubCode != "isv.invalid-signature" {
		t.Errorf("the tampered run: %+v", bad)
	}
	full, err := srv.Service.Request(t.Context(), ok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.Params["biz_content"], "APP-LOG-1") || !strings.HasPrefix(full.Answer, "Location: /cashier/") {
		t.Errorf("recorded params %v, answer %q", full.Params, full.Answer)
	}
}

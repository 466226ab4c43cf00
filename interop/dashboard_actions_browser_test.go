package interop

// What a tester does at the dashboard, in a real headless Chromium (browser_test.go): find a
// trade made through the Go SDK by its number, act as its buyer, advance the app's clock, replay
// the trade's notification. Each step is checked where the merchant would see it: through the SDK and at the
// merchant's notify_url.

import (
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestDashboardBrowserActions(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	rc := zfbtest.NewReceiver(t)
	b := newBrowser(t, srv.URL)
	b.signIn(srv.Sandbox.AdminToken)

	// The password buyer's payment waits for the buyer.
	const amount = "23.45"
	waiting := sdkPay(t, srv, buyerPassword, amount, rc.URL)
	if waiting.Code != "10003" || waiting.TradeNo == "" {
		t.Fatalf("pay as the password buyer: %+v, want 10003 with a trade_no", waiting)
	}
	// Find the trade as a tester would: its out_trade_no in the search box, which goes straight
	// to the one trade it names.
	tradePage := "/dashboard/trades/" + waiting.TradeNo
	b.open("/dashboard/")
	b.fill("Search any number", waiting.OutTradeNo)
	b.clickAndLoad("Search")
	if b.path() != tradePage {
		t.Fatalf("searching %s led to %s, want its trade page %s", waiting.OutTradeNo, b.path(), tradePage)
	}
	if st := b.textOf("#trade-status"); st != alipay.TradeStatusWaitBuyerPay {
		t.Fatalf("the trade page shows status %q, want %s", st, alipay.TradeStatusWaitBuyerPay)
	}

	// Act as the buyer: pay.
	b.clickAndLoad("Pay as the buyer")
	if st := b.textOf("#trade-status"); st != alipay.TradeStatusSuccess {
		t.Errorf("after paying as the buyer, the trade page (%s) shows status %q, want %s", b.path(), st, alipay.TradeStatusSuccess)
	}
	sdk := goSDKClient(t, srv, app)
	q, err := sdk.TradeQuery(t.Context(), alipay.TradeQuery{TradeNo: waiting.TradeNo})
	if err != nil || q.TradeStatus != alipay.TradeStatusSuccess || q.TotalAmount != amount {
		t.Fatalf("the SDK's trade query after paying at the dashboard: %v %+v, want %s of %s", err, q, alipay.TradeStatusSuccess, amount)
	}
	sent := rc.Wait(t, 15*time.Second, func(r zfbtest.Received) bool {
		return r.Form.Get("trade_no") == waiting.TradeNo && r.Form.Get("trade_status") == alipay.TradeStatusSuccess
	})
	notifyID := sent.Form.Get("notify_id")

	// Replay the trade's notification from its page: the merchant gets it again, same notify_id.
	b.open(tradePage)
	row := b.rowText("Notifications", "trade_status_sync")
	id, _, _ := strings.Cut(row, "\t")
	if !strings.HasPrefix(id, "#") {
		t.Fatalf("the trade page lists no trade_status_sync notification (row %q); it shows:\n%s", row, b.text())
	}
	b.clickAndLoad(id)
	b.clickAndLoad("Replay notification")
	deliveries := 0
	again := rc.Wait(t, 15*time.Second, func(r zfbtest.Received) bool {
		if r.Form.Get("trade_no") == waiting.TradeNo {
			deliveries++
		}
		return deliveries == 2
	})
	if got := again.Form.Get("notify_id"); got != notifyID {
		t.Errorf("the replayed notification has notify_id %q, want the first one's, %q", got, notifyID)
	}

	// Advance the app's clock by 25 hours on the app's page: the page and the SDK see it.
	b.open("/dashboard/apps/" + app.AppID)
	before := parseBeijing(t, b.textOf("#app-now"))
	b.fill("Advance by", "25h")
	b.clickAndLoad("Advance")
	after := parseBeijing(t, b.textOf("#app-now"))
	if d := after.Sub(before); d < 25*time.Hour || d > 26*time.Hour {
		t.Errorf("the app's clock moved by %v on its page (%v → %v), want 25h", d, before, after)
	}
	paid := sdkPay(t, srv, buyerPays, "1.00", "")
	if gmt := parseBeijing(t, paid.GmtPayment); gmt.Before(before.Add(25 * time.Hour)) {
		t.Errorf("a payment after advancing the clock has gmt_payment %v, want at least %v", gmt, before.Add(25*time.Hour))
	}

	b.requireNoPageErrors()
}

// parseBeijing reads a gateway time, "2026-01-02 15:04:05" (Beijing time, compared with others as
// such).
func parseBeijing(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.DateTime, strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return at
}

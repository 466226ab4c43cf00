package interop

// The dashboard in a real headless Chromium (browser_test.go): signing in with the admin token,
// the overview of apps and buyers, and a trade made through the Go SDK as the dashboard shows it.

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// dashboardScreenshot is the screenshot README shows, relative to the interop module.
const dashboardScreenshot = "../docs/screenshots/dashboard.png"

// sdkPay pays amount to the sandbox app through the Go SDK with the payment code of the buyer
// who behaves as behaviour (and notify_url notifyURL, unless ""), and returns the answer.
func sdkPay(t *testing.T, srv *zfbtest.Server, behaviour, amount, notifyURL string) *alipay.TradePayResponse {
	t.Helper()
	r, err := goSDKClient(t, srv, srv.App()).TradePay(context.Background(), alipay.TradePay{
		NotifyURL: notifyURL, OutTradeNo: newOutTradeNo(t, "browser"), Scene: "bar_code",
		AuthCode: sandboxBuyer(t, srv, behaviour).PaymentCode, Subject: "浏览器测试 browser", TotalAmount: amount,
	})
	if err != nil {
		t.Fatalf("pay %s through the Go SDK: %v", amount, err)
	}
	return r
}

// amountMinus is a - b for amounts written "100000.00".
func amountMinus(t *testing.T, a, b string) string {
	t.Helper()
	x, err := zfb.ParseAmount(a)
	if err != nil {
		t.Fatalf("amount %q: %v", a, err)
	}
	y, err := zfb.ParseAmount(b)
	if err != nil {
		t.Fatalf("amount %q: %v", b, err)
	}
	return zfb.FormatAmount(x - y)
}

func TestDashboardBrowser(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t, srv.URL)

	// Signed out, the dashboard sends the browser to the sign-in form.
	b.open("/dashboard/")
	if p := b.path(); !strings.HasPrefix(p, "/dashboard/login") {
		t.Fatalf("signed out, /dashboard/ leaves the browser at %s, want the sign-in form", p)
	}
	// A wrong token is refused, and the form says so.
	b.fill("Admin token", "not-the-admin-token")
	b.clickAndLoad("Sign in")
	if p := b.path(); !strings.HasPrefix(p, "/dashboard/login") {
		t.Fatalf("a wrong token led to %s", p)
	}
	if text := b.text(); strings.Contains(text, srv.App().AppID) {
		t.Fatalf("a wrong token shows the apps:\n%s", text)
	}
	if alert := b.textOf("[role=alert]"); alert == "" {
		t.Errorf("a wrong token is refused without a word; the page shows:\n%s", b.text())
	} else {
		t.Logf("a wrong token: %q", alert)
	}

	b.signIn(srv.Sandbox.AdminToken)
	text := b.text()
	for _, app := range srv.Sandbox.Apps {
		row := b.rowText("Apps", app.AppID)
		if !strings.Contains(row, app.SellerID) || !strings.Contains(row, app.SignType) {
			t.Errorf("the overview's row of app %s is %q, want its seller_id %s and sign_type %s", app.AppID, row, app.SellerID, app.SignType)
		}
	}
	for _, buyer := range srv.Sandbox.Buyers {
		row := b.rowText("Buyers", buyer.UserID)
		if !strings.Contains(row, buyer.LogonID) || !strings.Contains(row, buyer.Behaviour) || !strings.Contains(row, buyer.Balance) {
			t.Errorf("the overview's row of buyer %s is %q, want %s, %s and balance %s", buyer.UserID, row, buyer.LogonID, buyer.Behaviour, buyer.Balance)
		}
		if strings.Contains(row, buyer.PaymentCode) {
			t.Errorf("the overview shows buyer %s's payment code unmasked: %q", buyer.UserID, row)
		}
	}
	if !strings.Contains(text, "balanced") {
		t.Errorf("the overview does not say the ledger is balanced:\n%s", text)
	}

	// A trade made through the Go SDK: the dashboard shows its buyer's balance less the amount.
	const amount = "12.34"
	payer := sandboxBuyer(t, srv, buyerPays)
	paid := sdkPay(t, srv, buyerPays, amount, "")
	if paid.Code != "10000" || paid.TradeNo == "" {
		t.Fatalf("pay through the Go SDK: %+v", paid)
	}
	b.open("/dashboard/")
	want := amountMinus(t, payer.Balance, amount)
	if row := b.rowText("Buyers", payer.UserID); !strings.Contains(row, want) {
		t.Errorf("after paying %s, the overview's row of buyer %s is %q, want balance %s", amount, payer.UserID, row, want)
	}
	// The trades page, once the dashboard has one, lists the trade.
	if status := b.open("/dashboard/trades"); status == http.StatusOK {
		b.waitText(paid.TradeNo)
		if row := b.rowText("", paid.TradeNo); !strings.Contains(row, amount) {
			t.Errorf("the trades page's row of trade %s is %q, want its amount %s", paid.TradeNo, row, amount)
		}
	} else {
		t.Logf("the dashboard has no trades page (HTTP %d): the trade was found by its buyer's balance only", status)
	}

	// Signing out ends the session: the dashboard asks for the token again.
	b.open("/dashboard/")
	b.clickAndLoad("Sign out")
	b.open("/dashboard/")
	if p := b.path(); !strings.HasPrefix(p, "/dashboard/login") {
		t.Errorf("signed out, /dashboard/ leaves the browser at %s, want the sign-in form", p)
	}
	// No page broke its Content-Security-Policy or threw.
	b.requireNoPageErrors()
}

// TestDashboardScreenshot takes a screenshot of the overview after a few trades. With
// ZFB_UPDATE_SCREENSHOTS=1 it writes it to docs/screenshots/dashboard.png, the one README shows.
func TestDashboardScreenshot(t *testing.T) {
	srv := zfbtest.NewServer(t)
	b := newBrowser(t, srv.URL)
	for _, amount := range []string{"18.00", "42.50", "7.25"} {
		if r := sdkPay(t, srv, buyerPays, amount, ""); r.Code != "10000" {
			t.Fatalf("pay %s: %+v", amount, r)
		}
	}
	if r := sdkPay(t, srv, buyerPassword, "99.00", ""); r.Code != "10003" {
		t.Fatalf("pay as the password buyer: %+v", r)
	}
	b.signIn(srv.Sandbox.AdminToken)
	b.waitText(srv.App().AppID)
	shot, err := b.screenshot()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size.X < 800 || size.Y < 400 {
		t.Errorf("the screenshot is %v, want at least 800×400", size)
	}
	if os.Getenv("ZFB_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(dashboardScreenshot), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dashboardScreenshot, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", dashboardScreenshot, len(shot))
}

package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb/zfbtest"
)

// TestDashboardBrowserQRCodeImage: the dashboard's page of a trade smartwalle precreated shows
// the qr_code precreate answered and loads its QR code image (256×256) under the dashboard's
// Content-Security-Policy, with no page error.
func TestDashboardBrowserQRCodeImage(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	pre, err := sw.TradePreCreate(t.Context(), alipay.TradePreCreate{Trade: alipay.Trade{OutTradeNo: "SW-QR-IMG", TotalAmount: "1.00", Subject: "qr image"}})
	if err != nil || pre.Code != alipay.CodeSuccess {
		t.Fatalf("TradePreCreate: %v %+v", err, pre)
	}
	tr := srv.Trade(t, app.AppID, "SW-QR-IMG")
	b := newBrowser(t, srv.URL)
	b.signIn(srv.Sandbox.AdminToken)
	b.open("/dashboard/trades/" + tr.TradeNo)
	if got := b.textOf("#trade-qr-code"); got != pre.QRCode {
		t.Errorf("the dashboard shows qr_code %q, precreate answered %q", got, pre.QRCode)
	}
	var width int
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		width, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const i = document.getElementById('trade-qr-image'); return i && i.complete ? i.naturalWidth : -1; })()`))
		cancel()
		if err != nil {
			t.Fatalf("reading the image: %v", err)
		}
		if width >= 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if width != 256 {
		t.Errorf("the QR code image's natural width is %d, want 256 (0: it did not load)", width)
	}
	if text := b.text(); !strings.Contains(text, "qr_code") {
		t.Errorf("the trade page: %s", text)
	}
	b.requireNoPageErrors()
}

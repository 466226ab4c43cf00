package admin_test

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
)

// A precreated trade's page shows the qr_code precreate answered (zfb's
// cashier URL on the dashboard's host) and a PNG of it, served signed in.
func TestDashboardTradeQRCode(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	c, _ := e.signedIn()
	want := e.srv.URL + "/cashier/qr/" + zfb.QRCodeName(d.precreated.QRCode)
	if !strings.HasPrefix(d.precreated.QRCode, "https://qr.alipay.com/bax") {
		t.Fatalf("stored qr_code %q", d.precreated.QRCode)
	}
	imgPath := "/dashboard/trades/" + d.precreated.TradeNo + "/qr.png"
	e.page(c, "/dashboard/trades/"+d.precreated.TradeNo,
		`id="trade-qr-code">`+want+`</code>`, `<img id="trade-qr-image" src="`+imgPath+`"`)
	if body := e.page(c, "/dashboard/trades/"+d.waiting.TradeNo); strings.Contains(body, "trade-qr-image") {
		t.Error("a trade without a QR code shows an image")
	}

	a := e.get(c, imgPath)
	if a.status != http.StatusOK || a.resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %q", imgPath, a.status, a.resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader([]byte(a.body)))
	if err != nil {
		t.Fatalf("the QR image is no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("QR image %v, want 256×256", b)
	}
	if csp := e.get(c, "/dashboard/").resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}

	// Signed out: the login page, no image. No QR code: not found.
	if a := e.get(e.browser(), imgPath); a.status == http.StatusOK {
		t.Errorf("signed out: %d", a.status)
	}
	if a := e.get(c, "/dashboard/trades/"+d.waiting.TradeNo+"/qr.png"); a.status != http.StatusNotFound {
		t.Errorf("a trade without a QR code: %d", a.status)
	}
}

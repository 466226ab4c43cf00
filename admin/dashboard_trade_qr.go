package admin

import (
	"net/http"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
)

// qrImageSize is the side, in pixels, of a trade's QR code image.
const qrImageSize = 256

// tradeQRImage serves a precreated trade's qr_code (the URL precreate
// answered: zfb's page for the code on this host) as a PNG a phone camera
// reads.
func (d *dashboard) tradeQRImage(w http.ResponseWriter, r *http.Request, _ *session) {
	t, err := d.svc.Trade(r.Context(), r.PathValue("trade_no"))
	if err != nil || t.QRCode == "" {
		http.NotFound(w, r)
		return
	}
	png, err := qrcode.Encode(tradeQRCodeURL(r, t), qrcode.Medium, qrImageSize)
	if err != nil {
		d.fail(w, r, "qr code", err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

// tradeQRCodeURL is t's qr_code as precreate answered it to a caller on
// r's host; "" when t has none.
func tradeQRCodeURL(r *http.Request, t *zfb.Trade) string {
	return openapi.QRCodeURL(openapi.BaseURL(r), t.QRCode)
}

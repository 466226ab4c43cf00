package cashier

import (
	"net/http"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
)

// page.pay with qr_pay_mode 0, 1, 3 or 4 is loaded in an iframe of the
// merchant's page (spec web-and-app-pay.md §2.4): the cashier shows only
// an order QR code (and, in modes 0 and 1, the order) sized for the mode.
// The QR code opens the full cashier (scanQuery) where the buyer, on a
// phone, logs in and pays; the framed page reloads itself and, once the
// trade is paid, goes to return_url inside the iframe, as Alipay's does.

// scanQuery marks the cashier a scanned embedded QR code opens.
const scanQuery = "scan"

// embeddedRefresh is how often, in seconds, the framed page looks again.
const embeddedRefresh = 3

// embedded says whether o is shown as a framed QR code.
func embedded(o *order) bool {
	switch o.QRPayMode {
	case "0", "1", "3", "4":
		return true
	}
	return false
}

// qrSize is the side, in pixels, of o's QR code.
func qrSize(o *order) int {
	switch o.QRPayMode {
	case "0":
		return 200 // beside the order, in 600×300
	case "1":
		return 260 // above the order, in 300×600
	case "3":
		return 75
	case "4":
		return o.QRCodeWidth
	}
	return 200
}

// home is where the cashier's forms send the browser back to: for an
// embedded order, the scanned cashier.
func home(o *order) string {
	if embedded(o) {
		return Prefix + o.id + "?" + scanQuery + "=1"
	}
	return Prefix + o.id
}

// embeddedView is what embedded.html shows.
type embeddedView struct {
	ID, Mode, Subject, State string
	Amount                   int64
	Size, Refresh            int
}

// showEmbedded renders the framed QR code, or sends the frame to
// return_url once the trade is paid.
func (c *Cashier) showEmbedded(w http.ResponseWriter, r *http.Request, o *order) {
	t, err := c.svc.Trade(r.Context(), o.Trade.TradeNo)
	if err != nil {
		c.fail(w, r, "reading the trade", err)
		return
	}
	v := embeddedView{ID: o.id, Mode: o.QRPayMode, Subject: t.Subject, Amount: t.TotalAmount, Size: qrSize(o), State: "waiting", Refresh: embeddedRefresh}
	switch t.Status {
	case zfb.TradeSuccess, zfb.TradeFinished:
		if o.ReturnURL != "" {
			to, err := c.returnURL(o, t)
			if err != nil {
				c.fail(w, r, "signing the return", err)
				return
			}
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		v.State, v.Refresh = "paid", 0
	case zfb.TradeClosed:
		v.State, v.Refresh = "closed", 0
	}
	w.Header().Del("X-Frame-Options") // the merchant's page frames it
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.ExecuteTemplate(w, "embedded.html", v); err != nil {
		c.log.WarnContext(r.Context(), "cashier: rendering", "err", err)
	}
}

// qrImage serves an embedded order's QR code: a PNG of the URL of the
// cashier it opens.
func (c *Cashier) qrImage(w http.ResponseWriter, r *http.Request) {
	o := c.order(r)
	if o == nil || !embedded(o) {
		http.NotFound(w, r)
		return
	}
	png, err := qrcode.Encode(openapi.BaseURL(r)+home(o), qrcode.Medium, qrSize(o))
	if err != nil {
		c.fail(w, r, "drawing the QR code", err)
		return
	}
	w.Header().Del("X-Frame-Options")
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(png)
}

package cashier

import (
	"errors"
	"net/http"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
)

// scan opens the cashier for a precreated trade's QR code, as the buyer's
// scan with the Alipay app would: the buyer then logs in and pays there.
func (c *Cashier) scan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("code")
	tradeNo, ok := zfb.TradeNoOfQRCode(name)
	if !ok {
		c.notFound(w)
		return
	}
	t, err := c.svc.Trade(ctx, tradeNo)
	if errors.Is(err, zfb.ErrNotFound) || (err == nil && (t.Kind != zfb.TradeKindPrecreate || zfb.QRCodeName(t.QRCode) != name)) {
		c.notFound(w)
		return
	} else if err != nil {
		c.fail(w, r, "reading the trade", err)
		return
	}
	app, err := c.svc.App(ctx, t.AppID)
	if err != nil {
		c.fail(w, r, "reading the app", err)
		return
	}
	loc, err := c.Open(ctx, openapi.CashierOrder{App: app, Trade: t, Method: "alipay.trade.precreate", Charset: "utf-8"})
	if err != nil {
		c.fail(w, r, "opening the cashier", err)
		return
	}
	http.Redirect(w, r, loc, http.StatusSeeOther)
}

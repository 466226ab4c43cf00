package openapi

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/zfbpay/zfb"
)

// Page methods are answered to a browser, not to a merchant's server:
// alipay.trade.page.pay and alipay.trade.wap.pay come as a URL or an
// auto-submitting form that the SDK built, are verified like any call, and
// send the browser to the cashier with a 302 and an empty body; a refused
// call shows Alipay's HTML error page, with HTTP 200
// (spec/web-and-app-pay.md §2.3, §3).

// CashierOrder is what a verified page call hands the cashier.
type CashierOrder struct {
	App   *zfb.App
	Trade *zfb.Trade
	// Method is the API called ("alipay.trade.page.pay"); the return to
	// ReturnURL names it with ".return" appended.
	Method string
	// ReturnURL is where the browser goes once paid; QuitURL (wap) where
	// it goes when the buyer gives up. Either may be empty.
	ReturnURL, QuitURL string
	// Charset and SignType are the request's, as spelled: the return
	// echoes them.
	Charset, SignType string
	// QRPayMode is page.pay's qr_pay_mode ("" when not given; page_qrmode.go)
	// and QRCodeWidth its width in pixels with mode "4".
	QRPayMode   string
	QRCodeWidth int
}

// Cashier opens a cashier for a verified page call.
type Cashier interface {
	// Open returns the URL (an absolute path) the browser is sent to.
	Open(ctx context.Context, order CashierOrder) (string, error)
}

// RegisterWebPay serves alipay.trade.page.pay and alipay.trade.wap.pay on
// g: each creates its trade and sends the browser to cashier. It serves
// alipay.trade.app.pay too, for OpenOrderString (the wallet page) and as a
// page method on gateway.do, where a merchant server that POSTs it gets a
// 302 as from Alipay (spec web-and-app-pay.md §2.5), here to the cashier.
func RegisterWebPay(g *Gateway, svc *zfb.Service, cashier Cashier) {
	p := pageAPI{svc: svc, cashier: cashier}
	g.Register("alipay.trade.page.pay", Method{Handle: p.handle(zfb.TradeKindPage), Page: true})
	g.Register("alipay.trade.wap.pay", Method{Handle: p.handle(zfb.TradeKindWap), Page: true})
	g.Register(AppPayMethod, Method{Handle: p.handle(zfb.TradeKindApp), Page: true})
}

type pageAPI struct {
	svc     *zfb.Service
	cashier Cashier
}

// redirect is a page method's answer: where the browser goes.
type redirect struct{ location string }

type pageFields struct {
	createFields
	QuitURL     text `json:"quit_url"`
	QRPayMode   text `json:"qr_pay_mode"`
	QRCodeWidth text `json:"qrcode_width"`
	Passback    text `json:"passback_params"`
}

func (p pageAPI) handle(kind string) func(ctx context.Context, c *Call) (any, error) {
	return func(ctx context.Context, c *Call) (any, error) {
		var in pageFields
		if err := decodeBiz(c, &in); err != nil {
			return nil, err
		}
		var mode string
		var width int
		if kind == zfb.TradeKindPage {
			var err error
			if mode, width, err = qrPayMode(in.QRPayMode.String(), in.QRCodeWidth.String()); err != nil {
				return nil, err
			}
		}
		cmd := in.command(c)
		cmd.PassbackParams = in.Passback.String()
		cmd.BuyerID, cmd.BuyerLogonID, cmd.BuyerOpenID, cmd.OpAppID, cmd.OpBuyerOpenID, cmd.QRCodeTimeoutExpress = "", "", "", "", "", ""
		tr, err := p.svc.CreateWebTrade(ctx, c.App, c.Now, cmd, kind)
		if err != nil {
			return nil, err
		}
		cs := c.Params["charset"]
		if cs == "" {
			cs = "utf-8"
		}
		loc, err := p.cashier.Open(ctx, CashierOrder{
			App: c.App, Trade: tr, Method: c.Method, ReturnURL: c.Params["return_url"], QuitURL: in.QuitURL.String(),
			Charset: cs, SignType: c.Params["sign_type"], QRPayMode: mode, QRCodeWidth: width,
		})
		if err != nil {
			return nil, err
		}
		return redirect{loc}, nil
	}
}

// writePage answers a page method: a 302 to the cashier, or the error page.
// It returns the code for the log.
func (g *Gateway) writePage(ctx context.Context, w http.ResponseWriter, req *request, app *zfb.App, keys *appKeys, result any, zerr *zfb.Error) string {
	if to, ok := result.(redirect); ok && zerr == nil {
		w.Header().Set("Location", to.location)
		w.WriteHeader(http.StatusFound)
		return "10000"
	}
	if zerr == nil {
		zerr = zfb.ErrUnknown
	}
	data := errorPageData{
		Code:   strings.TrimPrefix(zerr.SubCode, "isv."),
		Reason: strings.ReplaceAll(zerr.SubMsg, "&amp;", "&"),
	}
	if data.Code == "" {
		data.Code, data.Reason = zerr.Code, zerr.Msg
	}
	if zerr.SubCode == "isv.invalid-signature" && app != nil && keys != nil {
		data.Diagnosis = g.diagnose(ctx, req, app, keys)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := errorPage.Execute(w, data); err != nil {
		g.log.WarnContext(ctx, "gateway: writing the error page", "err", err)
	}
	return zerr.Code
}

type errorPageData struct{ Code, Reason, Diagnosis string }

// errorPage has the three lines Alipay's error page shows (spec §3.2), and
// zfb's diagnosis of a failed signature.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>支付宝 - 网上支付 安全快速！</title>
<style>body{font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328}
main{max-width:46em;margin:2em auto;padding:0 1em}.box{border:1px solid #d0d7de;border-radius:8px;padding:1em 1.4em;background:#fff8f8}
h1{font-size:1.2em;color:#cf222e}code,pre{font-family:ui-monospace,monospace;font-size:.9em;white-space:pre-wrap;word-break:break-all}
.zfb{margin-top:1.2em;border-left:4px solid #1677ff;padding:.4em 1em;background:#f6f8fa}</style></head>
<body><main><div class="box">
<h1>调试错误，请回到请求来源地，重新发起请求。</h1>
<p id="error">错误代码 <strong id="error-code">{{.Code}}</strong> 错误原因: <code id="error-reason">{{.Reason}}</code></p>
<p>说明:如果您不是因为本接口集成调试而看见该错误提醒，请联系本次请求来源网站，本错误属于网站集成接口的错误。</p>
</div>
{{with .Diagnosis}}<div class="zfb"><strong>zfb's diagnosis</strong><p id="diagnosis">{{.}}</p></div>{{end}}
</main></body></html>
`))

// QRPath is where a precreated trade's QR code opens the cashier, as the
// buyer's scan would: QRPath + "bax…".
const QRPath = "/cashier/qr/"

// qrCodeURL is the qr_code precreate answers: zfb's page for the code,
// shaped like Alipay's (spec web-and-app-pay.md §6).
func qrCodeURL(c *Call, stored string) string { return QRCodeURL(c.BaseURL, stored) }

// QRCodeURL is the URL of zfb's page for a precreated trade's QR code, as
// served at base (BaseURL): what precreate answered for the trade whose
// stored qr_code (Trade.QRCode) is stored. With base "" it is stored.
func QRCodeURL(base, stored string) string {
	if base == "" || stored == "" {
		return stored
	}
	return base + QRPath + zfb.QRCodeName(stored)
}

// BaseURL is the scheme and host r came to ("http://127.0.0.1:8650").
func BaseURL(r *http.Request) string { return baseURL(r) }

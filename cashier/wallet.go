package cashier

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sign"
)

// The wallet page plays the Alipay app for alipay.trade.app.pay: it takes
// the order string the merchant's server made (sdkExec), verifies it as
// gateway.do verifies a call, and opens the cashier; once the buyer pays
// or gives up, the page shows the result the app SDK hands the merchant's
// app (spec web-and-app-pay.md §5): {resultStatus, result, memo}.

// appResult is the Map the Alipay app SDK returns (payV2 on Android).
type appResult struct {
	ResultStatus string `json:"resultStatus"`
	Result       string `json:"result"`
	Memo         string `json:"memo"`
}

func (a appResult) String() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(a) // strings only
	return buf.String()
}

// walletPage shows the form that takes an order string; with ?order= it
// opens that order at once (a link to the wallet).
func (c *Cashier) walletPage(w http.ResponseWriter, r *http.Request) {
	if order := r.URL.Query().Get("order"); order != "" {
		c.openOrder(w, r, order)
		return
	}
	c.renderWallet(w, r, http.StatusOK, view{State: "wallet"})
}

// walletOpen takes the pasted order string.
func (c *Cashier) walletOpen(w http.ResponseWriter, r *http.Request) {
	if err := c.crossOrigin.Check(r); err != nil {
		http.Error(w, "403 forbidden: a cross-origin form", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request: the form does not parse", http.StatusBadRequest)
		return
	}
	c.openOrder(w, r, r.PostForm.Get("order"))
}

// openOrder verifies order and sends the browser to its cashier, or shows
// the result the app would return for a refused order: resultStatus 4000
// with the gateway's error.
func (c *Cashier) openOrder(w http.ResponseWriter, r *http.Request, order string) {
	loc, zerr, diagnosis := c.wallet.OpenOrderString(r.Context(), r.Host, order)
	if zerr == nil {
		http.Redirect(w, r, loc, http.StatusSeeOther)
		return
	}
	node, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Msg     string `json:"msg"`
		SubCode string `json:"sub_code,omitempty"`
		SubMsg  string `json:"sub_msg,omitempty"`
	}{zerr.Code, zerr.Msg, zerr.SubCode, zerr.SubMsg})
	res := appResult{ResultStatus: "4000", Result: `{"alipay_trade_app_pay_response":` + string(node) + `}`, Memo: zerr.SubMsg}
	c.renderWallet(w, r, http.StatusOK, view{State: "wallet", Error: zerr.SubCode + ": " + zerr.SubMsg, Diagnosis: diagnosis, AppResult: res.String(), Order: order})
}

func (c *Cashier) renderWallet(w http.ResponseWriter, r *http.Request, status int, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.ExecuteTemplate(w, "cashier.html", v); err != nil {
		c.log.WarnContext(r.Context(), "cashier: rendering the wallet", "err", err)
	}
}

// paidResult is resultStatus 9000 with the signed result of §5.2: the
// response node, then sign over its bytes, then sign_type.
func (c *Cashier) paidResult(o *order, t *zfb.Trade) (string, error) {
	keys, err := c.keys.Get(o.App)
	if err != nil {
		return "", err
	}
	signType := o.SignType
	if !sign.Algorithm(signType).Valid() {
		signType = string(o.App.SignType)
	}
	now := o.App.Clock(c.svc.Clock).Now()
	node, err := json.Marshal(struct {
		Code        string `json:"code"`
		Msg         string `json:"msg"`
		AppID       string `json:"app_id"`
		AuthAppID   string `json:"auth_app_id"`
		Charset     string `json:"charset"`
		Timestamp   string `json:"timestamp"`
		OutTradeNo  string `json:"out_trade_no"`
		TotalAmount string `json:"total_amount"`
		TradeNo     string `json:"trade_no"`
		SellerID    string `json:"seller_id"`
	}{"10000", "Success", o.App.ID, o.App.ID, o.Charset, zfb.FormatGatewayTime(now), t.OutTradeNo, zfb.FormatAmount(t.TotalAmount), t.TradeNo, t.SellerID})
	if err != nil {
		return "", err
	}
	sig, err := keys.GatewaySigner.Sign(sign.Algorithm(signType), node)
	if err != nil {
		return "", err
	}
	tail, _ := json.Marshal(struct {
		Sign     string `json:"sign"`
		SignType string `json:"sign_type"`
	}{sig, signType})
	result := `{"alipay_trade_app_pay_response":` + string(node) + `,` + string(tail[1:])
	return appResult{ResultStatus: "9000", Result: result, Memo: "处理成功"}.String(), nil
}

// cancelledResult is resultStatus 6001, the buyer gave up.
func cancelledResult() string {
	return appResult{ResultStatus: "6001", Memo: "用户中途取消"}.String()
}

func isAppPay(o *order) bool { return o.Method == openapi.AppPayMethod }

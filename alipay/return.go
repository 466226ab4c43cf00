package alipay

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PageReturn is what Alipay appends to return_url when it sends the buyer's
// browser back after a page.pay or wap.pay payment (spec/web-and-app-pay.md
// §4.2: exactly these twelve keys, sign and sign_type included). There is no
// trade_status: the return only says the buyer got through the cashier, and
// it may never come at all. Trust the notification or TradeQuery for the
// payment itself; use the return to show the buyer a result page.
type PageReturn struct {
	Method      string // alipay.trade.page.pay.return or alipay.trade.wap.pay.return
	AppID       string
	AuthAppID   string // = AppID unless a third-party app acted for the merchant
	OutTradeNo  string
	TradeNo     string
	TotalAmount string // yuan, "88.88"
	SellerID    string
	Timestamp   string // yyyy-MM-dd HH:mm:ss, Beijing time
	Charset     string // as the request spelled it
	Version     string
	SignType    string
	// Params holds every parameter as received (decoded to UTF-8), the
	// ones above and any others.
	Params url.Values
}

// Return methods (the request's method plus ".return").
const (
	MethodTradePagePayReturn = MethodTradePagePay + ".return"
	MethodTradeWapPayReturn  = MethodTradeWapPay + ".return"
)

// VerifyReturn verifies the parameters Alipay appended to return_url
// (already URL-decoded, as text) and returns them typed. It checks them as
// Alipay's Java SDK's rsaCheckV1 does, which is how Alipay says to check the
// return (spec/web-and-app-pay.md §4.3): the sign covers every parameter
// but sign and sign_type, empty ones dropped, sorted, with Alipay's key and
// the algorithm sign_type names (the client's when it names none). A
// parameter set signed with sign_type included does not verify. With
// charset GBK the content is verified over its GBK bytes.
//
// Failures: a missing or bad signature matches ErrSignature; an app_id not
// the client's, a method that is not a page return, or a missing
// out_trade_no, trade_no or total_amount is an error naming it.
func (c *Client) VerifyReturn(params url.Values) (*PageReturn, error) {
	if err := c.verifyAlipayForm("return", params); err != nil {
		return nil, err
	}
	r := &PageReturn{
		Method:      params.Get("method"),
		AppID:       params.Get("app_id"),
		AuthAppID:   params.Get("auth_app_id"),
		OutTradeNo:  params.Get("out_trade_no"),
		TradeNo:     params.Get("trade_no"),
		TotalAmount: params.Get("total_amount"),
		SellerID:    params.Get("seller_id"),
		Timestamp:   params.Get("timestamp"),
		Charset:     params.Get("charset"),
		Version:     params.Get("version"),
		SignType:    params.Get("sign_type"),
		Params:      params,
	}
	if !strings.HasSuffix(r.Method, ".return") {
		return nil, fmt.Errorf("alipay: return: method %q is not a return (want e.g. %s)", r.Method, MethodTradePagePayReturn)
	}
	for _, f := range [...]struct{ name, v string }{
		{"out_trade_no", r.OutTradeNo}, {"trade_no", r.TradeNo}, {"total_amount", r.TotalAmount},
	} {
		if f.v == "" {
			return nil, fmt.Errorf("alipay: return: no %s", f.name)
		}
	}
	return r, nil
}

// ParseReturn reads the buyer's return to return_url from r's query string
// (Alipay sends it as a GET; a POST's query string is read too), decodes it
// to UTF-8 when its charset says GBK, and verifies it with VerifyReturn.
func (c *Client) ParseReturn(r *http.Request) (*PageReturn, error) {
	if r.URL == nil {
		return nil, errors.New("alipay: return: request without a URL")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("alipay: return: query string: %w", err)
	}
	if q, err = decodeGBKForm(q); err != nil {
		return nil, fmt.Errorf("alipay: return: %w", err)
	}
	return c.VerifyReturn(q)
}

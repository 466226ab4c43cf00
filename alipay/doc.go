// Package alipay is a Go SDK for Alipay's OpenAPI gateway (gateway.do,
// version 1.0). It talks to the real Alipay and to zfb, the self-hosted
// stand-in, alike: only the gateway URL differs.
//
// Make one Client per app and reuse it; the keys are parsed once, in New:
//
//	c, err := alipay.New(appID, appPrivateKeyPEM, alipayPublicKeyPEM,
//		alipay.WithGateway("http://127.0.0.1:8080/gateway.do")) // zfb; default: ProductionGateway
//
// Client.Do makes any call. It signs the request (RSA2 by default), sends it
// the way Alipay's Java SDK does, verifies the signed answer and decodes the
// response node into a value of your type:
//
//	var out struct {
//		alipay.Response
//		TradeStatus string `json:"trade_status"`
//	}
//	err := c.Do(ctx, alipay.Request{
//		Method:     "alipay.trade.query",
//		BizContent: map[string]string{"out_trade_no": "20240101-0001"},
//	}, &out)
//
// A typed call is a thin wrapper over Do, in the style of stripe-go and
// smartwalle/alipay:
//
//	type TradeQuery struct {
//		OutTradeNo string `json:"out_trade_no,omitempty"`
//		TradeNo    string `json:"trade_no,omitempty"`
//	}
//
//	type TradeQueryResponse struct {
//		alipay.Response
//		TradeNo     string `json:"trade_no"`
//		OutTradeNo  string `json:"out_trade_no"`
//		TradeStatus string `json:"trade_status"`
//		TotalAmount string `json:"total_amount"` // "88.88": amounts are strings
//	}
//
//	func (c *Client) TradeQuery(ctx context.Context, q TradeQuery) (*TradeQueryResponse, error) {
//		var r TradeQueryResponse
//		if err := c.Do(ctx, Request{Method: "alipay.trade.query", BizContent: q}, &r); err != nil {
//			return nil, err
//		}
//		return &r, nil
//	}
//
// Errors: an answer whose code is not 10000 (or 10003, in progress: see
// Response.InProgress) is an *Error carrying code, msg, sub_code and sub_msg;
// test it with IsCode(err, "ACQ.TRADE_HAS_SUCCESS"). When Error.UnknownResult
// reports true — or the call timed out — a payment may or may not have
// happened: query, then cancel. A response or notification that fails
// verification matches ErrSignature.
//
// Notifications: Client.ParseNotification reads and verifies what Alipay
// POSTs to a notify_url; answer "success" once it is handled.
//
// The package imports only the standard library, golang.org/x/text and
// github.com/zfbpay/zfb/sign.
package alipay

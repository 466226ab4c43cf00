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
// The face-to-face trade APIs have typed calls, in the style of stripe-go and
// smartwalle/alipay: one request and one response struct per API, JSON tags
// as Alipay's wire names, amounts and times as the strings on the wire:
//
//	r, err := c.TradePay(ctx, alipay.TradePay{
//		OutTradeNo: "20240101-0001", Scene: "bar_code", AuthCode: code,
//		Subject: "Coffee", TotalAmount: "88.88",
//		NotifyURL: "https://merchant.example/alipay/notify", // the notify_url common param
//	})
//	if err != nil {
//		// an *Error (see below), or a timeout: TradeQuery, then TradeCancel
//	} else if r.InProgress() {
//		// 10003: the buyer is confirming; poll TradeQuery, then TradeCancel
//	} else {
//		// paid: r.TradeNo, r.TotalAmount, r.GmtPayment
//	}
//
// TradePay, TradePrecreate, TradeCreate, TradeQuery, TradeCancel, TradeClose,
// TradeRefund, TradeFastpayRefundQuery and the fund authorisation calls
// (FundAuthOrderFreeze, FundAuthOrderVoucherCreate, FundAuthOrderUnfreeze,
// FundAuthOperationCancel, FundAuthOperationDetailQuery; TradePay with AuthNo
// pays from an authorisation) are thin wrappers over Do; any other API, or a
// field the structs lack, goes through Do.
//
// Errors: an answer whose code is not 10000 (or 10003, in progress: see
// Response.InProgress) is an *Error carrying code, msg, sub_code and sub_msg;
// test it with IsCode(err, "ACQ.TRADE_HAS_SUCCESS"). When Error.UnknownResult
// reports true — or the call timed out — a payment may or may not have
// happened: query, then cancel. A response or notification that fails
// verification matches ErrSignature.
//
// A typed call that gets such an answer returns its typed response beside
// the *Error, because business errors carry business fields: a failed
// cancel says whether to retry, a failed refund what was refunded so far.
// The response holds the same code and sub_code as the error:
//
//	r, err := c.TradeCancel(ctx, alipay.TradeCancel{OutTradeNo: no})
//	if err != nil {
//		if r != nil && r.ShouldRetry() { // retry_flag "Y"
//			// send the same cancel again
//		}
//	}
//
// The response is nil when there was no answer to decode: a timeout, a
// transport or HTTP failure, a signature that does not verify, or a body
// that is not the API's response.
//
// Content encryption: WithAESKey(aesKey) makes the client encrypt every
// biz_content with the app's AES key (encrypt_type=AES) and decrypt the
// encrypted answers, after verifying their signature over the ciphertext.
//
// Notifications: Client.ParseNotification reads and verifies what Alipay
// POSTs to a notify_url; answer "success" once it is handled.
// Client.DecodeNotification also decodes it into a typed struct for its
// notify_type (TradeNotification, FundAuthNotification,
// FundAuthCancelNotification), and Client.NotificationHandler is an
// http.Handler that answers "success" only once your callback returns nil.
//
// Web and app payments are built, not called: TradePagePayURL and
// TradePagePayForm (TradeWapPayURL, TradeWapPayForm) give the signed GET URL
// or auto-submitting POST form for the buyer's browser, TradeAppPay the
// signed order string for the Alipay app; PageURL, PageForm and OrderString
// do the same for any Request. Client.ParseReturn (VerifyReturn) verifies
// what Alipay appends to return_url when the buyer comes back, into a
// PageReturn; the payment itself is confirmed by the notification.
//
// The package imports only the standard library, golang.org/x/text and
// github.com/zfbpay/zfb/sign.
package alipay

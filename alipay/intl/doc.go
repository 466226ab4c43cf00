// Package intl is a Go SDK for Alipay's international acquiring API
// (alipay.intl.acquiring.*, the JSON envelope at
// /api/alipay/intl/acquiring/….htm). It talks to the real Alipay and to
// zfb, the self-hosted stand-in, alike: only the base URL differs.
//
// Make one Client per clientId and reuse it; the keys are parsed once, in
// New:
//
//	c, err := intl.New(clientID, merchantPrivateKeyPEM, alipayPublicKeyPEM,
//		intl.WithBaseURL("http://127.0.0.1:8650"), // zfb; default open-na.alipay.com
//		intl.WithPartnerID(partnerID))
//
// Every request is {"request":{"head":{…},"body":{…}},"signature":"…"}:
// the SDK renders the request value once, signs those exact bytes
// (SHA256withRSA by default) and sends them as signed. Every answer's
// signature is verified over the raw text of its "response" value, never a
// re-serialisation, so Alipay's key order (body before head) and any
// whitespace verify.
//
// Typed calls cover the offline payment and its way out:
//
//	r, err := c.Pay(ctx, intl.PayRequest{
//		MerchantTransID: "20240513-0001", IdentityCode: code,
//		Order: intl.Order{OrderTitle: "Coffee", OrderAmount: intl.NewMoney("USD", 450)},
//	})
//	var e *intl.Error
//	switch {
//	case err == nil:
//		// paid: r.AcquirementID
//	case errors.As(err, &e) && !e.UnknownResult():
//		// F: nothing was charged (e.ResultCode says why)
//	default:
//		// U, a timeout or a transport failure: PayQuery, then PayCancel
//	}
//
// Pay, PayQuery, PayCancel and Refund are thin wrappers over Client.Do,
// which calls any function. A resultStatus other than S is an *Error
// carrying resultStatus, resultCodeId, resultCode and resultMsg; test it
// with IsCode(err, intl.CodeOrderNotExist). A response or notification that
// fails verification matches ErrSignature.
//
// Notifications: Client.ParseNotification (or VerifyNotification on the
// raw body) verifies what Alipay POSTs; answer with NotificationResponse.
//
// The package imports only the standard library and
// github.com/zfbpay/zfb/sign.
package intl

package openapi

import (
	"encoding/json"

	"github.com/zfbpay/zfb"
)

// errorFields gives an error answer the business fields its method puts
// beside code, msg, sub_code and sub_msg (Method.ErrorFields; spec §2.3).
// result is what the method returned with its error, if anything: the
// method knew more than its ErrorFields can, and it is kept.
//
// Only errors from the business checks on carry fields: biz_content's
// boundary, the method's own errors, a fault rule's system error, and an
// unexpected failure answered 20000. The gateway's own answers before that
// (a missing or bad signature, an unknown app or method, a missing
// permission, a bad format or encryption) stay generic, as Alipay's are:
// they are the gateway speaking, not the API, and an SDK reading
// alipay.trade.cancel's retry_flag finds none there, so it does not retry
// a call that would fail the same way again.
func (g *Gateway) errorFields(req *request, app *zfb.App, result any, e *zfb.Error) any {
	if e == nil || result != nil || !req.business {
		return result
	}
	m, ok := g.methods[req.params["method"]]
	if !ok || m.ErrorFields == nil {
		return nil
	}
	call := req.call
	if call == nil {
		// biz_content failed its boundary or is absent: nothing of it is
		// echoed back, the answer carries only the fields that do not
		// depend on it.
		call = &Call{App: app, Method: req.params["method"], Params: req.params}
	}
	return m.ErrorFields(call, e)
}

// callRef reads the trade a call names, as given; a biz_content that does
// not decode names none.
func callRef(c *Call) tradeRefFields {
	var ref tradeRefFields
	if c.BizContent != nil {
		_ = json.Unmarshal(c.BizContent, &ref)
	}
	return ref
}

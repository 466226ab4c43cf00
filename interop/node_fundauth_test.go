package interop

// Fund authorisation (资金授权: freeze, unfreeze, operation cancel, detail query, and
// alipay.trade.pay from an authorisation) driven by the official Node SDK (alipay-sdk 4.14.0)
// through node/call.mjs's sequence form, with validateSign on for every call: a result the SDK
// resolved with (ok=true) is one whose response signature it verified. alipay-sdk has no
// fund-auth specific code: exec() posts any method, and camelCases the answer node's keys
// (auth_no → authNo, total_pay_amount → totalPayAmount, …) but not its string values, so
// extra_param comes back as the JSON text zfb wrote. The fund-auth APIs' business failures are
// 40004 with sub_codes WITHOUT the ACQ. prefix (CANCEL_OPERATION_TIME_OUT, REQUEST_AMOUNT_EXCEED);
// a payment from an authorisation is a trade, whose failures keep ACQ.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

const authRemark = "互通测试 撤销/解冻" // the remark every unfreeze and cancel sends

func freezeStep(outOrderNo, outRequestNo, authCode, amount string) nodeStep {
	return nodeStep{Method: "alipay.fund.auth.order.freeze", BizContent: map[string]any{
		"auth_code": authCode, "auth_code_type": "bar_code",
		"out_order_no": outOrderNo, "out_request_no": outRequestNo,
		"order_title": interopSubject, "amount": amount, "product_code": "PRE_AUTH",
	}}
}

func unfreezeStep(authNo, outRequestNo, amount string) nodeStep {
	return nodeStep{Method: "alipay.fund.auth.order.unfreeze", BizContent: map[string]any{
		"auth_no": authNo, "out_request_no": outRequestNo, "amount": amount, "remark": authRemark,
	}}
}

// authCancelStep cancels by the merchant's numbers, as a merchant does when it does not know
// whether its freeze arrived (seed 000).
func authCancelStep(outOrderNo, outRequestNo string) nodeStep {
	return nodeStep{Method: "alipay.fund.auth.operation.cancel", BizContent: map[string]any{
		"out_order_no": outOrderNo, "out_request_no": outRequestNo, "remark": authRemark,
	}}
}

// detailQueryStep asks about an operation by the merchant's numbers; operationType "" omits
// operation_type (seed 002 has no such field; zfb and Alipay's newer docs accept it).
func detailQueryStep(outOrderNo, outRequestNo, operationType string) nodeStep {
	biz := map[string]any{"out_order_no": outOrderNo, "out_request_no": outRequestNo}
	if operationType != "" {
		biz["operation_type"] = operationType
	}
	return nodeStep{Method: "alipay.fund.auth.operation.detail.query", BizContent: biz}
}

// wantFrozen checks a freeze answer of a buyer who paid at once and returns its auth_no and
// operation_id.
func wantFrozen(a nodeAnswer, outOrderNo, outRequestNo, amount string, buyer string) (authNo, operationID string) {
	a.t.Helper()
	authNo, operationID = a.nonEmpty("authNo"), a.nonEmpty("operationId")
	a.eq("outOrderNo", outOrderNo)
	a.eq("outRequestNo", outRequestNo)
	a.eq("amount", amount)
	a.eq("fundAmount", amount)
	a.eq("creditAmount", "0.00")
	a.eq("status", "SUCCESS")
	a.eq("payerUserId", buyer)
	a.eq("transCurrency", "CNY")
	a.nonEmpty("gmtTrans")
	if logon := a.nonEmpty("payerLogonId"); !strings.Contains(logon, "*") {
		a.t.Errorf("%s: payerLogonId %q is not masked\n%s", a.step, logon, a.r)
	}
	return authNo, operationID
}

// adminAuthOrder is the app's authorisation order as zfb's admin API shows it.
func adminAuthOrder(t *testing.T, srv *zfbtest.Server, appID, outOrderNo string) map[string]any {
	t.Helper()
	return adminDo(t, srv, http.MethodGet, "/apps/"+appID+"/fund-auth/orders/"+outOrderNo, nil, http.StatusOK)
}

// frozenDelta checks that the buyer's available balance moved by avail and their frozen funds by
// frozen (both in fen) since before/frozenBefore.
func frozenDelta(t *testing.T, srv *zfbtest.Server, userID, before string, frozenBefore, avail, frozen int64) {
	t.Helper()
	if after := buyerBalance(t, srv, userID); cents(t, after) != cents(t, before)+avail {
		t.Errorf("buyer %s available balance %s, want %s %+.2f", userID, after, before, float64(avail)/100)
	}
	if got := srv.FrozenBalance(t, userID); got != frozenBefore+frozen {
		t.Errorf("buyer %s frozen funds %d fen, want %d %+d", userID, got, frozenBefore, frozen)
	}
}

// TestNodeSDKFundAuth runs the fund authorisation flows of seeds 000 and 002 and spec §4.8–4.14
// with the official Node SDK.
func TestNodeSDKFundAuth(t *testing.T) {
	node := requireNode(t)

	srv := zfbtest.NewServer(t)
	app := srv.App()
	base := nodeCall{
		Gateway:         srv.GatewayURL,
		AppID:           app.AppID,
		PrivateKey:      app.AppPrivateKey,
		AlipayPublicKey: app.AlipayPublicKey,
		SignType:        app.SignType,
		ValidateSign:    true,
	}
	pays := sandboxBuyer(t, srv, buyerPays)
	password := sandboxBuyer(t, srv, buyerPassword)
	logAll := func(t *testing.T, res []nodeResult) {
		if !t.Failed() && len(res) > 0 {
			t.Logf("alipay-sdk %s: %s", nodeSDKVersion, strings.TrimSpace(res[0].stdout))
		}
	}

	t.Run("freeze, cancel by out_order_no unfreezes, repeat answers alike, balance back", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_cancel")
		req := out + "_f"
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		steps := []nodeStep{
			freezeStep(out, req, pays.PaymentCode, "1.00"),
			authCancelStep(out, req),
			authCancelStep(out, req),
			detailQueryStep(out, req, ""),
		}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		authNo, opID := wantFrozen(wantNode(t, res, 0, steps[0], "10000"), out, req, "1.00", pays.UserID)
		for i := 1; i <= 2; i++ { // a repeated cancel answers as the first (seed 000 idempotence)
			c := wantNode(t, res, i, steps[i], "10000")
			c.eq("authNo", authNo)
			c.eq("outOrderNo", out)
			c.eq("operationId", opID)
			c.eq("outRequestNo", req)
			c.eq("action", "unfreeze")
		}
		q := wantNode(t, res, 3, steps[3], "10000")
		q.eq("authNo", authNo)
		q.eq("operationId", opID)
		q.eq("operationType", "FREEZE")
		q.eq("orderStatus", "CLOSED")
		q.eq("amount", "1.00")
		q.eq("totalFreezeAmount", "1.00")
		q.eq("totalUnfreezeAmount", "1.00")
		q.eq("totalPayAmount", "0.00")
		q.eq("restAmount", "0.00")

		o := adminAuthOrder(t, srv, app.AppID, out)
		if o["order_status"] != "CLOSED" {
			t.Errorf("admin: order_status %v after the cancel, want CLOSED: %v", o["order_status"], o)
		}
		ops, _ := o["operations"].([]any)
		if len(ops) != 1 || ops[0].(map[string]any)["cancel_action"] != "unfreeze" {
			t.Errorf("admin: operations %v, want the one freeze with cancel_action unfreeze", ops)
		}
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("password buyer: freeze INIT, cancel closes, nothing moves", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_pwd")
		req := out + "_f"
		before, frozenBefore := buyerBalance(t, srv, password.UserID), srv.FrozenBalance(t, password.UserID)
		steps := []nodeStep{
			freezeStep(out, req, password.PaymentCode, "1.00"),
			detailQueryStep(out, req, "FREEZE"),
			authCancelStep(out, req),
			detailQueryStep(out, req, "FREEZE"),
		}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		f := wantNode(t, res, 0, steps[0], "10000") // 10000 with status INIT: the buyer has not confirmed
		authNo := f.nonEmpty("authNo")
		opID := f.nonEmpty("operationId")
		f.eq("outOrderNo", out)
		f.eq("outRequestNo", req)
		f.eq("amount", "1.00")
		f.eq("status", "INIT")
		f.eq("payerUserId", password.UserID)
		f.eq("gmtTrans", nil) // nothing was transferred

		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("operationId", opID)
		q.eq("operationType", "FREEZE")
		q.eq("status", "INIT")
		q.eq("orderStatus", "INIT")
		q.eq("amount", "1.00")
		q.eq("restAmount", "0.00")

		c := wantNode(t, res, 2, steps[2], "10000")
		c.eq("authNo", authNo)
		c.eq("outOrderNo", out)
		c.eq("operationId", opID)
		c.eq("outRequestNo", req)
		c.eq("action", "close")

		q = wantNode(t, res, 3, steps[3], "10000")
		q.eq("status", "CLOSED")
		q.eq("orderStatus", "CLOSED")
		q.eq("restAmount", "0.00")

		if o := adminAuthOrder(t, srv, app.AppID, out); o["order_status"] != "CLOSED" {
			t.Errorf("admin: order_status %v after the cancel, want CLOSED: %v", o["order_status"], o)
		}
		frozenDelta(t, srv, password.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("freeze, pay from it NOT_COMPLETE, detail query of the PAY, unfreeze the rest", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_pay")
		req, tradeOut, rest := out+"_f", newOutTradeNo(t, "node_fa_paytrade"), out+"_u"
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		steps := []nodeStep{freezeStep(out, req, pays.PaymentCode, "1.00")}
		res := runNodeCalls(t, node, base, steps...)
		authNo, _ := wantFrozen(wantNode(t, res, 0, steps[0], "10000"), out, req, "1.00", pays.UserID)
		logAll(t, res)
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -100, 100)

		steps = []nodeStep{
			{Method: "alipay.trade.pay", BizContent: map[string]any{
				"out_trade_no": tradeOut, "total_amount": "0.60", "subject": interopSubject,
				"product_code": "PREAUTH_PAY", "auth_no": authNo, "buyer_id": pays.UserID,
				"auth_confirm_mode": "NOT_COMPLETE",
			}},
			// A PAY operation's out_request_no is the pay's out_trade_no.
			detailQueryStep(out, tradeOut, "PAY"),
			queryStep(tradeOut),
			unfreezeStep(authNo, rest, "0.40"),
			detailQueryStep(out, rest, ""),
		}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		pay := wantNode(t, res, 0, steps[0], "10000")
		tradeNo := pay.nonEmpty("tradeNo")
		pay.eq("outTradeNo", tradeOut)
		pay.eq("totalAmount", "0.60")
		pay.eq("receiptAmount", "0.60")
		pay.eq("buyerPayAmount", "0.60")
		pay.eq("buyerUserId", pays.UserID)
		pay.nonEmpty("gmtPayment")

		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("authNo", authNo)
		q.eq("outOrderNo", out)
		q.eq("operationType", "PAY")
		q.eq("outRequestNo", tradeOut)
		q.nonEmpty("operationId")
		q.eq("amount", "0.60")
		q.eq("status", "SUCCESS")
		q.eq("orderStatus", "AUTHORIZED") // NOT_COMPLETE keeps the rest frozen
		q.eq("totalFreezeAmount", "1.00")
		q.eq("totalPayAmount", "0.60")
		q.eq("totalUnfreezeAmount", "0.00")
		q.eq("restAmount", "0.40")
		q.eq("payerUserId", pays.UserID)
		q.eq("orderTitle", interopSubject)
		q.eq("transCurrency", "CNY")
		q.nonEmpty("gmtCreate")
		q.nonEmpty("gmtTrans")

		tq := wantNode(t, res, 2, steps[2], "10000")
		tq.eq("tradeNo", tradeNo)
		tq.eq("tradeStatus", "TRADE_SUCCESS")
		tq.eq("totalAmount", "0.60")
		tq.eq("buyerUserId", pays.UserID)

		u := wantNode(t, res, 3, steps[3], "10000")
		u.eq("authNo", authNo)
		u.eq("outOrderNo", out)
		u.eq("outRequestNo", rest)
		u.nonEmpty("operationId")
		u.eq("amount", "0.40")
		u.eq("fundAmount", "0.40")
		u.eq("creditAmount", "0.00")
		u.eq("status", "SUCCESS")
		u.nonEmpty("gmtTrans")

		q = wantNode(t, res, 4, steps[4], "10000")
		q.eq("operationType", "UNFREEZE")
		q.eq("amount", "0.40")
		q.eq("orderStatus", "FINISH") // paid from, nothing left frozen
		q.eq("totalPayAmount", "0.60")
		q.eq("totalUnfreezeAmount", "0.40")
		q.eq("restAmount", "0.00")

		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -60, 0)
		requireLedgerOK(t, srv)
	})

	t.Run("freeze, partial unfreeze, repeat, detail query; cancel then exceeds", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_unfreeze")
		req, u1 := out+"_f", out+"_u1"
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		freeze := freezeStep(out, req, pays.PaymentCode, "1.00")
		// extra_param as Alipay's SDK samples send it: a JSON object in a string. The detail query
		// answers only its merchantExt (seed 002).
		freeze.BizContent["extra_param"] = `{"category":"CHARGE_PILE_CAR","merchantExt":"key1=value1,key2=value2"}`
		res := runNodeCalls(t, node, base, freeze)
		authNo, freezeOp := wantFrozen(wantNode(t, res, 0, freeze, "10000"), out, req, "1.00", pays.UserID)
		logAll(t, res)

		steps := []nodeStep{
			unfreezeStep(authNo, u1, "0.30"),
			unfreezeStep(authNo, u1, "0.30"), // the same request again: no second movement
			detailQueryStep(out, u1, "UNFREEZE"),
			detailQueryStep(out, req, ""), // without operation_type the freeze wins
			authCancelStep(out, req),      // after an unfreeze the freeze cannot be cancelled
		}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		var unfreezeOp string
		for i := 0; i <= 1; i++ {
			u := wantNode(t, res, i, steps[i], "10000")
			u.eq("authNo", authNo)
			u.eq("outOrderNo", out)
			u.eq("outRequestNo", u1)
			u.eq("amount", "0.30")
			u.eq("status", "SUCCESS")
			if i == 0 {
				unfreezeOp = u.nonEmpty("operationId")
			} else {
				u.eq("operationId", unfreezeOp)
			}
		}

		q := wantNode(t, res, 2, steps[2], "10000")
		q.eq("authNo", authNo)
		q.eq("outOrderNo", out)
		q.eq("operationId", unfreezeOp)
		q.eq("outRequestNo", u1)
		q.eq("operationType", "UNFREEZE")
		q.eq("amount", "0.30")
		q.eq("status", "SUCCESS")
		q.eq("orderStatus", "AUTHORIZED")
		q.eq("totalFreezeAmount", "1.00")
		q.eq("totalUnfreezeAmount", "0.30")
		q.eq("totalPayAmount", "0.00")
		q.eq("restAmount", "0.70")
		q.eq("remark", authRemark)
		q.eq("orderTitle", interopSubject)
		q.eq("payerUserId", pays.UserID)
		q.eq("extraParam", `{"merchantExt":"key1=value1,key2=value2"}`)
		q.eq("transCurrency", "CNY")
		q.nonEmpty("payerLogonId")
		q.nonEmpty("gmtCreate")
		q.nonEmpty("gmtTrans")

		q = wantNode(t, res, 3, steps[3], "10000")
		q.eq("operationId", freezeOp)
		q.eq("operationType", "FREEZE")
		q.eq("amount", "1.00")
		q.eq("status", "SUCCESS")
		q.eq("restAmount", "0.70")

		c := wantNode(t, res, 4, steps[4], "40004")
		c.eq("subCode", "REQUEST_AMOUNT_EXCEED")
		c.nonEmpty("subMsg")

		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -70, 70)
	})

	t.Run("cancel 25h after the freeze: CANCEL_OPERATION_TIME_OUT; unfreeze instead", func(t *testing.T) {
		// Its own app, so that moving its clock moves no other case's.
		other := srv.NewApp(t, zfb.SignTypeRSA2)
		ob := base
		ob.AppID, ob.PrivateKey, ob.AlipayPublicKey, ob.SignType = other.AppID, other.AppPrivateKey, other.AlipayPublicKey, other.SignType

		out := newOutTradeNo(t, "node_fa_late")
		req := out + "_f"
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		steps := []nodeStep{freezeStep(out, req, pays.PaymentCode, "1.00")}
		res := runNodeCalls(t, node, ob, steps...)
		authNo, _ := wantFrozen(wantNode(t, res, 0, steps[0], "10000"), out, req, "1.00", pays.UserID)
		logAll(t, res)

		clock := adminDo(t, srv, http.MethodPost, "/apps/"+other.AppID+"/clock", map[string]any{"advance": "25h"}, http.StatusOK)
		if clock["app_id"] != other.AppID {
			t.Fatalf("admin clock answer %v is not the app's", clock)
		}

		steps = []nodeStep{
			authCancelStep(out, req),
			detailQueryStep(out, req, ""),
			unfreezeStep(authNo, out+"_u", "1.00"),
		}
		res = runNodeCalls(t, node, ob, steps...)
		defer logAll(t, res)
		c := wantNode(t, res, 0, steps[0], "40004") // resolved, so its signature was verified
		c.eq("subCode", "CANCEL_OPERATION_TIME_OUT")
		c.nonEmpty("subMsg")
		c.onlyKeys(resultKeys) // a refusal carries no order
		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("orderStatus", "AUTHORIZED") // the refused cancel changed nothing
		q.eq("restAmount", "1.00")
		u := wantNode(t, res, 2, steps[2], "10000")
		u.eq("status", "SUCCESS")
		u.eq("amount", "1.00")

		if o := adminAuthOrder(t, srv, other.AppID, out); o["order_status"] != "CLOSED" {
			t.Errorf("admin: order_status %v after unfreezing everything, want CLOSED: %v", o["order_status"], o)
		}
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("fault error_after on freeze: 20000, yet frozen; cancel unfreezes", func(t *testing.T) {
		// Seed 000's reason to be: a freeze whose result is unknown is cancelled.
		out := newOutTradeNo(t, "node_fa_fault")
		req := out + "_f"
		addFault(t, srv, app.AppID, "alipay.fund.auth.order.freeze", out, "error_after")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		steps := []nodeStep{freezeStep(out, req, pays.PaymentCode, "1.00"), detailQueryStep(out, req, "")}
		res := runNodeCalls(t, node, base, steps...)
		f := wantNode(t, res, 0, steps[0], "20000")
		f.eq("subCode", "isp.unknow-error")
		f.onlyKeys(resultKeys) // a system error tells nothing about the order
		q := wantNode(t, res, 1, steps[1], "10000")
		authNo := q.nonEmpty("authNo")
		q.eq("status", "SUCCESS") // the work was done: the money is frozen
		q.eq("orderStatus", "AUTHORIZED")
		q.eq("restAmount", "1.00")
		logAll(t, res)
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -100, 100)

		steps = []nodeStep{authCancelStep(out, req), detailQueryStep(out, req, "")}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		c := wantNode(t, res, 0, steps[0], "10000")
		c.eq("authNo", authNo)
		c.eq("action", "unfreeze")
		q = wantNode(t, res, 1, steps[1], "10000")
		q.eq("orderStatus", "CLOSED")
		q.eq("restAmount", "0.00")

		clearFaults(t, srv, app.AppID)
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
		requireLedgerOK(t, srv)
	})

	t.Run("fault error_before on freeze: cancel answers without action, the late freeze is refused", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_lost")
		req := out + "_f"
		addFault(t, srv, app.AppID, "alipay.fund.auth.order.freeze", out, "error_before")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		steps := []nodeStep{
			freezeStep(out, req, pays.PaymentCode, "1.00"),
			detailQueryStep(out, req, ""),
			authCancelStep(out, req),
		}
		res := runNodeCalls(t, node, base, steps...)
		f := wantNode(t, res, 0, steps[0], "20000")
		f.eq("subCode", "isp.unknow-error")
		q := wantNode(t, res, 1, steps[1], "40004") // the freeze never happened
		q.eq("subCode", "AUTH_ORDER_NOT_EXIST")
		c := wantNode(t, res, 2, steps[2], "10000")
		c.eq("action", nil) // nothing to cancel
		c.eq("outOrderNo", out)
		c.eq("outRequestNo", req)
		logAll(t, res)

		// The freeze arrives late, after the cancel: it must not freeze anything.
		clearFaults(t, srv, app.AppID)
		steps = []nodeStep{freezeStep(out, req, pays.PaymentCode, "1.00"), detailQueryStep(out, req, "")}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		f = wantNode(t, res, 0, steps[0], "40004")
		f.eq("subCode", "ORDER_ALREADY_CLOSED")
		q = wantNode(t, res, 1, steps[1], "40004")
		q.eq("subCode", "AUTH_ORDER_NOT_EXIST")
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("fund-auth answer verified with the wrong alipay public key", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fa_wrongkey")
		req := out + "_f"
		steps := []nodeStep{freezeStep(out, req, pays.PaymentCode, "0.01")}
		res := runNodeCalls(t, node, base, steps...)
		wantFrozen(wantNode(t, res, 0, steps[0], "10000"), out, req, "0.01", pays.UserID)

		_, otherPub := newKeyPair(t)
		wrong := base
		wrong.AlipayPublicKey = otherPub
		res = runNodeCalls(t, node, wrong, detailQueryStep(out, req, ""), authCancelStep(out, req))
		for i, r := range res {
			if r.OK {
				t.Fatalf("call %d: exec resolved an answer verified with the wrong key; want 验签失败\n%s", i+1, r)
			}
			if r.Name != "AlipayRequestError" || !strings.HasPrefix(r.Error, "验签失败，服务端返回的 sign: '") {
				t.Errorf("call %d: error %s: %q, want 4.14.0's AlipayRequestError 验签失败…\n%s", i+1, r.Name, r.Error, r)
			}
		}
		// The answers themselves were good ones: only the verification failed. (The cancel
		// did run: the SDK checks the sign after zfb acted.)
		for _, want := range []string{`"code":"10000"`, `"operation_type":"FREEZE"`, `"out_order_no":"` + out + `"`} {
			if !strings.Contains(res[0].Error, want) {
				t.Errorf("the string the SDK verified does not contain %s: %q\n%s", want, res[0].Error, res[0])
			}
		}
		if !strings.HasPrefix(res[0].ResponseDataRaw, `{"alipay_fund_auth_operation_detail_query_response":{`) || !strings.Contains(res[0].ResponseDataRaw, `},"sign":"`) {
			t.Errorf("raw response %q is not the compact signed envelope\n%s", res[0].ResponseDataRaw, res[0])
		}
		if !strings.Contains(res[1].Error, `"action":"unfreeze"`) {
			t.Errorf("the cancel answer the SDK refused is not the unfreeze: %q\n%s", res[1].Error, res[1])
		}
		if !t.Failed() {
			t.Logf("alipay-sdk %s rejected as it must: %s", nodeSDKVersion, res[0].Error)
		}
	})

	requireLedgerOK(t, srv)
}

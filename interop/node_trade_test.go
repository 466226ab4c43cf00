package interop

// Trade scenarios driven by the official Node SDK (alipay-sdk 4.14.0) through node/call.mjs, with
// validateSign on for every call: a result the SDK resolved with (ok=true) is one whose response
// signature it verified; a verification failure rejects (ok=false). The last case proves that on
// a trade answer.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/zfbtest"
)

const interopSubject = "互通测试 interop" // non-ASCII on purpose: both signatures cover UTF-8 bytes

func payStep(outTradeNo, authCode, amount string) nodeStep {
	return nodeStep{Method: "alipay.trade.pay", BizContent: map[string]any{
		"out_trade_no": outTradeNo, "scene": "bar_code", "auth_code": authCode,
		"subject": interopSubject, "total_amount": amount,
	}}
}

func queryStep(outTradeNo string) nodeStep {
	return nodeStep{Method: "alipay.trade.query", BizContent: map[string]any{"out_trade_no": outTradeNo}}
}

func cancelStep(outTradeNo string) nodeStep {
	return nodeStep{Method: "alipay.trade.cancel", BizContent: map[string]any{"out_trade_no": outTradeNo}}
}

// nodeAnswer is one result of a sequence, resolved and checked by wantNode.
type nodeAnswer struct {
	t    *testing.T
	step string
	r    nodeResult
	m    map[string]any
}

// wantNode checks that the SDK resolved call i (so it verified zfb's signature) with code, that
// the node looks like Alipay's (alipayLike), and returns it for field checks. A rejection fails
// the test at once: nothing after it can be trusted.
func wantNode(t *testing.T, res []nodeResult, i int, step nodeStep, code string) nodeAnswer {
	t.Helper()
	r := res[i]
	name := fmt.Sprintf("call %d (%s)", i+1, step.Method)
	if !r.OK {
		t.Fatalf("%s: exec rejected: %s (name %q, code %q); raw response %q\n%s", name, r.Error, r.Name, r.Code, r.ResponseDataRaw, r)
	}
	a := nodeAnswer{t: t, step: name, r: r, m: r.Result}
	if got := r.Result["code"]; got != code {
		t.Fatalf("%s: code = %v (msg %v, subCode %v, subMsg %v), want %q\n%s", name, got, r.Result["msg"], r.Result["subCode"], r.Result["subMsg"], code, r)
	}
	for _, bad := range alipayLike(r.Result) {
		t.Errorf("%s: not Alipay-like: %s\n%s", name, bad, r)
	}
	return a
}

func (a nodeAnswer) eq(key string, want any) {
	a.t.Helper()
	if got := a.m[key]; got != want {
		a.t.Errorf("%s: %s = %#v, want %#v\n%s", a.step, key, got, want, a.r)
	}
}

func (a nodeAnswer) nonEmpty(key string) string {
	a.t.Helper()
	s, _ := a.m[key].(string)
	if s == "" {
		a.t.Errorf("%s: %s = %#v, want a non-empty string\n%s", a.step, key, a.m[key], a.r)
	}
	return s
}

// onlyKeys checks that the node has no key outside allowed (a system error carries no trade).
func (a nodeAnswer) onlyKeys(allowed map[string]bool) {
	a.t.Helper()
	for k := range a.m {
		if !allowed[k] {
			a.t.Errorf("%s: unexpected key %q = %#v\n%s", a.step, k, a.m[k], a.r)
		}
	}
}

// cents parses a "12.34" balance.
func cents(t *testing.T, s string) int64 {
	t.Helper()
	yuan, fen, ok := strings.Cut(s, ".")
	y, err1 := strconv.ParseInt(yuan, 10, 64)
	f, err2 := strconv.ParseInt(fen, 10, 64)
	if !ok || len(fen) != 2 || err1 != nil || err2 != nil {
		t.Fatalf("balance %q is not a 2-decimal amount", s)
	}
	return y*100 + f
}

// TestNodeSDKTrades runs the face-to-face trade flows of spec/openapi.md §4.1–4.7 and the
// unknown-result handling of §6.2 with the official Node SDK.
func TestNodeSDKTrades(t *testing.T) {
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
	poor := sandboxBuyer(t, srv, buyerPoor)
	logAll := func(t *testing.T, res []nodeResult) {
		if !t.Failed() && len(res) > 0 {
			t.Logf("alipay-sdk %s: %s", nodeSDKVersion, strings.TrimSpace(res[0].stdout))
		}
	}

	t.Run("pays buyer: pay, query success, cancel refunds, query closed", func(t *testing.T) {
		out := newOutTradeNo(t, "node_pay")
		before := buyerBalance(t, srv, pays.UserID)
		steps := []nodeStep{payStep(out, pays.PaymentCode, "0.01"), queryStep(out), cancelStep(out), queryStep(out)}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		pay := wantNode(t, res, 0, steps[0], "10000")
		tradeNo := pay.nonEmpty("tradeNo")
		pay.eq("outTradeNo", out)
		pay.eq("totalAmount", "0.01")
		pay.eq("receiptAmount", "0.01")
		pay.eq("buyerPayAmount", "0.01")
		pay.eq("buyerUserId", pays.UserID)
		pay.nonEmpty("buyerLogonId")
		pay.nonEmpty("gmtPayment")

		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("tradeNo", tradeNo)
		q.eq("outTradeNo", out)
		q.eq("tradeStatus", "TRADE_SUCCESS")
		q.eq("totalAmount", "0.01")
		q.eq("buyerUserId", pays.UserID)

		c := wantNode(t, res, 2, steps[2], "10000")
		c.eq("tradeNo", tradeNo)
		c.eq("outTradeNo", out)
		c.eq("action", "refund")
		c.eq("retryFlag", "N")

		q = wantNode(t, res, 3, steps[3], "10000")
		q.eq("tradeNo", tradeNo)
		q.eq("tradeStatus", "TRADE_CLOSED")
		q.eq("totalAmount", "0.01")

		if after := buyerBalance(t, srv, pays.UserID); after != before {
			t.Errorf("buyer balance %s after pay and cancel, want %s again", after, before)
		}
	})

	t.Run("password buyer: pay in process, query waiting, cancel closes, query closed", func(t *testing.T) {
		out := newOutTradeNo(t, "node_pwd")
		before := buyerBalance(t, srv, password.UserID)
		steps := []nodeStep{payStep(out, password.PaymentCode, "0.01"), queryStep(out), cancelStep(out), queryStep(out)}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)

		pay := wantNode(t, res, 0, steps[0], "10003")
		tradeNo := pay.nonEmpty("tradeNo")
		pay.eq("outTradeNo", out)

		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("tradeNo", tradeNo)
		q.eq("tradeStatus", "WAIT_BUYER_PAY")
		q.eq("totalAmount", "0.01")

		c := wantNode(t, res, 2, steps[2], "10000")
		c.eq("tradeNo", tradeNo)
		c.eq("outTradeNo", out)
		c.eq("action", "close")
		c.eq("retryFlag", "N")

		q = wantNode(t, res, 3, steps[3], "10000")
		q.eq("tradeNo", tradeNo)
		q.eq("tradeStatus", "TRADE_CLOSED")

		if after := buyerBalance(t, srv, password.UserID); after != before {
			t.Errorf("buyer balance %s after a cancelled unpaid trade, want %s", after, before)
		}
	})

	t.Run("fault error_after on pay: 20000, yet paid; cancel refunds; ledger balances", func(t *testing.T) {
		out := newOutTradeNo(t, "node_fault")
		addFault(t, srv, app.AppID, "alipay.trade.pay", out, "error_after")
		before := buyerBalance(t, srv, pays.UserID)

		steps := []nodeStep{payStep(out, pays.PaymentCode, "0.01"), queryStep(out)}
		res := runNodeCalls(t, node, base, steps...)
		pay := wantNode(t, res, 0, steps[0], "20000")
		pay.eq("subCode", "isp.unknow-error")
		pay.nonEmpty("subMsg")
		pay.onlyKeys(resultKeys) // a system error tells nothing about the trade
		q := wantNode(t, res, 1, steps[1], "10000")
		tradeNo := q.nonEmpty("tradeNo")
		q.eq("outTradeNo", out)
		q.eq("tradeStatus", "TRADE_SUCCESS") // the work was done: the money moved
		q.eq("totalAmount", "0.01")
		q.eq("buyerUserId", pays.UserID)
		logAll(t, res)
		if mid := buyerBalance(t, srv, pays.UserID); cents(t, mid) != cents(t, before)-1 {
			t.Errorf("buyer balance %s after the error_after pay, want %s - 0.01", mid, before)
		}

		// A cancel that meets a system error answers retry_flag Y (seed 003): the
		// official SDK shows it as retryFlag, and Alipay's demo retries on it.
		addFault(t, srv, app.AppID, "alipay.trade.cancel", out, "error_before")
		steps = []nodeStep{cancelStep(out)}
		res = runNodeCalls(t, node, base, steps...)
		failed := wantNode(t, res, 0, steps[0], "20000")
		failed.eq("subCode", "isp.unknow-error")
		failed.eq("retryFlag", "Y")
		failed.eq("outTradeNo", out)
		logAll(t, res)
		clearFaults(t, srv, app.AppID)

		// §6.2: an unknown pay result is cancelled.
		steps = []nodeStep{cancelStep(out), queryStep(out)}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		c := wantNode(t, res, 0, steps[0], "10000")
		c.eq("tradeNo", tradeNo)
		c.eq("action", "refund")
		c.eq("retryFlag", "N")
		q = wantNode(t, res, 1, steps[1], "10000")
		q.eq("tradeStatus", "TRADE_CLOSED")

		clearFaults(t, srv, app.AppID)
		if after := buyerBalance(t, srv, pays.UserID); after != before {
			t.Errorf("buyer balance %s after the cancel, want %s again", after, before)
		}
		requireLedgerOK(t, srv)
	})

	t.Run("poor buyer: balance not enough", func(t *testing.T) {
		out := newOutTradeNo(t, "node_poor")
		before := buyerBalance(t, srv, poor.UserID)
		steps := []nodeStep{payStep(out, poor.PaymentCode, "2.00")}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		pay := wantNode(t, res, 0, steps[0], "40004")
		pay.eq("subCode", "ACQ.BUYER_BALANCE_NOT_ENOUGH")
		pay.nonEmpty("subMsg")
		if after := buyerBalance(t, srv, poor.UserID); after != before {
			t.Errorf("poor buyer balance %s after a refused pay, want %s", after, before)
		}
	})

	t.Run("create, buyer pays, full refund; create, close", func(t *testing.T) {
		paid, closed := newOutTradeNo(t, "node_create"), newOutTradeNo(t, "node_close")
		create := func(out string) nodeStep {
			return nodeStep{Method: "alipay.trade.create", BizContent: map[string]any{
				"out_trade_no": out, "total_amount": "0.01", "subject": interopSubject, "buyer_id": pays.UserID,
			}}
		}
		steps := []nodeStep{
			create(paid), queryStep(paid),
			create(closed), {Method: "alipay.trade.close", BizContent: map[string]any{"out_trade_no": closed}}, queryStep(closed),
		}
		res := runNodeCalls(t, node, base, steps...)
		cr := wantNode(t, res, 0, steps[0], "10000")
		tradeNo := cr.nonEmpty("tradeNo")
		cr.eq("outTradeNo", paid)
		q := wantNode(t, res, 1, steps[1], "10000")
		q.eq("tradeNo", tradeNo)
		q.eq("tradeStatus", "WAIT_BUYER_PAY")
		cr2 := wantNode(t, res, 2, steps[2], "10000")
		closedNo := cr2.nonEmpty("tradeNo")
		cl := wantNode(t, res, 3, steps[3], "10000")
		cl.eq("tradeNo", closedNo)
		cl.eq("outTradeNo", closed)
		q = wantNode(t, res, 4, steps[4], "10000")
		q.eq("tradeStatus", "TRADE_CLOSED")
		logAll(t, res)

		buyerActs(t, srv, tradeNo, "pay")

		// refund_amount as a JSON number, as the SDK samples send it (spec §4.4).
		steps = []nodeStep{
			queryStep(paid),
			{Method: "alipay.trade.refund", BizContent: map[string]any{"out_trade_no": paid, "refund_amount": 0.01}},
			queryStep(paid),
		}
		res = runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		q = wantNode(t, res, 0, steps[0], "10000")
		q.eq("tradeStatus", "TRADE_SUCCESS")
		q.eq("buyerUserId", pays.UserID)
		q.eq("totalAmount", "0.01")
		rf := wantNode(t, res, 1, steps[1], "10000")
		rf.eq("tradeNo", tradeNo)
		rf.eq("outTradeNo", paid)
		rf.eq("fundChange", "Y")
		rf.eq("refundFee", "0.01")
		q = wantNode(t, res, 2, steps[2], "10000")
		q.eq("tradeStatus", "TRADE_CLOSED")
	})

	t.Run("precreate: QR code, no trade until scanned", func(t *testing.T) {
		out := newOutTradeNo(t, "node_qr")
		steps := []nodeStep{
			{Method: "alipay.trade.precreate", BizContent: map[string]any{"out_trade_no": out, "total_amount": "0.01", "subject": interopSubject}},
			queryStep(out),
		}
		res := runNodeCalls(t, node, base, steps...)
		defer logAll(t, res)
		pc := wantNode(t, res, 0, steps[0], "10000")
		pc.eq("outTradeNo", out)
		pc.nonEmpty("qrCode")
		q := wantNode(t, res, 1, steps[1], "40004")
		q.eq("subCode", "ACQ.TRADE_NOT_EXIST")
	})

	t.Run("trade answer verified with the wrong alipay public key", func(t *testing.T) {
		out := newOutTradeNo(t, "node_wrongkey")
		steps := []nodeStep{payStep(out, pays.PaymentCode, "0.01")}
		res := runNodeCalls(t, node, base, steps...)
		wantNode(t, res, 0, steps[0], "10000")

		_, otherPub := newKeyPair(t)
		wrong := base
		wrong.AlipayPublicKey = otherPub
		res = runNodeCalls(t, node, wrong, queryStep(out))
		r := res[0]
		if r.OK {
			t.Fatalf("exec resolved a query answer verified with the wrong key; want 验签失败\n%s", r)
		}
		if r.Name != "AlipayRequestError" || !strings.HasPrefix(r.Error, "验签失败，服务端返回的 sign: '") {
			t.Errorf("error %s: %q, want 4.14.0's AlipayRequestError 验签失败…\n%s", r.Name, r.Error, r)
		}
		// The answer itself was a good one: only the verification failed.
		for _, want := range []string{`"code":"10000"`, `"trade_status":"TRADE_SUCCESS"`, `"out_trade_no":"` + out + `"`} {
			if !strings.Contains(r.Error, want) {
				t.Errorf("the string the SDK verified does not contain %s: %q\n%s", want, r.Error, r)
			}
		}
		if !strings.HasPrefix(r.ResponseDataRaw, `{"alipay_trade_query_response":{`) || !strings.Contains(r.ResponseDataRaw, `},"sign":"`) {
			t.Errorf("raw response %q is not the compact signed envelope\n%s", r.ResponseDataRaw, r)
		}
		if !t.Failed() {
			t.Logf("alipay-sdk %s rejected as it must: %s", nodeSDKVersion, r.Error)
		}
	})

	requireLedgerOK(t, srv)
}

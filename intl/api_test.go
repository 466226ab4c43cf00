package intl_test

import (
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

const (
	fnPay    = "alipay.intl.acquiring.offline.pay"
	fnCancel = "alipay.intl.acquiring.common.payCancel"
	fnRefund = "alipay.intl.acquiring.common.refund"
)

// payBody is a pay of value minor units of USD by the buyer with code.
func (c *client) payBody(transID, code string, amount raw) string {
	return c.body(kv{"productCode", "OFFLINE_PAY"}, kv{"merchantTransId", transID}, kv{"codeType", "BARCODE"},
		kv{"identityCode", code}, kv{"order", raw(obj(kv{"orderAmount", amount}, kv{"orderTitle", "Tea <green> & co"}))})
}

func (c *client) pay(transID, code string, amount raw) *answer {
	c.t.Helper()
	return c.call(pathPay, value(c.head(fnPay), c.payBody(transID, code, amount)))
}

func (c *client) query(members ...kv) *answer {
	c.t.Helper()
	return c.call(pathPayQuery, value(c.head(fnQuery), c.body(members...)))
}

func (c *client) cancel(members ...kv) *answer {
	c.t.Helper()
	return c.call(pathPayCancel, value(c.head(fnCancel), c.body(members...)))
}

func (c *client) refund(acq, refundID string, amount raw) *answer {
	c.t.Helper()
	return c.call(pathRefund, value(c.head(fnRefund), c.body(kv{"acquirementId", acq}, kv{"merchantRefundId", refundID},
		kv{"refundAmount", amount}, kv{"refundReason", "broken cup"})))
}

const usd10 = raw(`{"currency":"USD","value":"1000"}`)

func TestPayQueryRefund(t *testing.T) {
	srv, c := harness(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	before := srv.Balance(t, buyer.UserID)

	a := c.pay("T1", buyer.PaymentCode, usd10)
	want(t, c, a, "SUCCESS", "00000000", "S", sign.RSA2)
	acq := a.str("acquirementId")
	if acq == "" || a.str("merchantTransId") != "T1" || a.money("orderAmount") != "USD 1000" ||
		a.money("paymentAmount") != "CNY 7200" || a.str("createTime") == "" || a.str("paidTime") == "" {
		t.Fatalf("pay answer %s", a.raw)
	}
	if got := srv.Balance(t, buyer.UserID); got != before-7200 {
		t.Fatalf("buyer balance %d, want %d", got, before-7200)
	}
	// A repeat answers the first.
	if r := c.pay("T1", buyer.PaymentCode, usd10); r.code() != "SUCCESS" || r.str("acquirementId") != acq {
		t.Fatalf("repeat %s", r.raw)
	}
	want(t, c, c.pay("T1", buyer.PaymentCode, raw(`{"currency":"USD","value":"999"}`)), "REPEAT_REQ_INCONSISTENT", "12005112", "F", sign.RSA2)

	for _, ref := range []kv{{"acquirementId", acq}, {"merchantTransId", "T1"}} {
		q := c.query(ref)
		want(t, c, q, "SUCCESS", "00000000", "S", sign.RSA2)
		if q.str("acquirementStatus") != "SUCCESS" || q.str("acquirementId") != acq || q.money("paymentAmount") != "CNY 7200" ||
			q.str("paidTime") == "" || q.str("cancelTime") != "" || q.Resp.Body["refundAmount"] != nil {
			t.Fatalf("query by %s: %s", ref.k, q.raw)
		}
	}

	// A number where a string is expected is read as its text.
	r := c.refund(acq, "R1", raw(`{"currency":"USD","value":300}`))
	want(t, c, r, "SUCCESS", "00000000", "S", sign.RSA2)
	if r.str("acquirementId") != acq || r.str("merchantRefundId") != "R1" || r.str("refundId") == "" ||
		r.money("refundAmount") != "USD 300" || r.str("refundTime") == "" {
		t.Fatalf("refund %s", r.raw)
	}
	if again := c.refund(acq, "R1", raw(`{"currency":"USD","value":"300"}`)); again.code() != "SUCCESS" || again.str("refundId") != r.str("refundId") {
		t.Fatalf("refund replay %s", again.raw)
	}
	want(t, c, c.refund(acq, "R1", raw(`{"currency":"USD","value":"301"}`)), "REPEAT_REQ_INCONSISTENT", "12005112", "F", sign.RSA2)
	want(t, c, c.refund(acq, "R2", raw(`{"currency":"USD","value":"701"}`)), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	want(t, c, c.refund("2015000", "R3", usd10), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	want(t, c, c.refund(acq, "R4", raw(`"1000"`)), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	if q := c.query(kv{"merchantTransId", "T1"}); q.money("refundAmount") != "USD 300" {
		t.Fatalf("query after a refund %s", q.raw)
	}
	// Partly refunded: no cancel.
	want(t, c, c.cancel(kv{"merchantTransId", "T1"}), "ORDER_STATUS_INVALID", "12005003", "F", sign.RSA2)
	srv.CheckLedger(t)
}

func TestPayFailures(t *testing.T) {
	srv, c := harness(t)
	pays := srv.Buyer(t, zfb.BehaviourPays)
	want(t, c, c.pay("F1", "280000000000000000", usd10), "USER_NOT_EXIST", "12002005", "F", sign.RSA2)
	want(t, c, c.pay("F2", srv.Buyer(t, zfb.BehaviourPoor).PaymentCode, usd10), "PROCESS_FAIL", "00000019", "F", sign.RSA2)
	want(t, c, c.pay("F3", pays.PaymentCode, raw(`{"currency":"XXX","value":"1"}`)), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	want(t, c, c.pay("F4", pays.PaymentCode, raw(`{"currency":"USD","value":"1.00"}`)), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	want(t, c, c.pay("F5", pays.PaymentCode, raw(`["USD"]`)), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	a := c.call(pathPay, value(c.head(fnPay), c.body(kv{"merchantTransId", "F6"}, kv{"identityCode", pays.PaymentCode}, kv{"order", "tea"})))
	want(t, c, a, "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)
	if msg := a.info()["resultMsg"]; msg != "The parameter is incorrect: order must be an object" {
		t.Errorf("resultMsg %q", msg)
	}
	srv.RestrictBuyer(t, pays.UserID, true)
	want(t, c, c.pay("F7", pays.PaymentCode, usd10), "USER_STATUS_ABNORMAL", "12002006", "F", sign.RSA2)
}

// TestPasswordBuyerAndCancel: a buyer who must confirm leaves the payment
// INIT (U, USER_PAYING); payCancel closes it.
func TestPasswordBuyerAndCancel(t *testing.T) {
	srv, c := harness(t)
	a := c.pay("P1", srv.Buyer(t, zfb.BehaviourPassword).PaymentCode, usd10)
	want(t, c, a, "USER_PAYING", "12005012", "U", sign.RSA2)
	acq := a.str("acquirementId")
	if acq == "" || a.str("merchantTransId") != "P1" || a.money("orderAmount") != "USD 1000" || a.str("createTime") == "" ||
		a.Resp.Body["paymentAmount"] != nil || a.Resp.Body["paidTime"] != nil {
		t.Fatalf("pay in progress %s", a.raw)
	}
	if q := c.query(kv{"acquirementId", acq}); q.str("acquirementStatus") != "INIT" || q.Resp.Body["paymentAmount"] != nil {
		t.Fatalf("query %s", q.raw)
	}
	x := c.cancel(kv{"acquirementId", acq}, kv{"merchantTransId", "ignored"})
	want(t, c, x, "SUCCESS", "00000000", "S", sign.RSA2)
	if x.str("acquirementId") != acq || x.str("merchantTransId") != "P1" || x.str("cancelTime") == "" {
		t.Fatalf("cancel %s", x.raw)
	}
	q := c.query(kv{"merchantTransId", "P1"})
	if q.str("acquirementStatus") != "CLOSED" || q.str("cancelTime") != x.str("cancelTime") {
		t.Fatalf("query after cancel %s", q.raw)
	}
	if again := c.cancel(kv{"merchantTransId", "P1"}); again.code() != "SUCCESS" || again.str("cancelTime") != x.str("cancelTime") {
		t.Fatalf("repeated cancel %s", again.raw)
	}
}

func TestCancel(t *testing.T) {
	srv, c := harness(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	before := srv.Balance(t, buyer.UserID)
	acq := c.pay("C1", buyer.PaymentCode, usd10).str("acquirementId")
	x := c.cancel(kv{"merchantTransId", "C1"})
	want(t, c, x, "SUCCESS", "00000000", "S", sign.RSA2)
	if x.str("acquirementId") != acq || x.str("merchantTransId") != "C1" {
		t.Fatalf("cancel %s", x.raw)
	}
	if q := c.query(kv{"acquirementId", acq}); q.str("acquirementStatus") != "CANCELLED" || q.str("cancelTime") == "" || q.money("refundAmount") != "USD 1000" {
		t.Fatalf("query %s", q.raw)
	}
	if got := srv.Balance(t, buyer.UserID); got != before {
		t.Fatalf("balance after cancel %d, want %d", got, before)
	}

	// Never seen: success, echoing the merchantTransId; a late pay is refused.
	u := c.cancel(kv{"merchantTransId", "C2"})
	want(t, c, u, "SUCCESS", "00000000", "S", sign.RSA2)
	if u.str("merchantTransId") != "C2" || u.str("cancelTime") == "" {
		t.Fatalf("cancel of an unseen payment %s", u.raw)
	}
	want(t, c, c.pay("C2", buyer.PaymentCode, usd10), "ORDER_STATUS_INVALID", "12005003", "F", sign.RSA2)
	want(t, c, c.query(kv{"merchantTransId", "C2"}), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	want(t, c, c.cancel(kv{"acquirementId", "2015000"}), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	want(t, c, c.cancel(), "PARAM_ILLEGAL", "00000004", "F", sign.RSA2)

	// After 00:15 Beijing time of the next day: refund instead.
	c.pay("C3", buyer.PaymentCode, usd10)
	srv.AdvanceClock(t, c.app.AppID, 25*time.Hour)
	want(t, c, c.cancel(kv{"merchantTransId", "C3"}), "ORDER_CANCEL_WINDOW_EXPIRED", "12002018", "F", sign.RSA2)
	srv.CheckLedger(t)
}

// TestRefundInFull: a refund of everything closes the payment; it cannot
// be refunded further.
func TestRefundInFull(t *testing.T) {
	srv, c := harness(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	acq := c.pay("M1", buyer.PaymentCode, usd10).str("acquirementId")
	want(t, c, c.refund(acq, "R1", usd10), "SUCCESS", "00000000", "S", sign.RSA2)
	want(t, c, c.refund(acq, "R2", raw(`{"currency":"USD","value":"1"}`)), "ORDER_STATUS_INVALID", "12005003", "F", sign.RSA2)
	if q := c.query(kv{"acquirementId", acq}); q.str("acquirementStatus") != "CLOSED" || q.money("refundAmount") != "USD 1000" {
		t.Fatalf("query %s", q.raw)
	}
}

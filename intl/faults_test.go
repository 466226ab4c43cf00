package intl_test

import (
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// TestFaults: error_before answers U and does nothing; error_after does the
// work, then answers U; delay does the work and holds the answer back.
// Rules match the function and the merchantTransId, acquirementId or
// merchantRefundId.
func TestFaults(t *testing.T) {
	srv, c := harness(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	appID := c.app.AppID

	srv.AddFault(t, zfb.Fault{AppID: appID, Method: fnPay, OutTradeNo: "B*", Effect: zfb.FaultErrorBefore})
	want(t, c, c.pay("B1", buyer.PaymentCode, usd10), "UNKNOWN_EXCEPTION", "00000901", "U", sign.RSA2)
	want(t, c, c.query(kv{"merchantTransId", "B1"}), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	want(t, c, c.pay("X1", buyer.PaymentCode, usd10), "SUCCESS", "00000000", "S", sign.RSA2) // not matched
	srv.ClearFaults(t, appID)

	srv.AddFault(t, zfb.Fault{AppID: appID, Method: fnPay, Effect: zfb.FaultErrorAfter, SubCode: "SYSTEM_ERROR"})
	want(t, c, c.pay("A1", buyer.PaymentCode, usd10), "UNKNOWN_EXCEPTION", "00000901", "U", sign.RSA2)
	q := c.query(kv{"merchantTransId", "A1"})
	want(t, c, q, "SUCCESS", "00000000", "S", sign.RSA2)
	if q.str("acquirementStatus") != "SUCCESS" {
		t.Fatalf("error_after did not pay: %s", q.raw)
	}
	acq := q.str("acquirementId")
	srv.ClearFaults(t, appID)

	// A refund rule matched by merchantRefundId.
	srv.AddFault(t, zfb.Fault{AppID: appID, Method: fnRefund, OutTradeNo: "RF-*", Effect: zfb.FaultDelay, DelayMS: 300})
	start := time.Now()
	r := c.refund(acq, "RF-1", raw(`{"currency":"USD","value":"100"}`))
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("delayed answer came after %v", took)
	}
	want(t, c, r, "SUCCESS", "00000000", "S", sign.RSA2)
	srv.ClearFaults(t, appID)

	// A cancel rule matched by acquirementId.
	srv.AddFault(t, zfb.Fault{AppID: appID, Method: fnCancel, OutTradeNo: acq, Effect: zfb.FaultErrorBefore})
	want(t, c, c.cancel(kv{"acquirementId", acq}), "UNKNOWN_EXCEPTION", "00000901", "U", sign.RSA2)
	if q := c.query(kv{"acquirementId", acq}); q.str("acquirementStatus") != "SUCCESS" {
		t.Fatalf("error_before cancelled: %s", q.raw)
	}
	srv.CheckLedger(t)
}

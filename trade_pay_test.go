package zfb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// TestRepeatedPayAnswersTheFirst: a pay whose out_trade_no is taken
// answers what the first pay did, even when its own auth_code or
// time_expire would refuse a new trade; a new trade still gets those
// refusals, and a refused pay stores nothing.
func TestRepeatedPayAnswersTheFirst(t *testing.T) {
	ctx := context.Background()
	svc, sb := newSandboxService(t)
	codes := map[string]string{}
	for _, b := range sb.Buyers {
		codes[b.Behaviour] = b.PaymentCode
	}
	app, now := sb.Apps[0], time.Now()
	pay := func(no, code, amount, timeExpire string) (*zfb.PayResult, error) {
		return svc.Pay(ctx, app, now, zfb.PayCommand{
			OutTradeNo: no, TotalAmount: amount, Subject: "s", AuthCode: code, TimeExpire: timeExpire,
		})
	}
	past := now.Add(-time.Hour).In(zfb.Beijing).Format("2006-01-02 15:04:05")

	// A new trade: refused for its own auth_code or time_expire, and
	// nothing stored, so that the out_trade_no is still free.
	if _, err := pay("P1", "28000000000000000000", "1.00", ""); !errors.Is(err, zfb.ErrPaymentAuthCodeInvalid) {
		t.Fatalf("unknown auth_code: err = %v, want ACQ.PAYMENT_AUTH_CODE_INVALID", err)
	}
	if _, err := pay("P1", codes[zfb.BehaviourPays], "1.00", past); err == nil || errors.Is(err, zfb.ErrTradeHasSuccess) {
		t.Fatalf("time_expire in the past: err = %v, want an invalid parameter", err)
	}
	first, err := pay("P1", codes[zfb.BehaviourPays], "1.00", "")
	if err != nil || first.InProgress || first.Trade.Status != zfb.TradeSuccess {
		t.Fatalf("first pay = %+v, %v; want paid", first, err)
	}
	for name, again := range map[string][3]string{
		"same":             {codes[zfb.BehaviourPays], "1.00", ""},
		"unknown code":     {"28000000000000000000", "1.00", ""},
		"past time_expire": {codes[zfb.BehaviourPays], "1.00", past},
	} {
		if _, err := pay("P1", again[0], again[1], again[2]); !errors.Is(err, zfb.ErrTradeHasSuccess) {
			t.Errorf("%s: err = %v, want ACQ.TRADE_HAS_SUCCESS", name, err)
		}
	}
	if _, err := pay("P1", codes[zfb.BehaviourPays], "2.00", ""); !errors.Is(err, zfb.ErrContextInconsistent) {
		t.Errorf("another amount: err = %v, want ACQ.CONTEXT_INCONSISTENT", err)
	}

	// A buyer who confirms with a password: every repeat is the same
	// 10003 on the same trade, whatever its auth_code.
	waiting, err := pay("W1", codes[zfb.BehaviourPassword], "1.00", "")
	if err != nil || !waiting.InProgress || waiting.Trade.Status != zfb.TradeWaitBuyerPay {
		t.Fatalf("password pay = %+v, %v; want waiting", waiting, err)
	}
	for _, code := range []string{codes[zfb.BehaviourPassword], "28000000000000000000", codes[zfb.BehaviourPays]} {
		again, err := pay("W1", code, "1.00", "")
		if err != nil || !again.InProgress || again.Trade.TradeNo != waiting.Trade.TradeNo || again.Buyer == nil ||
			again.Buyer.UserID != waiting.Trade.BuyerID {
			t.Errorf("repeat with code %s = %+v, %v; want trade %s waiting", code, again, err, waiting.Trade.TradeNo)
		}
	}
}

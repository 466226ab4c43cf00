package zfb_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// TestCommandWakesOnlyForNotifications: a command wakes the dispatcher
// when it recorded a notification, and only then (a wake costs the
// dispatcher a claim on the writer).
func TestCommandWakesOnlyForNotifications(t *testing.T) {
	svc, sb := newSandboxService(t)
	var wakes atomic.Int64
	svc.Wake = func() { wakes.Add(1) }
	app := sb.Apps[0]
	var payer *zfb.Buyer
	for _, b := range sb.Buyers {
		if b.Behaviour == zfb.BehaviourPays {
			payer = b
		}
	}
	pay := func(outTradeNo, notifyURL string) {
		t.Helper()
		if _, err := svc.Pay(context.Background(), app, time.Now(), zfb.PayCommand{
			OutTradeNo: outTradeNo, TotalAmount: "0.01", Subject: "wake", AuthCode: payer.PaymentCode, NotifyURL: notifyURL,
		}); err != nil {
			t.Fatal(err)
		}
	}
	pay("quiet", "")
	if n := wakes.Load(); n != 0 {
		t.Fatalf("a pay that recorded no notification woke the dispatcher %d times", n)
	}
	pay("notified", "http://127.0.0.1:1/notify")
	if n := wakes.Load(); n != 1 {
		t.Fatalf("a pay that recorded a notification woke the dispatcher %d times, want 1", n)
	}
}

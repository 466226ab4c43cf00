package zfb_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// appReadCounter is a Store that counts the app reads of its write
// transactions.
type appReadCounter struct {
	zfb.Store
	reads atomic.Int64
}

func (c *appReadCounter) InTx(ctx context.Context, fn func(q zfb.Queries) error) error {
	return c.Store.InTx(ctx, func(q zfb.Queries) error { return fn(appReadCounting{q, c}) })
}

type appReadCounting struct {
	zfb.Queries
	c *appReadCounter
}

func (q appReadCounting) App(ctx context.Context, appID string) (*zfb.App, error) {
	q.c.reads.Add(1)
	return q.Queries.App(ctx, appID)
}

// TestNotificationsNameTheBuyerFromTheCommandsApp: the notifications of a
// pay, a refund, a cancel's refund and a close name the buyer (buyer_id
// or buyer_open_id, by the app's identity mode) from the app the command
// was given, without reading it again in the command's transaction.
func TestNotificationsNameTheBuyerFromTheCommandsApp(t *testing.T) {
	ctx := context.Background()
	var counter *appReadCounter
	svc, sb := newWrappedSandboxService(t, filepath.Join(t.TempDir(), "zfb.db"), func(s zfb.Store) zfb.Store {
		counter = &appReadCounter{Store: s}
		return counter
	})
	app, now := sb.Apps[0], time.Now()
	codes := map[string]string{}
	for _, b := range sb.Buyers {
		codes[b.Behaviour] = b.PaymentCode
	}
	const notifyURL = "http://127.0.0.1:9/notify"
	pay := func(outTradeNo, behaviour string) *zfb.Trade {
		t.Helper()
		r, err := svc.Pay(ctx, app, now, zfb.PayCommand{OutTradeNo: outTradeNo, TotalAmount: "1.00", Subject: "s",
			AuthCode: codes[behaviour], NotifyURL: notifyURL})
		if err != nil {
			t.Fatal(err)
		}
		return r.Trade
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"pay", func() error { pay("N1", zfb.BehaviourPays); return nil }},
		{"refund", func() error {
			_, err := svc.Refund(ctx, app, now, zfb.RefundCommand{TradeRef: zfb.TradeRef{OutTradeNo: "N1"}, RefundAmount: "0.10", OutRequestNo: "R1"})
			return err
		}},
		{"cancel (a refund)", func() error {
			pay("N2", zfb.BehaviourPays)
			_, err := svc.Cancel(ctx, app, now, zfb.TradeRef{OutTradeNo: "N2"})
			return err
		}},
		{"close", func() error {
			if got := pay("N3", zfb.BehaviourPassword); got.Status != zfb.TradeWaitBuyerPay {
				t.Fatalf("the password buyer's pay is %s", got.Status)
			}
			_, err := svc.Close(ctx, app, now, zfb.TradeRef{OutTradeNo: "N3"})
			return err
		}},
	}
	for _, step := range steps {
		before := counter.reads.Load()
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := counter.reads.Load() - before; n != 0 {
			t.Errorf("%s: read the app %d times in its transactions, want 0", step.name, n)
		}
	}
}

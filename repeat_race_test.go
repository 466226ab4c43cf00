package zfb_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
)

// onBothBackends runs fn on a sandbox service over each backend, with the
// sandbox's first app and a buyer who pays.
func onBothBackends(t *testing.T, fn func(t *testing.T, svc *zfb.Service, app *zfb.App, payer *zfb.Buyer)) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "zfb.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			svc, sb := newSandboxServiceOn(t, url(t))
			var payer *zfb.Buyer
			for _, b := range sb.Buyers {
				if b.Behaviour == zfb.BehaviourPays {
					payer = b
				}
			}
			fn(t, svc, sb.Apps[0], payer)
		})
	}
}

// chargedSince returns a check that the buyer's available balance has
// fallen by want since it was called.
func chargedSince(t *testing.T, svc *zfb.Service, userID string) func(want int64) {
	t.Helper()
	balance := func() int64 {
		t.Helper()
		b, err := svc.Buyer(context.Background(), userID)
		if err != nil {
			t.Fatal(err)
		}
		return b.Balance
	}
	before := balance()
	return func(want int64) {
		t.Helper()
		if got := before - balance(); got != want {
			t.Errorf("the payer's available balance fell by %d, want %d", got, want)
		}
	}
}

// race runs fn from n goroutines at once and returns their errors.
func race(n int, fn func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errs
}

// TestConcurrentFreezesOfOneOrder: freezes that race with one out_order_no
// store one order and freeze its amount once; every other one is a repeat
// of it (FREEZE_ALREADY_SUCCESS), on both backends.
func TestConcurrentFreezesOfOneOrder(t *testing.T) {
	onBothBackends(t, func(t *testing.T, svc *zfb.Service, app *zfb.App, payer *zfb.Buyer) {
		ctx, now := context.Background(), time.Now()
		charged := chargedSince(t, svc, payer.UserID)
		cmd := zfb.FreezeCommand{AuthCode: payer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: "RACE1",
			OutRequestNo: "R1", OrderTitle: "race", Amount: "1.50"}
		errs := race(8, func() error { _, err := svc.Freeze(ctx, app, now, cmd); return err })
		var froze int
		for _, err := range errs {
			switch {
			case err == nil:
				froze++
			case !errors.Is(err, zfb.ErrFreezeAlreadySuccess):
				t.Errorf("a racing freeze: %v, want FREEZE_ALREADY_SUCCESS", err)
			}
		}
		if froze != 1 {
			t.Errorf("%d freezes froze, want 1", froze)
		}
		d, err := svc.AuthOrderByOutOrderNo(ctx, app.ID, cmd.OutOrderNo)
		if err != nil {
			t.Fatal(err)
		}
		if d.Order.TotalFreezeAmount != 150 || len(d.Operations) != 1 {
			t.Errorf("order froze %d in %d operations, want 150 in 1", d.Order.TotalFreezeAmount, len(d.Operations))
		}
		charged(150)
	})
}

// TestConcurrentIntlPaysOfOneMerchantTransID: international pays that race
// with one merchantTransId store one payment and move its money once;
// every other one answers as the first did, on both backends.
func TestConcurrentIntlPaysOfOneMerchantTransID(t *testing.T) {
	onBothBackends(t, func(t *testing.T, svc *zfb.Service, app *zfb.App, payer *zfb.Buyer) {
		ctx, now := context.Background(), time.Now()
		charged := chargedSince(t, svc, payer.UserID)
		cmd := zfb.IntlPayCommand{MerchantTransID: "RACE1", IdentityCode: payer.PaymentCode, OrderTitle: "race",
			Currency: "CNY", Value: "150"}
		var mu sync.Mutex
		ids := map[string]int{}
		for _, err := range race(8, func() error {
			r, err := svc.IntlPay(ctx, app, now, cmd)
			if err == nil {
				mu.Lock()
				ids[r.Payment.AcquirementID]++
				mu.Unlock()
			}
			return err
		}) {
			if err != nil {
				t.Errorf("a racing pay: %v", err)
			}
		}
		if len(ids) != 1 {
			t.Errorf("the racing pays answered payments %v, want one", ids)
		}
		p, _, err := svc.IntlPaymentByMerchantTransID(ctx, app.ID, cmd.MerchantTransID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != zfb.IntlPaymentSuccess || p.PaidCNY != 150 {
			t.Errorf("payment %s paid %d CNY fen, want SUCCESS and 150", p.Status, p.PaidCNY)
		}
		charged(150)
	})
}

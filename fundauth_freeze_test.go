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

// TestConcurrentFreezesOfOneOrder: freezes that race with one out_order_no
// store one order and freeze its amount once; every other one is a repeat
// of it (FREEZE_ALREADY_SUCCESS), on both backends.
func TestConcurrentFreezesOfOneOrder(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "zfb.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc, sb := newSandboxServiceOn(t, url(t))
			app, now := sb.Apps[0], time.Now()
			var payer *zfb.Buyer
			for _, b := range sb.Buyers {
				if b.Behaviour == zfb.BehaviourPays {
					payer = b
				}
			}
			before, err := svc.Buyer(ctx, payer.UserID)
			if err != nil {
				t.Fatal(err)
			}
			cmd := zfb.FreezeCommand{AuthCode: payer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: "RACE1",
				OutRequestNo: "R1", OrderTitle: "race", Amount: "1.50"}
			const racers = 8
			errs := make([]error, racers)
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() { _, errs[i] = svc.Freeze(ctx, app, now, cmd) })
			}
			wg.Wait()
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
			after, err := svc.Buyer(ctx, payer.UserID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Balance != before.Balance-150 {
				t.Errorf("payer's available balance %d, want %d", after.Balance, before.Balance-150)
			}
		})
	}
}

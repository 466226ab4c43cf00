// Package schedule runs zfb's due work on its own: every interval it asks
// the Service to close what timed out and finish what is done, on each
// app's clock (zfb.Service.RunAllDue), so that a trade left unpaid closes,
// and is notified, without anyone touching it.
package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/zfbpay/zfb"
)

// Run does the due work every interval until ctx is done. After a round
// that changed something it calls wake (the notification dispatcher's
// Kick), when set, so the notifications go out at once.
func Run(ctx context.Context, svc *zfb.Service, logger *slog.Logger, interval time.Duration, wake func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := svc.RunAllDue(ctx)
		if err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "schedule: due work", "err", err)
		}
		if n > 0 && wake != nil {
			wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

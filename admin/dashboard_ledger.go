package admin

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
)

// ledgerCache runs the ledger check, a scan of the whole ledger, at most
// once per every in this process, however many browsers look. Page views
// in between show the last result; while a check runs they show the one
// before, and only the very first views wait for it. A failed check is
// kept as long as a good one, so a broken database is not scanned on every
// view either.
type ledgerCache struct {
	check func(context.Context) (*zfb.LedgerReport, error)
	every time.Duration
	now   func() time.Time
	log   *slog.Logger

	mu      sync.Mutex
	last    *ledgerResult // nil before the first check ends
	running chan struct{} // closed when the running check ends; nil when none runs
}

type ledgerResult struct {
	report *zfb.LedgerReport // nil when err is set
	err    error
	at     time.Time // when the check began
}

func (c *ledgerCache) get(ctx context.Context) *ledgerResult {
	for {
		c.mu.Lock()
		if c.last != nil && (c.running != nil || c.now().Sub(c.last.at) < c.every) {
			r := c.last
			c.mu.Unlock()
			return r
		}
		if wait := c.running; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return &ledgerResult{err: ctx.Err(), at: c.now()}
			}
		}
		done := make(chan struct{})
		c.running = done
		c.mu.Unlock()
		return c.run(ctx, done)
	}
}

// run runs the check and publishes its result, even should it panic.
func (c *ledgerCache) run(ctx context.Context, done chan struct{}) (r *ledgerResult) {
	at := c.now()
	r = &ledgerResult{err: errLedgerCheckAborted, at: at}
	defer func() {
		c.mu.Lock()
		c.last, c.running = r, nil
		close(done)
		c.mu.Unlock()
	}()
	// Not cancelled with the page view that started it: others wait.
	report, err := c.check(context.WithoutCancel(ctx))
	if err != nil {
		c.log.ErrorContext(ctx, "dashboard: ledger check", "err", err)
		report = nil
	}
	r = &ledgerResult{report: report, err: err, at: at}
	return r
}

var errLedgerCheckAborted = errors.New("the ledger check did not finish")

package zfb

import (
	"context"
	"errors"
)

// dueBatch bounds how many items of one kind RunDue handles per call.
const dueBatch = 100

// RunDue does what the app's clock says is due: it closes the waiting
// trades, authorisation orders and international payments whose time-out
// passed, and finishes the trades whose refund period ended, each in a
// command of its own that records its notification, exactly as a command
// touching it would have. It reports how many it changed (at most dueBatch
// of each kind: call it again while it changes some).
func (s *Service) RunDue(ctx context.Context, appID string) (int, error) {
	app, err := s.store.App(ctx, appID)
	if err != nil {
		return 0, err
	}
	now := app.Clock(s.Clock).Now()
	changed := 0
	count := func(did bool) {
		if did {
			changed++
		}
	}
	expired, err := s.store.ExpiredTrades(ctx, appID, now, dueBatch)
	if err != nil {
		return changed, err
	}
	finishable, err := s.store.FinishableTrades(ctx, appID, now.Add(-RefundPeriod), dueBatch)
	if err != nil {
		return changed, err
	}
	for _, t := range append(expired, finishable...) {
		did, err := s.settleDue(ctx, func(q Queries) (bool, error) {
			fresh, err := q.Trade(ctx, t.TradeNo)
			if err != nil {
				return false, err
			}
			before := fresh.Status
			if err := s.expire(ctx, q, fresh, now); err != nil {
				return false, err
			}
			return fresh.Status != before, nil
		})
		if err != nil {
			return changed, err
		}
		count(did)
	}
	orders, err := s.store.ExpiredAuthOrders(ctx, appID, now, dueBatch)
	if err != nil {
		return changed, err
	}
	for _, o := range orders {
		did, err := s.settleDue(ctx, func(q Queries) (bool, error) {
			fresh, err := q.AuthOrder(ctx, o.AuthNo)
			if err != nil {
				return false, err
			}
			before := fresh.Status
			if err := s.expireAuth(ctx, q, fresh, now); err != nil {
				return false, err
			}
			return fresh.Status != before, nil
		})
		if err != nil {
			return changed, err
		}
		count(did)
	}
	payments, err := s.store.ExpiredIntlPayments(ctx, appID, now, dueBatch)
	if err != nil {
		return changed, err
	}
	for _, p := range payments {
		did, err := s.settleDue(ctx, func(q Queries) (bool, error) {
			fresh, err := q.IntlPayment(ctx, p.AcquirementID)
			if err != nil {
				return false, err
			}
			before := fresh.Status
			if err := s.expireIntl(ctx, q, fresh, now); err != nil {
				return false, err
			}
			return fresh.Status != before, nil
		})
		if err != nil {
			return changed, err
		}
		count(did)
	}
	if changed > 0 {
		s.Logger.InfoContext(ctx, "due work done", "app_id", appID, "changed", changed, "app_now", now)
	}
	return changed, nil
}

// settleDue runs one item of due work as a command and reports whether it
// changed anything. An item gone meanwhile is nothing to do.
func (s *Service) settleDue(ctx context.Context, fn func(q Queries) (bool, error)) (bool, error) {
	var did bool
	err := s.command(ctx, func(q Queries) error {
		var err error
		did, err = fn(q)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return did, err
}

// RunAllDue runs RunDue for every app until nothing more is due, and
// reports how many items it changed.
func (s *Service) RunAllDue(ctx context.Context) (int, error) {
	apps, err := s.store.Apps(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, app := range apps {
		for {
			n, err := s.RunDue(ctx, app.ID)
			total += n
			if err != nil {
				errs = append(errs, err)
				break
			}
			if n < dueBatch {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

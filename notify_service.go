package zfb

import (
	"context"
	"time"
)

// The notification outbox, as the dispatcher (package notify) and the
// admin API see it. Messages are written by the commands that notify (see
// enqueueNotification); these methods claim, record and read them.

// ClaimNotifications leases to owner, until leaseUntil (wall time), up to
// limit notifications whose next send is due on their app's clock, the
// earliest due first. Concurrent dispatchers never get the same message.
func (s *Service) ClaimNotifications(ctx context.Context, owner string, leaseUntil time.Time, limit int) ([]*OutboxMessage, error) {
	return s.store.ClaimOutbox(ctx, owner, s.Clock.Now(), leaseUntil, limit)
}

// CompleteNotificationAttempt records the scheduled send a of message id,
// made by owner under its lease, and schedules the next send at next (the
// app's clock; zero for none). It fails with ErrStale, writing nothing,
// when owner no longer holds the lease.
func (s *Service) CompleteNotificationAttempt(ctx context.Context, id int64, owner string, a *OutboxAttempt, next time.Time) error {
	return s.store.CompleteAttempt(ctx, id, owner, a, next)
}

// RecordNotificationReplay records a send a tester asked for outside the
// schedule; the schedule and the count of sends are left alone.
func (s *Service) RecordNotificationReplay(ctx context.Context, a *OutboxAttempt) error {
	return s.store.RecordReplay(ctx, a)
}

// Notification finds a notification and its sends, oldest first, from one
// snapshot.
func (s *Service) Notification(ctx context.Context, id int64) (*OutboxMessage, []*OutboxAttempt, error) {
	var (
		m        *OutboxMessage
		attempts []*OutboxAttempt
	)
	err := s.read(ctx, func(q Queries) error {
		var err error
		if m, err = q.OutboxMessage(ctx, id); err != nil {
			return err
		}
		attempts, err = q.OutboxAttempts(ctx, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return m, attempts, nil
}

// Notifications lists an app's notifications, oldest first.
func (s *Service) Notifications(ctx context.Context, appID string) ([]*OutboxMessage, error) {
	var ms []*OutboxMessage
	err := s.read(ctx, func(q Queries) error {
		if _, err := q.App(ctx, appID); err != nil {
			return err
		}
		var err error
		ms, err = q.OutboxMessages(ctx, appID)
		return err
	})
	return ms, err
}

// NextNotifyAttempt is when a notification is sent again after its
// attempts-th unacknowledged send, made at at (the app's clock):
// at + NotifyRetryDelays[attempts-1]. It reports false when the
// MaxNotifyAttempts sends are used up. Before any send (attempts < 1) the
// next is due at once, at at.
func NextNotifyAttempt(attempts int, at time.Time) (time.Time, bool) {
	switch {
	case attempts >= MaxNotifyAttempts:
		return time.Time{}, false
	case attempts < 1:
		return at, true
	}
	return at.Add(NotifyRetryDelays[attempts-1]), true
}

package zfb

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxMessage is work to be done after a command commits, written in the
// same transaction as the command: an asynchronous notification to a
// merchant's notify_url, say. zfb records them; delivering them is still to
// be built.
type OutboxMessage struct {
	ID          int64
	AppID       string
	Kind        string // e.g. "notify"
	Target      string // e.g. the notify_url
	Payload     string // the body to deliver, ready to send
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	DeliveredAt *time.Time
	LastError   string
}

// enqueueNotification records a notification of kind in the outbox, in the
// caller's transaction, when the merchant gave a notify URL (target).
// fields are the notification's business fields; delivering it will add
// the dialect's common ones (for gateway.do: notify_id, notify_time,
// app_id, charset, version, sign). Nothing delivers outbox rows yet.
func (s *Service) enqueueNotification(ctx context.Context, q Queries, appID, kind, target string, fields map[string]string, now time.Time) error {
	if target == "" {
		return nil
	}
	payload, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return q.EnqueueOutbox(ctx, &OutboxMessage{
		AppID: appID, Kind: kind, Target: target, Payload: string(payload),
		NextAttempt: now, CreatedAt: now,
	})
}

package zfb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// OutboxMessage is a notification to deliver, written in the same
// transaction as the command it reports: Kind is its notify_type (or
// NotifyIntlPay), Target the URL it goes to, and Payload its business
// fields as a JSON object of strings, snapshotted when the event happened.
// The notify package renders, signs and sends it on Alipay's schedule.
type OutboxMessage struct {
	ID       int64
	AppID    string
	Kind     string
	Target   string
	Payload  string
	Attempts int // sends made so far
	// NextAttempt is when the next send is due, on the app's clock.
	NextAttempt time.Time
	CreatedAt   time.Time
	DeliveredAt *time.Time // when a send was acknowledged; nil until then
	LastError   string     // what went wrong with the last send

	// LeaseOwner holds the message, until LeaseUntil (wall time), while it
	// sends it: no other dispatcher claims it meanwhile.
	LeaseOwner string
	LeaseUntil time.Time
}

// NotifyID is the message's notify_id: the same on every send of it, and
// different for every message, in this database and in any other (a
// merchant who dedupes by notify_id across a reset of zfb must not take a
// new notification for an old one), so it digests what the message is —
// app, id, creation time to the microsecond, kind and fields — not only
// its id.
func (m *OutboxMessage) NotifyID() string {
	h := sha256.New()
	for _, part := range []string{"zfb-notify", m.AppID, strconv.FormatInt(m.ID, 10),
		strconv.FormatInt(m.CreatedAt.UnixMicro(), 10), m.Kind, m.Payload} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// OutboxAttempt is one send of a message.
type OutboxAttempt struct {
	MessageID int64
	N         int       // 1 for the first send
	At        time.Time // on the app's clock
	// StatusCode is the HTTP status the merchant answered, 0 when the send
	// failed before an answer (Error says why).
	StatusCode int
	Body       string // the start of the merchant's answer
	Latency    time.Duration
	Error      string
	// Acknowledged: the merchant answered "success" (or, in the intl
	// dialect, a response envelope with resultStatus S).
	Acknowledged bool
	// Replay marks a send a tester asked for, outside the schedule.
	Replay bool
}

// MaxNotifyAttempts is how many times a notification is sent at most:
// "25小时以内完成8次通知" (spec/openapi.md §5.1).
const MaxNotifyAttempts = 8

// NotifyRetryDelays are the waits after the 1st, 2nd, … unacknowledged
// send before the next: 4m, 10m, 10m, 1h, 2h, 6h, 15h (spec §5.1).
var NotifyRetryDelays = [MaxNotifyAttempts - 1]time.Duration{
	4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}

// enqueueNotification records a notification of kind in the outbox, in the
// caller's transaction, to target: where the call that caused it asked
// (App.notifyURL), or nowhere when that is "". fields are the
// notification's business fields, as they stand now; the notify package
// adds the dialect's common ones (for gateway.do: notify_id, notify_time,
// app_id, charset, version, sign) when it sends it.
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

// Package notify delivers zfb's asynchronous notifications: it claims due
// messages from the outbox (through zfb.Service), renders each in its
// dialect — a signed gateway.do form (spec/openapi.md §5) or a signed intl
// request envelope (spec/intl-acquiring.md §3.3, §4.5) — POSTs it to the
// merchant's URL, and records the send, retrying unacknowledged ones on
// Alipay's schedule (zfb.NotifyRetryDelays) on each app's clock.
//
// Several dispatchers, in one zfb or in several sharing a PostgreSQL
// database, may run at once: a message is leased to one of them while it
// is sent. Delivery is at least once, as Alipay's: a dispatcher that dies
// after a send and before recording it leaves the message to be sent again
// when its lease runs out.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
)

// Dispatcher sends the outbox's notifications.
type Dispatcher struct {
	svc     *zfb.Service
	log     *slog.Logger
	opts    options
	owner   string
	client  *client
	keys    appkeys.Ring
	kick    chan struct{}
	running atomic.Bool
}

// New returns a dispatcher over svc; Run starts it. A nil logger discards.
// Its owner id, under which it leases messages, is random.
func New(svc *zfb.Service, logger *slog.Logger, opts ...Option) *Dispatcher {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id) // never fails
	return &Dispatcher{
		svc: svc, log: logger, opts: o,
		owner:  "notify-" + hex.EncodeToString(id),
		client: newClient(o),
		kick:   make(chan struct{}, 1),
	}
}

// Owner is the id under which the dispatcher leases messages.
func (d *Dispatcher) Owner() string { return d.owner }

// Kick makes a running dispatcher look for due messages now rather than at
// its next poll: call it after moving a clock or enqueueing a message. It
// never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// errRunning refuses a second Run of one dispatcher.
var errRunning = errors.New("notify: the dispatcher is running already")

// Run sends due messages until ctx is done, at most WithConcurrency at
// once, looking for them every WithPollInterval, after each send, and when
// kicked. When ctx is done it stops claiming, lets the sends under way
// finish (each bounded by WithSendTimeout) and records them, and returns
// nil. Storage errors are logged and retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer d.running.Store(false)

	// Sends outlive ctx, so that a send made is a send recorded.
	sendCtx := context.WithoutCancel(ctx)
	done := make(chan struct{}, d.opts.concurrency) // a send finished
	var wg sync.WaitGroup
	defer wg.Wait()
	ticker := time.NewTicker(d.opts.pollInterval)
	defer ticker.Stop()

	inflight := 0
	for {
		for free := d.opts.concurrency - inflight; free > 0 && ctx.Err() == nil; free = d.opts.concurrency - inflight {
			leaseUntil := d.svc.Clock.Now().Add(d.opts.sendTimeout + leaseMargin)
			ms, err := d.svc.ClaimNotifications(ctx, d.owner, leaseUntil, free)
			if err != nil {
				if ctx.Err() == nil {
					d.log.ErrorContext(ctx, "notify: claiming due messages", "owner", d.owner, "err", err)
				}
				break
			}
			if len(ms) > free { // more than asked for: not a Store's way
				ms = ms[:free]
			}
			for _, m := range ms {
				inflight++
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.deliver(sendCtx, m)
					done <- struct{}{}
				}()
			}
			if len(ms) < free {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-d.kick:
		case <-done:
			inflight--
		}
		for drained := false; !drained; { // every other send that finished meanwhile
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
	}
}

// deliver makes the scheduled send of m, which the dispatcher has leased,
// and records it with the time of the next send, if any.
func (d *Dispatcher) deliver(ctx context.Context, m *zfb.OutboxMessage) {
	n := m.Attempts + 1
	app, err := d.svc.App(ctx, m.AppID)
	if err != nil && !errors.Is(err, zfb.ErrNotFound) {
		// Left leased: another claim retries it when the lease runs out.
		d.log.ErrorContext(ctx, "notify: reading the app", "message", m.ID, "app_id", m.AppID, "err", err)
		return
	}
	var a *zfb.OutboxAttempt
	var next time.Time
	if app == nil {
		// No app, no key and no clock: recorded, and never sent again.
		a = &zfb.OutboxAttempt{MessageID: m.ID, N: n, At: d.svc.Clock.Now(), Error: "the app " + m.AppID + " does not exist"}
		d.logAttempt(ctx, m, a)
	} else {
		clock := app.Clock(d.svc.Clock)
		a = d.send(ctx, app, m, n, false)
		if !a.Acknowledged {
			next, _ = zfb.NextNotifyAttempt(n, clock.Now()) // zero after the last
		}
	}
	err = d.svc.CompleteNotificationAttempt(ctx, m.ID, d.owner, a, next)
	switch {
	case errors.Is(err, zfb.ErrStale):
		// The lease ran out (another dispatcher may send it again), or a
		// replay delivered the message meanwhile.
		d.log.WarnContext(ctx, "notify: send not recorded: the lease was lost or the message delivered meanwhile",
			"message", m.ID, "app_id", m.AppID, "attempt", n, "owner", d.owner)
	case err != nil:
		d.log.ErrorContext(ctx, "notify: recording a send", "message", m.ID, "app_id", m.AppID, "attempt", n, "err", err)
	}
}

// Replay sends message id now, as it is sent on schedule (same notify_id,
// rendered and signed afresh at the app's time), and records the send as a
// replay: the schedule and the count of scheduled sends are left alone,
// and an acknowledged replay marks the message delivered. Its N, set when
// it is recorded, is its place among all the message's sends, scheduled
// and replayed.
func (d *Dispatcher) Replay(ctx context.Context, id int64) (*zfb.OutboxAttempt, error) {
	m, attempts, err := d.svc.Notification(ctx, id)
	if err != nil {
		return nil, err
	}
	app, err := d.svc.App(ctx, m.AppID)
	if err != nil {
		return nil, err
	}
	a := d.send(ctx, app, m, len(attempts)+1, true)
	if err := d.svc.RecordNotificationReplay(ctx, a); err != nil {
		return a, err
	}
	return a, nil
}

// send renders m at the app's time and POSTs it, and returns the attempt
// (not yet recorded). Nothing it meets is an error of its own: a refused
// URL, a render that fails, a timeout or a bad answer is the attempt's
// Error.
func (d *Dispatcher) send(ctx context.Context, app *zfb.App, m *zfb.OutboxMessage, n int, replay bool) *zfb.OutboxAttempt {
	now := app.Clock(d.svc.Clock).Now()
	a := &zfb.OutboxAttempt{MessageID: m.ID, N: n, At: now, Replay: replay}
	out, err := d.render(ctx, app, m, now)
	if err != nil {
		a.Error = clean("rendering the notification: "+err.Error(), 512)
		d.log.ErrorContext(ctx, "notify: rendering", "message", m.ID, "app_id", m.AppID, "kind", m.Kind, "err", err)
		d.logAttempt(ctx, m, a)
		return a
	}
	// The stopwatch starts first, so that a send cut by the time-out is
	// never measured shorter than it. Latency is real time, whatever the
	// clocks say.
	start := time.Now()
	sendCtx, cancel := context.WithTimeout(ctx, d.opts.sendTimeout)
	defer cancel()
	ans, err := d.client.post(sendCtx, m.Target, out.contentType, out.body)
	a.Latency = time.Since(start)
	if ans != nil {
		a.StatusCode = ans.status
		a.Body = clean(string(ans.body), maxKeptBytes)
	}
	switch {
	case err != nil:
		a.Error = sendError(err)
	default:
		var why string
		if a.Acknowledged, why = out.ack(ans.status, ans.body); !a.Acknowledged {
			a.Error = clean(why, 512)
		}
	}
	d.logAttempt(ctx, m, a)
	return a
}

// logAttempt logs one send: never a key, a signature or the URL (which may
// carry a merchant's token). "attempt" is the number of a scheduled send
// (the store's N also counts replays).
func (d *Dispatcher) logAttempt(ctx context.Context, m *zfb.OutboxMessage, a *zfb.OutboxAttempt) {
	attrs := []any{
		"message", m.ID, "app_id", m.AppID, "kind", m.Kind, "attempt", a.N, "status", a.StatusCode,
		"latency", a.Latency, "acknowledged", a.Acknowledged, "owner", d.owner,
	}
	if a.Replay {
		attrs = append(attrs, "replay", true)
	}
	level := slog.LevelInfo
	if a.Error != "" {
		attrs = append(attrs, "error", a.Error)
		if a.StatusCode == 0 {
			level = slog.LevelWarn
		}
	}
	d.log.Log(ctx, level, "notify: sent", attrs...)
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/zfbpay/zfb"
)

const outboxColumns = `id, app_id, kind, target, payload, attempts,
	next_attempt_at, created_at, delivered_at, last_error, lease_owner, lease_until`

// noMoreSends is the next_attempt_at of a message that is sent no more (a
// zero OutboxMessage.NextAttempt): later than any wall time plus clock
// offset, so never due, and last in the claim index.
const noMoreSends = math.MaxInt64

// nextMicros and fromNextMicros convert a message's NextAttempt, whose zero
// value means no more sends.
func nextMicros(t time.Time) int64 {
	if t.IsZero() {
		return noMoreSends
	}
	return micros(t)
}

func fromNextMicros(us int64) time.Time {
	if us == noMoreSends {
		return time.Time{}
	}
	return fromMicros(us)
}

// EnqueueOutbox records m, to be delivered once the transaction commits,
// and sets m.ID. An app that does not exist is zfb.ErrNotFound. A zero
// NextAttempt is a message never sent; a zero LeaseUntil is no lease.
func (q *queries) EnqueueOutbox(ctx context.Context, m *zfb.OutboxMessage) error {
	var id int64
	err := q.write.QueryRowContext(ctx, `INSERT INTO outbox
		(app_id, kind, target, payload, attempts, next_attempt_at, created_at, delivered_at, last_error,
			lease_owner, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`,
		m.AppID, m.Kind, m.Target, m.Payload, m.Attempts, nextMicros(m.NextAttempt), micros(m.CreatedAt),
		nullMicros(m.DeliveredAt), m.LastError, m.LeaseOwner, microsOrNull(m.LeaseUntil)).Scan(&id)
	if err != nil {
		return fmt.Errorf("enqueue %s for app %q: %w", m.Kind, m.AppID, classify(err))
	}
	m.ID = id
	return nil
}

// OutboxMessage reads one message by id.
func (q *queries) OutboxMessage(ctx context.Context, id int64) (*zfb.OutboxMessage, error) {
	m, err := scanOutbox(q.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("outbox message %d: %w", id, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox message %d: %w", id, err)
	}
	return m, nil
}

// OutboxMessages lists the messages of an app, oldest first.
func (q *queries) OutboxMessages(ctx context.Context, appID string) ([]*zfb.OutboxMessage, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+outboxColumns+`
		FROM outbox WHERE app_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, fmt.Errorf("outbox of app %q: %w", appID, err)
	}
	ms, err := scanAll(rows, scanOutbox)
	if err != nil {
		return nil, fmt.Errorf("outbox of app %q: %w", appID, err)
	}
	return ms, nil
}

func scanOutbox(r scanner) (*zfb.OutboxMessage, error) {
	var (
		m                    zfb.OutboxMessage
		nextUS, createdUS    int64
		deliveredUS, leaseUS sql.NullInt64
	)
	if err := r.Scan(&m.ID, &m.AppID, &m.Kind, &m.Target, &m.Payload, &m.Attempts,
		&nextUS, &createdUS, &deliveredUS, &m.LastError, &m.LeaseOwner, &leaseUS); err != nil {
		return nil, err
	}
	m.NextAttempt = fromNextMicros(nextUS)
	m.CreatedAt = fromMicros(createdUS)
	m.DeliveredAt = fromNullMicros(deliveredUS)
	m.LeaseUntil = fromMicrosOrZero(leaseUS)
	return &m, nil
}

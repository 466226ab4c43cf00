package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zfbpay/zfb"
)

// EnqueueOutbox records m, to be delivered once the transaction commits,
// and sets m.ID. An app that does not exist is zfb.ErrNotFound.
func (q *queries) EnqueueOutbox(ctx context.Context, m *zfb.OutboxMessage) error {
	var id int64
	err := q.write.QueryRowContext(ctx, `INSERT INTO outbox
		(app_id, kind, target, payload, attempts, next_attempt_at, created_at, delivered_at, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`,
		m.AppID, m.Kind, m.Target, m.Payload, m.Attempts, micros(m.NextAttempt), micros(m.CreatedAt),
		nullMicros(m.DeliveredAt), m.LastError).Scan(&id)
	if err != nil {
		return fmt.Errorf("enqueue %s for app %q: %w", m.Kind, m.AppID, classify(err))
	}
	m.ID = id
	return nil
}

// OutboxMessages lists the messages of an app, oldest first.
func (q *queries) OutboxMessages(ctx context.Context, appID string) ([]*zfb.OutboxMessage, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT id, app_id, kind, target, payload, attempts,
			next_attempt_at, created_at, delivered_at, last_error
		FROM outbox WHERE app_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, fmt.Errorf("outbox of app %q: %w", appID, err)
	}
	defer rows.Close()
	var ms []*zfb.OutboxMessage
	for rows.Next() {
		var (
			m                 zfb.OutboxMessage
			nextUS, createdUS int64
			deliveredUS       sql.NullInt64
		)
		if err := rows.Scan(&m.ID, &m.AppID, &m.Kind, &m.Target, &m.Payload, &m.Attempts,
			&nextUS, &createdUS, &deliveredUS, &m.LastError); err != nil {
			return nil, fmt.Errorf("outbox of app %q: %w", appID, err)
		}
		m.NextAttempt = fromMicros(nextUS)
		m.CreatedAt = fromMicros(createdUS)
		m.DeliveredAt = fromNullMicros(deliveredUS)
		ms = append(ms, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox of app %q: %w", appID, err)
	}
	return ms, nil
}

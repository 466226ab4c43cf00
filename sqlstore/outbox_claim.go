package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zfbpay/zfb"
)

// ClaimOutbox leases to owner, until leaseUntil (wall time), up to limit
// messages that are due at wallNow, earliest due first (by id among
// messages due at once): undelivered, with fewer than zfb.MaxNotifyAttempts
// sends, next_attempt_at (app time) at or before wallNow plus their app's
// clock offset, and unleased or leased until wallNow at the latest. None
// when limit is below 1.
//
// It is one statement. On PostgreSQL its SELECT locks the rows it picks
// and skips those locked by a concurrent claim (FOR UPDATE SKIP LOCKED),
// and re-checks a row committed by a claim that ended meanwhile against
// the new lease, so concurrent claimers never get the same message; the
// CTE is MATERIALIZED so that the SELECT, whose answer depends on locks,
// runs once. On SQLite the one writer runs one claim at a time.
//
// The second bound on next_attempt_at is implied by the first; it lets the
// scan of the claim index stop at the latest time due for any app, rather
// than read every undelivered message when few are due.
func (q *queries) ClaimOutbox(ctx context.Context, owner string, wallNow, leaseUntil time.Time, limit int) ([]*zfb.OutboxMessage, error) {
	if owner == "" {
		return nil, errors.New("claim outbox: no owner")
	}
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.write.QueryContext(ctx, `WITH due AS MATERIALIZED (
			SELECT o.id FROM outbox o JOIN apps a ON a.id = o.app_id
			WHERE o.delivered_at IS NULL AND o.attempts < $3
				AND o.next_attempt_at <= $4 + a.clock_offset_us
				AND o.next_attempt_at <= $4 + (SELECT max(clock_offset_us) FROM apps)
				AND (o.lease_until IS NULL OR o.lease_until <= $4)
			ORDER BY o.next_attempt_at, o.id
			LIMIT $5`+q.store.dialect.skipLocked+`
		)
		UPDATE outbox SET lease_owner = $1, lease_until = $2
		WHERE id IN (SELECT id FROM due)
		RETURNING `+outboxColumns,
		owner, micros(leaseUntil), zfb.MaxNotifyAttempts, micros(wallNow), limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox for %q: %w", owner, classify(err))
	}
	ms, err := scanAll(rows, scanOutbox)
	if err != nil {
		return nil, fmt.Errorf("claim outbox for %q: %w", owner, classify(err))
	}
	// RETURNING has no order.
	slices.SortFunc(ms, func(a, b *zfb.OutboxMessage) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), cmp.Compare(a.ID, b.ID))
	})
	return ms, nil
}

// CompleteAttempt records a scheduled send a of message id by owner, in
// one transaction: if owner still holds the message's lease and it is
// undelivered, it raises attempts, records a.Error as the last error, sets
// delivered_at to a.At when a.Acknowledged and otherwise next_attempt_at
// to next (zero: no more sends), releases the lease, and adds the attempt
// with the message's next number (after scheduled sends and replays alike),
// setting a.MessageID and a.N. Otherwise nothing is written: zfb.ErrStale
// when the lease is someone else's, nobody's, or the message was delivered
// meanwhile (by a replay); zfb.ErrNotFound when there is no such message.
//
// The conditional UPDATE comes first, so that it locks the message on
// PostgreSQL before the attempt's number is read: a concurrent replay of
// the message waits, and takes the number after.
func (q *queries) CompleteAttempt(ctx context.Context, id int64, owner string, a *zfb.OutboxAttempt, next time.Time) error {
	var delivered, nextUS any // NULL: unchanged
	if a.Acknowledged {
		delivered = micros(a.At)
	} else {
		nextUS = nextMicros(next)
	}
	err := q.inWriteTx(ctx, func(q *queries) error {
		res, err := q.write.ExecContext(ctx, `UPDATE outbox SET
				attempts = attempts + 1, last_error = $3,
				delivered_at = $4, next_attempt_at = COALESCE($5, next_attempt_at),
				lease_owner = '', lease_until = NULL
			WHERE id = $1 AND lease_owner = $2 AND lease_owner <> '' AND delivered_at IS NULL`,
			id, owner, a.Error, delivered, nextUS)
		if err != nil {
			return classify(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var exists bool
			err := q.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)`, id).Scan(&exists)
			switch {
			case err != nil:
				return err
			case !exists:
				return zfb.ErrNotFound
			}
			return fmt.Errorf("not leased to %q, or delivered: %w", owner, zfb.ErrStale)
		}
		return q.insertAttempt(ctx, id, a, false)
	})
	if err != nil {
		return fmt.Errorf("complete attempt on outbox message %d by %q: %w", id, owner, err)
	}
	return nil
}

// RecordReplay records a send outside the schedule, in one transaction:
// it sets delivered_at to a.At when a.Acknowledged and the message has
// none, and adds the attempt with the message's next number, as a replay,
// setting a.N and a.Replay. The attempts, the schedule, the last error and
// the lease are left alone. zfb.ErrNotFound when there is no message
// a.MessageID.
func (q *queries) RecordReplay(ctx context.Context, a *zfb.OutboxAttempt) error {
	var delivered any // NULL: unchanged
	if a.Acknowledged {
		delivered = micros(a.At)
	}
	err := q.inWriteTx(ctx, func(q *queries) error {
		// Also locks the message on PostgreSQL; see CompleteAttempt.
		res, err := q.write.ExecContext(ctx, `UPDATE outbox SET delivered_at = COALESCE(delivered_at, $2)
			WHERE id = $1`, a.MessageID, delivered)
		if err != nil {
			return classify(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return zfb.ErrNotFound
		}
		return q.insertAttempt(ctx, a.MessageID, a, true)
	})
	if err != nil {
		return fmt.Errorf("record replay of outbox message %d: %w", a.MessageID, err)
	}
	return nil
}

// insertAttempt adds a as the next attempt of message id, which the caller
// has locked, and sets a.MessageID, a.N and a.Replay.
func (q *queries) insertAttempt(ctx context.Context, id int64, a *zfb.OutboxAttempt, replay bool) error {
	var n int
	if err := q.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM outbox_attempts
		WHERE message_id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if _, err := q.write.ExecContext(ctx, `INSERT INTO outbox_attempts
		(`+attemptColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, n, micros(a.At), a.StatusCode, a.Body, a.Latency.Microseconds(), a.Error, a.Acknowledged, replay); err != nil {
		return classify(err)
	}
	a.MessageID, a.N, a.Replay = id, n, replay
	return nil
}

const attemptColumns = `message_id, n, at, status_code, body, latency_us, error, acknowledged, replay`

// OutboxAttempts lists the sends of a message, oldest (lowest n) first;
// none for a message that does not exist.
func (q *queries) OutboxAttempts(ctx context.Context, id int64) ([]*zfb.OutboxAttempt, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+attemptColumns+` FROM outbox_attempts
		WHERE message_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("attempts of outbox message %d: %w", id, err)
	}
	defer rows.Close()
	var as []*zfb.OutboxAttempt
	for rows.Next() {
		var (
			a               zfb.OutboxAttempt
			atUS, latencyUS int64
		)
		if err := rows.Scan(&a.MessageID, &a.N, &atUS, &a.StatusCode, &a.Body, &latencyUS, &a.Error,
			&a.Acknowledged, &a.Replay); err != nil {
			return nil, fmt.Errorf("attempts of outbox message %d: %w", id, err)
		}
		a.At = fromMicros(atUS)
		a.Latency = time.Duration(latencyUS) * time.Microsecond
		as = append(as, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("attempts of outbox message %d: %w", id, err)
	}
	return as, nil
}

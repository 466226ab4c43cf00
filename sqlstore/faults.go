package sqlstore

import (
	"context"
	"fmt"

	"github.com/zfbpay/zfb"
)

// CreateFault stores f and sets f.ID. Ids are never reused, not even those
// of deleted rules. An app that does not exist is zfb.ErrNotFound.
func (q *queries) CreateFault(ctx context.Context, f *zfb.Fault) error {
	return q.inWriteTx(ctx, func(q *queries) error {
		var id int64
		err := q.write.QueryRowContext(ctx, `INSERT INTO faults
			(app_id, method, out_trade_no, effect, delay_ms, sub_code, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id`,
			f.AppID, f.Method, f.OutTradeNo, f.Effect, f.DelayMS, f.SubCode, micros(f.CreatedAt)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create fault %s on %s for app %q: %w", f.Effect, f.Method, f.AppID, classify(err))
		}
		f.ID = id
		return q.raiseAppVersion(ctx, f.AppID)
	})
}

// raiseAppVersion marks a change of the app's fault rules as a change of
// its settings, so that a cached app and its rules are read again.
func (q *queries) raiseAppVersion(ctx context.Context, appID string) error {
	_, err := q.write.ExecContext(ctx, `UPDATE apps SET version = version + 1 WHERE id = $1`, appID)
	q.appsChanged()
	if err != nil {
		return fmt.Errorf("raise the version of app %q: %w", appID, err)
	}
	return nil
}

// Faults lists an app's fault rules, oldest (lowest id) first.
func (q *queries) Faults(ctx context.Context, appID string) ([]*zfb.Fault, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT id, app_id, method, out_trade_no, effect, delay_ms, sub_code, created_at
		FROM faults WHERE app_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, fmt.Errorf("faults of app %q: %w", appID, err)
	}
	defer rows.Close()
	var fs []*zfb.Fault
	for rows.Next() {
		var (
			f         zfb.Fault
			createdUS int64
		)
		if err := rows.Scan(&f.ID, &f.AppID, &f.Method, &f.OutTradeNo, &f.Effect, &f.DelayMS, &f.SubCode, &createdUS); err != nil {
			return nil, fmt.Errorf("faults of app %q: %w", appID, err)
		}
		f.CreatedAt = fromMicros(createdUS)
		fs = append(fs, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("faults of app %q: %w", appID, err)
	}
	return fs, nil
}

// DeleteFault removes the app's rule id: zfb.ErrNotFound when the app has no
// such rule, even if another app has.
func (q *queries) DeleteFault(ctx context.Context, appID string, id int64) error {
	return q.inWriteTx(ctx, func(q *queries) error {
		res, err := q.write.ExecContext(ctx, `DELETE FROM faults WHERE app_id = $1 AND id = $2`, appID, id)
		if err != nil {
			return fmt.Errorf("delete fault %d of app %q: %w", id, appID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("delete fault %d of app %q: %w", id, appID, err)
		}
		if n == 0 {
			return fmt.Errorf("delete fault %d of app %q: %w", id, appID, zfb.ErrNotFound)
		}
		return q.raiseAppVersion(ctx, appID)
	})
}

// DeleteFaults removes every rule of the app; none is no error.
func (q *queries) DeleteFaults(ctx context.Context, appID string) error {
	return q.inWriteTx(ctx, func(q *queries) error {
		if _, err := q.write.ExecContext(ctx, `DELETE FROM faults WHERE app_id = $1`, appID); err != nil {
			return fmt.Errorf("delete faults of app %q: %w", appID, err)
		}
		return q.raiseAppVersion(ctx, appID)
	})
}

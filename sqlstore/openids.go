package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/zfbpay/zfb"
)

// EnsureOpenID stores candidate as the buyer's open_id in the app unless
// the pair has one, and returns the one stored. Both backends take the
// unique (app_id, user_id) as the judge: a racing insert waits for the
// first and then does nothing, and the read that follows sees the winner's
// open_id (PostgreSQL commands run in READ COMMITTED, whose every statement
// sees what committed before it).
func (q *queries) EnsureOpenID(ctx context.Context, appID, userID, candidate string, at time.Time) (string, error) {
	var openID string
	err := q.inWriteTx(ctx, func(q *queries) error {
		_, err := q.write.ExecContext(ctx, `INSERT INTO open_ids (open_id, app_id, user_id, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (app_id, user_id) DO NOTHING`,
			candidate, appID, userID, micros(at))
		if err != nil {
			return classify(err)
		}
		return q.write.QueryRowContext(ctx, `SELECT open_id FROM open_ids WHERE app_id = $1 AND user_id = $2`,
			appID, userID).Scan(&openID)
	})
	if err != nil {
		return "", fmt.Errorf("issue open_id of %q in app %q: %w", userID, appID, err)
	}
	return openID, nil
}

// OpenID reads the buyer's open_id in the app.
func (q *queries) OpenID(ctx context.Context, appID, userID string) (string, error) {
	var openID string
	err := q.read.QueryRowContext(ctx, `SELECT open_id FROM open_ids WHERE app_id = $1 AND user_id = $2`,
		appID, userID).Scan(&openID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("open_id of %q in app %q: %w", userID, appID, zfb.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("open_id of %q in app %q: %w", userID, appID, err)
	}
	return openID, nil
}

// OpenIDOwner reads the app and buyer of an open_id by its primary key.
func (q *queries) OpenIDOwner(ctx context.Context, openID string) (appID, userID string, err error) {
	err = q.read.QueryRowContext(ctx, `SELECT app_id, user_id FROM open_ids WHERE open_id = $1`,
		openID).Scan(&appID, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("open_id %q: %w", openID, zfb.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("open_id %q: %w", openID, err)
	}
	return appID, userID, nil
}

// OpenIDs reads the buyer's open_ids, by app id.
func (q *queries) OpenIDs(ctx context.Context, userID string) (map[string]string, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT app_id, open_id FROM open_ids WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("open_ids of %q: %w", userID, err)
	}
	defer rows.Close()
	ids := map[string]string{}
	for rows.Next() {
		var appID, openID string
		if err := rows.Scan(&appID, &openID); err != nil {
			return nil, fmt.Errorf("open_ids of %q: %w", userID, err)
		}
		ids[appID] = openID
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open_ids of %q: %w", userID, err)
	}
	return ids, nil
}

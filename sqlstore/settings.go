package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zfbpay/zfb"
)

// Setting reads an instance-wide value; a key never set is zfb.ErrNotFound.
func (q *queries) Setting(ctx context.Context, key string) (string, error) {
	var value string
	err := q.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("setting %q: %w", key, zfb.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return value, nil
}

// PutSetting writes an instance-wide value, replacing any earlier one.
func (q *queries) PutSetting(ctx context.Context, key, value string) error {
	_, err := q.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("put setting %q: %w", key, err)
	}
	return nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zfbpay/zfb"
)

// Accounts lists the ledger accounts of one kind, or of every kind when
// kind is "", by kind and then id.
func (q *queries) Accounts(ctx context.Context, kind string) ([]*zfb.Account, error) {
	query := `SELECT id, kind, owner, currency, balance, floor FROM ledger_accounts`
	var args []any
	if kind != "" {
		query += ` WHERE kind = $1`
		args = append(args, kind)
	}
	rows, err := q.read.QueryContext(ctx, query+` ORDER BY kind, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts of kind %q: %w", kind, err)
	}
	defer rows.Close()
	var accounts []*zfb.Account
	for rows.Next() {
		var (
			a     zfb.Account
			floor sql.NullInt64
		)
		if err := rows.Scan(&a.ID, &a.Kind, &a.Owner, &a.Currency, &a.Balance, &floor); err != nil {
			return nil, fmt.Errorf("accounts of kind %q: %w", kind, err)
		}
		if floor.Valid {
			a.Floor = &floor.Int64
		}
		accounts = append(accounts, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts of kind %q: %w", kind, err)
	}
	return accounts, nil
}

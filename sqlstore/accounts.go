package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zfbpay/zfb"
)

// Accounts lists the ledger accounts of one kind, or of every kind when
// kind is "", by kind and then id, each balance with its pending entries.
func (q *queries) Accounts(ctx context.Context, kind string) ([]*zfb.Account, error) {
	query := `SELECT a.id, a.kind, a.owner, a.currency, ` + balanceSQL("a") + `, a.floor FROM ledger_accounts a`
	var args []any
	if kind != "" {
		query += ` WHERE a.kind = $1`
		args = append(args, kind)
	}
	rows, err := q.read.QueryContext(ctx, query+` ORDER BY a.kind, a.id`, args...)
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

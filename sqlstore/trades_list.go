package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/zfbpay/zfb"
)

// Trades lists the trades f selects, newest first. The WHERE clause holds
// only the conditions f asks for; the newest-first order walks the index
// trades_app_created (one app) or trades_created (every app).
func (q *queries) Trades(ctx context.Context, f zfb.TradeFilter) ([]*zfb.Trade, error) {
	if f.Limit < 1 {
		return nil, nil
	}
	var (
		where = []string{"kind <> $1"}
		args  = []any{zfb.TradeKindCancelled}
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.AppID != "" {
		where = append(where, "app_id = "+arg(f.AppID))
	}
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			in[i] = arg(string(s))
		}
		where = append(where, "status IN ("+strings.Join(in, ", ")+")")
	}
	if f.Number != "" {
		// substr rather than LIKE: a number may hold % or _, and LIKE
		// ignores case on SQLite but not on PostgreSQL.
		n, l := arg(f.Number), arg(len([]rune(f.Number)))
		where = append(where, fmt.Sprintf("(trade_no = %[1]s OR out_trade_no = %[1]s OR substr(trade_no, 1, %[2]s) = %[1]s OR substr(out_trade_no, 1, %[2]s) = %[1]s)", n, l))
	}
	if f.Before != nil {
		at, no := arg(micros(f.Before.CreatedAt)), arg(f.Before.TradeNo)
		where = append(where, fmt.Sprintf("(created_at < %[1]s OR (created_at = %[1]s AND trade_no < %[2]s))", at, no))
	}
	query := `SELECT ` + tradeColumns + ` FROM trades WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY created_at DESC, trade_no DESC LIMIT ` + arg(f.Limit)
	rows, err := q.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list trades: %w", err)
	}
	defer rows.Close()
	var trades []*zfb.Trade
	for rows.Next() {
		t, err := scanTrade(rows)
		if err != nil {
			return nil, fmt.Errorf("list trades: %w", err)
		}
		trades = append(trades, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list trades: %w", err)
	}
	return trades, nil
}

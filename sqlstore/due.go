package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/zfbpay/zfb"
)

// The scheduler's due work: each query reads one app's rows of one status
// whose time has come, at most limit of them (none when limit is below 1),
// oldest first, by their key among rows due at the same time. Each is a
// range scan of an index on (app_id, status, time, key) from migration
// 0006, or of one on (app_id, time, key) of rows of the status (0015),
// which gives the rows in order.

// expiredTradesQuery names its status as a literal: the partial index
// trades_app_waiting_expires (migration 0015) holds only that status. A
// planner uses a partial index only for a WHERE that implies the index's;
// with a bound status SQLite would prepare the statement again at each
// run to find out, and PostgreSQL's generic plan of a prepared statement
// could not use it.
const expiredTradesQuery = `SELECT ` + tradeColumns + ` FROM trades
	WHERE app_id = $1 AND status = '` + string(zfb.TradeWaitBuyerPay) + `' AND expires_at <= $2
	ORDER BY expires_at, trade_no LIMIT $3`

// ExpiredTrades lists the app's WAIT_BUYER_PAY trades whose expires_at is
// at or before now, earliest expiry first.
func (q *queries) ExpiredTrades(ctx context.Context, appID string, now time.Time, limit int) ([]*zfb.Trade, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, expiredTradesQuery, appID, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("expired trades of app %q: %w", appID, err)
	}
	ts, err := scanAll(rows, scanTrade)
	if err != nil {
		return nil, fmt.Errorf("expired trades of app %q: %w", appID, err)
	}
	return ts, nil
}

// FinishableTrades lists the app's TRADE_SUCCESS trades paid at or before
// paidBefore, earliest payment first.
func (q *queries) FinishableTrades(ctx context.Context, appID string, paidBefore time.Time, limit int) ([]*zfb.Trade, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, `SELECT `+tradeColumns+` FROM trades
		WHERE app_id = $1 AND status = $2 AND paid_at <= $3
		ORDER BY paid_at, trade_no LIMIT $4`,
		appID, string(zfb.TradeSuccess), micros(paidBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("finishable trades of app %q: %w", appID, err)
	}
	ts, err := scanAll(rows, scanTrade)
	if err != nil {
		return nil, fmt.Errorf("finishable trades of app %q: %w", appID, err)
	}
	return ts, nil
}

// ExpiredAuthOrders lists the app's INIT authorisation orders whose
// expires_at is at or before now, earliest expiry first, leaving out the
// tombstones of cancelled out_order_nos (zfb.AuthKindCancelled).
func (q *queries) ExpiredAuthOrders(ctx context.Context, appID string, now time.Time, limit int) ([]*zfb.AuthOrder, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, `SELECT `+authOrderColumns+` FROM fund_auth_orders
		WHERE app_id = $1 AND status = $2 AND expires_at <= $3 AND kind <> $5
		ORDER BY expires_at, auth_no LIMIT $4`,
		appID, string(zfb.AuthOrderInit), micros(now), limit, zfb.AuthKindCancelled)
	if err != nil {
		return nil, fmt.Errorf("expired fund auth orders of app %q: %w", appID, err)
	}
	orders, err := scanAll(rows, scanAuthOrder)
	if err != nil {
		return nil, fmt.Errorf("expired fund auth orders of app %q: %w", appID, err)
	}
	return orders, nil
}

// ExpiredIntlPayments lists the app's INIT international payments whose
// expires_at is at or before now, earliest expiry first, leaving out the
// tombstones of cancelled merchantTransIds (zfb.IntlKindCancelled).
func (q *queries) ExpiredIntlPayments(ctx context.Context, appID string, now time.Time, limit int) ([]*zfb.IntlPayment, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, `SELECT `+intlPaymentColumns+` FROM intl_payments
		WHERE app_id = $1 AND status = $2 AND expires_at <= $3 AND kind <> $5
		ORDER BY expires_at, acquirement_id LIMIT $4`,
		appID, string(zfb.IntlPaymentInit), micros(now), limit, zfb.IntlKindCancelled)
	if err != nil {
		return nil, fmt.Errorf("expired intl payments of app %q: %w", appID, err)
	}
	ps, err := scanAll(rows, scanIntlPayment)
	if err != nil {
		return nil, fmt.Errorf("expired intl payments of app %q: %w", appID, err)
	}
	return ps, nil
}

// scanAll reads every row of rows with scan and closes them.
func scanAll[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var ts []*T
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ts, nil
}

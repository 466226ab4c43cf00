package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zfbpay/zfb"
)

const tradeColumns = `trade_no, app_id, out_trade_no, kind, status, seller_id, buyer_id, subject, body, auth_no,
	total_amount, refunded_amount, fingerprint, qr_code, scanned, notify_url,
	expires_at, created_at, paid_at, closed_at, cancel_action, version, agent_app_id, passback_params`

// CreateTrade stores t with Version 1, and sets t.Version once it is stored.
// The app's out_trade_no or the trade_no already taken is zfb.ErrConflict;
// an app that does not exist is zfb.ErrNotFound. A zero ExpiresAt, PaidAt or
// ClosedAt is stored as NULL.
func (q *queries) CreateTrade(ctx context.Context, t *zfb.Trade) error {
	_, err := q.insertTrade(ctx, t, "")
	return err
}

// CreateTradeIfNew stores t as CreateTrade does unless the app already has
// its out_trade_no, and then returns that trade instead. The INSERT does
// nothing on that conflict (ON CONFLICT … DO NOTHING: on PostgreSQL a
// failed statement would abort the caller's transaction), and only then is
// the trade read: a new trade costs one statement, not a read and an
// insert. On PostgreSQL the INSERT waits for a concurrent transaction that
// inserted the same out_trade_no, and the read that follows sees it
// committed (READ COMMITTED).
func (q *queries) CreateTradeIfNew(ctx context.Context, t *zfb.Trade) (*zfb.Trade, error) {
	inserted, err := q.insertTrade(ctx, t, " ON CONFLICT (app_id, out_trade_no) DO NOTHING")
	if err != nil || inserted {
		return nil, err
	}
	existing, err := q.TradeByOutTradeNo(ctx, t.AppID, t.OutTradeNo)
	if err != nil {
		return nil, fmt.Errorf("create trade %q: %w", t.TradeNo, err)
	}
	return existing, nil
}

// insertTrade inserts t, the INSERT ending with onConflict, and reports
// whether it stored a row.
func (q *queries) insertTrade(ctx context.Context, t *zfb.Trade, onConflict string) (bool, error) {
	if t.TradeNo == "" || t.AppID == "" || t.OutTradeNo == "" {
		return false, fmt.Errorf("create trade %q: a trade needs a trade_no, an app id and an out_trade_no", t.TradeNo)
	}
	res, err := q.write.ExecContext(ctx, `INSERT INTO trades (`+tradeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1, $22, $23)`+onConflict,
		t.TradeNo, t.AppID, t.OutTradeNo, t.Kind, string(t.Status), t.SellerID, t.BuyerID, t.Subject, t.Body, t.AuthNo,
		t.TotalAmount, t.RefundedAmount, t.Fingerprint, t.QRCode, t.Scanned, t.NotifyURL,
		microsOrNull(t.ExpiresAt), micros(t.CreatedAt), microsOrNull(t.PaidAt), microsOrNull(t.ClosedAt),
		t.CancelAction, t.AgentAppID, t.PassbackParams)
	if err != nil {
		return false, fmt.Errorf("create trade %q (out_trade_no %q of app %q): %w", t.TradeNo, t.OutTradeNo, t.AppID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("create trade %q: %w", t.TradeNo, err)
	}
	if n == 0 {
		return false, nil
	}
	t.Version = 1
	return true, nil
}

// Trade reads a trade by trade_no.
func (q *queries) Trade(ctx context.Context, tradeNo string) (*zfb.Trade, error) {
	t, err := scanTrade(q.read.QueryRowContext(ctx, `SELECT `+tradeColumns+` FROM trades WHERE trade_no = $1`, tradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("trade %q: %w", tradeNo, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("trade %q: %w", tradeNo, err)
	}
	return t, nil
}

// TradeByOutTradeNo reads the trade of an app by its out_trade_no.
func (q *queries) TradeByOutTradeNo(ctx context.Context, appID, outTradeNo string) (*zfb.Trade, error) {
	t, err := scanTrade(q.read.QueryRowContext(ctx, `SELECT `+tradeColumns+` FROM trades
		WHERE app_id = $1 AND out_trade_no = $2`, appID, outTradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("trade with out_trade_no %q of app %q: %w", outTradeNo, appID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("trade with out_trade_no %q of app %q: %w", outTradeNo, appID, err)
	}
	return t, nil
}

func scanTrade(r scanner) (*zfb.Trade, error) {
	// One allocation for the trade and the columns converted after the
	// scan, instead of one for each (Scan's pointers make them escape).
	var row struct {
		t                          zfb.Trade
		status                     string
		createdUS                  int64
		expiresUS, paidUS, closeUS sql.NullInt64
	}
	t := &row.t
	if err := r.Scan(&t.TradeNo, &t.AppID, &t.OutTradeNo, &t.Kind, &row.status, &t.SellerID, &t.BuyerID, &t.Subject, &t.Body, &t.AuthNo,
		&t.TotalAmount, &t.RefundedAmount, &t.Fingerprint, &t.QRCode, &t.Scanned, &t.NotifyURL,
		&row.expiresUS, &row.createdUS, &row.paidUS, &row.closeUS, &t.CancelAction, &t.Version, &t.AgentAppID, &t.PassbackParams); err != nil {
		return nil, err
	}
	t.Status = zfb.TradeStatus(row.status)
	t.ExpiresAt = fromMicrosOrZero(row.expiresUS)
	t.CreatedAt = fromMicros(row.createdUS)
	t.PaidAt = fromMicrosOrZero(row.paidUS)
	t.ClosedAt = fromMicrosOrZero(row.closeUS)
	return t, nil
}

// UpdateTrade writes t's fields over the stored trade if the stored version
// is still t.Version, raising the version by one, and then increments
// t.Version. It writes every field but those fixed when the trade was made:
// trade_no, app id, out_trade_no, kind, seller, fund authorisation (auth_no),
// total amount, fingerprint, passback_params and creation time, which it leaves as they are
// whatever t says.
//
// The version check and the write are one conditional UPDATE, which
// PostgreSQL re-checks against the latest committed row after waiting for a
// concurrent writer of it: of several commands that read one version, one
// writes and the others get zfb.ErrStale, with nothing written. A trade that
// does not exist is zfb.ErrNotFound.
func (q *queries) UpdateTrade(ctx context.Context, t *zfb.Trade) error {
	res, err := q.write.ExecContext(ctx, `UPDATE trades SET
			status = $3, buyer_id = $4, subject = $5, body = $6, refunded_amount = $7,
			qr_code = $8, scanned = $9, notify_url = $10, expires_at = $11,
			paid_at = $12, closed_at = $13, cancel_action = $14,
			version = version + 1
		WHERE trade_no = $1 AND version = $2`,
		t.TradeNo, t.Version,
		string(t.Status), t.BuyerID, t.Subject, t.Body, t.RefundedAmount,
		t.QRCode, t.Scanned, t.NotifyURL, microsOrNull(t.ExpiresAt),
		microsOrNull(t.PaidAt), microsOrNull(t.ClosedAt), t.CancelAction)
	if err != nil {
		return fmt.Errorf("update trade %q: %w", t.TradeNo, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update trade %q: %w", t.TradeNo, err)
	}
	if n == 1 {
		t.Version++
		return nil
	}
	// No row: either no such trade, or it is at another version.
	var exists bool
	err = q.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM trades WHERE trade_no = $1)`, t.TradeNo).Scan(&exists)
	if err != nil {
		return fmt.Errorf("update trade %q: %w", t.TradeNo, err)
	}
	if !exists {
		return fmt.Errorf("update trade %q: %w", t.TradeNo, zfb.ErrNotFound)
	}
	return fmt.Errorf("update trade %q at version %d: %w", t.TradeNo, t.Version, zfb.ErrStale)
}

const refundColumns = `trade_no, out_request_no, amount, reason, by_cancel, created_at`

// CreateRefund stores r. The trade's out_request_no already taken is
// zfb.ErrConflict; a trade that does not exist is zfb.ErrNotFound.
func (q *queries) CreateRefund(ctx context.Context, r *zfb.Refund) error {
	_, err := q.write.ExecContext(ctx, `INSERT INTO refunds (`+refundColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		r.TradeNo, r.OutRequestNo, r.Amount, r.Reason, r.ByCancel, micros(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("create refund %q of trade %q: %w", r.OutRequestNo, r.TradeNo, classify(err))
	}
	return nil
}

// Refund reads one refund of a trade.
func (q *queries) Refund(ctx context.Context, tradeNo, outRequestNo string) (*zfb.Refund, error) {
	r, err := scanRefund(q.read.QueryRowContext(ctx, `SELECT `+refundColumns+` FROM refunds
		WHERE trade_no = $1 AND out_request_no = $2`, tradeNo, outRequestNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("refund %q of trade %q: %w", outRequestNo, tradeNo, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("refund %q of trade %q: %w", outRequestNo, tradeNo, err)
	}
	return r, nil
}

// Refunds lists a trade's refunds, oldest first (by out_request_no among
// refunds made at the same time); none for a trade that does not exist.
func (q *queries) Refunds(ctx context.Context, tradeNo string) ([]*zfb.Refund, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+refundColumns+` FROM refunds
		WHERE trade_no = $1 ORDER BY created_at, out_request_no`, tradeNo)
	if err != nil {
		return nil, fmt.Errorf("refunds of trade %q: %w", tradeNo, err)
	}
	defer rows.Close()
	var rs []*zfb.Refund
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, fmt.Errorf("refunds of trade %q: %w", tradeNo, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("refunds of trade %q: %w", tradeNo, err)
	}
	return rs, nil
}

func scanRefund(row scanner) (*zfb.Refund, error) {
	var (
		r         zfb.Refund
		createdUS int64
	)
	if err := row.Scan(&r.TradeNo, &r.OutRequestNo, &r.Amount, &r.Reason, &r.ByCancel, &createdUS); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicros(createdUS)
	return &r, nil
}

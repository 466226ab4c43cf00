package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/zfbpay/zfb"
)

// CreateBuyer stores the buyer's identity; a taken user id, logon id or
// payment code is zfb.ErrConflict. Balance is not stored here: it is the
// balance of the buyer's ledger account.
func (q *queries) CreateBuyer(ctx context.Context, b *zfb.Buyer) error {
	_, err := q.write.ExecContext(ctx, `INSERT INTO buyers (user_id, logon_id, payment_code, behaviour, created_at)
		VALUES ($1, $2, $3, $4, $5)`,
		b.UserID, b.LogonID, b.PaymentCode, b.Behaviour, micros(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("create buyer %q: %w", b.UserID, classify(err))
	}
	return nil
}

// buyerSelect reads buyers with the balance of their CNY account (pending
// entries included), joined by the account id zfb.BuyerAccount gives:
// $1 || user_id || $2, with $1 and $2 from buyerAccountAffixes. Further
// parameters start at $3.
var buyerSelect = `SELECT b.user_id, b.logon_id, b.payment_code, b.behaviour, b.restricted, b.created_at,
		COALESCE(` + balanceSQL("a") + `, 0)
	FROM buyers b
	LEFT JOIN ledger_accounts a ON a.id = $1 || b.user_id || $2`

// buyerAccountAffixes are what zfb.BuyerAccount(userID, CNY) puts before
// and after the user id.
func buyerAccountAffixes() (prefix, suffix string) { return buyerPrefix, buyerSuffix }

// buyerPrefix and buyerSuffix are computed once: the naming rule is fixed.
var buyerPrefix, buyerSuffix = accountAffixes(zfb.BuyerAccount)

// The buyer queries by key, built once rather than on every call.
// buyerByPaymentCodeSQL reads no balance (0 in its place, for scanBuyer):
// it serves payments, whose money the ledger checks as it moves it, and
// the account's join and the sum of its pending entries were most of its
// cost on PostgreSQL.
var (
	buyerByUserIDSQL      = buyerSelect + ` WHERE b.user_id = $3`
	buyerByPaymentCodeSQL = `SELECT b.user_id, b.logon_id, b.payment_code, b.behaviour, b.restricted, b.created_at, 0
	FROM buyers b WHERE b.payment_code = $1`
)

// accountAffixes are what the naming rule account puts before and after a
// user id in a CNY account's id, so that SQL builds the same account ids
// ($prefix || user_id || $suffix) without restating the rule.
func accountAffixes(account func(userID, currency string) string) (prefix, suffix string) {
	const mark = "\x00"
	prefix, suffix, _ = strings.Cut(account(mark, zfb.CNY), mark)
	return prefix, suffix
}

// Buyer reads a buyer by user id, with the balance of their CNY account.
func (q *queries) Buyer(ctx context.Context, userID string) (*zfb.Buyer, error) {
	prefix, suffix := buyerAccountAffixes()
	return q.buyerWhere(ctx, "user id", userID, buyerByUserIDSQL, prefix, suffix, userID)
}

// BuyerByPaymentCode reads the buyer whose payment code is code, without
// a balance (buyerByPaymentCodeSQL).
func (q *queries) BuyerByPaymentCode(ctx context.Context, code string) (*zfb.Buyer, error) {
	return q.buyerWhere(ctx, "payment code", code, buyerByPaymentCodeSQL, code)
}

// buyerWhere reads the one buyer query selects with args; what and key
// name the buyer in errors.
func (q *queries) buyerWhere(ctx context.Context, what, key, query string, args ...any) (*zfb.Buyer, error) {
	b, err := scanBuyer(q.read.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("buyer with %s %q: %w", what, key, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("buyer with %s %q: %w", what, key, err)
	}
	return b, nil
}

// SetBuyerRestricted restricts a buyer's account, or lifts the restriction.
// A buyer that does not exist is zfb.ErrNotFound.
func (q *queries) SetBuyerRestricted(ctx context.Context, userID string, restricted bool) error {
	res, err := q.write.ExecContext(ctx, `UPDATE buyers SET restricted = $2 WHERE user_id = $1`, userID, restricted)
	if err != nil {
		return fmt.Errorf("restrict buyer %q: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("restrict buyer %q: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("restrict buyer %q: %w", userID, zfb.ErrNotFound)
	}
	return nil
}

// Buyers lists every buyer, oldest first.
func (q *queries) Buyers(ctx context.Context) ([]*zfb.Buyer, error) {
	prefix, suffix := buyerAccountAffixes()
	rows, err := q.read.QueryContext(ctx, buyerSelect+` ORDER BY b.created_at, b.user_id`, prefix, suffix)
	if err != nil {
		return nil, fmt.Errorf("buyers: %w", err)
	}
	defer rows.Close()
	var buyers []*zfb.Buyer
	for rows.Next() {
		b, err := scanBuyer(rows)
		if err != nil {
			return nil, fmt.Errorf("buyers: %w", err)
		}
		buyers = append(buyers, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("buyers: %w", err)
	}
	return buyers, nil
}

func scanBuyer(r scanner) (*zfb.Buyer, error) {
	var (
		b         zfb.Buyer
		createdUS int64
	)
	if err := r.Scan(&b.UserID, &b.LogonID, &b.PaymentCode, &b.Behaviour, &b.Restricted, &createdUS, &b.Balance); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMicros(createdUS)
	return &b, nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zfbpay/zfb"
)

const intlPaymentColumns = `acquirement_id, app_id, merchant_trans_id, kind, status, seller_id, buyer_id,
	order_title, currency, amount, paid_cny, refunded_amount, refunded_cny,
	fingerprint, notify_url, expires_at, created_at, paid_at, closed_at, cancelled_at,
	cancel_action, version`

// CreateIntlPayment stores p with Version 1, and sets p.Version once it is
// stored. The app's merchantTransId or the acquirementId already taken is
// zfb.ErrConflict; an app that does not exist is zfb.ErrNotFound. A zero
// ExpiresAt, PaidAt, ClosedAt or CancelledAt is stored as NULL. Amounts the
// schema refuses (none for a payment, more refunded than paid) are a plain
// error; only a zfb.IntlKindCancelled tombstone may have amount 0.
func (q *queries) CreateIntlPayment(ctx context.Context, p *zfb.IntlPayment) error {
	_, err := q.insertIntlPayment(ctx, p, "")
	return err
}

// CreateIntlPaymentIfNew stores p as CreateIntlPayment does, unless the
// app already has its merchantTransId: then it stores nothing and returns
// that payment, and the transaction goes on (ON CONFLICT DO NOTHING:
// PostgreSQL aborts a transaction at a unique violation).
func (q *queries) CreateIntlPaymentIfNew(ctx context.Context, p *zfb.IntlPayment) (*zfb.IntlPayment, error) {
	inserted, err := q.insertIntlPayment(ctx, p, " ON CONFLICT (app_id, merchant_trans_id) DO NOTHING")
	if err != nil || inserted {
		return nil, err
	}
	existing, err := q.IntlPaymentByMerchantTransID(ctx, p.AppID, p.MerchantTransID)
	if err != nil {
		return nil, fmt.Errorf("create intl payment %q: %w", p.AcquirementID, err)
	}
	return existing, nil
}

// insertIntlPayment inserts p, the INSERT ending with onConflict, and
// reports whether it stored a row.
func (q *queries) insertIntlPayment(ctx context.Context, p *zfb.IntlPayment, onConflict string) (bool, error) {
	if p.AcquirementID == "" || p.AppID == "" || p.MerchantTransID == "" {
		return false, fmt.Errorf("create intl payment %q: a payment needs an acquirementId, an app id and a merchantTransId", p.AcquirementID)
	}
	res, err := q.write.ExecContext(ctx, `INSERT INTO intl_payments (`+intlPaymentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)`+onConflict,
		p.AcquirementID, p.AppID, p.MerchantTransID, p.Kind, string(p.Status), p.SellerID, p.BuyerID,
		p.OrderTitle, p.Currency, p.Amount, p.PaidCNY, p.RefundedAmount, p.RefundedCNY,
		p.Fingerprint, p.NotifyURL,
		microsOrNull(p.ExpiresAt), micros(p.CreatedAt), microsOrNull(p.PaidAt), microsOrNull(p.ClosedAt), microsOrNull(p.CancelledAt),
		p.CancelAction)
	if err != nil {
		return false, fmt.Errorf("create intl payment %q (merchantTransId %q of app %q): %w", p.AcquirementID, p.MerchantTransID, p.AppID, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("create intl payment %q: %w", p.AcquirementID, err)
	} else if n == 0 {
		return false, nil
	}
	p.Version = 1
	return true, nil
}

// IntlPayment reads an international payment by acquirementId.
func (q *queries) IntlPayment(ctx context.Context, acquirementID string) (*zfb.IntlPayment, error) {
	p, err := scanIntlPayment(q.read.QueryRowContext(ctx, `SELECT `+intlPaymentColumns+` FROM intl_payments
		WHERE acquirement_id = $1`, acquirementID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intl payment %q: %w", acquirementID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("intl payment %q: %w", acquirementID, err)
	}
	return p, nil
}

// IntlPaymentByMerchantTransID reads the international payment of an app by
// its merchantTransId.
func (q *queries) IntlPaymentByMerchantTransID(ctx context.Context, appID, merchantTransID string) (*zfb.IntlPayment, error) {
	p, err := scanIntlPayment(q.read.QueryRowContext(ctx, `SELECT `+intlPaymentColumns+` FROM intl_payments
		WHERE app_id = $1 AND merchant_trans_id = $2`, appID, merchantTransID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intl payment with merchantTransId %q of app %q: %w", merchantTransID, appID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("intl payment with merchantTransId %q of app %q: %w", merchantTransID, appID, err)
	}
	return p, nil
}

// IntlPayments lists an app's international payments, newest (latest
// created_at) first, by acquirementId descending among payments made at
// the same time, at most limit of them: none when limit is below 1, and
// none for an app that does not exist. The tombstones of cancelled
// merchantTransIds (zfb.IntlKindCancelled) are no payments and are left
// out.
func (q *queries) IntlPayments(ctx context.Context, appID string, limit int) ([]*zfb.IntlPayment, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, `SELECT `+intlPaymentColumns+` FROM intl_payments
		WHERE app_id = $1 AND kind <> $3 ORDER BY created_at DESC, acquirement_id DESC LIMIT $2`,
		appID, limit, zfb.IntlKindCancelled)
	if err != nil {
		return nil, fmt.Errorf("intl payments of app %q: %w", appID, err)
	}
	defer rows.Close()
	var ps []*zfb.IntlPayment
	for rows.Next() {
		p, err := scanIntlPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("intl payments of app %q: %w", appID, err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intl payments of app %q: %w", appID, err)
	}
	return ps, nil
}

func scanIntlPayment(r scanner) (*zfb.IntlPayment, error) {
	var (
		p                                    zfb.IntlPayment
		status                               string
		createdUS                            int64
		expiresUS, paidUS, closeUS, cancelUS sql.NullInt64
	)
	if err := r.Scan(&p.AcquirementID, &p.AppID, &p.MerchantTransID, &p.Kind, &status, &p.SellerID, &p.BuyerID,
		&p.OrderTitle, &p.Currency, &p.Amount, &p.PaidCNY, &p.RefundedAmount, &p.RefundedCNY,
		&p.Fingerprint, &p.NotifyURL, &expiresUS, &createdUS, &paidUS, &closeUS, &cancelUS,
		&p.CancelAction, &p.Version); err != nil {
		return nil, err
	}
	p.Status = zfb.IntlPaymentStatus(status)
	p.ExpiresAt = fromMicrosOrZero(expiresUS)
	p.CreatedAt = fromMicros(createdUS)
	p.PaidAt = fromMicrosOrZero(paidUS)
	p.ClosedAt = fromMicrosOrZero(closeUS)
	p.CancelledAt = fromMicrosOrZero(cancelUS)
	return &p, nil
}

// UpdateIntlPayment writes p's fields over the stored payment if the stored
// version is still p.Version, raising the version by one, and then
// increments p.Version. It writes the status, the buyer, what the buyer paid
// in CNY, the refunded amounts, the notify URL, the expiry, payment, closing
// and cancellation times and the cancel action; the fields fixed when the
// payment was made (acquirementId, app id, merchantTransId, kind, seller,
// order title, currency, amount, fingerprint and creation time) stay as they
// are whatever p says.
//
// As with UpdateTrade, the version check and the write are one conditional
// UPDATE: of several commands that read one version, one writes and the
// others get zfb.ErrStale, with nothing written. A payment that does not
// exist is zfb.ErrNotFound. Amounts the schema refuses (a negative one, more
// refunded than paid) are a plain error.
func (q *queries) UpdateIntlPayment(ctx context.Context, p *zfb.IntlPayment) error {
	res, err := q.write.ExecContext(ctx, `UPDATE intl_payments SET
			status = $3, buyer_id = $4, paid_cny = $5, refunded_amount = $6, refunded_cny = $7,
			notify_url = $8, expires_at = $9, paid_at = $10, closed_at = $11, cancelled_at = $12,
			cancel_action = $13,
			version = version + 1
		WHERE acquirement_id = $1 AND version = $2`,
		p.AcquirementID, p.Version,
		string(p.Status), p.BuyerID, p.PaidCNY, p.RefundedAmount, p.RefundedCNY,
		p.NotifyURL, microsOrNull(p.ExpiresAt), microsOrNull(p.PaidAt), microsOrNull(p.ClosedAt), microsOrNull(p.CancelledAt),
		p.CancelAction)
	if err != nil {
		return fmt.Errorf("update intl payment %q: %w", p.AcquirementID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update intl payment %q: %w", p.AcquirementID, err)
	}
	if n == 1 {
		p.Version++
		return nil
	}
	// No row: either no such payment, or it is at another version.
	var exists bool
	err = q.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM intl_payments WHERE acquirement_id = $1)`, p.AcquirementID).Scan(&exists)
	if err != nil {
		return fmt.Errorf("update intl payment %q: %w", p.AcquirementID, err)
	}
	if !exists {
		return fmt.Errorf("update intl payment %q: %w", p.AcquirementID, zfb.ErrNotFound)
	}
	return fmt.Errorf("update intl payment %q at version %d: %w", p.AcquirementID, p.Version, zfb.ErrStale)
}

const intlRefundColumns = `acquirement_id, merchant_refund_id, refund_id, amount, amount_cny,
	reason, by_cancel, created_at`

// CreateIntlRefund stores r. The payment's merchantRefundId or the refundId
// already taken is zfb.ErrConflict; a payment that does not exist is
// zfb.ErrNotFound. A refund of nothing, or one that gives back a negative
// CNY amount, is a plain error.
func (q *queries) CreateIntlRefund(ctx context.Context, r *zfb.IntlRefund) error {
	if r.AcquirementID == "" || r.MerchantRefundID == "" || r.RefundID == "" {
		return fmt.Errorf("create intl refund %q: a refund needs an acquirementId, a merchantRefundId and a refundId", r.RefundID)
	}
	_, err := q.write.ExecContext(ctx, `INSERT INTO intl_refunds (`+intlRefundColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.AcquirementID, r.MerchantRefundID, r.RefundID, r.Amount, r.AmountCNY,
		r.Reason, r.ByCancel, micros(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("create intl refund %q (merchantRefundId %q of payment %q): %w",
			r.RefundID, r.MerchantRefundID, r.AcquirementID, classify(err))
	}
	return nil
}

// IntlRefund reads one refund of a payment by its merchantRefundId.
func (q *queries) IntlRefund(ctx context.Context, acquirementID, merchantRefundID string) (*zfb.IntlRefund, error) {
	r, err := scanIntlRefund(q.read.QueryRowContext(ctx, `SELECT `+intlRefundColumns+` FROM intl_refunds
		WHERE acquirement_id = $1 AND merchant_refund_id = $2`, acquirementID, merchantRefundID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("intl refund %q of payment %q: %w", merchantRefundID, acquirementID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("intl refund %q of payment %q: %w", merchantRefundID, acquirementID, err)
	}
	return r, nil
}

// IntlRefunds lists a payment's refunds, oldest first (by merchantRefundId
// among refunds made at the same time); none for a payment that does not
// exist.
func (q *queries) IntlRefunds(ctx context.Context, acquirementID string) ([]*zfb.IntlRefund, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+intlRefundColumns+` FROM intl_refunds
		WHERE acquirement_id = $1 ORDER BY created_at, merchant_refund_id`, acquirementID)
	if err != nil {
		return nil, fmt.Errorf("intl refunds of payment %q: %w", acquirementID, err)
	}
	defer rows.Close()
	var rs []*zfb.IntlRefund
	for rows.Next() {
		r, err := scanIntlRefund(rows)
		if err != nil {
			return nil, fmt.Errorf("intl refunds of payment %q: %w", acquirementID, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intl refunds of payment %q: %w", acquirementID, err)
	}
	return rs, nil
}

func scanIntlRefund(row scanner) (*zfb.IntlRefund, error) {
	var (
		r         zfb.IntlRefund
		createdUS int64
	)
	if err := row.Scan(&r.AcquirementID, &r.MerchantRefundID, &r.RefundID, &r.Amount, &r.AmountCNY,
		&r.Reason, &r.ByCancel, &createdUS); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicros(createdUS)
	return &r, nil
}

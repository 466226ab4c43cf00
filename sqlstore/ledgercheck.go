package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/zfbpay/zfb"
)

// maxFailuresPerCheck bounds how many failures one broken invariant adds to
// a report, so that a badly broken ledger still gives a readable one.
const maxFailuresPerCheck = 50

// CheckLedger verifies the ledger's invariants on one consistent snapshot:
// the entries of each currency sum to zero; each transfer has exactly two
// entries, its amount taken from the debit account and given to the credit
// account; each balance column equals the sum of its folded entries (so
// each balance, pending entries included, equals the sum of all its
// entries); no pending entry is a debit of an account with a floor; no
// balance is below its floor. And the ledger agrees with fund authorisation: each order's
// freeze, unfreeze and auth_pay transfers (Ref = auth_no) sum to its
// frozen, unfrozen and paid totals, no such transfer names anything but an
// order; and each buyer's frozen account holds what their orders leave
// frozen, zero for a buyer with none. And the ledger agrees with
// international acquiring: each payment's intl_pay and intl_refund
// transfers (Ref = acquirementId) move through the fx accounts what it
// records (see intlChecks).
func (q *queries) CheckLedger(ctx context.Context) (*zfb.LedgerReport, error) {
	r := &zfb.LedgerReport{Totals: map[string]int64{}, Failures: []string{}}
	err := q.inReadTx(ctx, func(q *queries) error {
		r.Totals, r.Failures = map[string]int64{}, []string{}
		if err := q.read.QueryRowContext(ctx, `SELECT
				(SELECT COUNT(*) FROM ledger_accounts),
				(SELECT COUNT(*) FROM ledger_transfers)`).Scan(&r.Accounts, &r.Transfers); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		frozenPrefix, frozenSuffix := accountAffixes(zfb.BuyerFrozenAccount)
		checks := []ledgerCheck{{
			name: "currency totals",
			query: `SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ledger_entries
				GROUP BY currency ORDER BY currency`,
			failure: func(rows *sql.Rows) (string, error) {
				var (
					currency string
					total    int64
				)
				if err := rows.Scan(&currency, &total); err != nil {
					return "", err
				}
				r.Totals[currency] = total
				if total != 0 {
					return fmt.Sprintf("currency %s: entries sum to %d, not 0", currency, total), nil
				}
				return "", nil
			},
		}, {
			name: "transfer entries",
			query: `SELECT t.id, COUNT(e.id), CAST(COALESCE(SUM(e.amount), 0) AS BIGINT)
				FROM ledger_transfers t
				LEFT JOIN ledger_entries e ON e.transfer_id = t.id
				GROUP BY t.id
				HAVING COUNT(e.id) <> 2
					OR COALESCE(SUM(e.amount), 0) <> 0
					OR SUM(CASE
						WHEN e.account_id = t.debit_account AND e.amount = -t.amount AND e.currency = t.currency THEN 1
						WHEN e.account_id = t.credit_account AND e.amount = t.amount AND e.currency = t.currency THEN 1
						ELSE 0 END) <> 2
				ORDER BY t.id`,
			failure: func(rows *sql.Rows) (string, error) {
				var id, n, sum int64
				if err := rows.Scan(&id, &n, &sum); err != nil {
					return "", err
				}
				return fmt.Sprintf("transfer %d: %d entries summing to %d; want two, -amount from its debit account and +amount to its credit account", id, n, sum), nil
			},
		}, {
			// The balance column holds the folded entries; the pending
			// ones are added to it wherever a balance is read. So a
			// balance equals the sum of its entries exactly when the
			// column equals the sum of the folded ones.
			name: "balances",
			query: `SELECT a.id, ` + balanceSQL("a") + `, CAST(COALESCE(SUM(e.amount), 0) AS BIGINT)
				FROM ledger_accounts a
				LEFT JOIN ledger_entries e ON e.account_id = a.id
				GROUP BY a.id, a.balance
				HAVING a.balance <> COALESCE(SUM(CASE WHEN e.pending THEN 0 ELSE e.amount END), 0)
				ORDER BY a.id`,
			failure: func(rows *sql.Rows) (string, error) {
				var (
					id           string
					balance, sum int64
				)
				if err := rows.Scan(&id, &balance, &sum); err != nil {
					return "", err
				}
				return fmt.Sprintf("account %s: balance %d, but its entries sum to %d", id, balance, sum), nil
			},
		}, {
			// Only an entry that cannot break a floor may be pending: a
			// credit, or a debit of an account without a floor.
			name: "pending debits",
			query: `SELECT e.id, e.account_id, e.amount FROM ledger_entries e
				JOIN ledger_accounts a ON a.id = e.account_id
				WHERE e.pending AND e.amount < 0 AND a.floor IS NOT NULL ORDER BY e.id`,
			failure: func(rows *sql.Rows) (string, error) {
				var (
					id      int64
					account string
					amount  int64
				)
				if err := rows.Scan(&id, &account, &amount); err != nil {
					return "", err
				}
				return fmt.Sprintf("entry %d: a pending debit of %d on account %s, which has a floor", id, amount, account), nil
			},
		}, {
			name: "floors",
			query: `SELECT id, balance, floor FROM (SELECT a.id, ` + balanceSQL("a") + ` AS balance, a.floor
					FROM ledger_accounts a WHERE a.floor IS NOT NULL) b
				WHERE balance < floor ORDER BY id`,
			failure: func(rows *sql.Rows) (string, error) {
				var (
					id             string
					balance, floor int64
				)
				if err := rows.Scan(&id, &balance, &floor); err != nil {
					return "", err
				}
				return fmt.Sprintf("account %s: balance %d is below its floor %d", id, balance, floor), nil
			},
		}, {
			name: "entry currencies",
			query: `SELECT e.id, e.account_id, e.currency, a.currency
				FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
				WHERE e.currency <> a.currency ORDER BY e.id`,
			failure: func(rows *sql.Rows) (string, error) {
				var (
					id                 int64
					account, cur, want string
				)
				if err := rows.Scan(&id, &account, &cur, &want); err != nil {
					return "", err
				}
				return fmt.Sprintf("entry %d: in %s on account %s, which holds %s", id, cur, account, want), nil
			},
		}, {
			name: "fund auth totals",
			query: `SELECT o.auth_no, o.total_freeze_amount, o.total_unfreeze_amount, o.total_pay_amount,
					CAST(COALESCE(SUM(CASE WHEN t.kind = $1 THEN t.amount ELSE 0 END), 0) AS BIGINT),
					CAST(COALESCE(SUM(CASE WHEN t.kind = $2 THEN t.amount ELSE 0 END), 0) AS BIGINT),
					CAST(COALESCE(SUM(CASE WHEN t.kind = $3 THEN t.amount ELSE 0 END), 0) AS BIGINT)
				FROM fund_auth_orders o
				LEFT JOIN ledger_transfers t ON t.ref = o.auth_no AND t.kind IN ($1, $2, $3)
				WHERE o.kind <> $4
				GROUP BY o.auth_no, o.total_freeze_amount, o.total_unfreeze_amount, o.total_pay_amount
				HAVING o.total_freeze_amount <> COALESCE(SUM(CASE WHEN t.kind = $1 THEN t.amount ELSE 0 END), 0)
					OR o.total_unfreeze_amount <> COALESCE(SUM(CASE WHEN t.kind = $2 THEN t.amount ELSE 0 END), 0)
					OR o.total_pay_amount <> COALESCE(SUM(CASE WHEN t.kind = $3 THEN t.amount ELSE 0 END), 0)
				ORDER BY o.auth_no`,
			args: []any{zfb.TransferFreeze, zfb.TransferUnfreeze, zfb.TransferAuthPay, zfb.AuthKindCancelled},
			failure: func(rows *sql.Rows) (string, error) {
				var (
					authNo                             string
					frozen, unfrozen, paid, tf, tu, tp int64
				)
				if err := rows.Scan(&authNo, &frozen, &unfrozen, &paid, &tf, &tu, &tp); err != nil {
					return "", err
				}
				return fmt.Sprintf("fund auth order %s: frozen %d, unfrozen %d, paid %d, but its transfers freeze %d, unfreeze %d, pay %d",
					authNo, frozen, unfrozen, paid, tf, tu, tp), nil
			},
		}, {
			name: "fund auth transfers",
			query: `SELECT t.id, t.kind, t.ref FROM ledger_transfers t
				WHERE t.kind IN ($1, $2, $3) AND NOT EXISTS (
					SELECT 1 FROM fund_auth_orders o WHERE o.auth_no = t.ref AND o.kind <> $4)
				ORDER BY t.id`,
			args: []any{zfb.TransferFreeze, zfb.TransferUnfreeze, zfb.TransferAuthPay, zfb.AuthKindCancelled},
			failure: func(rows *sql.Rows) (string, error) {
				var (
					id        int64
					kind, ref string
				)
				if err := rows.Scan(&id, &kind, &ref); err != nil {
					return "", err
				}
				return fmt.Sprintf("transfer %d: %s of %s, which is no fund auth order", id, kind, ref), nil
			},
		}, {
			// Every order counts, whatever its status: one not yet frozen
			// or long finished leaves nothing frozen. Orders are grouped
			// by the frozen account their payer's id names; a frozen
			// account no order names must hold nothing.
			name: "frozen balances",
			query: `WITH held AS (
					SELECT $1 || payer_user_id || $2 AS account, payer_user_id AS buyer,
						CAST(SUM(total_freeze_amount - total_unfreeze_amount - total_pay_amount) AS BIGINT) AS rest
					FROM fund_auth_orders
					GROUP BY payer_user_id
				)
				SELECT h.account, h.buyer, COALESCE(` + balanceSQL("a") + `, 0), h.rest
				FROM held h LEFT JOIN ledger_accounts a ON a.id = h.account
				WHERE COALESCE(` + balanceSQL("a") + `, 0) <> h.rest
				UNION ALL
				SELECT a.id, a.owner, ` + balanceSQL("a") + `, 0
				FROM ledger_accounts a
				WHERE a.kind = $3 AND ` + balanceSQL("a") + ` <> 0
					AND NOT EXISTS (SELECT 1 FROM held h WHERE h.account = a.id)
				ORDER BY 1`,
			args: []any{frozenPrefix, frozenSuffix, zfb.AccountKindBuyerFrozen},
			failure: func(rows *sql.Rows) (string, error) {
				var (
					account, buyer string
					balance, rest  int64
				)
				if err := rows.Scan(&account, &buyer, &balance, &rest); err != nil {
					return "", err
				}
				return fmt.Sprintf("account %s: balance %d, but the fund auth orders of buyer %q leave %d frozen", account, balance, buyer, rest), nil
			},
		}}
		checks = append(checks, intlChecks()...)
		for _, c := range checks {
			if err := q.check(ctx, c.query, c.args, c.failure, r); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check ledger: %w", err)
	}
	r.OK = len(r.Failures) == 0
	return r, nil
}

// A ledgerCheck is one invariant of CheckLedger: query finds the rows that
// break it, and failure describes one of them ("" for none).
type ledgerCheck struct {
	name, query string
	args        []any
	failure     func(rows *sql.Rows) (string, error)
}

// intlChecks hold international payments to their transfers. Every
// payment, a CNY one too, moves through the fx accounts: intl_pay takes the
// buyer's CNY into fx:CNY and pays the merchant out of fx:<currency>;
// intl_refund takes the merchant's money back into fx:<currency> and gives
// the buyer CNY out of fx:CNY. So for each payment (kind pay), the intl_pay
// transfers into an fx account sum to PaidCNY, those out of one to Amount
// once it is paid (PaidAt set) and to 0 before, the intl_refund transfers
// out of an fx account sum to RefundedCNY and those into one to
// RefundedAmount. And each intl_pay or intl_refund transfer names a
// payment (a tombstone is none), has an fx account on exactly one side, and
// is in CNY on the buyer's side and in the payment's currency on the
// merchant's.
func intlChecks() []ledgerCheck {
	return []ledgerCheck{{
		name: "intl payment totals",
		query: `WITH moved AS (
				SELECT t.ref,
					CAST(SUM(CASE WHEN t.kind = $1 AND c.kind = $3 THEN t.amount ELSE 0 END) AS BIGINT) AS buyer_paid,
					CAST(SUM(CASE WHEN t.kind = $1 AND d.kind = $3 THEN t.amount ELSE 0 END) AS BIGINT) AS merchant_paid,
					CAST(SUM(CASE WHEN t.kind = $2 AND d.kind = $3 THEN t.amount ELSE 0 END) AS BIGINT) AS buyer_refunded,
					CAST(SUM(CASE WHEN t.kind = $2 AND c.kind = $3 THEN t.amount ELSE 0 END) AS BIGINT) AS merchant_refunded
				FROM ledger_transfers t
				JOIN ledger_accounts d ON d.id = t.debit_account
				JOIN ledger_accounts c ON c.id = t.credit_account
				WHERE t.kind IN ($1, $2)
				GROUP BY t.ref
			), payments AS (
				SELECT acquirement_id, currency, paid_cny, refunded_cny, refunded_amount,
					CASE WHEN paid_at IS NULL THEN 0 ELSE amount END AS merchant_paid
				FROM intl_payments WHERE kind = $4
			)
			SELECT p.acquirement_id, p.currency, p.paid_cny, p.merchant_paid, p.refunded_cny, p.refunded_amount,
				COALESCE(m.buyer_paid, 0), COALESCE(m.merchant_paid, 0),
				COALESCE(m.buyer_refunded, 0), COALESCE(m.merchant_refunded, 0)
			FROM payments p LEFT JOIN moved m ON m.ref = p.acquirement_id
			WHERE p.paid_cny <> COALESCE(m.buyer_paid, 0)
				OR p.merchant_paid <> COALESCE(m.merchant_paid, 0)
				OR p.refunded_cny <> COALESCE(m.buyer_refunded, 0)
				OR p.refunded_amount <> COALESCE(m.merchant_refunded, 0)
			ORDER BY p.acquirement_id`,
		args: []any{zfb.TransferIntlPay, zfb.TransferIntlRefund, zfb.AccountKindFX, zfb.IntlKindPay},
		failure: func(rows *sql.Rows) (string, error) {
			var (
				id, cur                  string
				paid, out, back, ret     int64
				tPaid, tOut, tBack, tRet int64
			)
			if err := rows.Scan(&id, &cur, &paid, &out, &back, &ret, &tPaid, &tOut, &tBack, &tRet); err != nil {
				return "", err
			}
			return fmt.Sprintf("intl payment %s: the buyer paid %d CNY, the merchant got %d %s, the buyer got back %d CNY, the merchant gave back %d %s; but its transfers move %d, %d, %d, %d",
				id, paid, out, cur, back, ret, cur, tPaid, tOut, tBack, tRet), nil
		},
	}, {
		name: "intl transfers",
		query: `SELECT t.id, t.kind, t.ref, t.debit_account, t.credit_account, t.currency,
				d.kind = $4, c.kind = $4, p.currency
			FROM ledger_transfers t
			JOIN ledger_accounts d ON d.id = t.debit_account
			JOIN ledger_accounts c ON c.id = t.credit_account
			LEFT JOIN intl_payments p ON p.acquirement_id = t.ref AND p.kind = $3
			WHERE t.kind IN ($1, $2) AND (
				p.acquirement_id IS NULL
				OR (d.kind = $4) = (c.kind = $4)
				OR t.currency <> CASE WHEN (t.kind = $1) = (c.kind = $4) THEN $5 ELSE p.currency END)
			ORDER BY t.id`,
		args: []any{zfb.TransferIntlPay, zfb.TransferIntlRefund, zfb.IntlKindPay, zfb.AccountKindFX, zfb.CNY},
		failure: func(rows *sql.Rows) (string, error) {
			var (
				id                            int64
				kind, ref, debit, credit, cur string
				debitFX, creditFX             bool
				payCur                        sql.NullString
			)
			if err := rows.Scan(&id, &kind, &ref, &debit, &credit, &cur, &debitFX, &creditFX, &payCur); err != nil {
				return "", err
			}
			switch {
			case !payCur.Valid:
				return fmt.Sprintf("transfer %d: %s of %s, which is no intl payment", id, kind, ref), nil
			case debitFX == creditFX:
				return fmt.Sprintf("transfer %d: %s of %s from %s to %s; want an fx account on one side", id, kind, ref, debit, credit), nil
			}
			want := payCur.String
			if (kind == zfb.TransferIntlPay) == creditFX {
				want = zfb.CNY // the buyer's side
			}
			return fmt.Sprintf("transfer %d: %s of %s from %s to %s in %s; want %s", id, kind, ref, debit, credit, cur, want), nil
		},
	}}
}

// check runs query with args and adds to r the failure each row describes.
func (q *queries) check(ctx context.Context, query string, args []any, failure func(*sql.Rows) (string, error), r *zfb.LedgerReport) error {
	rows, err := q.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		msg, err := failure(rows)
		if err != nil {
			return err
		}
		if msg == "" {
			continue
		}
		if n++; n <= maxFailuresPerCheck {
			r.Failures = append(r.Failures, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n > maxFailuresPerCheck {
		r.Failures = append(r.Failures, fmt.Sprintf("… and %d more like it", n-maxFailuresPerCheck))
	}
	return nil
}

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
// account; each balance equals the sum of its entries; no balance is below
// its floor. And the ledger agrees with fund authorisation: each order's
// freeze, unfreeze and auth_pay transfers (Ref = auth_no) sum to its
// frozen, unfrozen and paid totals, no such transfer names anything but an
// order; and each buyer's frozen account holds what their orders leave
// frozen, zero for a buyer with none.
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
		checks := []struct {
			name, query string
			args        []any
			failure     func(rows *sql.Rows) (string, error)
		}{{
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
			name: "balances",
			query: `SELECT a.id, a.balance, CAST(COALESCE(SUM(e.amount), 0) AS BIGINT)
				FROM ledger_accounts a
				LEFT JOIN ledger_entries e ON e.account_id = a.id
				GROUP BY a.id, a.balance
				HAVING a.balance <> COALESCE(SUM(e.amount), 0)
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
			name: "floors",
			query: `SELECT id, balance, floor FROM ledger_accounts
				WHERE floor IS NOT NULL AND balance < floor ORDER BY id`,
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
				SELECT h.account, h.buyer, COALESCE(a.balance, 0), h.rest
				FROM held h LEFT JOIN ledger_accounts a ON a.id = h.account
				WHERE COALESCE(a.balance, 0) <> h.rest
				UNION ALL
				SELECT a.id, a.owner, a.balance, 0
				FROM ledger_accounts a
				WHERE a.kind = $3 AND a.balance <> 0
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

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
// its floor.
func (q *queries) CheckLedger(ctx context.Context) (*zfb.LedgerReport, error) {
	r := &zfb.LedgerReport{Totals: map[string]int64{}, Failures: []string{}}
	err := q.inReadTx(ctx, func(q *queries) error {
		r.Totals, r.Failures = map[string]int64{}, []string{}
		if err := q.read.QueryRowContext(ctx, `SELECT
				(SELECT COUNT(*) FROM ledger_accounts),
				(SELECT COUNT(*) FROM ledger_transfers)`).Scan(&r.Accounts, &r.Transfers); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		checks := []struct {
			name, query string
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
		}}
		for _, c := range checks {
			if err := q.check(ctx, c.query, c.failure, r); err != nil {
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

// check runs query and adds to r the failure each row describes.
func (q *queries) check(ctx context.Context, query string, failure func(*sql.Rows) (string, error), r *zfb.LedgerReport) error {
	rows, err := q.read.QueryContext(ctx, query)
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

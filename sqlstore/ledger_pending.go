package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
)

// Pending entries. An account's balance is its balance column plus the sum
// of its pending entries (ledger_entries.pending). On PostgreSQL (see
// dialect.pendingEntries) PostTransfer records an
// entry that cannot break a floor — every credit, and the debit of an
// account without a floor — as pending, without touching the account's
// row; so payments into one merchant, or through the fx accounts, never
// wait for each other's row locks and commits. An entry stops being
// pending when it is folded: in one transaction its pending flag is
// cleared and its amount added to the balance column. The debit of an
// account with a floor folds that account's pending entries first when it
// has any (so its floor is checked against everything committed when it
// looked; see postIfClear), and the Store folds every account in the
// background (foldInterval) so that the pending set stays small.
//
// An entry is folded exactly once: the fold's UPDATE … WHERE pending
// clears the flag and returns the amount in the same statement, and a
// concurrent fold of the same entry waits for that row and then finds it
// no longer pending. A pending entry of a transaction not yet committed is
// invisible to a fold and waits for the next one.

// pendingEntries reports whether PostTransfer records entries that cannot
// break a floor as pending. On PostgreSQL it does, so that concurrent
// payments into one account do not queue on its row. SQLite has one
// writer: its transactions run one after another whatever they lock, and
// folding would only add work, so there every entry moves its balance at
// once and none is pending.
func (d *dialect) pendingEntries() bool { return d.name == "postgres" }

// foldInterval is how often the Store folds pending entries.
const foldInterval = time.Second

// foldAccountsPerRound bounds how many accounts one background round folds.
const foldAccountsPerRound = 1000

// balanceSQL is the balance of the ledger_accounts row named alias, pending
// entries included.
func balanceSQL(alias string) string {
	return alias + `.balance + COALESCE((SELECT CAST(SUM(p.amount) AS BIGINT) FROM ledger_entries p
		WHERE p.account_id = ` + alias + `.id AND p.pending), 0)`
}

// lockAccountRow is the statement that locks an account's row until the
// transaction ends, giving no row (at once) when another transaction holds
// it; or "" on SQLite, whose writer already holds the database's write
// lock. FOR NO KEY UPDATE, not FOR UPDATE: inserting an entry takes FOR KEY
// SHARE on its account (the foreign key), which it does not block, so a
// fold or a debit does not stop payments into the account.
func (d *dialect) lockAccountRow() string {
	if d.name != "postgres" {
		return ""
	}
	return `SELECT id FROM ledger_accounts WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED`
}

// checkAccounts reads, for the accounts $1 (the debit) and $2 (the
// credit): id, currency, whether it has a floor, whether it has pending
// entries, whether this statement moved its balance (never), and the id
// of the transfer it recorded (none). It locks nothing: an account's
// currency and floor never change, and it is never deleted. SQLite's
// moveBalances reads it to say why it moved nothing; PostgreSQL's
// transfers read postIfClear instead.
const checkAccounts = `SELECT a.id, a.currency, a.floor IS NOT NULL,
		EXISTS (SELECT 1 FROM ledger_entries p WHERE p.account_id = a.id AND p.pending), false,
		CAST(NULL AS BIGINT)
	FROM ledger_accounts a WHERE a.id IN ($1, $2)`

// postIfClear is checkAccounts on PostgreSQL for the transfer of kind $5,
// ref $6, amount $4 in currency $3 made at $7, which also, in the same
// round trip, moves and records it when nothing needs a fold first:
//   - it takes the debit from $1's balance column when $1 has a floor
//     that the debit keeps and no pending entry (the payment of a buyer,
//     most often): the UPDATE locks the row (FOR NO KEY UPDATE, as every
//     fold does first) and checks the floor;
//   - then, when the debit moved or $1 has no floor (its entry is then
//     pending), and $2 exists in $3, it inserts the transfer and its two
//     entries (the credit's pending), and returns the transfer's id on
//     every row.
//
// The read sees the statement's snapshot, before the UPDATE, so it still
// says whether $1 has pending entries; the UPDATE's check of them uses
// the same snapshot, and a credit committed since is left pending (which
// only makes the floor check stricter). When $1 has a floor but pending
// entries, or too little, nothing moves and nothing is recorded:
// debitWithPending folds them first, or the transfer is refused. When $2
// is missing the debit may have moved with nothing recorded, and the
// caller moves it back.
const postIfClear = `WITH debited AS (
		UPDATE ledger_accounts SET balance = balance - $4
		WHERE id = $1 AND currency = $3 AND floor IS NOT NULL AND balance - $4 >= floor
			AND NOT EXISTS (SELECT 1 FROM ledger_entries p WHERE p.account_id = $1 AND p.pending)
		RETURNING id
	), accounts AS (
		SELECT a.id, a.currency, a.floor IS NOT NULL AS floored,
			EXISTS (SELECT 1 FROM ledger_entries p WHERE p.account_id = a.id AND p.pending) AS pending,
			EXISTS (SELECT 1 FROM debited WHERE debited.id = a.id) AS moved
		FROM ledger_accounts a WHERE a.id IN ($1, $2)
	), transfer AS (
		INSERT INTO ledger_transfers (kind, ref, debit_account, credit_account, amount, currency, created_at)
		SELECT $5, $6, $1, $2, $4, $3, $7
		WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND currency = $3 AND (moved OR NOT floored))
			AND EXISTS (SELECT 1 FROM accounts WHERE id = $2 AND currency = $3)
		RETURNING id
	), entries AS (
		INSERT INTO ledger_entries (transfer_id, account_id, currency, amount, pending)
		SELECT transfer.id, e.account_id, $3, e.amount, e.pending
		FROM transfer, (VALUES ($1, -$4, NOT EXISTS (SELECT 1 FROM debited)), ($2, $4, true)) AS e (account_id, amount, pending)
	)
	SELECT id, currency, floored, pending, moved, (SELECT id FROM transfer) FROM accounts`

// debitWithPending takes amount from account, which has a floor and
// pending entries: it locks the account's row (waiting for a debit or a
// fold that holds it), folds the pending entries committed by then, and
// moves the balance unless that would take it below the floor.
func (q *queries) debitWithPending(ctx context.Context, account string, amount int64) error {
	var id string
	err := q.write.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE id = $1 FOR NO KEY UPDATE`, account).Scan(&id)
	if err != nil {
		return fmt.Errorf("lock account %q: %w", account, classify(err))
	}
	return q.debitWithFloor(ctx, account, amount, true)
}

// debitWithFloor takes amount from account, which has a floor and whose
// row the caller has locked: it folds the account's pending entries
// (when it had any) and moves the balance unless that would take it below
// the floor (zfb.ErrInsufficientFunds).
func (q *queries) debitWithFloor(ctx context.Context, account string, amount int64, pending bool) error {
	var folded int64
	if pending {
		var err error
		if folded, _, err = q.clearPending(ctx, account); err != nil {
			return err
		}
	}
	res, err := q.write.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + $2
		WHERE id = $1 AND balance + $2 >= floor`, account, folded-amount)
	if err != nil {
		return fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	if n == 1 {
		return nil
	}
	// Refused: the fold alone still goes into the balance column, since
	// the entries it cleared are no longer pending.
	if err := q.addToBalance(ctx, account, folded); err != nil {
		return err
	}
	return fmt.Errorf("account %q: %w", account, zfb.ErrInsufficientFunds)
}

// clearPending clears the pending flag of account's committed pending
// entries and returns their sum and count. The caller adds the sum to the
// balance column in the same transaction.
func (q *queries) clearPending(ctx context.Context, account string) (sum int64, n int, err error) {
	rows, err := q.write.QueryContext(ctx, `UPDATE ledger_entries SET pending = false
		WHERE account_id = $1 AND pending RETURNING amount`, account)
	if err != nil {
		return 0, 0, fmt.Errorf("fold pending entries of %q: %w", account, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var amount int64
		if err := rows.Scan(&amount); err != nil {
			return 0, 0, fmt.Errorf("fold pending entries of %q: %w", account, classify(err))
		}
		sum += amount
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("fold pending entries of %q: %w", account, classify(err))
	}
	return sum, n, nil
}

// addToBalance adds delta to the balance column of account, which exists
// and either has no floor or gains (delta >= 0).
func (q *queries) addToBalance(ctx context.Context, account string, delta int64) error {
	if delta == 0 {
		return nil
	}
	if _, err := q.write.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + $2 WHERE id = $1`,
		account, delta); err != nil {
		return fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	return nil
}

// FoldPending folds the pending entries of up to foldAccountsPerRound
// accounts, each in a short transaction of its own, passing over an
// account whose row another transaction holds (it is being debited, which
// folds it). It returns how many entries it folded. The Store calls it
// every foldInterval; balances are the same before and after.
func (s *Store) FoldPending(ctx context.Context) (int, error) {
	accounts, err := s.pendingAccounts(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, account := range accounts {
		err := s.writeTx(ctx, func(q *queries) error {
			if lock := s.dialect.lockAccountRow(); lock != "" {
				var id string
				err := q.write.QueryRowContext(ctx, lock, account).Scan(&id)
				if errors.Is(err, sql.ErrNoRows) {
					return nil // held by a debit, which folds it
				} else if err != nil {
					return fmt.Errorf("lock account %q: %w", account, classify(err))
				}
			}
			sum, n, err := q.clearPending(ctx, account)
			if err != nil {
				return err
			}
			total += n
			return q.addToBalance(ctx, account, sum)
		})
		if err != nil {
			return total, fmt.Errorf("sqlstore: fold pending entries: %w", err)
		}
	}
	return total, nil
}

func (s *Store) pendingAccounts(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT account_id FROM ledger_entries
		WHERE pending LIMIT $1`, foldAccountsPerRound)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: accounts with pending entries: %w", err)
	}
	defer rows.Close()
	var accounts []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: accounts with pending entries: %w", err)
		}
		accounts = append(accounts, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: accounts with pending entries: %w", err)
	}
	return accounts, nil
}

// folder runs FoldPending every interval until stopped.
type folder struct {
	stop, done chan struct{}
	stopping   sync.Once
}

func startFolder(s *Store, interval time.Duration, logger *slog.Logger) *folder {
	f := &folder{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-f.stop:
				cancel()
			case <-f.done:
			}
		}()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-tick.C:
			}
			if _, err := s.FoldPending(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("folding pending ledger entries failed", "err", err)
			}
		}
	}()
	return f
}

// close stops the folder and waits for a round under way to end.
func (f *folder) close() {
	f.stopping.Do(func() { close(f.stop) })
	<-f.done
}

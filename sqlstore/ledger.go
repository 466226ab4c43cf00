package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/zfbpay/zfb"
)

// EnsureAccount opens a ledger account with a zero balance unless one with
// that id exists, in which case it changes nothing. a.Balance is ignored: a
// balance only ever moves through transfers.
func (q *queries) EnsureAccount(ctx context.Context, a *zfb.Account) error {
	if a.ID == "" || a.Currency == "" {
		return fmt.Errorf("ensure account %q: an account needs an id and a currency", a.ID)
	}
	var floor any
	if a.Floor != nil {
		floor = *a.Floor
		if *a.Floor > 0 {
			return fmt.Errorf("ensure account %q: a floor above zero (%d) would start the account below it", a.ID, *a.Floor)
		}
	}
	// NOT EXISTS first: for an account that exists (every intl payment
	// ensures three), ON CONFLICT alone would wait on PostgreSQL for any
	// transaction that is moving or folding the account's balance.
	_, err := q.write.ExecContext(ctx, `INSERT INTO ledger_accounts (id, kind, owner, currency, balance, floor)
		SELECT $1, $2, $3, $4, 0, CAST($5 AS BIGINT)
		WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts WHERE id = $1)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.Kind, a.Owner, a.Currency, floor)
	if err != nil {
		return fmt.Errorf("ensure account %q: %w", a.ID, classify(err))
	}
	return nil
}

// Account reads one ledger account, its balance with its pending entries.
func (q *queries) Account(ctx context.Context, id string) (*zfb.Account, error) {
	var (
		a     zfb.Account
		floor sql.NullInt64
	)
	err := q.read.QueryRowContext(ctx,
		`SELECT a.id, a.kind, a.owner, a.currency, `+balanceSQL("a")+`, a.floor FROM ledger_accounts a WHERE a.id = $1`, id,
	).Scan(&a.ID, &a.Kind, &a.Owner, &a.Currency, &a.Balance, &floor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account %q: %w", id, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account %q: %w", id, err)
	}
	if floor.Valid {
		a.Floor = &floor.Int64
	}
	return &a, nil
}

// PostTransfer records t as two entries and moves the two balances, in one
// transaction (its own, or the caller's).
//
// On SQLite, whose one writer runs one transaction at a time, every entry
// moves its balance at once: one conditional UPDATE per account checks
// that it exists in t's currency and, for the debit, that its floor holds
// (moveBalances), and only when one changes nothing are the accounts read
// to say why. On PostgreSQL it first checks that both accounts exist in
// t's currency; an entry that cannot take its account below a floor — the
// credit, and the debit of an account without one — is recorded pending
// (see ledger_pending.go): it counts in the account's balance at once, but
// neither locks nor updates the account's row, so concurrent payments into
// one merchant do not queue behind each other's commits. The debit of an
// account with a floor locks that account's row (in the statement that
// checks the accounts), folds its committed pending entries into the row,
// and moves the balance with one conditional UPDATE that refuses to go
// below the floor. Only then are the transfer and its entries inserted:
// when there was nothing to fold, all of it is the one statement
// postIfClear (one round trip for a buyer's payment). So a refused transfer has moved nothing (it may have folded pending
// entries, which leaves every balance as it was), even inside a caller's
// transaction that goes on and commits.
func (q *queries) PostTransfer(ctx context.Context, t *zfb.Transfer) error {
	switch {
	case t.Amount <= 0:
		return fmt.Errorf("transfer %s %s: amount %d is not positive", t.Kind, t.Ref, t.Amount)
	case t.Debit == "" || t.Credit == "" || t.Currency == "":
		return fmt.Errorf("transfer %s %s: needs a debit account, a credit account and a currency", t.Kind, t.Ref)
	case t.Debit == t.Credit:
		return fmt.Errorf("transfer %s %s: debit and credit are the same account %q", t.Kind, t.Ref, t.Debit)
	}
	var id int64
	err := q.inWriteTx(ctx, func(q *queries) error {
		var err error
		id, err = q.postTransfer(ctx, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("transfer %s %s of %d %s from %s to %s: %w",
			t.Kind, t.Ref, t.Amount, t.Currency, t.Debit, t.Credit, err)
	}
	t.ID = id
	return nil
}

func (q *queries) postTransfer(ctx context.Context, t *zfb.Transfer) (int64, error) {
	if !q.store.dialect.pendingEntries() {
		if err := q.moveBalances(ctx, t); err != nil {
			return 0, err
		}
		return q.insertTransfer(ctx, t, false, false)
	}
	debit, posted, err := q.readAccounts(ctx, postIfClear, t.Currency,
		t.Debit, t.Credit, t.Currency, t.Amount, t.Kind, t.Ref, micros(t.CreatedAt))
	if err != nil && debit.moved { // the credit account is missing: a refused transfer moves nothing
		err = errors.Join(err, q.addToBalance(ctx, t.Debit, t.Amount))
	}
	switch {
	case err != nil:
		return 0, err
	case posted.Valid: // moved and recorded by postIfClear
		return posted.Int64, nil
	case debit.floored && !debit.moved && !debit.pending:
		return 0, fmt.Errorf("account %q: %w", t.Debit, zfb.ErrInsufficientFunds)
	case debit.floored && !debit.moved:
		if err := q.debitWithPending(ctx, t.Debit, t.Amount); err != nil {
			return 0, err
		}
		return q.insertTransfer(ctx, t, false, true)
	default: // postIfClear records every transfer whose debit it moved or that has no floor
		return 0, fmt.Errorf("the transfer was not recorded (debit floored %t, moved %t)", debit.floored, debit.moved)
	}
}

// moveBalances moves t's amount between the balance columns of its two
// accounts, where no entry is pending (SQLite): one conditional UPDATE per
// account, which also checks that the account exists in t's currency and,
// for the debit, that its floor holds. Only when an UPDATE changes no row
// does it read why; a debit already moved is then moved back, so that a
// refused transfer has moved nothing.
func (q *queries) moveBalances(ctx context.Context, t *zfb.Transfer) error {
	moved, err := q.moveBalance(ctx, `UPDATE ledger_accounts SET balance = balance - $2
		WHERE id = $1 AND currency = $3 AND (floor IS NULL OR balance - $2 >= floor)`, t.Debit, t)
	if err != nil {
		return err
	}
	if !moved {
		return q.whyNotMoved(ctx, t, fmt.Errorf("account %q: %w", t.Debit, zfb.ErrInsufficientFunds))
	}
	moved, err = q.moveBalance(ctx, `UPDATE ledger_accounts SET balance = balance + $2
		WHERE id = $1 AND currency = $3`, t.Credit, t)
	if err == nil && moved {
		return nil
	}
	if undoErr := q.addToBalance(ctx, t.Debit, t.Amount); undoErr != nil || err != nil {
		return errors.Join(err, undoErr)
	}
	return q.whyNotMoved(ctx, t, fmt.Errorf("account %q: the credit moved no balance", t.Credit))
}

// moveBalance runs one of moveBalances' UPDATEs on account and reports
// whether it changed the row.
func (q *queries) moveBalance(ctx context.Context, update, account string, t *zfb.Transfer) (bool, error) {
	res, err := q.write.ExecContext(ctx, update, account, t.Amount, t.Currency)
	if err != nil {
		return false, fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	return n == 1, nil
}

// whyNotMoved says why moveBalances could not move t: an account missing
// or in another currency, else otherwise (the debit's floor).
func (q *queries) whyNotMoved(ctx context.Context, t *zfb.Transfer, otherwise error) error {
	if _, _, err := q.readAccounts(ctx, checkAccounts, t.Currency, t.Debit, t.Credit); err != nil {
		return err
	}
	return otherwise
}

// insertTransfer records t and its two entries, pending or not, and
// returns the transfer's id. PostgreSQL inserts all three rows in one
// statement (one round trip); SQLite, which has no INSERT inside WITH,
// in two.
func (q *queries) insertTransfer(ctx context.Context, t *zfb.Transfer, debitPending, creditPending bool) (int64, error) {
	var id int64
	if q.store.dialect.name == "postgres" {
		err := q.write.QueryRowContext(ctx, `WITH transfer AS (
				INSERT INTO ledger_transfers (kind, ref, debit_account, credit_account, amount, currency, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				RETURNING id
			), entries AS (
				INSERT INTO ledger_entries (transfer_id, account_id, currency, amount, pending)
				SELECT transfer.id, e.account_id, $6, e.amount, e.pending
				FROM transfer, (VALUES ($3, -$5, CAST($8 AS BOOLEAN)), ($4, $5, CAST($9 AS BOOLEAN))) AS e (account_id, amount, pending)
			)
			SELECT id FROM transfer`,
			t.Kind, t.Ref, t.Debit, t.Credit, t.Amount, t.Currency, micros(t.CreatedAt), debitPending, creditPending).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("insert transfer and entries: %w", classify(err))
		}
		return id, nil
	}
	err := q.write.QueryRowContext(ctx, `INSERT INTO ledger_transfers
		(kind, ref, debit_account, credit_account, amount, currency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		t.Kind, t.Ref, t.Debit, t.Credit, t.Amount, t.Currency, micros(t.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert transfer: %w", classify(err))
	}
	_, err = q.write.ExecContext(ctx, `INSERT INTO ledger_entries (transfer_id, account_id, currency, amount, pending)
		VALUES ($1, $2, $4, $5, $7), ($1, $3, $4, $6, $8)`,
		id, t.Debit, t.Credit, t.Currency, -t.Amount, t.Amount, debitPending, creditPending)
	if err != nil {
		return 0, fmt.Errorf("insert entries: %w", classify(err))
	}
	return id, nil
}

// debitAccount is what postTransfer needs to know of its debit account.
type debitAccount struct {
	floored bool // it has a floor
	pending bool // it had pending entries when read
	moved   bool // the statement that read it moved its balance (postIfClear)
}

// readAccounts runs query (checkAccounts or postIfClear) with args,
// whose first two are the debit and credit accounts, checks that both
// exist in currency, and returns what it read of the debit and the id of
// the transfer the statement recorded (postIfClear), with that error too
// (postIfClear may have moved the debit's balance).
func (q *queries) readAccounts(ctx context.Context, query, currency string, args ...any) (debitAccount, sql.NullInt64, error) {
	debit, credit := args[0].(string), args[1].(string)
	rows, err := q.write.QueryContext(ctx, query, args...)
	if err != nil {
		return debitAccount{}, sql.NullInt64{}, fmt.Errorf("read accounts: %w", classify(err))
	}
	defer rows.Close()
	type found struct {
		currency string
		debitAccount
	}
	var (
		got    [2]found
		seen   [2]bool
		posted sql.NullInt64 // the same on every row
	)
	for rows.Next() {
		var (
			id string
			a  found
		)
		if err := rows.Scan(&id, &a.currency, &a.floored, &a.pending, &a.moved, &posted); err != nil {
			return debitAccount{}, sql.NullInt64{}, fmt.Errorf("read accounts: %w", classify(err))
		}
		i := 0
		if id == credit {
			i = 1
		}
		got[i], seen[i] = a, true
	}
	if err := rows.Err(); err != nil {
		return debitAccount{}, sql.NullInt64{}, fmt.Errorf("read accounts: %w", classify(err))
	}
	for i, id := range [2]string{debit, credit} {
		if !seen[i] {
			return got[0].debitAccount, sql.NullInt64{}, fmt.Errorf("account %q: %w", id, zfb.ErrNotFound)
		}
		if got[i].currency != currency {
			return got[0].debitAccount, sql.NullInt64{}, fmt.Errorf("account %q in %s: %w (it holds %s)", id, currency, zfb.ErrNotFound, got[i].currency)
		}
	}
	return got[0].debitAccount, posted, nil
}

// Transfers lists the transfers whose Ref is ref, oldest first.
func (q *queries) Transfers(ctx context.Context, ref string) ([]*zfb.Transfer, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT id, kind, ref, debit_account, credit_account, amount, currency, created_at
		FROM ledger_transfers WHERE ref = $1 ORDER BY id`, ref)
	if err != nil {
		return nil, fmt.Errorf("transfers %q: %w", ref, err)
	}
	defer rows.Close()
	var ts []*zfb.Transfer
	for rows.Next() {
		var (
			t         zfb.Transfer
			createdUS int64
		)
		if err := rows.Scan(&t.ID, &t.Kind, &t.Ref, &t.Debit, &t.Credit, &t.Amount, &t.Currency, &createdUS); err != nil {
			return nil, fmt.Errorf("transfers %q: %w", ref, err)
		}
		t.CreatedAt = fromMicros(createdUS)
		ts = append(ts, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transfers %q: %w", ref, err)
	}
	return ts, nil
}

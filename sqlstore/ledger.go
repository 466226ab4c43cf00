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
	_, err := q.write.ExecContext(ctx, `INSERT INTO ledger_accounts (id, kind, owner, currency, balance, floor)
		VALUES ($1, $2, $3, $4, 0, $5)
		ON CONFLICT (id) DO NOTHING`,
		a.ID, a.Kind, a.Owner, a.Currency, floor)
	if err != nil {
		return fmt.Errorf("ensure account %q: %w", a.ID, classify(err))
	}
	return nil
}

// Account reads one ledger account.
func (q *queries) Account(ctx context.Context, id string) (*zfb.Account, error) {
	var (
		a     zfb.Account
		floor sql.NullInt64
	)
	err := q.read.QueryRowContext(ctx,
		`SELECT id, kind, owner, currency, balance, floor FROM ledger_accounts WHERE id = $1`, id,
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
// It first locks both accounts in id order (on PostgreSQL; SQLite's writer
// already holds the database's write lock), so that transfers in opposite
// directions between two accounts cannot deadlock, and checks that both
// exist in t's currency. It then moves the balances, debit first, each with
// one conditional UPDATE that refuses to go below the account's floor, and
// only then inserts the transfer and its entries. So a refused transfer has
// written nothing, even inside a caller's transaction that goes on and
// commits.
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
	if err := q.lockAccounts(ctx, t.Currency, t.Debit, t.Credit); err != nil {
		return 0, err
	}
	if err := q.moveBalance(ctx, t.Debit, -t.Amount, t.Currency); err != nil {
		return 0, err
	}
	if err := q.moveBalance(ctx, t.Credit, t.Amount, t.Currency); err != nil {
		return 0, err
	}
	var id int64
	err := q.write.QueryRowContext(ctx, `INSERT INTO ledger_transfers
		(kind, ref, debit_account, credit_account, amount, currency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		t.Kind, t.Ref, t.Debit, t.Credit, t.Amount, t.Currency, micros(t.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert transfer: %w", classify(err))
	}
	_, err = q.write.ExecContext(ctx, `INSERT INTO ledger_entries (transfer_id, account_id, currency, amount)
		VALUES ($1, $2, $4, $5), ($1, $3, $4, $6)`,
		id, t.Debit, t.Credit, t.Currency, -t.Amount, t.Amount)
	if err != nil {
		return 0, fmt.Errorf("insert entries: %w", classify(err))
	}
	return id, nil
}

// lockAccounts locks the accounts ids in id order and checks that each
// exists in currency.
func (q *queries) lockAccounts(ctx context.Context, currency string, a, b string) error {
	rows, err := q.write.QueryContext(ctx, `SELECT id, currency FROM ledger_accounts
		WHERE id IN ($1, $2) ORDER BY id`+q.store.dialect.forUpdate, a, b)
	if err != nil {
		return fmt.Errorf("lock accounts: %w", classify(err))
	}
	defer rows.Close()
	found := make(map[string]string, 2)
	for rows.Next() {
		var id, cur string
		if err := rows.Scan(&id, &cur); err != nil {
			return fmt.Errorf("lock accounts: %w", classify(err))
		}
		found[id] = cur
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock accounts: %w", classify(err))
	}
	for _, id := range []string{a, b} {
		cur, ok := found[id]
		if !ok {
			return fmt.Errorf("account %q: %w", id, zfb.ErrNotFound)
		}
		if cur != currency {
			return fmt.Errorf("account %q in %s: %w (it holds %s)", id, currency, zfb.ErrNotFound, cur)
		}
	}
	return nil
}

// moveBalance adds delta to the balance of account in one conditional
// UPDATE: the database applies it only if the account exists in currency
// and the new balance is not below its floor, re-checking the condition
// against the latest committed balance, so concurrent moves neither lose an
// update nor break a floor.
func (q *queries) moveBalance(ctx context.Context, account string, delta int64, currency string) error {
	res, err := q.write.ExecContext(ctx, `UPDATE ledger_accounts SET balance = balance + $2
		WHERE id = $1 AND currency = $3 AND (floor IS NULL OR balance + $2 >= floor)`,
		account, delta, currency)
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
	// No row: either no such account in this currency, or the floor.
	var exists bool
	err = q.write.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM ledger_accounts WHERE id = $1 AND currency = $2)`,
		account, currency).Scan(&exists)
	if err != nil {
		return fmt.Errorf("move balance of %q: %w", account, classify(err))
	}
	if !exists {
		return fmt.Errorf("account %q in %s: %w", account, currency, zfb.ErrNotFound)
	}
	return fmt.Errorf("account %q: %w", account, zfb.ErrInsufficientFunds)
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

package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
)

// newSQLiteStore opens a store on a new file in a temporary directory.
func newSQLiteStore(tb testing.TB) *Store {
	tb.Helper()
	return openURL(tb, filepath.Join(tb.TempDir(), "zfb.db"))
}

// newPostgresStore opens a store on a new schema of ZFB_TEST_POSTGRES.
func newPostgresStore(tb testing.TB) *Store {
	tb.Helper()
	return openURL(tb, storetest.PostgresURL(tb))
}

func openURL(tb testing.TB, url string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// backends runs fn on a new store of each backend.
func backends(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newSQLiteStore(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newPostgresStore(t)) })
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) zfb.Store { return newSQLiteStore(t) })
}

func TestPostgres(t *testing.T) {
	if os.Getenv("ZFB_TEST_POSTGRES") == "" {
		storetest.PostgresURL(t) // skips, or fails in CI
	}
	storetest.Run(t, func(t *testing.T) zfb.Store { return newPostgresStore(t) })
}

func TestOpenSQLitePaths(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{
		filepath.Join(dir, "plain.db"),
		"sqlite:" + filepath.Join(dir, "prefixed.db"),
		filepath.Join(dir, "new", "nested", "dir", "zfb.db"),
	} {
		s := openURL(t, u)
		if s.Backend() != "sqlite" {
			t.Errorf("%s: Backend() = %q", u, s.Backend())
		}
		if _, err := os.Stat(strings.TrimPrefix(u, "sqlite:")); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"", "sqlite:", ":memory:", "sqlite::memory:", "file:x.db", filepath.Join(dir, "x.db?mode=ro")} {
		if s, err := Open(t.Context(), u, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

func TestOpenPostgres(t *testing.T) {
	s := newPostgresStore(t)
	if s.Backend() != "postgres" {
		t.Errorf("Backend() = %q", s.Backend())
	}
	u := strings.Replace(storetest.PostgresURL(t), "postgres://", "postgresql://", 1)
	if s := openURL(t, u); s.Backend() != "postgres" {
		t.Errorf("postgresql://: Backend() = %q", s.Backend())
	}
}

// TestSQLitePragmas: every connection of both pools has the pragmas, and
// the read pool cannot write.
func TestSQLitePragmas(t *testing.T) {
	s := newSQLiteStore(t)
	ctx := t.Context()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"}
	for name, db := range map[string]*sql.DB{"write": s.write, "read": s.read} {
		// Hold several read connections at once, so that more than one
		// is checked.
		var conns []*sql.Conn
		for range 3 {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			if name == "write" {
				break
			}
		}
		for _, c := range conns {
			for pragma, v := range want {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != v {
					t.Errorf("%s pool: %s = %s, want %s", name, pragma, got, v)
				}
			}
			c.Close()
		}
	}
	// The writer keeps its savepoint journals in memory (see openSQLite).
	var tempStore string
	if err := s.write.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&tempStore); err != nil {
		t.Fatal(err)
	}
	if tempStore != "2" {
		t.Errorf("write pool: temp_store = %s, want 2 (memory)", tempStore)
	}
	if _, err := s.read.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k', 'v')`); err == nil {
		t.Error("the read pool wrote")
	}
}

// TestSQLiteWriteTxIsImmediate: a write transaction holds the write lock
// from its BEGIN, before it writes anything; plain reads do not wait for it.
func TestSQLiteWriteTxIsImmediate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zfb.db")
	s := openURL(t, path)
	ctx := t.Context()
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	entered, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- s.InTx(ctx, func(q zfb.Queries) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil {
		t.Error("another connection took the write lock while a write transaction was open: it did not BEGIN IMMEDIATE")
		conn.ExecContext(ctx, "ROLLBACK")
	}
	if _, err := s.App(ctx, "nobody"); !errors.Is(err, zfb.ErrNotFound) {
		t.Errorf("a read during a write transaction: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("after the transaction: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteTwoStoresOneFile: two stores on one file (two zfb processes,
// say) write at once; each write transaction waits for the other's lock
// (busy_timeout) instead of failing.
func TestSQLiteTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zfb.db")
	stores := []*Store{openURL(t, path), openURL(t, path)}
	ctx := t.Context()
	for _, id := range []string{"from", "to"} {
		if err := stores[0].EnsureAccount(ctx, &zfb.Account{ID: id, Kind: zfb.AccountKindMerchant, Currency: zfb.CNY}); err != nil {
			t.Fatal(err)
		}
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := stores[i%2].PostTransfer(ctx, &zfb.Transfer{Kind: "pay", Ref: fmt.Sprint(i), Debit: "from", Credit: "to", Amount: 1, Currency: zfb.CNY})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	r, err := stores[1].CheckLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.Transfers != n {
		t.Errorf("report = %+v, want OK with %d transfers", r, n)
	}
}

// TestSQLiteReopen: a reopened file keeps its data and is not migrated again.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "zfb.db")
	ctx := t.Context()
	first, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	buyer := &zfb.Buyer{UserID: "2088000000000001", LogonID: "a@example.com", PaymentCode: "280000000000000001", Behaviour: zfb.BehaviourPays, Balance: 12345}
	if err := zfb.NewService(first, nil, nil).CreateBuyer(ctx, buyer); err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	second, err := Open(ctx, "sqlite:"+path, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	got, err := second.Buyer(ctx, buyer.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Balance != 12345 {
		t.Errorf("balance after reopening = %d, want 12345", got.Balance)
	}
	if after := migrationRows(t, second); !slices.Equal(after, before) {
		t.Errorf("schema_migrations changed on reopening: %q, then %q", before, after)
	}
	if strings.Contains(logs.String(), "migration") {
		t.Errorf("reopening logged a migration: %s", logs.String())
	}
	if n, err := second.migrate(ctx); err != nil || n != 0 {
		t.Errorf("migrate again = %d, %v; want 0, nil", n, err)
	}
}

// migrationRows lists schema_migrations, one "version name applied_at" a row.
func migrationRows(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			v, at int64
			name  string
		)
		if err := rows.Scan(&v, &name, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(v, name, at))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zfb.db")
	s := openURL(t, path)
	if _, err := s.write.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), path, nil); err == nil || !strings.Contains(err.Error(), "newer") {
		if err == nil {
			s.Close()
		}
		t.Errorf("opening a database from a newer zfb: err = %v", err)
	}
}

// TestMigrationsMatch: both backends have the same migrations.
func TestMigrationsMatch(t *testing.T) {
	lite, err := loadMigrations(migrationFiles, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(migrationFiles, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	name := func(m migration) string { return m.name }
	if len(lite) == 0 || !slices.Equal(sliceOf(lite, name), sliceOf(pg, name)) {
		t.Errorf("migrations differ: sqlite %q, postgres %q", sliceOf(lite, name), sliceOf(pg, name))
	}
}

func sliceOf[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// TestPostgresConcurrentOpen: instances starting together on one empty
// schema all open it; the schema is migrated once.
func TestPostgresConcurrentOpen(t *testing.T) {
	u := storetest.PostgresURL(t)
	const n = 4
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		stores []*Store
	)
	for range n {
		wg.Go(func() {
			s, err := Open(t.Context(), u, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			stores = append(stores, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, s := range stores {
		defer s.Close()
	}
	if len(stores) != n {
		t.Fatalf("%d of %d opens succeeded", len(stores), n)
	}
	ms, err := loadMigrations(migrationFiles, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	if rows := migrationRows(t, stores[0]); len(rows) != len(ms) {
		t.Errorf("schema_migrations = %q, want %d rows", rows, len(ms))
	}
}

// TestCheckLedgerFindsCorruption: CheckLedger reports a ledger broken
// behind the store's back, naming what is broken.
func TestCheckLedgerFindsCorruption(t *testing.T) {
	tests := []struct {
		name    string
		corrupt string // SQL; $1 is the buyer's account
		pending bool   // corrupt before the opening transfer's entries are folded
		// unpending are the failures where entries are never pending
		// (SQLite), when they differ from failures.
		unpending []string
		failures  []string
	}{{
		name:     "balance",
		corrupt:  `UPDATE ledger_accounts SET balance = balance + 7 WHERE id = $1`,
		failures: []string{"account buyer:2088000000000001:CNY: balance 1007, but its entries sum to 1000"},
	}, {
		name:    "lost entry",
		corrupt: `DELETE FROM ledger_entries WHERE account_id = $1`,
		failures: []string{
			"currency CNY: entries sum to -1000, not 0",
			"transfer 1: 1 entries summing to -1000",
			"account buyer:2088000000000001:CNY: balance 1000, but its entries sum to 0",
		},
	}, {
		// A pending entry is in no balance column: its loss shows in the
		// currency's total and in its transfer.
		name:    "lost pending entry",
		corrupt: `DELETE FROM ledger_entries WHERE account_id = $1`,
		pending: true,
		failures: []string{
			"currency CNY: entries sum to -1000, not 0",
			"transfer 1: 1 entries summing to -1000",
		},
		unpending: []string{
			"currency CNY: entries sum to -1000, not 0",
			"transfer 1: 1 entries summing to -1000",
			"account buyer:2088000000000001:CNY: balance 1000, but its entries sum to 0",
		},
	}, {
		name:    "entry on the wrong account",
		corrupt: `UPDATE ledger_entries SET account_id = 'funding:CNY', amount = 1000 WHERE account_id = $1`,
		failures: []string{
			"transfer 1: 2 entries summing to 0",
			"account buyer:2088000000000001:CNY: balance 1000, but its entries sum to 0",
			"account funding:CNY: balance -1000, but its entries sum to 0",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, s *Store) {
				ctx := t.Context()
				failures := tc.failures
				if tc.unpending != nil && !s.dialect.pendingEntries() {
					failures = tc.unpending
				}
				if s.folder != nil {
					s.folder.close() // the test folds, or not
				}
				buyer := &zfb.Buyer{UserID: "2088000000000001", PaymentCode: "280000000000000001", Behaviour: zfb.BehaviourPays, Balance: 1000}
				if err := zfb.NewService(s, nil, nil).CreateBuyer(ctx, buyer); err != nil {
					t.Fatal(err)
				}
				if r, err := s.CheckLedger(ctx); err != nil || !r.OK {
					t.Fatalf("before: %+v, %v", r, err)
				}
				if !tc.pending {
					if _, err := s.FoldPending(ctx); err != nil || s.pendingEntries(t) != 0 {
						t.Fatalf("FoldPending: %v, %d entries left pending", err, s.pendingEntries(t))
					}
				}
				if _, err := s.write.ExecContext(ctx, tc.corrupt, zfb.BuyerAccount(buyer.UserID, zfb.CNY)); err != nil {
					t.Fatal(err)
				}
				r, err := s.CheckLedger(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if r.OK {
					t.Fatalf("a corrupt ledger is OK: %+v", r)
				}
				if len(r.Failures) != len(failures) {
					t.Errorf("failures = %q, want %d", r.Failures, len(failures))
				}
				for _, want := range failures {
					if !slices.ContainsFunc(r.Failures, func(f string) bool { return strings.HasPrefix(f, want) }) {
						t.Errorf("no failure %q in %q", want, r.Failures)
					}
				}
			})
		})
	}
}

// TestBalanceCheckConstraint: even a write that skips PostTransfer's
// conditional UPDATE cannot take an account below its floor.
func TestBalanceCheckConstraint(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		if err := s.EnsureAccount(ctx, &zfb.Account{ID: "a", Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: new(int64)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(ctx, `UPDATE ledger_accounts SET balance = -1 WHERE id = 'a'`); err == nil {
			t.Error("a balance went below its floor")
		}
	})
}

// TestEnqueueOutboxUnknownApp: the outbox refers to its app.
func TestEnqueueOutboxUnknownApp(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		err := s.EnqueueOutbox(t.Context(), &zfb.OutboxMessage{AppID: "nobody", Kind: "notify"})
		if !errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

// TestTradesUnknownParent: trades and fault rules refer to their app,
// refunds to their trade.
func TestTradesUnknownParent(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		err := s.CreateTrade(ctx, &zfb.Trade{TradeNo: "T1", AppID: "nobody", OutTradeNo: "o1", Kind: zfb.TradeKindPay, Status: zfb.TradeWaitBuyerPay})
		if !errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("trade of an unknown app: err = %v, want ErrNotFound", err)
		}
		err = s.CreateRefund(ctx, &zfb.Refund{TradeNo: "T1", OutRequestNo: "r1", Amount: 1})
		if !errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("refund of an unknown trade: err = %v, want ErrNotFound", err)
		}
		f := &zfb.Fault{AppID: "nobody", Method: "alipay.trade.pay", Effect: zfb.FaultErrorBefore}
		if err := s.CreateFault(ctx, f); !errors.Is(err, zfb.ErrNotFound) || f.ID != 0 {
			t.Errorf("fault of an unknown app: err = %v, ID %d; want ErrNotFound, 0", err, f.ID)
		}
	})
}

// TestTradeCheckConstraints: the schema refuses what no command may write,
// even past the store's methods.
func TestTradeCheckConstraints(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		app := &zfb.App{ID: "2021000000000001", SellerID: "2088000000000001", SignType: zfb.SignTypeRSA2}
		if err := s.CreateApp(ctx, app); err != nil {
			t.Fatal(err)
		}
		tr := &zfb.Trade{TradeNo: "T1", AppID: app.ID, OutTradeNo: "o1", Kind: zfb.TradeKindPay, Status: zfb.TradeSuccess, TotalAmount: 100}
		if err := s.CreateTrade(ctx, tr); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{
			`UPDATE trades SET refunded_amount = 101 WHERE trade_no = 'T1'`,
			`UPDATE trades SET refunded_amount = -1 WHERE trade_no = 'T1'`,
			`UPDATE trades SET version = 0 WHERE trade_no = 'T1'`,
			`INSERT INTO refunds (trade_no, out_request_no, amount, created_at) VALUES ('T1', 'r1', 0, 0)`,
		} {
			if _, err := s.write.ExecContext(ctx, bad); err == nil {
				t.Errorf("%s: succeeded", bad)
			}
		}
		for _, r := range []*zfb.Refund{{TradeNo: "T1", OutRequestNo: "r0", Amount: 0}, {TradeNo: "T1", OutRequestNo: "r-", Amount: -5}} {
			if err := s.CreateRefund(ctx, r); err == nil || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
				t.Errorf("refund of %d: err = %v, want a plain error", r.Amount, err)
			}
		}
		if err := s.CreateTrade(ctx, &zfb.Trade{TradeNo: "T2", AppID: app.ID, OutTradeNo: "o2", TotalAmount: 5, RefundedAmount: 6}); err == nil {
			t.Error("a trade refunded beyond its total was created")
		}
		if err := s.CreateTrade(ctx, &zfb.Trade{AppID: app.ID, OutTradeNo: "o3"}); err == nil {
			t.Error("a trade without a trade_no was created")
		}
	})
}

// TestTradeZeroTimesAreNull: a trade's unset times are NULL in the
// database, not some far-past instant, and become NULL again when unset.
func TestTradeZeroTimesAreNull(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		app := &zfb.App{ID: "2021000000000001", SellerID: "2088000000000001", SignType: zfb.SignTypeRSA2}
		if err := s.CreateApp(ctx, app); err != nil {
			t.Fatal(err)
		}
		nulls := func() []bool {
			t.Helper()
			got := make([]bool, 3)
			if err := s.read.QueryRowContext(ctx, `SELECT expires_at IS NULL, paid_at IS NULL, closed_at IS NULL
				FROM trades WHERE trade_no = 'T1'`).Scan(&got[0], &got[1], &got[2]); err != nil {
				t.Fatal(err)
			}
			return got
		}
		tr := &zfb.Trade{TradeNo: "T1", AppID: app.ID, OutTradeNo: "o1", Kind: zfb.TradeKindPay, Status: zfb.TradeWaitBuyerPay, TotalAmount: 1}
		if err := s.CreateTrade(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if got := nulls(); !slices.Equal(got, []bool{true, true, true}) {
			t.Errorf("expires_at, paid_at, closed_at IS NULL = %v after creating, want all true", got)
		}
		now := time.Now()
		tr.ExpiresAt, tr.PaidAt, tr.ClosedAt = now, now, now
		if err := s.UpdateTrade(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if got := nulls(); !slices.Equal(got, []bool{false, false, false}) {
			t.Errorf("IS NULL = %v once set, want all false", got)
		}
		tr.ExpiresAt, tr.PaidAt, tr.ClosedAt = time.Time{}, time.Time{}, time.Time{}
		if err := s.UpdateTrade(ctx, tr); err != nil {
			t.Fatal(err)
		}
		if got := nulls(); !slices.Equal(got, []bool{true, true, true}) {
			t.Errorf("IS NULL = %v once unset, want all true", got)
		}
	})
}

// TestSQLiteRequestLogRowsDropped: migration 16 deletes the request log's
// rows, which serve no longer reads once the log is kept in files.
func TestSQLiteRequestLogRowsDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zfb.db")
	s := openURL(t, path)
	ctx := t.Context()
	rec := &zfb.RequestRecord{At: time.Now(), Dialect: zfb.DialectOpenAPI, Method: "alipay.trade.query", Refs: []string{"T1"}}
	if err := s.RecordRequests(ctx, []*zfb.RequestRecord{rec}); err != nil {
		t.Fatal(err)
	}
	// As a database migrated by the version before this one.
	if _, err := s.write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 16`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openURL(t, path)
	for _, table := range []string{"request_log", "request_refs"} {
		var n int
		if err := s.write.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after migration 16, want 0", table, n)
		}
	}
}

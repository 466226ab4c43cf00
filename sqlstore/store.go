// Package sqlstore implements zfb.Store on SQLite (embedded, pure Go, through
// modernc.org/sqlite) and on PostgreSQL (shared by several zfb instances,
// through pgx). One set of queries serves both; a small dialect holds what
// differs, and each backend has its own schema migrations.
//
// Times are stored as Unix microseconds (UTC) and durations as microseconds,
// in BIGINT columns on both backends, so that they round-trip exactly.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/zfbpay/zfb"
)

var _ zfb.Store = (*Store)(nil)

// Store is a zfb.Store on SQLite or PostgreSQL. Its zfb.Queries methods each
// run as one statement or one short transaction.
//
// On SQLite every write goes through one connection (SQLite has one writer
// at a time; queueing in the pool is cheaper than retrying on SQLITE_BUSY),
// and plain reads use a separate pool that never waits for the writer.
type Store struct {
	queries

	dialect *dialect
	write   *sql.DB // InTx and all writes
	read    *sql.DB // plain reads; the same pool as write on PostgreSQL
	logger  *slog.Logger
	// group batches write transactions into shared commits, and the
	// caches keep statements prepared per pool (SQLite only: PostgreSQL's
	// concurrent commits share WAL flushes by themselves, and pgx caches
	// prepared statements).
	group                 *groupCommitter
	readStmts, writeStmts *stmtCache
	folder                *folder         // folds pending ledger entries (ledger_pending.go)
	checkpoints           *checkpointer   // copies SQLite's WAL into the database (checkpoint.go)
	appVersions           *appVersions    // kept app versions (app_versions.go)
	appListener           *appListener    // hears other instances change apps (PostgreSQL only)
	listenConfig          *pgx.ConnConfig // the listener's, till it starts
}

// Open opens the database at url and brings its schema up to date. A url
// starting with postgres:// or postgresql:// selects PostgreSQL; anything
// else is the path of a SQLite file, optionally prefixed with "sqlite:",
// whose directory is created when missing. A PostgreSQL url may size the
// pool with pool_max_conns=N (default 16), as pgxpool's do. A nil logger
// discards.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	return open(ctx, url, logger, defaultWALPolicy)
}

// SQLitePath is the path of the SQLite file url names, as Open reads it;
// false when url is a PostgreSQL one.
func SQLitePath(url string) (string, bool) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return "", false
	}
	return strings.TrimPrefix(url, "sqlite:"), true
}

// open is Open with the WAL checkpointed as wal says (SQLite only).
func open(ctx context.Context, url string, logger *slog.Logger, wal walPolicy) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		s   *Store
		err error
	)
	if path, ok := SQLitePath(url); ok {
		s, err = openSQLite(ctx, path, logger, wal)
	} else {
		s, err = openPostgres(url)
	}
	if err != nil {
		return nil, err
	}
	s.logger = logger
	s.queries = queries{store: s, read: s.read, write: s.write}
	if s.dialect.name == "sqlite" {
		s.readStmts, s.writeStmts = newStmtCache(s.read), newStmtCache(s.write)
		s.queries.read, s.queries.write = cachedDB{s.read, s.readStmts}, cachedDB{s.write, s.writeStmts}
		s.group = newGroupCommitter(s.write, logger, func(tx *sql.Tx) *queries {
			exec := cachedTx{tx: tx, cache: s.writeStmts, uncancelled: true}
			return &queries{store: s, read: exec, write: exec, tx: tx}
		}, s.checkpoints.restart)
	}
	if _, err := s.migrate(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if s.dialect.pendingEntries() {
		s.folder = startFolder(s, foldInterval, logger)
	}
	if s.checkpoints != nil {
		s.checkpoints.start(s.group.requestCheckpoint)
	}
	if s.listenConfig != nil { // after the migrations, which make the trigger it hears
		s.appListener = startAppListener(s.listenConfig, s.appVersions, logger)
		s.listenConfig = nil
	}
	return s, nil
}

func openPostgres(url string) (*Store, error) {
	url, poolSize, err := postgresPoolSize(url)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig(url) // its errors do not show the password
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{dialect: postgresDialect(), write: db, read: db,
		appVersions: newPausedAppVersions(), listenConfig: cfg.Copy()}, nil
}

// Backend is "sqlite" or "postgres".
func (s *Store) Backend() string { return s.dialect.name }

// Close closes the database.
func (s *Store) Close() error {
	if s.appListener != nil {
		s.appListener.close()
	}
	if s.folder != nil {
		s.folder.close()
	}
	if s.group != nil {
		s.group.close()
	}
	var err error
	if s.checkpoints != nil {
		err = s.checkpoints.close()
	}
	if s.readStmts != nil {
		s.readStmts.close()
		s.writeStmts.close()
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// InTx runs fn in one write transaction: every call on q commits when fn
// returns nil, and nothing does when fn returns an error or panics. fn must
// use q, not the Store: on SQLite the Store's own writes would wait for the
// one writer connection that fn holds. On SQLite concurrent transactions
// share one durable commit (groupCommitter); InTx returns only once fn's
// work is durable.
func (s *Store) InTx(ctx context.Context, fn func(q zfb.Queries) error) error {
	return s.writeTx(ctx, func(q *queries) error { return fn(q) })
}

// writeTx runs fn in a write transaction: batched on SQLite, its own on
// PostgreSQL.
func (s *Store) writeTx(ctx context.Context, fn func(q *queries) error) error {
	var appsWritten bool
	member := func(q *queries) error {
		own := *q // a batch's members share q: each gets its own flag
		own.appsWritten = &appsWritten
		return fn(&own)
	}
	var err error
	if s.group != nil {
		err = s.group.run(ctx, member)
	} else {
		err = s.inTx(ctx, s.write, nil, func(tx *sql.Tx) error {
			return member(s.txQueries(tx))
		})
	}
	if appsWritten {
		s.appVersions.forget() // committed or rolled back: read again
	}
	return err
}

// InReadTx runs fn in one read-only transaction on the read pool: every
// read through q sees the same consistent snapshot (REPEATABLE READ on
// PostgreSQL, one WAL snapshot on SQLite), and none waits for a writer. A
// write through q fails: SQLite's read pool is query_only, and PostgreSQL
// refuses writes in a READ ONLY transaction. The transaction is rolled back
// when fn returns an error or panics, and otherwise ends with a commit that
// has nothing to write.
func (s *Store) InReadTx(ctx context.Context, fn func(q zfb.Queries) error) error {
	return s.inTx(ctx, s.read, s.dialect.snapshot, func(tx *sql.Tx) error {
		return fn(s.readTxQueries(tx))
	})
}

// inTx runs fn in a transaction on db, begun with opts.
func (s *Store) inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			s.logger.ErrorContext(ctx, "rollback failed", "err", rbErr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", classify(err))
	}
	return nil
}

// readTxQueries are the queries of one read-only snapshot.
func (s *Store) readTxQueries(tx *sql.Tx) *queries {
	if s.readStmts == nil {
		return s.txQueries(tx)
	}
	exec := cachedTx{tx: tx, cache: s.readStmts}
	return &queries{store: s, read: exec, write: exec, tx: tx}
}

// txQueries are the queries of one transaction.
func (s *Store) txQueries(tx *sql.Tx) *queries {
	return &queries{store: s, read: tx, write: tx, tx: tx}
}

// executor is what *sql.DB and *sql.Tx have in common.
type executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements zfb.Queries once for both the Store (read and write
// are the pools; each method is its own statement or transaction) and a
// transaction (read and write are the transaction).
type queries struct {
	store       *Store
	read, write executor
	tx          *sql.Tx // nil outside InTx
	// appsWritten, in a write transaction, is set when it changed an app
	// (appsChanged), so that writeTx forgets the kept app versions again
	// once it has ended.
	appsWritten *bool
}

// inWriteTx runs fn in the current transaction, or in a new write
// transaction when there is none: for methods of several statements.
func (q *queries) inWriteTx(ctx context.Context, fn func(q *queries) error) error {
	if q.tx != nil {
		return fn(q)
	}
	return q.store.writeTx(ctx, fn)
}

// inReadTx runs fn in the current transaction, or in a new read-only
// snapshot when there is none: for reads of several statements that must
// agree with each other.
func (q *queries) inReadTx(ctx context.Context, fn func(q *queries) error) error {
	if q.tx != nil {
		return fn(q)
	}
	return q.store.inTx(ctx, q.store.read, q.store.dialect.snapshot, func(tx *sql.Tx) error {
		return fn(q.store.readTxQueries(tx))
	})
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// micros and fromMicros convert times at the edge: Unix microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros and fromNullMicros do the same for an optional time.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromMicros(us.Int64)
	return &t
}

// microsOrNull and fromMicrosOrZero do the same for a time whose zero value
// means unset: the zero time is NULL.
func microsOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicrosOrZero(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}

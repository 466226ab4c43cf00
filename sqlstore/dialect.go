package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/zfbpay/zfb"
)

// Every query is written once, with PostgreSQL's $1, $2, … placeholders.
// SQLite reads "$1" as a named parameter, and modernc.org/sqlite binds a
// parameter named $N to the Nth argument, so the same text runs on both (a
// placeholder used twice is one parameter on both). The conformance suite
// runs every query on both backends.

// dialect is what differs between the backends beside the schema files.
type dialect struct {
	name string // "sqlite" or "postgres"; also the migrations directory

	// forUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends. SQLite needs none: a write transaction holds the
	// database's one write lock from BEGIN IMMEDIATE on.
	forUpdate string

	// skipLocked ends the SELECT of ClaimOutbox, which reads outbox as o:
	// it locks the rows it picks and passes over those another claimer
	// holds, so that concurrent claimers neither wait for each other nor
	// get the same message. SQLite needs none: its one writer runs one
	// claim at a time.
	skipLocked string

	// snapshot begins a read-only transaction in which several statements
	// see one consistent state of the database.
	snapshot *sql.TxOptions

	// migrationLock, when set, is run first in the migration transaction so
	// that instances starting together migrate one at a time.
	migrationLock string

	// oldestRequestKept finds the ID of the oldest request log record to
	// keep when $1 are kept; none (NULL or no row) when the log is empty.
	oldestRequestKept string

	// anonymousRows writes the rows of a multi-row VALUES with "?"
	// placeholders instead of "$N" (see rows).
	anonymousRows bool
}

// rows is the VALUES list of a multi-row INSERT of rows rows of cols
// columns, numbered in order: "($1, $2), ($3, $4)" for 2 and 2. On SQLite
// it is "(?, ?), (?, ?)", which binds the same arguments in the same
// order: SQLite finds a named parameter's name by a linear scan of all
// the names (sqlite3_bind_parameter_name), and modernc.org/sqlite asks
// for the name of every parameter it binds, so binding N named
// parameters costs N²/2 steps. At the request log's 288 parameters a
// statement that was 11 % of the log's CPU (BenchmarkWriteQueryRecords);
// an anonymous parameter has no name to look up.
func (d *dialect) rows(rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 6)
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if d.anonymousRows {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(r*cols + c + 1))
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

func sqliteDialect() *dialect {
	return &dialect{
		name: "sqlite",
		// A deferred BEGIN on a WAL database reads one snapshot until
		// the transaction ends.
		snapshot: &sql.TxOptions{ReadOnly: true},
		// SQLite's request log IDs have no gaps: AUTOINCREMENT's counter
		// is a row of sqlite_sequence, which a rolled back transaction
		// puts back, and records leave only from the oldest end. So the
		// oldest of the newest $1 is the newest minus $1-1, read from the
		// end of the table's B-tree. Counting $1 rows back to it instead
		// stepped through every page of the newest records, thousands of
		// 2 KB rows that the writer's page cache does not hold: a fifth
		// of the log's CPU (BenchmarkWriteQueryRecords).
		oldestRequestKept: `SELECT max(id) - $1 + 1 FROM request_log`,
		anonymousRows:     true,
	}
}

func postgresDialect() *dialect {
	return &dialect{
		name:       "postgres",
		forUpdate:  " FOR UPDATE",
		skipLocked: " FOR UPDATE OF o SKIP LOCKED",
		// A sequence leaves gaps where a transaction rolled back, so the
		// rows are counted, along the primary key's narrow index.
		oldestRequestKept: `SELECT id FROM request_log ORDER BY id DESC LIMIT 1 OFFSET $1 - 1`,
		// READ COMMITTED takes a new snapshot per statement; a report
		// built from several statements needs one for all of them.
		snapshot: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		// A transaction-scoped advisory lock, keyed by the schema so that
		// separate schemas (tests running in parallel) do not wait on each
		// other. 8021602 is 0x7a6662, "zfb".
		migrationLock: `SELECT pg_advisory_xact_lock(8021602, hashtext(COALESCE(current_schema(), '')))`,
	}
}

// classify maps a driver error to the zfb error it means, keeping the
// driver's error in the chain: a taken unique key is zfb.ErrConflict, and a
// reference to a row that does not exist (a foreign key) is zfb.ErrNotFound,
// and a transaction PostgreSQL aborted to break a deadlock or a
// serialization conflict is zfb.ErrStale: the command lost a race and runs
// again from a fresh read. Other errors pass through unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", zfb.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", zfb.ErrNotFound, err)
		}
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", zfb.ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: %w", zfb.ErrNotFound, err)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return fmt.Errorf("%w: %w", zfb.ErrStale, err)
		}
	}
	return err
}

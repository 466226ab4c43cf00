package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// openSQLite opens the SQLite file at path: its writer and read pool with
// their pragmas, in WAL mode, with the WAL checkpointed as wal says and
// the files made the owner's only.
func openSQLite(ctx context.Context, path string, logger *slog.Logger, wal walPolicy) (*Store, error) {
	switch {
	case path == "":
		return nil, errors.New("sqlstore: no SQLite database path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("sqlstore: %q: give the path of a SQLite file (an in-memory database cannot be shared by the read and write pools)", path)
	case strings.Contains(path, "?"):
		return nil, fmt.Errorf("sqlstore: %q: a SQLite path cannot contain '?'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlstore: create the database directory: %w", err)
	}
	// The file holds the admin token and every private key. SQLite would
	// create it 0644 (less the umask), readable by every user of a directory
	// that allows it, and gives the -wal and -shm it creates the main
	// file's mode; so the main file is made 0600 first, whoever made the
	// directory.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("sqlstore: create %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sqlstore: create %s: %w", path, err)
	}
	var perms filePerms
	perms.ownerOnly(path, path+"-wal", path+"-shm")
	// Every connection gets these pragmas as it opens. synchronous=FULL:
	// an acknowledged commit must survive a crash.
	dsn := func(extra ...string) string {
		pragmas := append([]string{"busy_timeout(5000)", "foreign_keys(1)", "synchronous(FULL)"}, extra...)
		return path + "?" + url.Values{"_pragma": pragmas}.Encode()
	}
	// While the WAL connection is open, its -wal and -shm exist: ones that
	// another connection (another zfb on the file) had made under a looser
	// main file are tightened too. Closed, SQLite deletes them unless
	// another connection still has the database open.
	err := enableWAL(ctx, dsn(), func() { perms.ownerOnly(path+"-wal", path+"-shm") })
	perms.log(ctx, logger)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", path, err)
	}

	// The writer: BEGIN IMMEDIATE takes the write lock when a transaction
	// starts, not at its first write, so a transaction that reads and then
	// writes never fails to upgrade its lock. temp_store=MEMORY keeps the
	// savepoint journal in memory: every member of a group commit runs in
	// a savepoint (groupCommitter), which copies each page it first changes
	// to that journal, and past 64 KiB SQLite moves the journal to a
	// temporary file and writes every page there with a system call of its
	// own (about 40 % of the CPU of a payment's transaction in
	// BenchmarkTradePayCommandParallel). It is never read
	// after a crash (the WAL is what recovers), so memory loses nothing.
	// wal_autocheckpoint=0: the checkpointer copies the WAL, not the
	// writer's commits (checkpoint.go).
	write, err := sql.Open("sqlite", dsn("temp_store(memory)", "wal_autocheckpoint(0)")+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	read, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlstore: open %s: %w", path, err), write.Close())
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)

	// The checkpointer's connection waits little for readers: it holds
	// the writer meanwhile (checkpoint.go).
	checkpoint, err := sql.Open("sqlite", dsn(fmt.Sprintf("busy_timeout(%d)", checkpointBusyTimeout.Milliseconds())))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlstore: open %s: %w", path, err), write.Close(), read.Close())
	}
	checkpoint.SetMaxOpenConns(1)
	checkpoint.SetMaxIdleConns(1)
	checkpoint.SetConnMaxIdleTime(0)
	checkpoint.SetConnMaxLifetime(0)

	return &Store{dialect: sqliteDialect(), write: write, read: read, appVersions: newAppVersions(),
		checkpoints: newCheckpointer(checkpoint, wal, logger)}, nil
}

// enableWAL puts the database file in WAL mode, which it then keeps, and
// calls inWAL while its connection still holds the file. The switch needs
// the file to itself and SQLite answers SQLITE_BUSY at once, without
// waiting, while another process holds it (several zfb starting on one
// file, say), so it is retried here rather than asked of every pooled
// connection.
func enableWAL(ctx context.Context, dsn string, inWAL func()) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		var mode string
		err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			inWAL()
			return nil
		}
		if err == nil {
			err = fmt.Errorf("journal_mode is %q, not wal", mode)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("enabling WAL: %w", err)
		case <-time.After(delay):
		}
	}
}

// filePerms takes group and other access away from the database's files.
type filePerms struct {
	tightened []string // "path (was 0644)"
	failed    []string // "chmod path: error"
}

// ownerOnly makes each existing file of paths 0600 when its group or others
// have any access to it. Windows has no such bits: there it does nothing.
func (p *filePerms) ownerOnly(paths ...string) {
	if runtime.GOOS == "windows" {
		return
	}
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm()&0o077 == 0 {
			continue // absent (or unreadable: SQLite will say), or tight already
		}
		if err := os.Chmod(path, 0o600); err != nil {
			if !slices.Contains(p.failed, err.Error()) { // tried before and after WAL
				p.failed = append(p.failed, err.Error())
			}
			continue
		}
		p.tightened = append(p.tightened, fmt.Sprintf("%s (was %#o)", path, info.Mode().Perm()))
	}
}

// log warns, once for all the files, of what ownerOnly changed or could not.
func (p *filePerms) log(ctx context.Context, logger *slog.Logger) {
	if len(p.tightened) > 0 {
		logger.WarnContext(ctx, "sqlstore: the database files were open to other users; they hold the admin token and private keys, and are now 0600",
			"files", strings.Join(p.tightened, ", "))
	}
	if len(p.failed) > 0 {
		logger.WarnContext(ctx, "sqlstore: the database files are open to other users and could not be made 0600; they hold the admin token and private keys",
			"errors", strings.Join(p.failed, "; "))
	}
}

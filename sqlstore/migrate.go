package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds each backend's schema changes, in
// migrations/<backend>/NNNN_name.sql. Both backends have the same numbers
// and names: a change is written twice, once per dialect.
//
//go:embed migrations
var migrationFiles embed.FS

// A migration is one numbered schema change.
type migration struct {
	version int
	name    string // the file name
	sql     string
}

// loadMigrations reads the migrations of one backend, in order.
func loadMigrations(fsys fs.FS, backend string) ([]migration, error) {
	dir := path.Join("migrations", backend)
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s/%s: want NNNN_name.sql", dir, name)
		}
		text, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration: %w", err)
		}
		if len(ms) > 0 && ms[len(ms)-1].version == version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share version %d", ms[len(ms)-1].name, name, version)
		}
		ms = append(ms, migration{version: version, name: name, sql: string(text)})
	}
	return ms, nil
}

// migrate applies the migrations the database has not had, all in one
// transaction, and records each in schema_migrations. On PostgreSQL an
// advisory lock makes instances starting together take turns; the later
// ones find nothing left to do. It returns how many it applied.
func (s *Store) migrate(ctx context.Context) (int, error) {
	ms, err := loadMigrations(migrationFiles, s.dialect.name)
	if err != nil {
		return 0, err
	}
	var applied []migration
	err = s.inTx(ctx, s.write, nil, func(tx *sql.Tx) error {
		if s.dialect.migrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.dialect.migrationLock); err != nil {
				return fmt.Errorf("sqlstore: lock for migration: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL
		)`); err != nil {
			return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
		}
		done, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		if len(done) > 0 && len(ms) > 0 && slices.Max(done) > ms[len(ms)-1].version {
			return fmt.Errorf("sqlstore: the database's schema (version %d) is newer than this zfb knows (version %d)", slices.Max(done), ms[len(ms)-1].version)
		}
		for _, m := range ms {
			if slices.Contains(done, m.version) {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, micros(time.Now())); err != nil {
				return fmt.Errorf("sqlstore: record migration %s: %w", m.name, err)
			}
			applied = append(applied, m)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, m := range applied {
		s.logger.InfoContext(ctx, "schema migration applied", "backend", s.dialect.name, "migration", m.name)
	}
	return len(applied), nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	return vs, nil
}

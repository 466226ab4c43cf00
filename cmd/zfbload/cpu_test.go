package main

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"

	"github.com/zfbpay/zfb/storetest"
)

func TestLocalPostgres(t *testing.T) {
	for db, want := range map[string]bool{
		"postgres://postgres@127.0.0.1:5432/test?sslmode=disable": true,
		"postgresql://u@localhost/zfb":                            true,
		"postgres://u@[::1]:5433/zfb":                             true,
		"postgres:///zfb?host=/var/run/postgresql":                true,
		"postgres://u@db.internal:5432/zfb":                       false,
		"postgres:///zfb?host=db.internal":                        false,
		"postgres://u@10.0.0.7/zfb":                               false,
		"/tmp/zfb.db":                                             false,
		"":                                                        false,
	} {
		if got := localPostgres(db); got != want {
			t.Errorf("localPostgres(%q) = %v, want %v", db, got, want)
		}
	}
}

// TestPostgresCPUCountsTheServersWork: a query that keeps a backend busy
// shows in postgresCPU, whether its connection is still open when the
// meter reads (the backend's own time) or closed (the postmaster's
// children's time).
func TestPostgresCPUCountsTheServersWork(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	busy := func(t *testing.T, db *sql.DB) {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM generate_series(1, 3000000)`).Scan(&n); err != nil || n != 3000000 {
			t.Fatalf("count = %d, %v", n, err)
		}
	}
	for _, closed := range []bool{false, true} {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PingContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		m := startDB(true)
		if !m.ok {
			t.Fatal("postgresCPU found no PostgreSQL process in /proc")
		}
		busy(t, db)
		if closed {
			db.Close()
			time.Sleep(200 * time.Millisecond) // the backend exits and is reaped
		}
		spent, ok := m.spent()
		if !closed {
			db.Close()
		}
		// generate_series over three million rows takes PostgreSQL a few
		// hundred milliseconds of CPU; 100 ms is far above a clock tick.
		if !ok || spent < 100*time.Millisecond {
			t.Errorf("connection closed %v: PostgreSQL spent %v (known %v), want at least 100ms", closed, spent, ok)
		}
	}
}

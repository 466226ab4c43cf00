package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/zfbpay/zfb/internal/testenv"
)

// PostgresURL returns the URL of a new, empty PostgreSQL schema for one
// test, dropped when the test ends: the database ZFB_TEST_POSTGRES names
// (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) with the
// schema as its search_path, so that tests, and test processes, running at
// once never see each other's tables.
//
// Without ZFB_TEST_POSTGRES the test is skipped ("needs PostgreSQL: …"),
// except in CI (CI=1, CI=true, …), where it fails: in CI a skipped check
// would be an unchecked one.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("ZFB_TEST_POSTGRES")
	if base == "" {
		testenv.Require(tb, testenv.PostgreSQL, "ZFB_TEST_POSTGRES is not set; set it to e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("ZFB_TEST_POSTGRES: %v", err)
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("ZFB_TEST_POSTGRES: %v", err)
	}
	random := make([]byte, 8)
	_, _ = rand.Read(random) // never fails
	schema := "zfbtest_" + hex.EncodeToString(random)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		tb.Fatalf("create a test schema in ZFB_TEST_POSTGRES: %v", err)
	}
	// Registered before the caller opens a store on the schema, so it runs
	// after that store's Close.
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

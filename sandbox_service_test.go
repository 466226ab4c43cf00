package zfb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// newSandboxService is a Service over a fresh SQLite file holding a new
// sandbox, which it returns too.
func newSandboxService(tb testing.TB) (*zfb.Service, *zfb.Sandbox) {
	tb.Helper()
	return newSandboxServiceOn(tb, filepath.Join(tb.TempDir(), "zfb.db"))
}

// newSandboxServiceOn is newSandboxService over the database at url
// (storetest.PostgresURL for PostgreSQL).
func newSandboxServiceOn(tb testing.TB, url string) (*zfb.Service, *zfb.Sandbox) {
	tb.Helper()
	return newWrappedSandboxService(tb, url, func(s zfb.Store) zfb.Store { return s })
}

// newWrappedSandboxService is newSandboxServiceOn with the Service over
// the Store wrap makes of the database's (one that counts calls, say).
func newWrappedSandboxService(tb testing.TB, url string, wrap func(zfb.Store) zfb.Store) (*zfb.Service, *zfb.Sandbox) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	svc := zfb.NewService(wrap(store), nil, nil)
	sb, err := sandbox.Generate(sandbox.WithKeys(testkeys.Sequence()))
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.CreateSandbox(ctx, sb); err != nil {
		tb.Fatal(err)
	}
	return svc, sb
}

package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
)

// appVersionOf is AppVersion's version, failing the test on an error.
func appVersionOf(t *testing.T, s *Store, appID string) int64 {
	t.Helper()
	v, _, err := s.AppVersion(t.Context(), appID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPostgresAppVersionsHearAnotherInstance: on PostgreSQL a store keeps
// its apps' versions in memory while its listener is connected, forgets
// them when another instance's change commits, and keeps none while the
// listener is gone. The TTL is an hour here, so only the listener can
// make a store read again.
func TestPostgresAppVersionsHearAnotherInstance(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := t.Context()
	b := openURL(t, url)
	app := &zfb.App{ID: "2021000000000001", SellerID: "2088000000000001", SignType: zfb.SignTypeRSA2}
	if err := b.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	// Opened after the app's creation committed, so that no announcement
	// of it can reach a late and make a forget what the test kept.
	a := openURL(t, url)
	a.appVersions.mu.Lock()
	a.appVersions.ttl = time.Hour
	a.appVersions.mu.Unlock()
	waitFor(t, a.appVersions.keeping)

	// A change that PostgreSQL does not announce (its trigger off, as only
	// a test would do) is not seen: the version comes from memory.
	kept := appVersionOf(t, a, app.ID)
	bumpQuietly := func() {
		t.Helper()
		if _, err := b.write.ExecContext(ctx, `ALTER TABLE apps DISABLE TRIGGER apps_changed;
			UPDATE apps SET version = version + 1 WHERE id = '`+app.ID+`';
			ALTER TABLE apps ENABLE TRIGGER apps_changed`); err != nil {
			t.Fatal(err)
		}
	}
	bumpQuietly()
	if v := appVersionOf(t, a, app.ID); v != kept {
		t.Fatalf("a read version %d after an unannounced change; want the kept %d", v, kept)
	}

	// Another instance's change is announced: a forgets, and reads it.
	if err := b.SetAppNotifyURL(ctx, app.ID, "http://127.0.0.1/n"); err != nil {
		t.Fatal(err)
	}
	want := kept + 2
	waitFor(t, func() bool { return appVersionOf(t, a, app.ID) == want })
	if offset, err := b.AdvanceAppClock(ctx, app.ID, time.Hour, 24*time.Hour); err != nil {
		t.Fatal(err)
	} else {
		waitFor(t, func() bool {
			_, got, err := a.AppVersion(ctx, app.ID)
			return err == nil && got == offset
		})
	}

	// The listener's connection dies: a keeps nothing until it is back,
	// and forgets what it kept before, so a change that went unannounced
	// meanwhile is read.
	want = appVersionOf(t, a, app.ID) + 1
	for _, s := range []*Store{a, b} {
		pid := s.appListener.pid.Load()
		var killed bool
		if err := b.write.QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&killed); err != nil || !killed {
			t.Fatalf("terminate the listener (backend %d): %v, %v", pid, killed, err)
		}
	}
	bumpQuietly()
	waitFor(t, func() bool { return appVersionOf(t, a, app.ID) == want })
	waitFor(t, a.appVersions.keeping)
	if err := b.SetAppNotifyURL(ctx, app.ID, "http://127.0.0.1/again"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return appVersionOf(t, a, app.ID) == want+1 })
}

// TestPostgresAppListenerStopsWithTheStore: Close stops the listener, whose
// session then leaves the database.
func TestPostgresAppListenerStopsWithTheStore(t *testing.T) {
	url := storetest.PostgresURL(t)
	s, err := Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, s.appVersions.keeping)
	pid := s.appListener.pid.Load()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.appVersions.keeping() {
		t.Error("a closed store still keeps app versions")
	}
	if pid := s.appListener.pid.Load(); pid != 0 {
		t.Errorf("the listener still has backend %d", pid)
	}
	probe := openURL(t, url)
	waitFor(t, func() bool {
		var n int
		err := probe.write.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, int64(pid)).Scan(&n)
		return err == nil && n == 0
	})
}

package sqlstore

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// TestSQLiteAppVersionsNeverStale: AppVersion answers from memory on
// SQLite, yet once a change has committed, every AppVersion begun after
// it sees it, even while readers race the writer (a reader that read the
// old value just before the commit must not keep it).
func TestSQLiteAppVersionsNeverStale(t *testing.T) {
	s := newSQLiteStore(t)
	ctx := t.Context()
	app := &zfb.App{ID: "2021000000000001", SellerID: "2088000000000001", SignType: zfb.SignTypeRSA2}
	if err := s.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 { // readers that keep the kept value busy
		wg.Go(func() {
			for !stop.Load() {
				if _, _, err := s.AppVersion(ctx, app.ID); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()
	for i := 1; i <= 200; i++ {
		want := time.Duration(i) * time.Second
		// Through a write transaction of the group committer, as the
		// service advances clocks.
		if err := s.InTx(ctx, func(q zfb.Queries) error {
			_, err := q.AdvanceAppClock(ctx, app.ID, time.Second, 24*time.Hour)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, offset, err := s.AppVersion(ctx, app.ID); err != nil || offset != want {
			t.Fatalf("after advance %d: offset %v, %v; want %v", i, offset, err, want)
		}
		if i%20 == 0 { // and a settings change, outside any transaction
			before, _, _ := s.AppVersion(ctx, app.ID)
			if err := s.SetAppNotifyURL(ctx, app.ID, "http://127.0.0.1/n"); err != nil {
				t.Fatal(err)
			}
			if after, _, _ := s.AppVersion(ctx, app.ID); after != before+1 {
				t.Fatalf("version %d after a change, want %d", after, before+1)
			}
		}
	}
}

// TestSQLiteAppVersionsSeeAnotherStoreWithinTheTTL: a change made through
// another store on the same file (another process, say) cannot be seen at
// once, but within appVersionTTL.
func TestSQLiteAppVersionsSeeAnotherStoreWithinTheTTL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zfb.db")
	a, b := openURL(t, path), openURL(t, path)
	ctx := t.Context()
	app := &zfb.App{ID: "2021000000000001", SellerID: "2088000000000001", SignType: zfb.SignTypeRSA2}
	if err := a.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	before, _, err := a.AppVersion(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetAppNotifyURL(ctx, app.ID, "http://127.0.0.1/n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(appVersionTTL + time.Second)
	for {
		v, _, err := a.AppVersion(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v == before+1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("version still %d %v after the change, want %d", v, appVersionTTL+time.Second, before+1)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

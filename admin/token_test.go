package admin_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sqlstore"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// adminStatus is the status of GET /admin/v1/apps with token.
func adminStatus(t *testing.T, srv *zfbtest.Server, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.AdminURL()+"/apps", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitStatus asks with token until the answer is want, and returns how long
// that took; it fails the test when it is not want within limit.
func waitStatus(t *testing.T, srv *zfbtest.Server, token string, want int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got := adminStatus(t, srv, token)
		if got == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("the admin API still answers %d, not %d, %v after the rotation", got, want, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A rotated admin token replaces the old one on a running server, without
// a restart: the old one stops within about a second, the new one works
// then or sooner — on every instance of a shared database.
func TestRotatedTokenTakesEffectWithoutRestart(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		srv := zfbtest.NewServer(t)
		testRotation(t, srv, srv)
	})
	t.Run("postgres, two instances", func(t *testing.T) {
		db := storetest.PostgresURL(t)
		rotating := zfbtest.NewServer(t, zfbtest.WithDatabase(db))
		other := zfbtest.NewServer(t, zfbtest.WithDatabase(db))
		testRotation(t, rotating, other)
	})
}

// testRotation rotates twice through rotating's Service and asks srv: after
// the first, with the old token alone, which stops working once srv re-reads
// the token (at most a second later); after the second, with the new token
// first, which makes srv re-read at once.
func testRotation(t *testing.T, rotating, srv *zfbtest.Server) {
	old := srv.Sandbox.AdminToken
	if rotating.Sandbox.AdminToken != old {
		t.Fatal("the two instances have different sandboxes")
	}
	if got := adminStatus(t, srv, old); got != http.StatusOK {
		t.Fatalf("the sandbox token answers %d before the rotation", got)
	}
	for i, newFirst := range []bool{false, true} {
		token, err := rotating.Service.RotateAdminToken(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if token == old || len(token) != 64 {
			t.Fatalf("new token %q: want 64 hex digits, not the old token", token)
		}
		if newFirst {
			waitStatus(t, srv, token, http.StatusOK, 300*time.Millisecond)
		}
		took := waitStatus(t, srv, old, http.StatusUnauthorized, 1500*time.Millisecond)
		t.Logf("rotation %d: the old token stopped working %v after it", i+1, took.Round(time.Millisecond))
		waitStatus(t, srv, token, http.StatusOK, 300*time.Millisecond)
		for range 5 {
			if got := adminStatus(t, srv, old); got != http.StatusUnauthorized {
				t.Fatalf("the old token answers %d again", got)
			}
			if got := adminStatus(t, srv, token); got != http.StatusOK {
				t.Fatalf("the new token answers %d", got)
			}
		}
		for _, wrong := range []string{"", "x", token + "x", token[:63]} {
			if got := adminStatus(t, srv, wrong); got != http.StatusUnauthorized {
				t.Errorf("token %q answers %d", wrong, got)
			}
		}
		old = token
	}
}

// New's token serves until the first re-read; then the database's does.
// With no token in the database, nobody gets in.
func TestAdminTokenWithoutSandbox(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, nil)
	if _, err := svc.RotateAdminToken(ctx); !errors.Is(err, zfb.ErrNoAdminToken) {
		t.Fatalf("rotating without a sandbox: %v, want ErrNoAdminToken", err)
	}
	h := admin.New(svc, "given", svc.Logger)
	if code, _ := do(t, h, "given", "GET", admin.Prefix+"/ledger/check", ""); code != http.StatusOK {
		t.Fatalf("New's token answers %d at first", code)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		code, _ := do(t, h, "given", "GET", admin.Prefix+"/ledger/check", "")
		if code == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("New's token still answers %d although the database has none", code)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := do(t, h, "", "GET", admin.Prefix+"/ledger/check", ""); code != http.StatusUnauthorized {
		t.Fatalf("no token answers %d", code)
	}
}

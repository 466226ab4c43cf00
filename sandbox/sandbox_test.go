package sandbox_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
	"github.com/zfbpay/zfb/storetest"
)

// TestEnsureRace starts several "instances" on one database at once:
// exactly one creates the sandbox, and all of them then see the same one.
func TestEnsureRace(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "zfb.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db := url(t)
			ctx := context.Background()
			const instances = 4
			var wg sync.WaitGroup
			created := make([]bool, instances)
			files := make([]*sandbox.File, instances)
			for i := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					store, err := sqlstore.Open(ctx, db, nil)
					if err != nil {
						t.Error(err)
						return
					}
					defer store.Close()
					svc := zfb.NewService(store, nil, nil)
					if created[i], err = sandbox.Ensure(ctx, svc); err != nil {
						t.Error(err)
						return
					}
					if files[i], err = sandbox.Load(ctx, svc, "http://127.0.0.1:8650"); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			n := 0
			for i := range instances {
				if created[i] {
					n++
				}
				if files[i].AdminToken != files[0].AdminToken || len(files[i].Apps) != 1 || len(files[i].Buyers) != 3 ||
					files[i].Apps[0].AppPrivateKey != files[0].Apps[0].AppPrivateKey {
					t.Fatalf("instance %d sees another sandbox", i)
				}
			}
			if n != 1 {
				t.Fatalf("%d instances created the sandbox, want 1", n)
			}
			if f := files[0]; f.GatewayURL != "http://127.0.0.1:8650/gateway.do" || f.AdminURL != "http://127.0.0.1:8650/admin/v1" || f.DashboardURL != "http://127.0.0.1:8650/dashboard/" {
				t.Fatalf("urls %+v", f)
			}
		})
	}
}

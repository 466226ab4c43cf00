package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/storetest"
)

func TestPostgresPoolSize(t *testing.T) {
	for _, c := range []struct {
		url, rest string
		size      int
	}{
		{"postgres://h/db", "postgres://h/db", defaultPostgresPool},
		{"postgres://h/db?sslmode=disable", "postgres://h/db?sslmode=disable", defaultPostgresPool},
		{"postgres://h/db?pool_max_conns=4", "postgres://h/db", 4},
		{"postgres://u:p%3Fw@h/db?sslmode=disable&pool_max_conns=2&search_path=a%2Cb",
			"postgres://u:p%3Fw@h/db?sslmode=disable&search_path=a%2Cb", 2},
		{"postgresql://h1,h2/db?pool%5Fmax%5Fconns=%33#x", "postgresql://h1,h2/db#x", 3},
	} {
		rest, size, err := postgresPoolSize(c.url)
		if err != nil || rest != c.rest || size != c.size {
			t.Errorf("postgresPoolSize(%q) = %q, %d, %v; want %q, %d", c.url, rest, size, err, c.rest, c.size)
		}
	}
	for _, url := range []string{
		"postgres://u:secret@h/db?pool_max_conns=0",
		"postgres://u:secret@h/db?pool_max_conns=-1",
		"postgres://u:secret@h/db?pool_max_conns=many",
		"postgres://u:secret@h/db?pool_max_conns=",
		"postgres://u:secret@h/db?pool_max_conns=2&pool_max_conns=3",
	} {
		_, _, err := postgresPoolSize(url)
		if err == nil || !strings.Contains(err.Error(), "pool_max_conns") || strings.Contains(err.Error(), "secret") {
			t.Errorf("postgresPoolSize(%q): %v, want an error about pool_max_conns that does not show the password", url, err)
		}
	}
}

// TestPostgresPoolMaxConns: pool_max_conns sizes the pool and does not
// reach the server, which would refuse it as an unknown setting.
func TestPostgresPoolMaxConns(t *testing.T) {
	s := openURL(t, storetest.PostgresURL(t)+"&pool_max_conns=3")
	if got := s.write.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("MaxOpenConnections = %d, want 3", got)
	}
	var one int
	if err := s.write.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("a query on the sized pool: %d, %v", one, err)
	}
	if got := newPostgresStore(t).write.Stats().MaxOpenConnections; got != defaultPostgresPool {
		t.Errorf("without pool_max_conns: MaxOpenConnections = %d, want %d", got, defaultPostgresPool)
	}
	if _, err := Open(context.Background(), storetest.PostgresURL(t)+"&pool_max_conns=0", nil); err == nil ||
		!strings.Contains(err.Error(), "pool_max_conns") {
		t.Errorf("pool_max_conns=0: %v, want refused", err)
	}
}

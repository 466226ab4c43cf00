package sqlstore

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// defaultPostgresPool is how many connections one zfb keeps to PostgreSQL
// (besides the app listener's), unless its URL says otherwise with
// pool_max_conns. With zfb, PostgreSQL and the load client on two shared
// cores, a pool of 6 answered a few per cent more than 16 in most of
// eleven alternating pairs (docs/performance.md): fewer backends to
// switch between. But a write holds its connection through its commit's
// WAL flush, so on a disk whose flush takes milliseconds a small pool caps
// commits per second; the default stays at the number of concurrent
// callers zfbload (and a busy client) brings. Several instances on one
// database share its max_connections (100 by default): that, or a
// database on the same cores, is what the parameter is for.
const defaultPostgresPool = 16

// poolParam is the URL parameter that sizes the pool: pgxpool's name, which
// pgx users know. pgx itself would send it to the server as a setting, and
// PostgreSQL refuses unknown settings, so it is taken out of the URL first.
const poolParam = "pool_max_conns"

// postgresPoolSize takes pool_max_conns=N out of the postgres:// URL u and
// returns the rest of u, byte for byte, with the pool's size (N, or
// defaultPostgresPool without it). N must be a whole number from 1; a
// parameter given twice is refused rather than guessed at. Its errors show
// the value, never the URL (which may hold a password).
func postgresPoolSize(u string) (string, int, error) {
	base, query, hasQuery := strings.Cut(u, "?")
	if !hasQuery {
		return u, defaultPostgresPool, nil
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	size, found := defaultPostgresPool, false
	var kept []string
	for _, part := range strings.Split(query, "&") {
		key, value, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err != nil || k != poolParam {
			kept = append(kept, part)
			continue
		}
		if found {
			return "", 0, fmt.Errorf("sqlstore: %s is given twice in the database URL", poolParam)
		}
		found = true
		v, err := url.QueryUnescape(value)
		n, convErr := strconv.Atoi(v)
		if err != nil || convErr != nil || n < 1 {
			return "", 0, fmt.Errorf("sqlstore: %s must be a whole number of connections from 1, not %q", poolParam, value)
		}
		size = n
	}
	if !found {
		return u, defaultPostgresPool, nil
	}
	rest := base
	if len(kept) > 0 {
		rest += "?" + strings.Join(kept, "&")
	}
	if hasFragment {
		rest += "#" + fragment
	}
	return rest, size, nil
}

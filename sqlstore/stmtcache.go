package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds a cache: zfb's queries are fixed texts, a
// few hundred at most; past the bound a query is simply parsed each time.
const maxCachedStatements = 512

// stmtCache keeps SQLite statements prepared, so that a query's text is
// parsed once per connection rather than at every execution (parsing was
// about a fifth of a trade payment's CPU). database/sql prepares a cached
// *sql.Stmt again on each connection that needs it, and a transaction
// reuses it on its own connection (Tx.StmtContext).
//
// A statement is prepared off the caller's path, in a goroutine that holds
// no connection: preparing on the pool from inside a transaction could wait
// forever for a connection (the writer pool has one, which the transaction
// holds). Until it is ready, the query runs unprepared, as it always did.
// PostgreSQL needs none of this: pgx caches prepared statements per
// connection by itself.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	// stmts maps a query to its statement; nil while it is being prepared
	// or when it failed to prepare (a statement SQLite cannot prepare
	// outside its transaction, say), so it is tried once.
	stmts map[string]*sql.Stmt
	wg    sync.WaitGroup
	done  chan struct{}
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: make(map[string]*sql.Stmt), done: make(chan struct{})}
}

// get returns query's statement, or nil, starting its preparation the
// first time query is seen.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	st, seen := c.stmts[query]
	if !seen && len(c.stmts) < maxCachedStatements {
		select {
		case <-c.done:
		default:
			c.stmts[query] = nil
			c.wg.Add(1)
			go c.prepare(query)
		}
	}
	c.mu.Unlock()
	return st
}

func (c *stmtCache) prepare(query string) {
	defer c.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return // stays nil: run unprepared
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		st.Close()
	default:
		c.stmts[query] = st
	}
}

// close stops preparing and closes the statements; call it before closing
// the database.
func (c *stmtCache) close() {
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return
	default:
		close(c.done)
	}
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		if st != nil {
			st.Close()
		}
		delete(c.stmts, q)
	}
}

// cachedDB runs statements on a pool through the cache.
type cachedDB struct {
	db    *sql.DB
	cache *stmtCache
}

func (d cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := d.cache.get(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return d.db.ExecContext(ctx, query, args...)
}

func (d cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.cache.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.db.QueryContext(ctx, query, args...)
}

func (d cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.cache.get(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.db.QueryRowContext(ctx, query, args...)
}

// cachedTx runs a transaction's statements through the cache of its pool;
// with uncancelled set, without their context's cancellation (see
// groupCommitter.run).
type cachedTx struct {
	tx          *sql.Tx
	cache       *stmtCache
	uncancelled bool
}

func (t cachedTx) context(ctx context.Context) context.Context {
	if t.uncancelled {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.context(ctx)
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.context(ctx)
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.context(ctx)
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func openSQLiteForTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func account(id string) *zfb.Account {
	return &zfb.Account{ID: id, Kind: zfb.AccountKindFunding, Currency: zfb.CNY}
}

// TestGroupCommit: write transactions queued while one is running share
// the next commit; a member that fails or panics is rolled back alone, and
// its caller gets its error or its panic; the others' work is durable when
// their InTx returns.
func TestGroupCommit(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	g := s.group
	batches := g.batches.Load()

	// The first transaction holds the writer until the others are queued.
	release := make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- s.InTx(ctx, func(q zfb.Queries) error {
			<-release
			return q.EnsureAccount(ctx, account("first"))
		})
	}()
	waitFor(t, func() bool { return g.batches.Load() == batches+1 }) // the first is running

	const n = 12
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = s.InTx(ctx, func(q zfb.Queries) error {
				if err := q.EnsureAccount(ctx, account(fmt.Sprint("member-", i))); err != nil {
					return err
				}
				switch i {
				case 3:
					return errors.New("member 3 fails after writing")
				case 7:
					panic("member 7 panics after writing")
				}
				return nil
			})
		}()
	}
	waitFor(t, func() bool { return len(g.queue) == n })
	close(release)
	wg.Wait()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if got := g.batches.Load() - batches; got != 2 {
		t.Errorf("%d commits for 1 + %d queued transactions, want 2", got, n)
	}
	for i := range n {
		_, err := s.Account(ctx, fmt.Sprint("member-", i))
		switch i {
		case 3:
			if errs[i] == nil || errs[i].Error() != "member 3 fails after writing" {
				t.Errorf("member 3: InTx = %v, want its own error", errs[i])
			}
			if !errors.Is(err, zfb.ErrNotFound) {
				t.Errorf("member 3 failed, but its write is there (%v)", err)
			}
		case 7:
			if panics[i] != "member 7 panics after writing" {
				t.Errorf("member 7: recovered %v, want its panic", panics[i])
			}
			if !errors.Is(err, zfb.ErrNotFound) {
				t.Errorf("member 7 panicked, but its write is there (%v)", err)
			}
		default:
			if errs[i] != nil || panics[i] != nil || err != nil {
				t.Errorf("member %d: InTx = %v, panic %v, account read: %v", i, errs[i], panics[i], err)
			}
		}
	}
	if _, err := s.Account(ctx, "first"); err != nil {
		t.Errorf("the first transaction's write: %v", err)
	}
}

// TestGroupCommitAlone: a transaction alone in its batch (no savepoint)
// that fails or panics after writing leaves nothing behind, its caller
// gets its error or its panic, and the writer goes on.
func TestGroupCommitAlone(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	g := s.group
	batches, members := g.batches.Load(), g.members.Load()
	failed := errors.New("fails after writing")
	if err := s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.EnsureAccount(ctx, account("failed")); err != nil {
			return err
		}
		return failed
	}); err != failed {
		t.Errorf("InTx = %v, want its own error", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "panics after writing" {
				t.Errorf("recovered %v, want the transaction's panic", r)
			}
		}()
		_ = s.InTx(ctx, func(q zfb.Queries) error {
			if err := q.EnsureAccount(ctx, account("panicked")); err != nil {
				return err
			}
			panic("panics after writing")
		})
	}()
	if err := s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account("committed")) }); err != nil {
		t.Fatal(err)
	}
	if b, m := g.batches.Load()-batches, g.members.Load()-members; b != 3 || m != 3 {
		t.Errorf("%d batches of %d members, want 3 of 1 each", b, m)
	}
	for id, want := range map[string]error{"failed": zfb.ErrNotFound, "panicked": zfb.ErrNotFound, "committed": nil} {
		if _, err := s.Account(ctx, id); !errors.Is(err, want) {
			t.Errorf("account %q: %v, want %v", id, err, want)
		}
	}
}

// TestGroupCommitCancelledCaller: a caller whose context is cancelled
// while its transaction waits in the queue does not break the batch it
// joins: it runs to its end, and so do the others.
func TestGroupCommitCancelledCaller(t *testing.T) {
	s := openSQLiteForTest(t)
	g := s.group
	ctx := context.Background()
	release := make(chan struct{})
	go func() {
		_ = s.InTx(ctx, func(q zfb.Queries) error { <-release; return nil })
	}()
	waitFor(t, func() bool { return g.batches.Load() == 1 })
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 2)
	go func() {
		done <- s.InTx(cctx, func(q zfb.Queries) error { return q.EnsureAccount(cctx, account("cancelled")) })
	}()
	go func() {
		done <- s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account("other")) })
	}()
	waitFor(t, func() bool { return len(g.queue) == 2 })
	cancel()
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"cancelled", "other"} {
		if _, err := s.Account(ctx, id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	// A context cancelled before submitting never starts.
	if err := s.InTx(cctx, func(q zfb.Queries) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("InTx with a cancelled context = %v", err)
	}
}

func TestGroupCommitAfterClose(t *testing.T) {
	s := openSQLiteForTest(t)
	s.Close()
	if err := s.InTx(context.Background(), func(q zfb.Queries) error { return nil }); !errors.Is(err, errStoreClosed) {
		t.Errorf("InTx after Close = %v, want errStoreClosed", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStatementCache: statements that run get prepared, off the caller's
// path, on both SQLite pools — the writer's too, whose one connection the
// transactions hold — and transactions then use them.
func TestStatementCache(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	prepared := func(c *stmtCache) int {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, st := range c.stmts {
			if st != nil {
				n++
			}
		}
		return n
	}
	for i := range 50 {
		if err := s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account(fmt.Sprint("a", i))) }); err != nil {
			t.Fatal(err)
		}
		if err := s.InReadTx(ctx, func(q zfb.Queries) error { _, err := q.Account(ctx, "a0"); return err }); err != nil {
			t.Fatal(err)
		}
		if prepared(s.writeStmts) > 0 && prepared(s.readStmts) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("after 50 transactions, %d write and %d read statements are prepared", prepared(s.writeStmts), prepared(s.readStmts))
}

// TestGroupCommitLingerCatchesConcurrentWriter: a batch waits for another
// writer (lingering), and commits as soon as it holds as many as the
// recent batches did (two at least), without waiting out the gap.
func TestGroupCommitLingerCatchesConcurrentWriter(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	g := s.group
	g.lingerMax, g.lingerGap = time.Minute, time.Minute // the second writer, not a timer, ends the linger
	batches := g.batches.Load()
	first := make(chan error, 1)
	go func() {
		first <- s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account("first")) })
	}()
	waitFor(t, func() bool { return g.lingers.Load() == 1 })
	start := time.Now()
	if err := s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account("second")) }); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if b, caught := g.batches.Load()-batches, g.caught.Load(); b != 1 || caught != 1 {
		t.Errorf("%d commits, %d members caught lingering; want 1 commit that caught the second writer", b, caught)
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("the batch of two waited %v: it should commit once it had them", waited)
	}
}

// TestGroupCommitLingerBacksOffAlone: a caller alone commits each write in
// a batch of its own, and lingers ever more rarely when nobody comes: 8
// lingers in 200 writes (the 1st, 3rd, 6th, 11th, 20th, 37th, 70th and
// 135th: the backoff doubles, up to lingerBackoff).
func TestGroupCommitLingerBacksOffAlone(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	g := s.group
	g.lingerGap = 100 * time.Microsecond // the test need not wait long for nobody
	batches, lingers := g.batches.Load(), g.lingers.Load()
	for i := range 200 {
		if err := s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account(fmt.Sprint("alone-", i))) }); err != nil {
			t.Fatal(err)
		}
	}
	if b, l, caught := g.batches.Load()-batches, g.lingers.Load()-lingers, g.caught.Load(); b != 200 || l != 8 || caught != 0 {
		t.Errorf("%d commits, %d lingers catching %d; want 200 commits and 8 lingers catching nobody", b, l, caught)
	}
}

// TestGroupCommitLingerResumesWithConcurrentWriters: once writers queue
// together again, a caller that had been alone lingers at its next write,
// without waiting out its backoff.
func TestGroupCommitLingerResumesWithConcurrentWriters(t *testing.T) {
	s := openSQLiteForTest(t)
	ctx := context.Background()
	g := s.group
	g.lingerGap = 100 * time.Microsecond
	write := func(id string) {
		t.Helper()
		if err := s.InTx(ctx, func(q zfb.Queries) error { return q.EnsureAccount(ctx, account(id)) }); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 { // alone: lingers at the 1st, 3rd, 6th, 11th, 20th and 37th, then skips 32
		write(fmt.Sprint("alone-", i))
	}
	// Two writers queue behind a third that holds the writer: one batch of two.
	started, release := make(chan struct{}), make(chan struct{})
	var releasing sync.Once
	letGo := func() { releasing.Do(func() { close(release) }) }
	t.Cleanup(letGo) // a failure below must not leave the writer held
	held := make(chan error, 1)
	go func() {
		held <- s.InTx(ctx, func(q zfb.Queries) error {
			close(started)
			<-release
			return q.EnsureAccount(ctx, account("held"))
		})
	}()
	<-started
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { write(fmt.Sprint("together-", i)) })
	}
	waitFor(t, func() bool { return len(g.queue) == 2 })
	letGo()
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	lingers := g.lingers.Load()
	write("alone-again")
	if g.lingers.Load() != lingers+1 {
		t.Errorf("the write after a batch of two lingered %d times, want once", g.lingers.Load()-lingers)
	}
}

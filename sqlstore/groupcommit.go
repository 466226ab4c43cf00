package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// maxBatch bounds how many write transactions share one commit, so that
// none waits behind an unbounded queue of others.
const maxBatch = 64

// Lingering. Under concurrent load most of what a commit costs is per
// commit, not per member: the WAL frames of the pages it changed (a page
// that several members changed is written once) and the fsync. Members
// arrive one at a time, though (a pay reaches the writer about once a
// millisecond under zfbload's sixteen connections), so a batch taken as
// soon as the writer is free was often of one or two. A batch therefore
// waits for more members, until it is as big as the biggest of the last
// lingerMemory batches (at least two, at most lingerTarget: the writers
// that are there to wait for), or lingerGap has passed without a new one,
// or lingerMax since it began waiting. So under steady load batches grow
// to the number of concurrent writers, and two callers take turns in
// shared commits rather than waiting out the gap. A caller alone must not
// pay for it: a linger that caught nobody makes the next batch commit at
// once, the next two after another, and so on, doubling up to
// lingerBackoff; one that caught a member, or a batch that found several
// queued (writers are concurrent again), starts over. A lone caller's
// writes wait lingerGap once in lingerBackoff+1 at most, once it has made
// a few.
const (
	lingerMax     = 3 * time.Millisecond
	lingerGap     = 1500 * time.Microsecond
	lingerTarget  = 16
	lingerBackoff = 1024
	lingerMemory  = 16
)

// errStoreClosed answers writes submitted after Close.
var errStoreClosed = errors.New("sqlstore: the store is closed")

// groupCommitter runs SQLite's write transactions in batches: one SQLite
// transaction (one fsync of the WAL at its commit) holds every write
// transaction queued while the previous batch was committing, and those
// that came while it lingered for them (see lingerMax), each inside
// a savepoint of its own when there are several (a batch of one needs
// none: commitAlone). A transaction whose function fails is rolled
// back to its savepoint and the others go on; each caller learns its
// outcome only after the batch's COMMIT has returned, so nothing is
// acknowledged before it is durable, and a failed COMMIT fails every
// member. SQLite has one writer at a time anyway: the members run one
// after the other on the writer connection, in arrival order, so each sees
// the writes of those before it, as if each had committed alone.
//
// Under concurrent load this turns N commits (N fsyncs, about 0.5 ms each
// here) into one; alone, a write transaction commits as soon as it is done
// but for a rare linger.
type groupCommitter struct {
	db      *sql.DB // the one writer connection
	logger  *slog.Logger
	queue   chan *pendingTx
	wrap    func(*sql.Tx) *queries
	stopped chan struct{}
	closing sync.Once
	mu      sync.RWMutex // held for reading while submitting, for writing to close the queue
	closed  bool

	// checkpointDue is set by the checkpointer when the WAL should start
	// over: the loop then calls checkpoint between two batches, while no
	// write transaction is open (checkpoint.go).
	checkpointDue atomic.Bool
	checkpoint    func(context.Context)

	batches atomic.Int64 // commits, for tests and the curious
	members atomic.Int64 // transactions committed or rolled back through batches
	lingers atomic.Int64 // batches that waited for more members
	caught  atomic.Int64 // members that joined a batch while it waited

	// lingerMax and lingerGap are the constants of the same names (a
	// test may change them before its first write; 0 lingerMax never
	// waits). Only the loop reads them and the fields below.
	lingerMax, lingerGap time.Duration
	skip                 int // batches left to commit without waiting
	backoff              int // batches to skip after the next linger that catches nobody
	// sizes are the sizes of the last batches, a ring: a linger stops
	// once its batch is as big as the biggest of them (lingerGoal).
	sizes [lingerMemory]int
	next  int
}

// pendingTx is one caller's write transaction waiting for its batch.
type pendingTx struct {
	fn    func(q *queries) error
	err   error
	panic any // re-raised in the caller's goroutine
	done  chan struct{}
}

// newGroupCommitter starts the loop that commits db's write transactions;
// checkpoint, when not nil, is what the loop runs when asked between two
// batches (requestCheckpoint).
func newGroupCommitter(db *sql.DB, logger *slog.Logger, wrap func(*sql.Tx) *queries, checkpoint func(context.Context)) *groupCommitter {
	g := &groupCommitter{db: db, logger: logger, wrap: wrap, checkpoint: checkpoint,
		queue: make(chan *pendingTx, maxBatch), stopped: make(chan struct{}),
		lingerMax: lingerMax, lingerGap: lingerGap, backoff: 1}
	go g.loop()
	return g
}

// run submits fn and waits for the batch that holds it to end. Once
// submitted, fn runs to its end even if ctx is cancelled: its statements
// run without their context's cancellation (cachedTx.uncancelled), because
// interrupting a statement would roll back the whole SQLite transaction,
// and with it the other members' work.
func (g *groupCommitter) run(ctx context.Context, fn func(q *queries) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pendingTx{fn: fn, done: make(chan struct{})}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errStoreClosed
	}
	g.queue <- p
	g.mu.RUnlock()
	<-p.done
	if p.panic != nil {
		panic(p.panic)
	}
	return p.err
}

// close lets the queued transactions finish and stops the loop.
func (g *groupCommitter) close() {
	g.closing.Do(func() {
		g.mu.Lock()
		g.closed = true
		close(g.queue)
		g.mu.Unlock()
		<-g.stopped
	})
}

func (g *groupCommitter) loop() {
	defer close(g.stopped)
	batch := make([]*pendingTx, 0, maxBatch)
	wait, gap := time.NewTimer(time.Hour), time.NewTimer(time.Hour)
	wait.Stop()
	gap.Stop()
	for first := range g.queue {
		batch = g.drain(append(batch[:0], first))
		batch = g.linger(batch, wait, gap)
		g.remember(len(batch))
		if g.checkpointDue.Swap(false) && g.checkpoint != nil {
			g.checkpoint(context.Background())
		}
		g.commit(batch)
		for _, p := range batch {
			close(p.done)
		}
	}
}

// drain adds to batch what is queued now, up to maxBatch.
func (g *groupCommitter) drain(batch []*pendingTx) []*pendingTx {
	for len(batch) < maxBatch {
		select {
		case p, ok := <-g.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

// linger lets a batch smaller than its goal (lingerGoal) wait for more
// members (see lingerMax the constant), on the loop's two stopped timers,
// unless the loop is backing off after a linger that caught nobody.
func (g *groupCommitter) linger(batch []*pendingTx, wait, gap *time.Timer) []*pendingTx {
	goal := g.lingerGoal()
	if len(batch) > 1 { // concurrent writers: no more backing off
		g.skip, g.backoff = 0, 1
	}
	if g.lingerMax <= 0 || len(batch) >= goal {
		return batch
	}
	if g.skip > 0 {
		g.skip--
		return batch
	}
	g.lingers.Add(1)
	caught := 0
	wait.Reset(g.lingerMax)
	gap.Reset(min(g.lingerGap, g.lingerMax))
	defer wait.Stop()
	defer gap.Stop()
	for len(batch) < goal {
		select {
		case p, ok := <-g.queue:
			if !ok { // closing: commit what there is
				return batch
			}
			n := len(batch)
			batch = g.drain(append(batch, p))
			caught += len(batch) - n
			gap.Reset(min(g.lingerGap, g.lingerMax))
		case <-gap.C:
			return g.lingered(batch, caught)
		case <-wait.C:
			return g.lingered(batch, caught)
		}
	}
	return g.lingered(batch, caught)
}

// lingerGoal is the size at which a batch stops waiting: that of the
// biggest of the last batches, at least 2 and at most lingerTarget.
func (g *groupCommitter) lingerGoal() int {
	goal := 2
	for _, n := range g.sizes {
		goal = max(goal, n)
	}
	return min(goal, lingerTarget)
}

// remember keeps the size of the batch about to commit.
func (g *groupCommitter) remember(size int) {
	g.sizes[g.next] = size
	g.next = (g.next + 1) % lingerMemory
}

// lingered counts what a linger caught, and backs off when it was nobody.
func (g *groupCommitter) lingered(batch []*pendingTx, caught int) []*pendingTx {
	g.caught.Add(int64(caught))
	if caught > 0 {
		g.backoff = 1
		return batch
	}
	g.skip = g.backoff
	g.backoff = min(2*g.backoff, lingerBackoff)
	return batch
}

// requestCheckpoint asks the loop to run its checkpoint before its next
// batch.
func (g *groupCommitter) requestCheckpoint() { g.checkpointDue.Store(true) }

// commit runs batch in one transaction and sets each member's outcome.
func (g *groupCommitter) commit(batch []*pendingTx) {
	ctx := context.Background()
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		for _, p := range batch {
			p.err = fmt.Errorf("sqlstore: begin: %w", err)
		}
		return
	}
	g.batches.Add(1)
	g.members.Add(int64(len(batch)))
	q := g.wrap(tx)
	if len(batch) == 1 {
		g.commitAlone(tx, q, batch[0])
		return
	}
	ok := make([]bool, len(batch))
	for i, p := range batch {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT member"); err != nil {
			g.abort(tx, batch, fmt.Errorf("sqlstore: savepoint: %w", err))
			return
		}
		p.panic, p.err = call(p, q)
		if p.err == nil && p.panic == nil {
			if _, err := tx.ExecContext(ctx, "RELEASE member"); err != nil {
				g.abort(tx, batch, fmt.Errorf("sqlstore: release savepoint: %w", err))
				return
			}
			ok[i] = true
			continue
		}
		// ROLLBACK TO keeps the savepoint open; RELEASE ends it. If either
		// fails, SQLite has rolled the whole transaction back (an I/O
		// error, say), and the earlier members' work with it.
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO member"); err != nil {
			g.abort(tx, batch, fmt.Errorf("sqlstore: roll back to savepoint: %w", err))
			return
		}
		if _, err := tx.ExecContext(ctx, "RELEASE member"); err != nil {
			g.abort(tx, batch, fmt.Errorf("sqlstore: release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("sqlstore: commit: %w", classify(err))
		for i, p := range batch {
			if ok[i] {
				p.err = err
			}
		}
	}
}

// commitAlone runs a batch of one, p, in tx without a savepoint: when p
// fails the whole transaction is rolled back, which is all a savepoint
// would have undone, and spares it two statements. Batches of one are
// the rule on a quiet gateway, and common under load: 410 of 995 batches
// in a zfbload pay run over 16 connections.
func (g *groupCommitter) commitAlone(tx *sql.Tx, q *queries, p *pendingTx) {
	p.panic, p.err = call(p, q)
	if p.err != nil || p.panic != nil {
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			g.logger.Error("rollback failed", "err", err)
		}
		return
	}
	if err := tx.Commit(); err != nil {
		p.err = fmt.Errorf("sqlstore: commit: %w", classify(err))
	}
}

// abort rolls the batch back and fails every member that had not failed
// on its own: none of their work is durable.
func (g *groupCommitter) abort(tx *sql.Tx, batch []*pendingTx, err error) {
	if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
		g.logger.Error("rollback failed", "err", rbErr)
	}
	for _, p := range batch {
		if p.err == nil && p.panic == nil {
			p.err = err
		}
	}
}

// call runs p's function, catching a panic to re-raise in its caller.
func call(p *pendingTx, q *queries) (panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
		}
	}()
	return nil, p.fn(q)
}

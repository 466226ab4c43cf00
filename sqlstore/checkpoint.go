package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's own WAL checkpoints run inside a commit: the connection whose
// commit takes the WAL past wal_autocheckpoint pages (1,000) copies the
// WAL's pages into the database file there and then. On the one writer,
// which holds every transaction queued behind it (group commit), that was
// about 7 % of the CPU of BenchmarkTradePayCommandParallel, and with pages
// as hot as the merchant's balance or the newest trades' index leaves it
// copies the same pages again every thousand frames. So the writer has
// wal_autocheckpoint=0, and the checkpointer copies the WAL on a timer
// from a connection of its own, as litestream does, with PASSIVE
// checkpoints, which wait for no writer and no reader: each copies what
// no reader's snapshot still needs, beside the writer.
//
// The WAL starts over from its beginning, rather than growing, only at a
// write transaction that begins once a checkpoint has copied all of it
// and no reader still reads from it. Beside a busy writer that moment
// never comes: frames arrive while the checkpoint copies. So once the WAL
// holds restartFrames, the checkpointer asks the writer's loop for a
// moment between two group commits (groupCommitter.checkpointDue) and
// runs a RESTART checkpoint in it: it copies the few frames that came
// since the PASSIVE one, and waits for the readers of the WAL to finish,
// at most the checkpointer's busy_timeout, so that the writer's next
// transaction starts the WAL over. When a reader's snapshot keeps it from
// doing so and the WAL has passed limitFrames, the checkpoint in the
// writer's moment is a TRUNCATE, which also gives the file's space back.

const (
	// checkpointInterval is how often the checkpointer copies the WAL.
	checkpointInterval = time.Second
	// walRestartFrames: a WAL of this many frames is started over at the
	// next checkpoint. A payment writes a few frames, so under load that
	// is every checkpoint; SQLite's own default checkpoints at 1,000.
	walRestartFrames = 1000
	// walLimitFrames bounds the WAL: past it the checkpoint in the
	// writer's moment truncates it. 16,384 frames of 4 KiB are 64 MiB.
	walLimitFrames = 16384
	// checkpointBusyTimeout is how long a RESTART or TRUNCATE checkpoint
	// waits for readers while it holds the writer.
	checkpointBusyTimeout = 50 * time.Millisecond
)

// walPolicy is when the WAL is checkpointed (see the constants).
type walPolicy struct {
	interval      time.Duration
	restartFrames int
	limitFrames   int
}

var defaultWALPolicy = walPolicy{interval: checkpointInterval, restartFrames: walRestartFrames, limitFrames: walLimitFrames}

// checkpointer runs WAL checkpoints on its own connection until closed.
type checkpointer struct {
	db     *sql.DB
	logger *slog.Logger
	policy walPolicy
	// frames is the size of the WAL at the last PASSIVE checkpoint.
	frames atomic.Int64

	started  bool // the loop runs: set by start, before the Store is shared
	stop     chan struct{}
	done     chan struct{}
	stopping sync.Once
}

// checkpointResult is what PRAGMA wal_checkpoint answers.
type checkpointResult struct {
	busy         bool // it could not copy everything, or not start the WAL over (RESTART, TRUNCATE)
	frames       int  // frames in the WAL
	checkpointed int  // frames copied into the database file, in all
}

func newCheckpointer(db *sql.DB, policy walPolicy, logger *slog.Logger) *checkpointer {
	return &checkpointer{db: db, logger: logger, policy: policy, stop: make(chan struct{}), done: make(chan struct{})}
}

// start checkpoints every interval until close; writerMoment asks the
// writer's loop to call restart between two commits.
func (c *checkpointer) start(writerMoment func()) {
	c.started = true
	go c.loop(writerMoment)
}

func (c *checkpointer) loop(writerMoment func()) {
	defer close(c.done)
	tick := time.NewTicker(c.policy.interval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		// A checkpoint is not interrupted: its context is not the stop's.
		c.tick(context.Background(), writerMoment)
	}
}

// tick runs one PASSIVE checkpoint and, when the WAL has grown to
// restartFrames, asks for the writer's moment.
func (c *checkpointer) tick(ctx context.Context, writerMoment func()) {
	r, err := walCheckpoint(ctx, c.db, "PASSIVE")
	if err != nil {
		c.logger.Warn("sqlstore: WAL checkpoint failed", "err", err)
		return
	}
	c.frames.Store(int64(r.frames))
	if r.frames >= c.policy.restartFrames {
		writerMoment()
	}
}

// restart runs, between two of the writer's commits, the checkpoint that
// lets the writer's next transaction start the WAL over (RESTART), or
// also empties the file once the WAL has passed its limit (TRUNCATE).
func (c *checkpointer) restart(ctx context.Context) {
	mode := "RESTART"
	if c.frames.Load() > int64(c.policy.limitFrames) {
		mode = "TRUNCATE"
	}
	r, err := walCheckpoint(ctx, c.db, mode)
	switch {
	case err != nil:
		c.logger.Warn("sqlstore: WAL checkpoint failed", "mode", mode, "err", err)
	case r.busy && r.frames > c.policy.limitFrames:
		c.logger.Warn("sqlstore: readers keep the WAL from starting over; it is past its limit", "frames", r.frames, "limit", c.policy.limitFrames)
	}
}

// walCheckpoint runs a checkpoint of mode on db.
func walCheckpoint(ctx context.Context, db *sql.DB, mode string) (checkpointResult, error) {
	var (
		r    checkpointResult
		busy int
	)
	err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &r.frames, &r.checkpointed)
	if err != nil {
		return r, fmt.Errorf("PRAGMA wal_checkpoint(%s): %w", mode, err)
	}
	r.busy = busy != 0
	return r, nil
}

// close stops the checkpointer, after the checkpoint under way if any,
// and closes its connection. The database's last connection to close
// checkpoints what is left.
func (c *checkpointer) close() error {
	c.stopping.Do(func() { close(c.stop) })
	if c.started {
		<-c.done
	}
	return c.db.Close()
}

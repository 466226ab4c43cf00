// Package reqlog keeps the request log off the gateway's path: the
// adapters hand each call's record to a Recorder, which never blocks them;
// one goroutine completes the records (the sign string, the answer as
// text, the diagnosis of a failed signature), masks their secrets, finds
// the object numbers they name, and writes them in batches, pruning the
// log to its bound now and then.
package reqlog

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/zfbpay/zfb"
)

// Defaults of a Recorder.
const (
	DefaultQueue = 4096 // records waiting to be written
	DefaultBatch = 64   // records per write transaction at most: short, so SQLite's one writer is not held long
	// DefaultLinger is how long the first record of a batch waits for
	// more before the batch is written. Each commit rewrites the pages it
	// touches whole, so a batch of one record costs almost what a batch
	// of sixty-four does: under load the linger turns hundreds of commits
	// a second into a few. A record shows in the log at most this late.
	DefaultLinger = 100 * time.Millisecond
)

var _ zfb.RequestRecorder = (*Recorder)(nil)

// Recorder takes records over a bounded queue and writes them from Run.
type Recorder struct {
	svc    *zfb.Service
	log    *slog.Logger
	keep   int
	batch  int
	linger time.Duration
	queue  chan *zfb.RequestRecord
	// pruneEvery is how many records are written between prunes: a tenth
	// of the bound, so the log holds at most 10% more than keep.
	pruneEvery int

	dropped atomic.Int64
	written atomic.Int64
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithQueue sets how many records may wait to be written (DefaultQueue);
// past that, records are dropped and counted.
func WithQueue(n int) Option {
	return func(r *Recorder) { r.queue = make(chan *zfb.RequestRecord, max(n, 1)) }
}

// WithLinger sets how long the first record of a batch waits for more
// (DefaultLinger); 0 writes what is queued at once.
func WithLinger(d time.Duration) Option {
	return func(r *Recorder) { r.linger = max(d, 0) }
}

// New returns a recorder that keeps the newest keep records (keep > 0).
// Nothing is written until Run runs.
func New(svc *zfb.Service, logger *slog.Logger, keep int, opts ...Option) *Recorder {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{svc: svc, log: logger, keep: max(keep, 1), batch: DefaultBatch, linger: DefaultLinger,
		queue: make(chan *zfb.RequestRecord, DefaultQueue)}
	r.pruneEvery = max(r.keep/10, 1)
	for _, o := range opts {
		o(r)
	}
	return r
}

// Record queues rec; when the queue is full it drops rec and counts it. It
// never blocks.
func (r *Recorder) Record(rec *zfb.RequestRecord) {
	select {
	case r.queue <- rec:
	default:
		if n := r.dropped.Add(1); n&(n-1) == 0 { // at 1, 2, 4, 8, …
			r.log.Warn("request log: queue full, records dropped", "dropped", n)
		}
	}
}

// Dropped is how many records were dropped because the queue was full.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// Written is how many records were written.
func (r *Recorder) Written() int64 { return r.written.Load() }

// Run writes queued records until ctx is done, then writes what is still
// queued and returns.
func (r *Recorder) Run(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	sincePrune := r.pruneEvery // prune once at start: the bound may have shrunk
	batch := make([]*zfb.RequestRecord, 0, r.batch)
	for {
		select {
		case rec := <-r.queue:
			batch = append(batch[:0], rec)
		case <-ctx.Done():
			r.flush(work, batch[:0])
			return
		}
		// Take what else arrives within the linger, up to a full batch.
		if !r.fill(ctx, &batch) {
			r.flush(work, batch)
			return
		}
		r.write(work, batch)
		if sincePrune += len(batch); sincePrune >= r.pruneEvery {
			r.prune(work)
			sincePrune = 0
		}
	}
}

// fill adds records to batch until it is full or the linger has passed
// since its first; false when ctx ended meanwhile.
func (r *Recorder) fill(ctx context.Context, batch *[]*zfb.RequestRecord) bool {
	var timeout <-chan time.Time
	if r.linger > 0 {
		t := time.NewTimer(r.linger)
		defer t.Stop()
		timeout = t.C
	}
	for len(*batch) < r.batch {
		if timeout == nil { // no linger: only what is already queued
			select {
			case rec := <-r.queue:
				*batch = append(*batch, rec)
				continue
			default:
				return true
			}
		}
		select {
		case rec := <-r.queue:
			*batch = append(*batch, rec)
		case <-timeout:
			return true
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// flush writes everything still queued, then prunes.
func (r *Recorder) flush(ctx context.Context, batch []*zfb.RequestRecord) {
	for {
		select {
		case rec := <-r.queue:
			if batch = append(batch, rec); len(batch) >= r.batch {
				r.write(ctx, batch)
				batch = batch[:0]
			}
		default:
			r.write(ctx, batch)
			r.prune(ctx)
			return
		}
	}
}

// write completes, masks and stores a batch. Diagnoses run only while the
// queue is less than half full: under a flood of bad signatures the log
// keeps up and the diagnosis says it was skipped.
func (r *Recorder) write(ctx context.Context, batch []*zfb.RequestRecord) {
	if len(batch) == 0 {
		return
	}
	for _, rec := range batch {
		diagnose := len(r.queue) < cap(r.queue)/2
		if rec.Complete != nil {
			rec.Complete(ctx, rec, diagnose)
			rec.Complete = nil
		}
		if rec.Signature == zfb.SignatureFailed && rec.Diagnosis == "" && !diagnose {
			rec.Diagnosis = "Not diagnosed: the request log was busy."
		}
		prepare(rec)
	}
	start := time.Now()
	if err := r.svc.RecordRequests(ctx, batch); err != nil {
		r.log.Error("request log: writing records", "records", len(batch), "err", err)
		return
	}
	r.written.Add(int64(len(batch)))
	r.log.Debug("request log: records written", "records", len(batch), "duration", time.Since(start))
}

func (r *Recorder) prune(ctx context.Context) {
	if _, err := r.svc.PruneRequests(ctx, r.keep); err != nil {
		r.log.Error("request log: pruning", "keep", r.keep, "err", err)
	}
}

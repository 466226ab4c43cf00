// Package reqfile keeps the request log in files: append-only segment
// files in a directory beside a SQLite database, with an index in memory.
// On SQLite a record costs a few µs of CPU this way against tens of µs as
// rows of the database (inserts into the WAL, their references' rows,
// checkpoints, deletes); PostgreSQL keeps rows, which several instances
// share.
//
// The directory holds segment files named by the ID of their first record
// (00000000000000012345.seg), each a sequence of frames (record.go), and a
// lock file. A batch of records is one write at the end of the newest
// segment; a prune deletes the segments whose records are all pruned, and
// appends a floor (the lowest ID kept) so that after a restart pruned
// records stay pruned and IDs go on growing. Opening scans every segment,
// rebuilds the index and cuts a torn or corrupt tail away.
//
// Nothing is fsynced: the log is a diagnostic record for the tester, not
// an acknowledged money operation. A power cut may lose the last batches
// the kernel had not written back; the scan on open makes sure it leaves
// no torn record behind.
package reqfile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unique"

	"github.com/zfbpay/zfb"
)

var _ zfb.RequestLog = (*Log)(nil)

// DefaultSegmentBytes is the size past which a new segment is started. A
// prune deletes whole segments, so the directory holds up to this much
// beyond the records kept (the default 10,000 trade.query calls are about
// 15 MB); small enough to scan in one read on open.
const DefaultSegmentBytes = 4 << 20

// ErrLocked is returned by Open when another process has the directory.
var ErrLocked = errors.New("the request log directory is in use by another process")

// Files and the directory are the owner's only, like the database: the
// records keep requests and answers (secrets masked, but order numbers,
// buyers' ids, amounts).
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// Log is the request log in a directory. It is safe for concurrent use:
// one write (RecordRequests or PruneRequests) at a time, and any number of
// reads, which never wait for a write's file I/O.
type Log struct {
	dir          string
	logger       *slog.Logger
	segmentBytes int64
	unlock       func()

	// writeMu makes writes one at a time; what follows it is the
	// writer's alone.
	writeMu sync.Mutex
	nextID  int64
	size    int64 // of the newest segment
	buf     []byte
	refs    []string
	closed  bool

	// mu guards the index. Writers hold it only to change the index, after
	// their bytes are written; readers hold it while they read records, so
	// a segment is closed only when no reader uses it.
	mu      sync.RWMutex
	segs    []*segment // oldest first; the last is the one written
	entries []entry    // the records kept, oldest first
	floor   int64      // the lowest ID kept
}

// segment is one file of the log.
type segment struct {
	first int64 // the ID in its name: its records have this ID or higher
	last  int64 // its newest record's ID; 0 while it has none
	f     *os.File
}

// entry is what the index keeps of a record: what the filters need and
// where its frame is. 56 bytes and its references' string: about 110 bytes
// a trade.query record with the slice's spare room, so 1.1 MB for the
// default 10,000 records and 111 MB for a million (TestIndexMemory).
type entry struct {
	id          int64
	off, size   uint32 // the frame's payload in its segment
	app, method unique.Handle[string]
	// refs are the record's references, each followed by a NUL (which
	// clean keeps out of them): one string where a slice of strings would
	// cost a header per reference.
	refs   string
	failed bool
}

// DirBeside is the directory of the request log of the SQLite database at
// dbPath: beside it, as SQLite's -wal file is.
func DirBeside(dbPath string) string { return dbPath + "-requests" }

// Option configures Open.
type Option func(*Log)

// WithSegmentBytes sets the size past which a new segment is started
// (DefaultSegmentBytes).
func WithSegmentBytes(n int64) Option { return func(l *Log) { l.segmentBytes = max(n, 1) } }

// Open opens the log in dir, creating it when needed, and takes it for
// this process (ErrLocked when another process has it). It scans the
// segments to rebuild the index, and cuts a torn or corrupt tail away with
// a warning.
func Open(dir string, logger *slog.Logger, opts ...Option) (*Log, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{dir: dir, logger: logger, segmentBytes: DefaultSegmentBytes, nextID: 1, floor: 1}
	for _, o := range opts {
		o(l)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("reqfile: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l.unlock = unlock
	if err := l.load(); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

// Close closes the files and lets another process open the directory.
// Call it after the last write.
func (l *Log) Close() error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closeFiles()
}

func (l *Log) closeFiles() error {
	var errs []error
	for _, s := range l.segs {
		errs = append(errs, s.f.Close())
	}
	l.segs, l.entries = nil, nil
	if l.unlock != nil {
		l.unlock()
	}
	return errors.Join(errs...)
}

var errClosed = errors.New("reqfile: the request log is closed")

// RecordRequests appends the records in one write and sets their IDs.
func (l *Log) RecordRequests(ctx context.Context, records []*zfb.RequestRecord) error {
	if len(records) == 0 {
		return nil
	}
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.closed {
		return errClosed
	}
	if err := l.rotate(); err != nil {
		return fmt.Errorf("record %d requests: %w", len(records), err)
	}
	seg := l.segs[len(l.segs)-1]
	b := l.buf[:0]
	added := make([]entry, len(records))
	for i, r := range records {
		refs := cleanRefs(r.Refs)
		start := len(b)
		id := l.nextID + int64(i)
		b = appendRecord(beginFrame(b), id, r, refs)
		endFrame(b, start)
		off := l.size + int64(start) + frameHeader
		if off+int64(len(b)-start) > 1<<32-1 {
			return fmt.Errorf("record %d requests: segment %d would pass 4 GiB", len(records), seg.first)
		}
		added[i] = entry{id: id, off: uint32(off), size: uint32(len(b) - start - frameHeader),
			app: unique.Make(clean(r.AppID)), method: unique.Make(clean(r.Method)), refs: joinRefs(refs), failed: r.Failed}
	}
	l.buf = b
	if _, err := seg.f.WriteAt(b, l.size); err != nil {
		// Cut what may have been written, so that the next batch follows
		// the last whole frame.
		return errors.Join(fmt.Errorf("record %d requests: %w", len(records), err), seg.f.Truncate(l.size))
	}
	l.size += int64(len(b))
	if cap(l.buf) > 1<<20 { // do not keep one huge batch's buffer
		l.buf = nil
	}
	l.mu.Lock()
	l.entries = append(l.entries, added...)
	seg.last = added[len(added)-1].id
	l.mu.Unlock()
	for i, r := range records {
		r.ID = l.nextID + int64(i)
	}
	l.nextID += int64(len(records))
	return nil
}

// rotate starts a new segment, named by the next ID, when the newest has
// records and is past its size.
func (l *Log) rotate() error {
	if l.size < l.segmentBytes || l.segs[len(l.segs)-1].last == 0 {
		return nil
	}
	return l.startSegment()
}

// startSegment creates a segment named by the next ID and makes it the one
// written. The writer holds writeMu.
func (l *Log) startSegment() error {
	path := filepath.Join(l.dir, segmentName(l.nextID))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.segs = append(l.segs, &segment{first: l.nextID, f: f})
	l.mu.Unlock()
	l.size = 0
	return nil
}

// PruneRequests keeps the newest keep records and reports how many it
// removed. Segments whose records are all gone are deleted, but for the
// newest; the floor is appended to the newest, so that after a restart the
// pruned records stay gone and the next ID is still the next.
//
// Nothing here is synced either. A new segment is named before the older
// ones are deleted, and journaling file systems (ext4, XFS) keep
// such changes to a directory in order, so a power cut does not leave the
// directory without its newest segment.
func (l *Log) PruneRequests(ctx context.Context, keep int) (int64, error) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	// Only the writer changes the index: reading it here needs no lock.
	removed := max(len(l.entries)-max(keep, 0), 0)
	if removed == 0 {
		return 0, nil
	}
	floor := l.nextID
	if removed < len(l.entries) {
		floor = l.entries[removed].id
	}
	// The floor goes to the newest segment, which stays even when all its
	// records are pruned: its name and the floor keep the next ID.
	frame := appendFloor(beginFrame(nil), floor)
	endFrame(frame, 0)
	seg := l.segs[len(l.segs)-1]
	if _, err := seg.f.WriteAt(frame, l.size); err != nil {
		return 0, errors.Join(fmt.Errorf("prune the request log to %d: %w", keep, err), seg.f.Truncate(l.size))
	}
	l.size += int64(len(frame))

	l.mu.Lock()
	l.floor = floor
	if kept := len(l.entries) - removed; cap(l.entries) > 2*kept+1024 {
		// Let the pruned part of the array go.
		l.entries = append(make([]entry, 0, 2*kept+64), l.entries[removed:]...)
	} else {
		l.entries = l.entries[removed:]
	}
	dead := l.dropSegments()
	l.mu.Unlock()
	l.removeSegments(dead)
	return int64(removed), nil
}

// dropSegments takes the segments whose records are all below the floor
// out of the list (never the newest) and returns them. The caller holds
// mu.
func (l *Log) dropSegments() []*segment {
	n := 0
	for n < len(l.segs)-1 && l.segs[n].last < l.floor {
		n++
	}
	dead := slices.Clone(l.segs[:n])
	l.segs = slices.Delete(l.segs, 0, n)
	return dead
}

// removeSegments closes and deletes segments no reader can reach any more.
func (l *Log) removeSegments(dead []*segment) {
	for _, s := range dead {
		name := s.f.Name()
		if err := errors.Join(s.f.Close(), os.Remove(name)); err != nil {
			l.logger.Warn("request log: removing a pruned segment", "file", name, "err", err)
		}
	}
}

func joinRefs(refs []string) string {
	if len(refs) == 0 {
		return ""
	}
	n := 0
	for _, r := range refs {
		n += len(r) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, r := range refs {
		b.WriteString(r)
		b.WriteByte(0)
	}
	return b.String()
}

package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWALStaysBounded: under steady writes from many writers, with
// readers holding snapshots, the checkpointer keeps the WAL from growing
// past its limit while many times that is written, the writer's
// connection never checkpoints by itself, and every committed row is
// there after the store is closed and opened again.
func TestWALStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "zfb.db")
	const limit = 250 // frames
	s, err := open(ctx, path, nil, walPolicy{interval: 50 * time.Millisecond, restartFrames: limit / 4, limitFrames: limit})
	if err != nil {
		t.Fatal(err)
	}
	var autocheckpoint int
	if err := s.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&autocheckpoint); err != nil {
		t.Fatal(err)
	}
	if autocheckpoint != 0 {
		t.Errorf("the writer's wal_autocheckpoint = %d, want 0", autocheckpoint)
	}
	if _, err := s.write.ExecContext(ctx, "CREATE TABLE filler (id INTEGER PRIMARY KEY, v BLOB NOT NULL)"); err != nil {
		t.Fatal(err)
	}

	const rowBytes = 2000
	var (
		committed atomic.Int64
		maxWAL    atomic.Int64
		wg        sync.WaitGroup
		stop      = make(chan struct{})
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				err := s.writeTx(ctx, func(q *queries) error {
					_, err := q.write.ExecContext(ctx, "INSERT INTO filler (id, v) VALUES ($1, randomblob($2))", w*1_000_000+i, rowBytes)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				committed.Add(1)
			}
		})
	}
	for range 2 { // readers, each holding a snapshot while it reads
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.inTx(ctx, s.read, s.dialect.snapshot, func(tx *sql.Tx) error {
					var n sql.NullInt64
					if err := tx.QueryRowContext(ctx, "SELECT max(id) FROM filler").Scan(&n); err != nil {
						return err
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // leave the writer a core
			}
		})
	}
	// Write until the rows are many times the bound (a frame is a 4 KiB
	// page and its 24-byte header; the WAL may pass the limit by what is
	// written between two checkpoints), or a loaded machine runs out of
	// time.
	bound := int64(4*limit) * (4096 + 24)
	deadline := time.Now().Add(30 * time.Second)
	for committed.Load()*rowBytes < 3*bound && time.Now().Before(deadline) {
		if info, err := os.Stat(path + "-wal"); err == nil && info.Size() > maxWAL.Load() {
			maxWAL.Store(info.Size())
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	written := committed.Load() * rowBytes
	t.Logf("%d rows (%d MiB) committed; the WAL reached %d KiB", committed.Load(), written>>20, maxWAL.Load()>>10)
	if written < 3*bound {
		t.Fatalf("only %d bytes written in 30 s: too few to tell whether the WAL is bounded", written)
	}
	if maxWAL.Load() > bound {
		t.Errorf("the WAL reached %d bytes, more than %d", maxWAL.Load(), bound)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int64
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM filler").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != committed.Load() {
		t.Errorf("after reopening: %d rows, want the %d committed", n, committed.Load())
	}
}

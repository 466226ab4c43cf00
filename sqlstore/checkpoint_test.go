package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestWALStaysBounded: under rounds of writes from many writers, each
// followed by the checkpointer's tick, with readers holding snapshots
// meanwhile, the WAL stays within a bound while several times that is
// written, the writer's connection never checkpoints by itself, and every
// committed row is there after the store is closed and opened again. The
// test ticks the checkpointer itself, so that how much is written between
// two ticks does not depend on the machine's speed.
func TestWALStaysBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "zfb.db")
	const limit = 64 // frames
	s, err := open(ctx, path, nil, walPolicy{interval: time.Hour, restartFrames: limit / 4, limitFrames: limit})
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

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 { // readers, each holding a snapshot while it reads
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.inTx(ctx, s.read, s.dialect.snapshot, func(tx *sql.Tx) error {
					var n sql.NullInt64
					return tx.QueryRowContext(ctx, "SELECT max(id) FROM filler").Scan(&n)
				})
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}

	// A frame is a 4 KiB page and its 24-byte header. A round writes
	// about 50 frames; the WAL may pass the limit by a round or two.
	const (
		rounds, writers, rowsEach, rowBytes = 20, 8, 3, 8000
		bound                               = 4 * limit * (4096 + 24)
	)
	var maxWAL int64
	id := 0
	for range rounds {
		var wg sync.WaitGroup
		for range writers {
			first := id
			id += rowsEach
			wg.Go(func() {
				for i := range rowsEach {
					err := s.writeTx(ctx, func(q *queries) error {
						_, err := q.write.ExecContext(ctx, "INSERT INTO filler (id, v) VALUES ($1, randomblob($2))", first+i, rowBytes)
						return err
					})
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if info, err := os.Stat(path + "-wal"); err == nil {
			maxWAL = max(maxWAL, info.Size())
		}
		s.checkpoints.tick(ctx, s.group.requestCheckpoint)
	}
	close(stop)
	readers.Wait()

	written := int64(id) * rowBytes
	t.Logf("%d rows (%d KiB) committed; the WAL reached %d KiB", id, written>>10, maxWAL>>10)
	if written < 3*bound {
		t.Fatalf("only %d bytes written: too few to tell whether the WAL is bounded", written)
	}
	if maxWAL > bound {
		t.Errorf("the WAL reached %d bytes, more than %d", maxWAL, bound)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM filler").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != id {
		t.Errorf("after reopening: %d rows, want the %d committed", n, id)
	}
}

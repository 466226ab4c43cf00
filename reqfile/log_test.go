package reqfile

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
)

func open(t testing.TB, dir string, opts ...Option) *Log {
	t.Helper()
	l, err := Open(dir, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestConformance(t *testing.T) {
	storetest.RunRequestLog(t, func(t *testing.T) zfb.RequestLog { return open(t, t.TempDir()) })
}

// TestConformanceSmallSegments runs the suite with a segment per batch or
// so, so that pruning deletes segments and reads cross them.
func TestConformanceSmallSegments(t *testing.T) {
	storetest.RunRequestLog(t, func(t *testing.T) zfb.RequestLog { return open(t, t.TempDir(), WithSegmentBytes(300)) })
}

func record(n int) *zfb.RequestRecord {
	return &zfb.RequestRecord{
		At: time.Date(2026, 11, 30, 5, 0, n, 0, time.UTC), Dialect: zfb.DialectOpenAPI, AppID: "2021000000000001",
		Method: "alipay.trade.query", Params: map[string]string{"biz_content": fmt.Sprintf(`{"out_trade_no":"T%d"}`, n)},
		Answer: strings.Repeat("a", 100), HTTPStatus: 200, Code: "10000", Refs: []string{fmt.Sprintf("T%d", n)},
	}
}

func write(t testing.TB, l *Log, from, n int) []*zfb.RequestRecord {
	t.Helper()
	var recs []*zfb.RequestRecord
	for i := range n {
		recs = append(recs, record(from+i))
	}
	if err := l.RecordRequests(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func ids(t testing.TB, l *Log, f zfb.RequestFilter) []int64 {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 1000
	}
	recs, err := l.Requests(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func segments(t testing.TB, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// TestRestart: records, the floor of the last prune and the next ID all
// survive a close and an open, also when everything was pruned.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, nil, WithSegmentBytes(1000))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		write(t, l, 10*i, 10)
	}
	if n, err := l.PruneRequests(t.Context(), 25); err != nil || n != 75 {
		t.Fatalf("prune to 25: %d, %v", n, err)
	}
	before := ids(t, l, zfb.RequestFilter{})
	if len(before) != 25 || before[0] != 100 || before[24] != 76 {
		t.Fatalf("before the restart: %v", before)
	}
	l.Close()

	l = open(t, dir, WithSegmentBytes(1000))
	if got := ids(t, l, zfb.RequestFilter{}); !reflect.DeepEqual(got, before) {
		t.Fatalf("after the restart: IDs %v, want %v (pruned records must stay pruned)", got, before)
	}
	if _, err := l.Request(t.Context(), 75); !errors.Is(err, zfb.ErrNotFound) {
		t.Errorf("a pruned record after the restart: err = %v", err)
	}
	if got := ids(t, l, zfb.RequestFilter{Query: "T99"}); !reflect.DeepEqual(got, []int64{100}) {
		t.Errorf("T99 finds %v after the restart", got)
	}
	next := write(t, l, 100, 1)[0]
	if next.ID != 101 {
		t.Errorf("the next ID after the restart is %d, want 101", next.ID)
	}
	// Pruned empty, the next ID still survives.
	if n, err := l.PruneRequests(t.Context(), 0); err != nil || n != 26 {
		t.Fatalf("prune to 0: %d, %v", n, err)
	}
	if got := segments(t, dir); len(got) != 1 {
		t.Errorf("segments after pruning everything: %v, want only the newest", got)
	}
	l.Close()
	l = open(t, dir)
	if got := ids(t, l, zfb.RequestFilter{}); len(got) != 0 {
		t.Errorf("pruned to 0, then restarted: %v", got)
	}
	if next := write(t, l, 0, 1)[0]; next.ID != 102 {
		t.Errorf("the next ID after pruning everything and a restart is %d, want 102", next.ID)
	}
}

// TestCorruptTail: a torn last write or a flipped byte is cut away with a
// warning at open; the records before it stay, and appends go on after it.
func TestCorruptTail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"torn frame", func(b []byte) []byte { return b[:len(b)-5] }},
		{"torn header", func(b []byte) []byte { return append(b, 1, 2, 3) }},
		{"zeros", func(b []byte) []byte { return append(b, make([]byte, 4096)...) }},
		{"flipped byte", func(b []byte) []byte { b[len(b)-20] ^= 0x40; return b }},
		{"huge length", func(b []byte) []byte { return append(b, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := open(t, dir)
			write(t, l, 0, 3)
			last := write(t, l, 3, 2)
			l.Close()
			path := filepath.Join(dir, segmentName(1))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			l, err = Open(dir, slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			if !strings.Contains(logs.String(), "cutting a segment's tail") {
				t.Errorf("no warning; the log said %q", logs.String())
			}
			got := ids(t, l, zfb.RequestFilter{})
			keptLast := tc.name == "torn header" || tc.name == "zeros" || tc.name == "huge length"
			want := []int64{4, 3, 2, 1}
			if keptLast {
				want = []int64{5, 4, 3, 2, 1}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after the cut: %v, want %v", got, want)
			}
			more := write(t, l, 10, 2)
			if more[0].ID <= want[0] || more[0].ID < last[0].ID {
				t.Errorf("the next ID after the cut is %d", more[0].ID)
			}
			l.Close()
			logs.Reset()
			l = open(t, dir)
			if got := ids(t, l, zfb.RequestFilter{}); len(got) != len(want)+2 || got[0] != more[1].ID {
				t.Errorf("after appending past the cut and reopening: %v", got)
			}
			if r, err := l.Request(t.Context(), more[1].ID); err != nil || r.Refs[0] != "T11" {
				t.Errorf("the record appended after the cut: %+v, %v", r, err)
			}
		})
	}
}

// TestPruneDeletesSegments: a segment goes once all its records are
// pruned, and no sooner.
func TestPruneDeletesSegments(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, WithSegmentBytes(2000))
	for i := range 20 {
		write(t, l, 5*i, 5)
	}
	all := segments(t, dir)
	if len(all) < 5 {
		t.Fatalf("100 records in segments of 2,000 bytes: %v", all)
	}
	if n, err := l.PruneRequests(t.Context(), 10); err != nil || n != 90 {
		t.Fatalf("prune to 10: %d, %v", n, err)
	}
	left := segments(t, dir)
	if len(left) >= len(all) || len(left) > 3 {
		t.Errorf("after pruning to 10: %d segments of %d left: %v", len(left), len(all), left)
	}
	// Every record kept is still readable; the first segment left starts
	// at or below the oldest record kept.
	got := ids(t, l, zfb.RequestFilter{})
	if len(got) != 10 || got[9] != 91 {
		t.Fatalf("kept %v", got)
	}
	for _, id := range got {
		if _, err := l.Request(t.Context(), id); err != nil {
			t.Error(err)
		}
	}
	if left[0] > segmentName(91) {
		t.Errorf("the oldest segment left is %s, after record 91's", left[0])
	}
}

// TestLocked: a second Open of a directory in use fails with ErrLocked,
// and succeeds once the first is closed.
func TestLocked(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	l.Close()
	open(t, dir)
}

// TestFileModes: the directory and its files are the owner's only.
func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zfb.db-requests")
	l := open(t, dir)
	write(t, l, 0, 1)
	for _, p := range []string{dir, filepath.Join(dir, segmentName(1)), filepath.Join(dir, "lock")} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group and others", p, info.Mode().Perm())
		}
	}
}

// TestConcurrentReads: readers list, search and fetch while one writer
// appends and prunes (run with -race); every record a reader gets is
// whole and in order.
func TestConcurrentReads(t *testing.T) {
	l := open(t, t.TempDir(), WithSegmentBytes(4000))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range 200 {
			write(t, l, 3*i, 3)
			if i%10 == 0 {
				if _, err := l.PruneRequests(t.Context(), 50); err != nil {
					t.Error(err)
				}
			}
		}
	})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				recs, err := l.Requests(t.Context(), zfb.RequestFilter{Limit: 20})
				if err != nil {
					t.Error(err)
					return
				}
				for i, r := range recs {
					if i > 0 && r.ID >= recs[i-1].ID || len(r.Answer) != 100 || r.Params["biz_content"] == "" {
						t.Errorf("record %d: %+v", i, r)
						return
					}
					if _, err := l.Request(t.Context(), r.ID); err != nil && !errors.Is(err, zfb.ErrNotFound) {
						t.Error(err) // pruned meanwhile is fine
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

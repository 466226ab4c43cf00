package reqfile

import (
	"runtime"
	"strconv"
	"testing"
	"unique"
	"unsafe"
)

// TestIndexMemory: what the index costs in memory per record kept, as the
// writer grows it (batches of 64) with two references a record, as a
// trade.query's (out_trade_no and trade_no). `go test -v -run IndexMemory`
// prints the figures for the default bound and for a million.
func TestIndexMemory(t *testing.T) {
	sizes := []int{10_000, 1_000_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l := &Log{}
		for i := 0; i < n; i += 64 {
			added := make([]entry, 0, 64)
			for j := i; j < min(i+64, n); j++ {
				no := strconv.Itoa(1_000_000 + j)
				added = append(added, entry{id: int64(j + 1), off: uint32(j), size: 1500,
					app: unique.Make("2021000000000001"), method: unique.Make("alipay.trade.query"),
					refs: joinRefs([]string{"Q" + no, "2026113022001400000" + no})})
			}
			l.entries = append(l.entries, added...)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perEntry := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
		t.Logf("%d entries: %.1f MB, %.0f bytes each (%d of the struct, capacity %d)", n,
			float64(after.HeapAlloc-before.HeapAlloc)/1e6, perEntry, entrySize, cap(l.entries))
		if perEntry > 160 {
			t.Errorf("%d entries cost %.0f bytes each, want at most 160", n, perEntry)
		}
		runtime.KeepAlive(l)
	}
}

const entrySize = int(unsafe.Sizeof(entry{}))

package sqlstore

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/zfbpay/zfb"
)

// BenchmarkPostTransfer measures one transfer in its own transaction: a
// durable commit each (synchronous=FULL on SQLite, fsync on PostgreSQL).
// "serial" posts one at a time; "parallel" posts from GOMAXPROCS goroutines
// at once, each between its own pair of accounts.
func BenchmarkPostTransfer(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", newSQLiteStore}, {"postgres", newPostgresStore}} {
		b.Run(backend.name+"/serial", func(b *testing.B) {
			s := backend.open(b)
			from, to, err := benchAccounts(b, s, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.PostTransfer(b.Context(), &zfb.Transfer{Kind: "bench", Ref: "bench", Debit: from, Credit: to, Amount: 1, Currency: zfb.CNY}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(backend.name+"/parallel", func(b *testing.B) { benchParallelTransfers(b, backend.open(b), 1) })
		// 16 writers per core, as many as the load harness's connections on
		// two cores: SQLite's group commit shares one fsync among them.
		b.Run(backend.name+"/parallel16", func(b *testing.B) { benchParallelTransfers(b, backend.open(b), 8) })
	}
}

// benchParallelTransfers posts transfers from perCore writers per core,
// each between accounts of its own.
func benchParallelTransfers(b *testing.B, s *Store, perCore int) {
	b.SetParallelism(perCore)
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		from, to, err := benchAccounts(b, s, int(next.Add(1)))
		if err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if err := s.PostTransfer(b.Context(), &zfb.Transfer{Kind: "bench", Ref: "bench", Debit: from, Credit: to, Amount: 1, Currency: zfb.CNY}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchAccounts opens an unbounded account and one with a floor of 0.
func benchAccounts(b *testing.B, s *Store, n int) (from, to string, err error) {
	from, to = fmt.Sprintf("bench-from-%d", n), fmt.Sprintf("bench-to-%d", n)
	if err := s.EnsureAccount(b.Context(), &zfb.Account{ID: from, Kind: zfb.AccountKindFunding, Currency: zfb.CNY}); err != nil {
		return "", "", err
	}
	if err := s.EnsureAccount(b.Context(), &zfb.Account{ID: to, Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: new(int64)}); err != nil {
		return "", "", err
	}
	return from, to, nil
}

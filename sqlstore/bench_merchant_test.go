package sqlstore

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/zfbpay/zfb"
)

// BenchmarkPaymentsToOneMerchant measures what every merchant's checkout
// does: payments from many buyers (each a floored account of its own)
// into one merchant account, each in its own transaction, from 16 writers
// per core. On PostgreSQL the merchant's row would serialise them, each
// behind the previous one's commit, if a credit locked it.
func BenchmarkPaymentsToOneMerchant(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", newSQLiteStore}, {"postgres", newPostgresStore}} {
		b.Run(backend.name, func(b *testing.B) {
			s := backend.open(b)
			ctx := b.Context()
			merchant := "bench-merchant"
			for _, a := range []*zfb.Account{
				{ID: "bench-funding", Kind: zfb.AccountKindFunding, Currency: zfb.CNY},
				{ID: merchant, Kind: zfb.AccountKindMerchant, Currency: zfb.CNY, Floor: new(int64)},
			} {
				if err := s.EnsureAccount(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.SetParallelism(8)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				buyer := fmt.Sprintf("bench-buyer-%d", next.Add(1))
				if err := s.EnsureAccount(ctx, &zfb.Account{ID: buyer, Kind: zfb.AccountKindBuyerAvailable, Currency: zfb.CNY, Floor: new(int64)}); err != nil {
					b.Error(err)
					return
				}
				if err := s.PostTransfer(ctx, &zfb.Transfer{Kind: "bench", Ref: buyer, Debit: "bench-funding", Credit: buyer, Amount: 1 << 40, Currency: zfb.CNY}); err != nil {
					b.Error(err)
					return
				}
				for pb.Next() {
					if err := s.PostTransfer(ctx, &zfb.Transfer{Kind: "bench", Ref: "bench", Debit: buyer, Credit: merchant, Amount: 1, Currency: zfb.CNY}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func testUpdateTrade(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	created := bareTrade(app, 1)
	created.ExpiresAt = at(7200)
	created.CreatedAt = at(1)
	created.Fingerprint = "fp"
	created.Subject = "subject"
	ok(t, s.CreateTrade(ctx, created))

	mine, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)
	theirs, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)

	// Every mutable field changes; the immutable ones are kept whatever the
	// caller says.
	mine.Status = zfb.TradeSuccess
	mine.BuyerID = "2088000000000501"
	mine.Subject = "subject, changed"
	mine.Body = "body"
	mine.RefundedAmount = 1
	mine.QRCode = "https://qr.alipay.com/bax01"
	mine.Scanned = true
	mine.NotifyURL = "https://merchant.example/notify"
	mine.ExpiresAt = at(3600)
	mine.PaidAt = at(5)
	mine.ClosedAt = at(6)
	mine.CancelAction = "refund"
	want := *mine
	want.Version = 2
	mine.AppID = newApp(2).ID
	mine.OutTradeNo = "other"
	mine.Kind = zfb.TradeKindCreate
	mine.SellerID = "2088999999999999"
	mine.TotalAmount = 999
	mine.Fingerprint = "other"
	mine.CreatedAt = at(99)
	ok(t, s.UpdateTrade(ctx, mine))
	if mine.Version != 2 {
		t.Errorf("Version after UpdateTrade = %d, want 2", mine.Version)
	}
	got, err := s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, &want)
	got, err = s.TradeByOutTradeNo(ctx, app.ID, created.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, &want)

	// A write over the version read before is stale and changes nothing.
	theirs.Status = zfb.TradeClosed
	theirs.ClosedAt = at(10)
	wantErr(t, s.UpdateTrade(ctx, theirs), zfb.ErrStale)
	if theirs.Version != 1 {
		t.Errorf("Version after a stale update = %d, want 1", theirs.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateTrade(ctx, theirs) }), zfb.ErrStale)
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, &want)

	// Re-read, it goes through; times go back to zero.
	theirs, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	theirs.Status = zfb.TradeWaitBuyerPay
	theirs.ExpiresAt, theirs.PaidAt, theirs.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	theirs.Scanned = false
	theirs.CancelAction = ""
	theirs.RefundedAmount = 0
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateTrade(ctx, theirs) }))
	if theirs.Version != 3 {
		t.Errorf("Version after the second update = %d, want 3", theirs.Version)
	}
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, theirs)

	// Refunding more than the total is refused, and changes nothing.
	over := *theirs
	over.RefundedAmount = over.TotalAmount + 1
	err = s.UpdateTrade(ctx, &over)
	if err == nil || errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrNotFound) {
		t.Errorf("refunding more than the total: err = %v, want a plain error", err)
	}
	if over.Version != 3 {
		t.Errorf("Version after a refused update = %d, want 3", over.Version)
	}
	got, err = s.Trade(ctx, created.TradeNo)
	ok(t, err)
	sameTrade(t, got, theirs)
}

// testUpdateTradeConcurrent: commands that read one version of a trade race
// to pay it, each posting the payment and updating the trade in one
// transaction. One wins; the others get ErrStale and their payments are
// rolled back. Run with the transfer first (the losers' transfers are
// written, then undone) and with the update first.
func testUpdateTradeConcurrent(t *testing.T, s zfb.Store) {
	const n, amount = 20, 100
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	buyer := fund(t, s, "buyer", 2*n*amount)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: merchant, Kind: zfb.AccountKindMerchant, Owner: app.SellerID, Currency: zfb.CNY, Floor: floor(0)}))

	for round, transferFirst := range []bool{true, false} {
		created := bareTrade(app, round+1)
		created.TotalAmount = amount
		ok(t, s.CreateTrade(ctx, created))

		var (
			read, done sync.WaitGroup
			start      = make(chan struct{})
			mu         sync.Mutex
			winners    []string
			stale      int
		)
		read.Add(n)
		for i := range n {
			done.Go(func() {
				tr, err := s.Trade(ctx, created.TradeNo)
				read.Done()
				if err != nil {
					t.Error(err)
					return
				}
				<-start
				tr.Status = zfb.TradeSuccess
				tr.BuyerID = fmt.Sprintf("buyer %d", i)
				tr.PaidAt = at(i)
				pay := &zfb.Transfer{Kind: zfb.TransferPay, Ref: tr.TradeNo, Debit: buyer, Credit: merchant, Amount: amount, Currency: zfb.CNY, CreatedAt: at(i)}
				err = s.InTx(ctx, func(q zfb.Queries) error {
					if transferFirst {
						if err := q.PostTransfer(ctx, pay); err != nil {
							return err
						}
						return q.UpdateTrade(ctx, tr)
					}
					if err := q.UpdateTrade(ctx, tr); err != nil {
						return err
					}
					return q.PostTransfer(ctx, pay)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, tr.BuyerID)
				case errors.Is(err, zfb.ErrStale):
					stale++
				default:
					t.Errorf("buyer %d: %v", i, err)
				}
			})
		}
		read.Wait()
		close(start)
		done.Wait()

		if len(winners) != 1 || stale != n-1 {
			t.Fatalf("transfer first %v: %d won (%q) and %d were stale, want 1 and %d", transferFirst, len(winners), winners, stale, n-1)
		}
		got, err := s.Trade(ctx, created.TradeNo)
		ok(t, err)
		if got.Version != 2 || got.Status != zfb.TradeSuccess || got.BuyerID != winners[0] {
			t.Errorf("transfer first %v: trade = %+v, want version 2, paid by %s", transferFirst, got, winners[0])
		}
		ts, err := s.Transfers(ctx, created.TradeNo)
		ok(t, err)
		if len(ts) != 1 {
			t.Errorf("transfer first %v: %d transfers of the trade, want 1", transferFirst, len(ts))
		}
		wantBuyer, wantMerchant := int64(2*n-round-1)*amount, int64(round+1)*amount
		if b, m := balance(t, s, buyer), balance(t, s, merchant); b != wantBuyer || m != wantMerchant {
			t.Errorf("transfer first %v: balances = %d, %d, want %d, %d", transferFirst, b, m, wantBuyer, wantMerchant)
		}
		if r := ledgerOK(t, s); r.Transfers != 2+round {
			t.Errorf("transfer first %v: %d transfers in the ledger, want %d", transferFirst, r.Transfers, 2+round)
		}
	}
}

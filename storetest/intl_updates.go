package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func testIntlPayments(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))

	ps, err := s.IntlPayments(ctx, a.ID, 10)
	ok(t, err)
	if len(ps) != 0 {
		t.Fatalf("%d payments of an app without any", len(ps))
	}

	// Created in another order than they are listed: newest first, then
	// by acquirementId descending among payments made at the same time.
	p1 := newIntlPayment(a, 1)
	p1.CreatedAt = at(10)
	p2 := newIntlPayment(a, 2)
	p2.CreatedAt = at(30)
	p3 := newIntlPayment(a, 3)
	p3.CreatedAt = at(20)
	p4 := bareIntlPayment(a, 4)
	p4.CreatedAt = at(20)
	p5 := bareIntlPayment(a, 5) // made at the zero time: the oldest
	g1 := newIntlPayment(b, 6)
	g1.CreatedAt = at(25)
	tomb := intlTombstone(a, 50) // a cancelled merchantTransId: no payment, never listed
	for _, p := range []*zfb.IntlPayment{p3, p1, g1, p5, p2, tomb, p4} {
		ok(t, s.CreateIntlPayment(ctx, p))
	}
	all := []*zfb.IntlPayment{p2, p4, p3, p1, p5}
	for _, limit := range []int{1, 2, 4, 5, 6, 100} {
		ps, err := s.IntlPayments(ctx, a.ID, limit)
		ok(t, err)
		want := all[:min(limit, len(all))]
		if len(ps) != len(want) {
			t.Fatalf("limit %d: %d payments, want %d", limit, len(ps), len(want))
		}
		for i := range want {
			sameIntlPayment(t, ps[i], want[i])
		}
	}
	for _, limit := range []int{0, -1} {
		ps, err := s.IntlPayments(ctx, a.ID, limit)
		ok(t, err)
		if len(ps) != 0 {
			t.Errorf("limit %d: %d payments, want none", limit, len(ps))
		}
	}
	ps, err = s.IntlPayments(ctx, b.ID, 10)
	ok(t, err)
	if len(ps) != 1 {
		t.Fatalf("%d payments of the other app, want 1", len(ps))
	}
	sameIntlPayment(t, ps[0], g1)

	// Through a transaction, which sees its own writes.
	p6 := newIntlPayment(a, 7)
	p6.CreatedAt = at(40)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateIntlPayment(ctx, p6); err != nil {
			return err
		}
		ps, err := q.IntlPayments(ctx, a.ID, 1)
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].AcquirementID != p6.AcquirementID {
			return fmt.Errorf("newest payment inside the transaction = %v, want %s", ps, p6.AcquirementID)
		}
		return nil
	}))
}

func testUpdateIntlPayment(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	created := bareIntlPayment(app, 1)
	created.SellerID = app.SellerID
	created.OrderTitle = "title"
	created.Currency = "EUR"
	created.Amount = 20_00
	created.Fingerprint = "fp"
	created.ExpiresAt = at(900)
	created.CreatedAt = at(1)
	ok(t, s.CreateIntlPayment(ctx, created))

	mine, err := s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	theirs, err := s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)

	// Every mutable field changes; the immutable ones are kept whatever the
	// caller says.
	mine.Status = zfb.IntlPaymentCancelled
	mine.BuyerID = "2088000000000501"
	mine.PaidCNY = 157_00
	mine.RefundedAmount = 20_00
	mine.RefundedCNY = 157_00
	mine.NotifyURL = "https://merchant.example/notify"
	mine.ExpiresAt = at(1800)
	mine.PaidAt = at(3)
	mine.ClosedAt = at(5)
	mine.CancelledAt = at(5)
	mine.CancelAction = zfb.IntlCancelRefund
	want := *mine
	want.Version = 2
	mine.AppID = newApp(2).ID
	mine.MerchantTransID = "other"
	mine.Kind = zfb.IntlKindCancelled
	mine.SellerID = "2088999999999999"
	mine.OrderTitle = "other title"
	mine.Currency = "JPY"
	mine.Amount = 30_00
	mine.Fingerprint = "other"
	mine.CreatedAt = at(99)
	ok(t, s.UpdateIntlPayment(ctx, mine))
	if mine.Version != 2 {
		t.Errorf("Version after UpdateIntlPayment = %d, want 2", mine.Version)
	}
	got, err := s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, &want)
	got, err = s.IntlPaymentByMerchantTransID(ctx, app.ID, created.MerchantTransID)
	ok(t, err)
	sameIntlPayment(t, got, &want)

	// A write over the version read before is stale and changes nothing.
	theirs.Status = zfb.IntlPaymentClosed
	theirs.ClosedAt = at(10)
	wantErr(t, s.UpdateIntlPayment(ctx, theirs), zfb.ErrStale)
	if theirs.Version != 1 {
		t.Errorf("Version after a stale update = %d, want 1", theirs.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateIntlPayment(ctx, theirs) }), zfb.ErrStale)
	got, err = s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, &want)

	// Re-read, it goes through; times go back to zero.
	theirs, err = s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	theirs.Status = zfb.IntlPaymentInit
	theirs.BuyerID = ""
	theirs.PaidCNY, theirs.RefundedAmount, theirs.RefundedCNY = 0, 0, 0
	theirs.NotifyURL, theirs.CancelAction = "", ""
	theirs.ExpiresAt, theirs.PaidAt, theirs.ClosedAt, theirs.CancelledAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateIntlPayment(ctx, theirs) }))
	if theirs.Version != 3 {
		t.Errorf("Version after the second update = %d, want 3", theirs.Version)
	}
	got, err = s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, theirs)

	// Impossible amounts are refused, and change nothing.
	for name, change := range map[string]func(p *zfb.IntlPayment){
		"negative paid CNY":    func(p *zfb.IntlPayment) { p.PaidCNY = -1 },
		"negative refund":      func(p *zfb.IntlPayment) { p.RefundedAmount = -1 },
		"over-refunded":        func(p *zfb.IntlPayment) { p.RefundedAmount = 20_01 },
		"negative CNY refund":  func(p *zfb.IntlPayment) { p.PaidCNY, p.RefundedCNY = 5, -1 },
		"over-refunded in CNY": func(p *zfb.IntlPayment) { p.PaidCNY, p.RefundedCNY = 5, 6 },
		// The amount is the stored one, not the caller's.
		"over-refunded, amount raised": func(p *zfb.IntlPayment) { p.Amount, p.RefundedAmount = 30_00, 25_00 },
	} {
		over := *theirs
		change(&over)
		err := s.UpdateIntlPayment(ctx, &over)
		if err == nil || errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
		if over.Version != 3 {
			t.Errorf("%s: Version after a refused update = %d, want 3", name, over.Version)
		}
	}
	got, err = s.IntlPayment(ctx, created.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, theirs)
}

// intlAccounts are the ledger accounts an international payment of app in
// USD moves money through.
type intlAccounts struct {
	buyer, fxCNY, fxUSD, merchantUSD, merchantCNY string
}

// intlSetup makes an app, a buyer's CNY account holding balance, the fx
// accounts of CNY and USD and the merchant's accounts in both.
func intlSetup(t *testing.T, s zfb.Store, balance int64) (*zfb.App, intlAccounts) {
	t.Helper()
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	acc := intlAccounts{
		buyer:       fund(t, s, zfb.BuyerAccount("2088000000000501", zfb.CNY), balance),
		fxCNY:       zfb.FXAccount(zfb.CNY),
		fxUSD:       zfb.FXAccount("USD"),
		merchantUSD: zfb.MerchantAccount(app.SellerID, "USD"),
		merchantCNY: zfb.MerchantAccount(app.SellerID, zfb.CNY),
	}
	for _, a := range []*zfb.Account{
		{ID: acc.fxCNY, Kind: zfb.AccountKindFX, Currency: zfb.CNY},
		{ID: acc.fxUSD, Kind: zfb.AccountKindFX, Currency: "USD"},
		{ID: acc.merchantUSD, Kind: zfb.AccountKindMerchant, Owner: app.SellerID, Currency: "USD", Floor: floor(0)},
		{ID: acc.merchantCNY, Kind: zfb.AccountKindMerchant, Owner: app.SellerID, Currency: zfb.CNY, Floor: floor(0)},
	} {
		ok(t, s.EnsureAccount(ctx, a))
	}
	return app, acc
}

// payIntl posts the two transfers of paying p: the buyer's CNY into fx:CNY,
// p's amount out of fx:<currency> to the merchant.
func payIntl(ctx context.Context, q zfb.Queries, acc intlAccounts, p *zfb.IntlPayment) error {
	if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: p.AcquirementID,
		Debit: acc.buyer, Credit: acc.fxCNY, Amount: p.PaidCNY, Currency: zfb.CNY, CreatedAt: p.PaidAt}); err != nil {
		return err
	}
	return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: p.AcquirementID,
		Debit: zfb.FXAccount(p.Currency), Credit: zfb.MerchantAccount(p.SellerID, p.Currency),
		Amount: p.Amount, Currency: p.Currency, CreatedAt: p.PaidAt})
}

// refundIntl posts the two transfers of refunding amount (amountCNY to the
// buyer) of p.
func refundIntl(ctx context.Context, q zfb.Queries, acc intlAccounts, p *zfb.IntlPayment, amount, amountCNY int64) error {
	if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlRefund, Ref: p.AcquirementID,
		Debit: zfb.MerchantAccount(p.SellerID, p.Currency), Credit: zfb.FXAccount(p.Currency),
		Amount: amount, Currency: p.Currency}); err != nil {
		return err
	}
	return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlRefund, Ref: p.AcquirementID,
		Debit: acc.fxCNY, Credit: acc.buyer, Amount: amountCNY, Currency: zfb.CNY})
}

// testUpdateIntlPaymentConcurrent: commands that read one version of a
// payment race to pay it, each posting both legs of the payment through
// the fx accounts and updating the payment in one transaction. One wins;
// the others get ErrStale and their transfers are rolled back. Run with the
// transfers first and with the update first.
func testUpdateIntlPaymentConcurrent(t *testing.T, s zfb.Store) {
	const n, amount, cny = 20, 100, 725
	ctx := t.Context()
	app, acc := intlSetup(t, s, 2*n*cny)

	for round, transferFirst := range []bool{true, false} {
		created := bareIntlPayment(app, round+1)
		created.SellerID, created.Currency, created.Amount = app.SellerID, "USD", amount
		ok(t, s.CreateIntlPayment(ctx, created))

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
				p, err := s.IntlPayment(ctx, created.AcquirementID)
				read.Done()
				if err != nil {
					t.Error(err)
					return
				}
				<-start
				p.Status = zfb.IntlPaymentSuccess
				p.BuyerID = fmt.Sprintf("buyer %d", i)
				p.PaidCNY = cny
				p.PaidAt = at(i)
				err = s.InTx(ctx, func(q zfb.Queries) error {
					if transferFirst {
						if err := payIntl(ctx, q, acc, p); err != nil {
							return err
						}
						return q.UpdateIntlPayment(ctx, p)
					}
					if err := q.UpdateIntlPayment(ctx, p); err != nil {
						return err
					}
					return payIntl(ctx, q, acc, p)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, p.BuyerID)
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
			t.Fatalf("transfers first %v: %d won (%q) and %d were stale, want 1 and %d", transferFirst, len(winners), winners, stale, n-1)
		}
		got, err := s.IntlPayment(ctx, created.AcquirementID)
		ok(t, err)
		if got.Version != 2 || got.Status != zfb.IntlPaymentSuccess || got.BuyerID != winners[0] || got.PaidCNY != cny {
			t.Errorf("transfers first %v: payment = %+v, want version 2, paid by %s", transferFirst, got, winners[0])
		}
		ts, err := s.Transfers(ctx, created.AcquirementID)
		ok(t, err)
		if len(ts) != 2 {
			t.Errorf("transfers first %v: %d transfers of the payment, want 2", transferFirst, len(ts))
		}
		paid := int64(round + 1)
		for id, want := range map[string]int64{
			acc.buyer: (2*n - paid) * cny, acc.fxCNY: paid * cny,
			acc.fxUSD: -paid * amount, acc.merchantUSD: paid * amount,
		} {
			if got := balance(t, s, id); got != want {
				t.Errorf("transfers first %v: balance of %s = %d, want %d", transferFirst, id, got, want)
			}
		}
		// Opening, then two transfers a round.
		if r := ledgerOK(t, s); r.Transfers != 1+2*int(paid) {
			t.Errorf("transfers first %v: %d transfers in the ledger, want %d", transferFirst, r.Transfers, 1+2*paid)
		}
	}
}

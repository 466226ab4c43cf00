package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func testUpdateAuthOrder(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	created := bareAuthOrder(app, 1)
	created.PayeeUserID = app.SellerID
	created.OrderTitle = "title"
	created.ProductCode = "PRE_AUTH_ONLINE"
	created.ExtraParam = `{"category":"HOTEL"}`
	created.Fingerprint = "fp"
	created.CodeValue = "https://qr.alipay.com/bax01"
	created.ExpiresAt = at(900)
	created.CreatedAt = at(1)
	ok(t, s.CreateAuthOrder(ctx, created))

	mine, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	theirs, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)

	// Every mutable field changes; the immutable ones are kept whatever the
	// caller says.
	mine.Status = zfb.AuthOrderAuthorized
	mine.PayerUserID = "2088000000000501"
	mine.TotalFreezeAmount = 500
	mine.TotalUnfreezeAmount = 100
	mine.TotalPayAmount = 400
	mine.CodeValue = "https://qr.alipay.com/bax02"
	mine.NotifyURL = "https://merchant.example/notify"
	mine.ExpiresAt = at(1800)
	mine.ClosedAt = at(5)
	want := *mine
	want.Version = 2
	mine.AppID = newApp(2).ID
	mine.OutOrderNo = "other"
	mine.Kind = zfb.AuthKindFreeze
	mine.PayeeUserID = "2088999999999999"
	mine.OrderTitle = "other title"
	mine.ProductCode = "OTHER"
	mine.ExtraParam = "{}"
	mine.Fingerprint = "other"
	mine.CreatedAt = at(99)
	ok(t, s.UpdateAuthOrder(ctx, mine))
	if mine.Version != 2 {
		t.Errorf("Version after UpdateAuthOrder = %d, want 2", mine.Version)
	}
	got, err := s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)
	got, err = s.AuthOrderByOutOrderNo(ctx, app.ID, created.OutOrderNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)

	// A write over the version read before is stale and changes nothing.
	theirs.Status = zfb.AuthOrderClosed
	theirs.ClosedAt = at(10)
	wantErr(t, s.UpdateAuthOrder(ctx, theirs), zfb.ErrStale)
	if theirs.Version != 1 {
		t.Errorf("Version after a stale update = %d, want 1", theirs.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOrder(ctx, theirs) }), zfb.ErrStale)
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, &want)

	// Re-read, it goes through; times go back to zero.
	theirs, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	theirs.Status = zfb.AuthOrderInit
	theirs.PayerUserID = ""
	theirs.TotalFreezeAmount, theirs.TotalUnfreezeAmount, theirs.TotalPayAmount = 0, 0, 0
	theirs.CodeValue, theirs.NotifyURL = "", ""
	theirs.ExpiresAt, theirs.ClosedAt = time.Time{}, time.Time{}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateAuthOrder(ctx, theirs) }))
	if theirs.Version != 3 {
		t.Errorf("Version after the second update = %d, want 3", theirs.Version)
	}
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, theirs)

	// Impossible totals are refused, and change nothing.
	for name, change := range map[string]func(o *zfb.AuthOrder){
		"negative freeze":   func(o *zfb.AuthOrder) { o.TotalFreezeAmount = -1 },
		"negative unfreeze": func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount = 5, -1 },
		"negative pay":      func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalPayAmount = 5, -1 },
		"over-unfrozen":     func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount = 5, 6 },
		"over-paid":         func(o *zfb.AuthOrder) { o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount = 5, 3, 3 },
	} {
		over := *theirs
		change(&over)
		err := s.UpdateAuthOrder(ctx, &over)
		if err == nil || errors.Is(err, zfb.ErrStale) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
		if over.Version != 3 {
			t.Errorf("%s: Version after a refused update = %d, want 3", name, over.Version)
		}
	}
	got, err = s.AuthOrder(ctx, created.AuthNo)
	ok(t, err)
	sameAuthOrder(t, got, theirs)
}

// authSetup makes an app with its merchant account and a buyer with
// balance and their available and frozen accounts, through the Service
// as the gateway does.
func authSetup(t *testing.T, s zfb.Store, balance int64) (app *zfb.App, buyer *zfb.Buyer) {
	t.Helper()
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	app = newApp(1)
	ok(t, svc.CreateApp(ctx, app))
	buyer = newBuyer(1, balance)
	ok(t, svc.CreateBuyer(ctx, buyer))
	return app, buyer
}

// freezeOrder creates an authorised order of app for buyer with amount
// frozen: the order, its FREEZE operation and the freeze transfer commit
// together.
func freezeOrder(t *testing.T, s zfb.Store, app *zfb.App, buyer *zfb.Buyer, n int, amount int64) *zfb.AuthOrder {
	t.Helper()
	ctx := t.Context()
	o := bareAuthOrder(app, n)
	o.Kind, o.Status = zfb.AuthKindFreeze, zfb.AuthOrderAuthorized
	o.PayeeUserID, o.PayerUserID = app.SellerID, buyer.UserID
	o.TotalFreezeAmount = amount
	o.CreatedAt = at(n)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateAuthOrder(ctx, o); err != nil {
			return err
		}
		op := newAuthOperation(o, zfb.AuthOpFreeze, n)
		op.Amount, op.TradeNo, op.CancelAction, op.ClosedAt = amount, "", "", time.Time{}
		if err := q.CreateAuthOperation(ctx, op); err != nil {
			return err
		}
		return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: o.AuthNo,
			Debit: zfb.BuyerAccount(buyer.UserID, zfb.CNY), Credit: zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY),
			Amount: amount, Currency: zfb.CNY, CreatedAt: at(n)})
	}))
	return o
}

// testUpdateAuthOrderConcurrent: commands that read one version of an
// order race to pay from it, each posting the payment, recording a PAY
// operation and updating the order in one transaction. One wins; the
// others get ErrStale and all they wrote is rolled back. Run with the
// transfer first and with the update first.
func testUpdateAuthOrderConcurrent(t *testing.T, s zfb.Store) {
	const n, amount = 20, 100
	ctx := t.Context()
	app, buyer := authSetup(t, s, 2*n*amount)
	frozen := zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)

	for round, transferFirst := range []bool{true, false} {
		// Enough frozen for every command's payment: only the order's
		// version stops the losers.
		created := freezeOrder(t, s, app, buyer, round+1, n*amount)

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
				o, err := s.AuthOrder(ctx, created.AuthNo)
				read.Done()
				if err != nil {
					t.Error(err)
					return
				}
				<-start
				o.TotalPayAmount = amount
				op := newAuthOperation(o, zfb.AuthOpPay, 100+round*n+i) // distinct across rounds
				op.Amount = amount
				pay := &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o.AuthNo, Debit: frozen, Credit: merchant, Amount: amount, Currency: zfb.CNY, CreatedAt: at(i)}
				err = s.InTx(ctx, func(q zfb.Queries) error {
					if transferFirst {
						if err := q.PostTransfer(ctx, pay); err != nil {
							return err
						}
						if err := q.CreateAuthOperation(ctx, op); err != nil {
							return err
						}
						return q.UpdateAuthOrder(ctx, o)
					}
					if err := q.UpdateAuthOrder(ctx, o); err != nil {
						return err
					}
					if err := q.CreateAuthOperation(ctx, op); err != nil {
						return err
					}
					return q.PostTransfer(ctx, pay)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, op.OperationID)
				case errors.Is(err, zfb.ErrStale):
					stale++
				default:
					t.Errorf("command %d: %v", i, err)
				}
			})
		}
		read.Wait()
		close(start)
		done.Wait()

		if len(winners) != 1 || stale != n-1 {
			t.Fatalf("transfer first %v: %d won (%q) and %d were stale, want 1 and %d", transferFirst, len(winners), winners, stale, n-1)
		}
		got, err := s.AuthOrder(ctx, created.AuthNo)
		ok(t, err)
		if got.Version != 2 || got.TotalPayAmount != amount || got.RestAmount() != (n-1)*amount {
			t.Errorf("transfer first %v: order = %+v, want version 2, paid %d once", transferFirst, got, amount)
		}
		ops, err := s.AuthOperations(ctx, created.AuthNo)
		ok(t, err)
		if len(ops) != 2 || ops[1].OperationID != winners[0] {
			t.Errorf("transfer first %v: %d operations, want the FREEZE and the winner's PAY %s", transferFirst, len(ops), winners[0])
		}
		ts, err := s.Transfers(ctx, created.AuthNo)
		ok(t, err)
		if len(ts) != 2 {
			t.Errorf("transfer first %v: %d transfers of the order, want 2 (freeze, pay)", transferFirst, len(ts))
		}
		wantFrozen, wantMerchant := int64(round+1)*(n-1)*amount, int64(round+1)*amount
		if f, m := balance(t, s, frozen), balance(t, s, merchant); f != wantFrozen || m != wantMerchant {
			t.Errorf("transfer first %v: frozen and merchant balances = %d, %d, want %d, %d", transferFirst, f, m, wantFrozen, wantMerchant)
		}
		// Opening, then a freeze and a pay per round.
		if r := ledgerOK(t, s); r.Transfers != 1+2*(round+1) {
			t.Errorf("transfer first %v: %d transfers in the ledger, want %d", transferFirst, r.Transfers, 1+2*(round+1))
		}
	}
}

package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
)

// testTradeAuthNo: a trade keeps the fund authorisation it was paid from,
// which no update changes.
func testTradeAuthNo(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	order := newAuthOrder(app, 1)
	ok(t, s.CreateAuthOrder(ctx, order))

	tr := newTrade(app, 1)
	tr.Kind, tr.AuthNo = zfb.TradeKindAuthPay, order.AuthNo
	ok(t, s.CreateTrade(ctx, tr))
	got, err := s.Trade(ctx, tr.TradeNo)
	ok(t, err)
	sameTrade(t, got, tr)
	got, err = s.TradeByOutTradeNo(ctx, app.ID, tr.OutTradeNo)
	ok(t, err)
	sameTrade(t, got, tr)

	got.AuthNo = "other"
	got.Subject = "changed"
	ok(t, s.UpdateTrade(ctx, got))
	got, err = s.Trade(ctx, tr.TradeNo)
	ok(t, err)
	if got.AuthNo != order.AuthNo || got.Subject != "changed" {
		t.Errorf("after an update: AuthNo %q, Subject %q; want %q, changed", got.AuthNo, got.Subject, order.AuthNo)
	}

	// Other trades have none.
	bare := bareTrade(app, 2)
	ok(t, s.CreateTrade(ctx, bare))
	got, err = s.Trade(ctx, bare.TradeNo)
	ok(t, err)
	if got.AuthNo != "" {
		t.Errorf("AuthNo of a plain trade = %q, want empty", got.AuthNo)
	}
}

// ledgerBroken checks the ledger, fails t if it is healthy, and fails t
// unless each of want starts one of its failures.
func ledgerBroken(t *testing.T, s zfb.Store, want ...string) {
	t.Helper()
	r, err := s.CheckLedger(t.Context())
	ok(t, err)
	if r.OK {
		t.Fatalf("a broken ledger is OK: %+v", r)
	}
	if len(r.Failures) != len(want) {
		t.Errorf("failures = %q, want %d", r.Failures, len(want))
	}
	for _, w := range want {
		if !slices.ContainsFunc(r.Failures, func(f string) bool { return strings.HasPrefix(f, w) }) {
			t.Errorf("no failure %q in %q", w, r.Failures)
		}
	}
}

// testCheckLedgerFundAuth: CheckLedger holds fund authorisation orders to
// their transfers and buyers' frozen balances to their orders.
func testCheckLedgerFundAuth(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app, buyer := authSetup(t, s, 10_000)
	available := zfb.BuyerAccount(buyer.UserID, zfb.CNY)
	frozen := zfb.BuyerFrozenAccount(buyer.UserID, zfb.CNY)
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)

	// Healthy: an order frozen, partly paid and partly unfrozen; one
	// frozen; a voucher nobody scanned; a cancelled placeholder.
	o1 := freezeOrder(t, s, app, buyer, 1, 3000)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		o1.TotalPayAmount, o1.TotalUnfreezeAmount = 1000, 500
		if err := q.UpdateAuthOrder(ctx, o1); err != nil {
			return err
		}
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o1.AuthNo, Debit: frozen, Credit: merchant, Amount: 1000, Currency: zfb.CNY}); err != nil {
			return err
		}
		return q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: o1.AuthNo, Debit: frozen, Credit: available, Amount: 500, Currency: zfb.CNY})
	}))
	o2 := freezeOrder(t, s, app, buyer, 2, 2000)
	ok(t, s.CreateAuthOrder(ctx, bareAuthOrder(app, 3)))
	cancelled := bareAuthOrder(app, 4)
	cancelled.Kind, cancelled.Status = zfb.AuthKindCancelled, zfb.AuthOrderClosed
	ok(t, s.CreateAuthOrder(ctx, cancelled))
	if got := balance(t, s, frozen); got != 1500+2000 {
		t.Fatalf("frozen balance = %d, want 3500", got)
	}
	ledgerOK(t, s)

	// A freeze posted without updating the order's totals.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: o2.AuthNo, Debit: available, Credit: frozen, Amount: 300, Currency: zfb.CNY}))
	ledgerBroken(t, s,
		fmt.Sprintf("fund auth order %s: frozen 2000, unfrozen 0, paid 0, but its transfers freeze 2300, unfreeze 0, pay 0", o2.AuthNo),
		fmt.Sprintf("account %s: balance 3800, but the fund auth orders of buyer %q leave 3500 frozen", frozen, buyer.UserID))
	// The order catches up: consistent again.
	o2.TotalFreezeAmount = 2300
	ok(t, s.UpdateAuthOrder(ctx, o2))
	ledgerOK(t, s)

	// Totals updated without the transfer.
	o2.TotalPayAmount = 100
	ok(t, s.UpdateAuthOrder(ctx, o2))
	ledgerBroken(t, s,
		fmt.Sprintf("fund auth order %s: frozen 2300, unfrozen 0, paid 100, but its transfers freeze 2300, unfreeze 0, pay 0", o2.AuthNo),
		fmt.Sprintf("account %s: balance 3800, but the fund auth orders of buyer %q leave 3700 frozen", frozen, buyer.UserID))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferAuthPay, Ref: o2.AuthNo, Debit: frozen, Credit: merchant, Amount: 100, Currency: zfb.CNY}))
	ledgerOK(t, s)

	// A freeze of an order that does not exist, then the order.
	ghost := bareAuthOrder(app, 5)
	early := &zfb.Transfer{Kind: zfb.TransferFreeze, Ref: ghost.AuthNo, Debit: available, Credit: frozen, Amount: 50, Currency: zfb.CNY}
	ok(t, s.PostTransfer(ctx, early))
	ledgerBroken(t, s,
		fmt.Sprintf("transfer %d: freeze of %s, which is no fund auth order", early.ID, ghost.AuthNo),
		fmt.Sprintf("account %s: balance 3750, but the fund auth orders of buyer %q leave 3700 frozen", frozen, buyer.UserID))
	ghost.Status, ghost.PayerUserID, ghost.TotalFreezeAmount = zfb.AuthOrderAuthorized, buyer.UserID, 50
	ok(t, s.CreateAuthOrder(ctx, ghost))
	ledgerOK(t, s)

	// Money in the frozen account of a buyer without orders.
	other := newBuyer(2, 1000)
	ok(t, zfb.NewService(s, nil, nil).CreateBuyer(ctx, other))
	otherFrozen := zfb.BuyerFrozenAccount(other.UserID, zfb.CNY)
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "adjust", Ref: other.UserID, Debit: zfb.BuyerAccount(other.UserID, zfb.CNY), Credit: otherFrozen, Amount: 70, Currency: zfb.CNY}))
	ledgerBroken(t, s, fmt.Sprintf("account %s: balance 70, but the fund auth orders of buyer %q leave 0 frozen", otherFrozen, other.UserID))
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: "adjust", Ref: other.UserID, Debit: otherFrozen, Credit: zfb.BuyerAccount(other.UserID, zfb.CNY), Amount: 70, Currency: zfb.CNY}))
	ledgerOK(t, s)

	// The check runs on one snapshot inside a transaction too, and sees
	// the transaction's own writes.
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: o2.AuthNo, Debit: frozen, Credit: available, Amount: 2200, Currency: zfb.CNY}); err != nil {
			return err
		}
		if r, err := q.CheckLedger(ctx); err != nil || r.OK {
			return fmt.Errorf("ledger inside the transaction, before the order's update = %+v, %v; want not OK", r, err)
		}
		o2.TotalUnfreezeAmount, o2.Status = 2200, zfb.AuthOrderFinish
		if err := q.UpdateAuthOrder(ctx, o2); err != nil {
			return err
		}
		if r, err := q.CheckLedger(ctx); err != nil || !r.OK {
			return fmt.Errorf("ledger inside the transaction = %+v, %v; want OK", r, err)
		}
		return nil
	}))
	ledgerOK(t, s)

	// A cancelled placeholder is no order: money may not move under its
	// auth_no. (Last: a transfer cannot be taken back.)
	moved := &zfb.Transfer{Kind: zfb.TransferUnfreeze, Ref: cancelled.AuthNo, Debit: frozen, Credit: available, Amount: 1, Currency: zfb.CNY}
	ok(t, s.PostTransfer(ctx, moved))
	ledgerBroken(t, s,
		fmt.Sprintf("transfer %d: unfreeze of %s, which is no fund auth order", moved.ID, cancelled.AuthNo),
		fmt.Sprintf("account %s: balance 1549, but the fund auth orders of buyer %q leave 1550 frozen", frozen, buyer.UserID))
}

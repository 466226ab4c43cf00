package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
)

func testIntlRefunds(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	p, other := newIntlPayment(app, 1), newIntlPayment(app, 2)
	ok(t, s.CreateIntlPayment(ctx, p))
	ok(t, s.CreateIntlPayment(ctx, other))

	rs, err := s.IntlRefunds(ctx, p.AcquirementID)
	ok(t, err)
	if len(rs) != 0 {
		t.Fatalf("%d refunds of a payment without any", len(rs))
	}

	// Created in another order than they are listed: by time, then by
	// merchantRefundId.
	b := newIntlRefund(p, "b", 20)
	z := newIntlRefund(p, "z", 10)
	z.Reason, z.AmountCNY = "", 0 // the buyer got nothing back in CNY (rounded away)
	a := newIntlRefund(p, "a", 21)
	a.CreatedAt = b.CreatedAt
	c := newIntlRefund(p, p.MerchantTransID, 30) // payCancel's, numbered by the merchantTransId
	c.Amount, c.AmountCNY, c.Reason, c.ByCancel = 1, 7, "", true
	for _, r := range []*zfb.IntlRefund{b, z, c, a} {
		ok(t, s.CreateIntlRefund(ctx, r))
	}
	// The same merchantRefundId for another payment is another refund.
	elsewhere := newIntlRefund(other, "b", 40)
	ok(t, s.CreateIntlRefund(ctx, elsewhere))

	// Taken: refused, and the first one stays. The merchantRefundId of the
	// payment, through a transaction too; the refundId, in any payment.
	dup := *b
	dup.RefundID, dup.Amount, dup.Reason = "2025031421999", 999, "again"
	wantErr(t, s.CreateIntlRefund(ctx, &dup), zfb.ErrConflict)
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateIntlRefund(ctx, &dup) }), zfb.ErrConflict)
	sameID := newIntlRefund(other, "new", 41)
	sameID.RefundID = a.RefundID
	wantErr(t, s.CreateIntlRefund(ctx, sameID), zfb.ErrConflict)
	_, err = s.IntlRefund(ctx, other.AcquirementID, "new")
	wantErr(t, err, zfb.ErrNotFound)

	// A refund needs its keys, and an amount; it gives back no negative CNY.
	refund := func(change func(r *zfb.IntlRefund)) *zfb.IntlRefund {
		r := newIntlRefund(other, "x", 50)
		change(r)
		return r
	}
	for name, r := range map[string]*zfb.IntlRefund{
		"no acquirementId":    refund(func(r *zfb.IntlRefund) { r.AcquirementID = "" }),
		"no merchantRefundId": refund(func(r *zfb.IntlRefund) { r.MerchantRefundID = "" }),
		"no refundId":         refund(func(r *zfb.IntlRefund) { r.RefundID = "" }),
		"no amount":           refund(func(r *zfb.IntlRefund) { r.Amount = 0 }),
		"negative amount":     refund(func(r *zfb.IntlRefund) { r.Amount = -1 }),
		"negative CNY":        refund(func(r *zfb.IntlRefund) { r.AmountCNY = -1 }),
	} {
		err := s.CreateIntlRefund(ctx, r)
		if err == nil || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
	}

	for _, want := range []*zfb.IntlRefund{b, z, a, c, elsewhere} {
		got, err := s.IntlRefund(ctx, want.AcquirementID, want.MerchantRefundID)
		ok(t, err)
		sameIntlRefund(t, got, want)
	}
	_, err = s.IntlRefund(ctx, other.AcquirementID, "z")
	wantErr(t, err, zfb.ErrNotFound)
	// Found by the merchantRefundId, not by the refundId.
	_, err = s.IntlRefund(ctx, p.AcquirementID, b.RefundID)
	wantErr(t, err, zfb.ErrNotFound)

	rs, err = s.IntlRefunds(ctx, p.AcquirementID)
	ok(t, err)
	want := []*zfb.IntlRefund{z, a, b, c}
	if len(rs) != len(want) {
		t.Fatalf("%d refunds, want %d", len(rs), len(want))
	}
	for i := range want {
		sameIntlRefund(t, rs[i], want[i])
	}
	ok(t, s.InReadTx(ctx, func(q zfb.Queries) error {
		rs, err := q.IntlRefunds(ctx, other.AcquirementID)
		if err != nil {
			return err
		}
		if len(rs) != 1 {
			return fmt.Errorf("%d refunds of the other payment, want 1", len(rs))
		}
		sameIntlRefund(t, rs[0], elsewhere)
		return nil
	}))
}

// errRollback undoes a transaction that a test wrote only to look at.
var errRollback = errors.New("rolled back on purpose")

// intlLedgerBrokenInTx posts, in a transaction it then rolls back,
// transfers that break the ledger, and fails t unless CheckLedger inside
// it finds exactly failures starting with want.
func intlLedgerBrokenInTx(t *testing.T, s zfb.Store, post func(q zfb.Queries) ([]string, error)) {
	t.Helper()
	ctx := t.Context()
	err := s.InTx(ctx, func(q zfb.Queries) error {
		want, err := post(q)
		if err != nil {
			return err
		}
		r, err := q.CheckLedger(ctx)
		if err != nil {
			return err
		}
		if r.OK || len(r.Failures) != len(want) {
			t.Errorf("ledger = %+v, want not OK with %d failures", r, len(want))
		}
		for _, w := range want {
			if !slices.ContainsFunc(r.Failures, func(f string) bool { return strings.HasPrefix(f, w) }) {
				t.Errorf("no failure %q in %q", w, r.Failures)
			}
		}
		return errRollback
	})
	wantErr(t, err, errRollback)
	ledgerOK(t, s)
}

// testCheckLedgerIntl: CheckLedger holds international payments to their
// transfers through the fx accounts.
func testCheckLedgerIntl(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app, acc := intlSetup(t, s, 100_000)
	post := func(q zfb.Queries, tr *zfb.Transfer) error { return q.PostTransfer(ctx, tr) }

	// Healthy: a USD payment paid and partly refunded; a CNY one paid
	// (through fx:CNY both ways); one paid, then cancelled and refunded in
	// full; one waiting for its buyer; a tombstone.
	usd := bareIntlPayment(app, 1)
	usd.Status, usd.SellerID, usd.Currency, usd.Amount, usd.PaidCNY, usd.PaidAt = zfb.IntlPaymentSuccess, app.SellerID, "USD", 10_00, 72_50, at(1)
	cny := bareIntlPayment(app, 2)
	cny.Status, cny.SellerID, cny.Currency, cny.Amount, cny.PaidCNY, cny.PaidAt = zfb.IntlPaymentSuccess, app.SellerID, zfb.CNY, 50_00, 50_00, at(2)
	cancelled := newIntlPayment(app, 3)
	waiting := bareIntlPayment(app, 4)
	waiting.SellerID, waiting.Currency, waiting.Amount = app.SellerID, zfb.CNY, 100
	tomb := intlTombstone(app, 5)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		for _, p := range []*zfb.IntlPayment{usd, cny, cancelled, waiting, tomb} {
			if err := q.CreateIntlPayment(ctx, p); err != nil {
				return err
			}
		}
		for _, p := range []*zfb.IntlPayment{usd, cny, cancelled} {
			if err := payIntl(ctx, q, acc, p); err != nil {
				return err
			}
		}
		if err := refundIntl(ctx, q, acc, usd, 3_00, 21_75); err != nil {
			return err
		}
		usd.RefundedAmount, usd.RefundedCNY = 3_00, 21_75
		if err := q.UpdateIntlPayment(ctx, usd); err != nil {
			return err
		}
		return refundIntl(ctx, q, acc, cancelled, cancelled.Amount, cancelled.PaidCNY)
	}))
	ledgerOK(t, s)

	// The buyer's leg of a payment posted before the payment knows of it.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: waiting.AcquirementID, Debit: acc.buyer, Credit: acc.fxCNY, Amount: 100, Currency: zfb.CNY}))
	ledgerBroken(t, s, fmt.Sprintf("intl payment %s: the buyer paid 0 CNY, the merchant got 0 CNY, the buyer got back 0 CNY, the merchant gave back 0 CNY; but its transfers move 100, 0, 0, 0", waiting.AcquirementID))
	waiting.PaidCNY = 100 // paid by the buyer, not yet to the merchant: consistent
	ok(t, s.UpdateIntlPayment(ctx, waiting))
	ledgerOK(t, s)
	// The merchant's leg before the payment is marked paid.
	ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: waiting.AcquirementID, Debit: acc.fxCNY, Credit: acc.merchantCNY, Amount: 100, Currency: zfb.CNY}))
	ledgerBroken(t, s, fmt.Sprintf("intl payment %s: the buyer paid 100 CNY, the merchant got 0 CNY, the buyer got back 0 CNY, the merchant gave back 0 CNY; but its transfers move 100, 100, 0, 0", waiting.AcquirementID))
	waiting.Status, waiting.PaidAt = zfb.IntlPaymentSuccess, at(4)
	ok(t, s.UpdateIntlPayment(ctx, waiting))
	ledgerOK(t, s)

	// Refunded amounts recorded without the transfers, then the transfers.
	usd.RefundedAmount, usd.RefundedCNY = 5_00, 36_25
	ok(t, s.UpdateIntlPayment(ctx, usd))
	ledgerBroken(t, s, fmt.Sprintf("intl payment %s: the buyer paid 7250 CNY, the merchant got 1000 USD, the buyer got back 3625 CNY, the merchant gave back 500 USD; but its transfers move 7250, 1000, 2175, 300", usd.AcquirementID))
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return refundIntl(ctx, q, acc, usd, 2_00, 14_50) }))
	ledgerOK(t, s)

	// Transfers that no payment's totals can account for, each rolled back.
	intlLedgerBrokenInTx(t, s, func(q zfb.Queries) ([]string, error) {
		ghost := &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: "2025031419404", Debit: acc.buyer, Credit: acc.fxCNY, Amount: 10, Currency: zfb.CNY}
		err := post(q, ghost)
		return []string{fmt.Sprintf("transfer %d: intl_pay of 2025031419404, which is no intl payment", ghost.ID)}, err
	})
	intlLedgerBrokenInTx(t, s, func(q zfb.Queries) ([]string, error) {
		// A tombstone is no payment.
		back := &zfb.Transfer{Kind: zfb.TransferIntlRefund, Ref: tomb.AcquirementID, Debit: acc.fxCNY, Credit: acc.buyer, Amount: 10, Currency: zfb.CNY}
		err := post(q, back)
		return []string{fmt.Sprintf("transfer %d: intl_refund of %s, which is no intl payment", back.ID, tomb.AcquirementID)}, err
	})
	intlLedgerBrokenInTx(t, s, func(q zfb.Queries) ([]string, error) {
		// Straight from the buyer to the merchant, past the fx accounts.
		direct := &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: cny.AcquirementID, Debit: acc.buyer, Credit: acc.merchantCNY, Amount: 10, Currency: zfb.CNY}
		err := post(q, direct)
		return []string{fmt.Sprintf("transfer %d: intl_pay of %s from %s to %s; want an fx account on one side", direct.ID, cny.AcquirementID, acc.buyer, acc.merchantCNY)}, err
	})
	intlLedgerBrokenInTx(t, s, func(q zfb.Queries) ([]string, error) {
		// The merchant of a USD payment paid in CNY.
		wrong := &zfb.Transfer{Kind: zfb.TransferIntlPay, Ref: usd.AcquirementID, Debit: acc.fxCNY, Credit: acc.merchantCNY, Amount: 10, Currency: zfb.CNY}
		err := post(q, wrong)
		return []string{
			fmt.Sprintf("transfer %d: intl_pay of %s from %s to %s in CNY; want USD", wrong.ID, usd.AcquirementID, acc.fxCNY, acc.merchantCNY),
			fmt.Sprintf("intl payment %s: the buyer paid 7250 CNY, the merchant got 1000 USD, the buyer got back 3625 CNY, the merchant gave back 500 USD; but its transfers move 7250, 1010, 3625, 500", usd.AcquirementID),
		}, err
	})
	intlLedgerBrokenInTx(t, s, func(q zfb.Queries) ([]string, error) {
		// The buyer of a USD payment refunded out of fx:USD.
		wrong := &zfb.Transfer{Kind: zfb.TransferIntlRefund, Ref: usd.AcquirementID, Debit: acc.fxUSD, Credit: acc.merchantUSD, Amount: 10, Currency: "USD"}
		err := post(q, wrong)
		return []string{
			fmt.Sprintf("transfer %d: intl_refund of %s from %s to %s in USD; want CNY", wrong.ID, usd.AcquirementID, acc.fxUSD, acc.merchantUSD),
			fmt.Sprintf("intl payment %s: the buyer paid 7250 CNY, the merchant got 1000 USD, the buyer got back 3625 CNY, the merchant gave back 500 USD; but its transfers move 7250, 1000, 3635, 500", usd.AcquirementID),
		}, err
	})

	// Money moved under a cancelled payment's number but not recorded.
	// (Last: a transfer cannot be taken back.)
	extra := &zfb.Transfer{Kind: zfb.TransferIntlRefund, Ref: cancelled.AcquirementID, Debit: acc.merchantUSD, Credit: acc.fxUSD, Amount: 1, Currency: "USD"}
	ok(t, s.PostTransfer(ctx, extra))
	ledgerBroken(t, s, fmt.Sprintf("intl payment %s: the buyer paid 7250 CNY, the merchant got 1000 USD, the buyer got back 7250 CNY, the merchant gave back 1000 USD; but its transfers move 7250, 1000, 7250, 1001", cancelled.AcquirementID))
}

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// newIntlPayment is an international payment of app with every field set:
// paid in USD, then cancelled by payCancel, which refunded it in full; n
// tells payments apart.
func newIntlPayment(app *zfb.App, n int) *zfb.IntlPayment {
	return &zfb.IntlPayment{
		AcquirementID:   fmt.Sprintf("2025031419%016d", n),
		AppID:           app.ID,
		MerchantTransID: fmt.Sprintf("trans-%d", n),
		Kind:            zfb.IntlKindPay,
		Status:          zfb.IntlPaymentCancelled,
		SellerID:        app.SellerID,
		BuyerID:         fmt.Sprintf("2088%012d", 500+n),
		OrderTitle:      fmt.Sprintf("Order %d «测试»", n),
		Currency:        "USD",
		Amount:          10_00,
		PaidCNY:         72_50,
		RefundedAmount:  10_00,
		RefundedCNY:     72_50,
		Fingerprint:     "sha256:4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce",
		NotifyURL:       "https://merchant.example/intl?shop=1&x=%E6%B5%8B",
		ExpiresAt:       at(n + 900),
		CreatedAt:       at(n),
		PaidAt:          at(n + 5),
		ClosedAt:        at(n + 600),
		CancelledAt:     at(n + 600),
		CancelAction:    zfb.IntlCancelRefund,
	}
}

// bareIntlPayment is a payment waiting for its buyer, with only the fields
// a payment must have.
func bareIntlPayment(app *zfb.App, n int) *zfb.IntlPayment {
	return &zfb.IntlPayment{
		AcquirementID:   fmt.Sprintf("2025031419%016d", n),
		AppID:           app.ID,
		MerchantTransID: fmt.Sprintf("trans-%d", n),
		Kind:            zfb.IntlKindPay,
		Status:          zfb.IntlPaymentInit,
		Amount:          1,
	}
}

// intlTombstone is what payCancel leaves for a merchantTransId it has never
// seen: no payment, closed, of no amount.
func intlTombstone(app *zfb.App, n int) *zfb.IntlPayment {
	p := bareIntlPayment(app, n)
	p.Kind, p.Status, p.Amount = zfb.IntlKindCancelled, zfb.IntlPaymentClosed, 0
	p.CancelAction = zfb.IntlCancelClose
	p.CreatedAt, p.ClosedAt, p.CancelledAt = at(n), at(n), at(n)
	return p
}

// sameIntlPayment compares payments, their times to the microsecond: a zero
// time must come back zero.
func sameIntlPayment(t *testing.T, got, want *zfb.IntlPayment) {
	t.Helper()
	g, w := *got, *want
	for _, tm := range []struct {
		name     string
		got, exp *time.Time
	}{
		{"ExpiresAt", &g.ExpiresAt, &w.ExpiresAt},
		{"CreatedAt", &g.CreatedAt, &w.CreatedAt},
		{"PaidAt", &g.PaidAt, &w.PaidAt},
		{"ClosedAt", &g.ClosedAt, &w.ClosedAt},
		{"CancelledAt", &g.CancelledAt, &w.CancelledAt},
	} {
		sameTime(t, tm.name, *tm.got, *tm.exp)
		*tm.got, *tm.exp = time.Time{}, time.Time{}
	}
	if g != w {
		t.Errorf("intl payment = %+v\nwant %+v", g, w)
	}
}

func testIntlPaymentRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))

	full := newIntlPayment(app, 1)
	full.Version = 7 // ignored: a new payment is at version 1
	ok(t, s.CreateIntlPayment(ctx, full))
	if full.Version != 1 {
		t.Errorf("Version after CreateIntlPayment = %d, want 1", full.Version)
	}
	got, err := s.IntlPayment(ctx, full.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, full)
	got, err = s.IntlPaymentByMerchantTransID(ctx, app.ID, full.MerchantTransID)
	ok(t, err)
	sameIntlPayment(t, got, full)

	// Zero times are zero again (NULL in the database).
	bare := bareIntlPayment(app, 2)
	ok(t, s.CreateIntlPayment(ctx, bare))
	got, err = s.IntlPayment(ctx, bare.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, bare)
	if !got.ExpiresAt.IsZero() || !got.CreatedAt.IsZero() || !got.PaidAt.IsZero() || !got.ClosedAt.IsZero() || !got.CancelledAt.IsZero() {
		t.Errorf("times of a bare payment = %v, %v, %v, %v, %v; want zero", got.ExpiresAt, got.CreatedAt, got.PaidAt, got.ClosedAt, got.CancelledAt)
	}

	// A tombstone, of amount 0.
	tomb := intlTombstone(app, 3)
	ok(t, s.CreateIntlPayment(ctx, tomb))
	got, err = s.IntlPaymentByMerchantTransID(ctx, app.ID, tomb.MerchantTransID)
	ok(t, err)
	sameIntlPayment(t, got, tomb)

	// Each time on its own; a CNY payment, paid and partly refunded.
	for i, set := range []func(p *zfb.IntlPayment){
		func(p *zfb.IntlPayment) { p.ExpiresAt = at(7200) },
		func(p *zfb.IntlPayment) { p.CreatedAt = at(-3600) },
		func(p *zfb.IntlPayment) {
			p.Status, p.Currency, p.Amount, p.PaidCNY, p.RefundedAmount, p.RefundedCNY = zfb.IntlPaymentSuccess, zfb.CNY, 500, 500, 200, 200
			p.PaidAt = at(1)
		},
		func(p *zfb.IntlPayment) { p.Status, p.ClosedAt = zfb.IntlPaymentClosed, at(2) },
		func(p *zfb.IntlPayment) { p.CancelledAt, p.CancelAction = at(3), zfb.IntlCancelClose },
	} {
		one := bareIntlPayment(app, 10+i)
		set(one)
		ok(t, s.CreateIntlPayment(ctx, one))
		got, err = s.IntlPayment(ctx, one.AcquirementID)
		ok(t, err)
		sameIntlPayment(t, got, one)
	}

	// Inside a transaction, which reads its own writes.
	five := newIntlPayment(app, 5)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		if err := q.CreateIntlPayment(ctx, five); err != nil {
			return err
		}
		got, err := q.IntlPaymentByMerchantTransID(ctx, app.ID, five.MerchantTransID)
		if err != nil {
			return err
		}
		sameIntlPayment(t, got, five)
		return nil
	}))
	got, err = s.IntlPayment(ctx, five.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, five)
}

func testIntlPaymentConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newIntlPayment(a, 1)
	ok(t, s.CreateIntlPayment(ctx, first))

	// The app's merchantTransId again, under another acquirementId.
	sameTrans := newIntlPayment(a, 2)
	sameTrans.MerchantTransID, sameTrans.OrderTitle = first.MerchantTransID, "second"
	wantErr(t, s.CreateIntlPayment(ctx, sameTrans), zfb.ErrConflict)
	if sameTrans.Version != 0 {
		t.Errorf("Version after a conflict = %d, want 0", sameTrans.Version)
	}
	// A tombstone of a merchantTransId that is taken.
	tomb := intlTombstone(a, 3)
	tomb.MerchantTransID = first.MerchantTransID
	wantErr(t, s.CreateIntlPayment(ctx, tomb), zfb.ErrConflict)
	// The acquirementId again, in another app.
	sameID := newIntlPayment(b, 4)
	sameID.AcquirementID, sameID.OrderTitle = first.AcquirementID, "fourth"
	wantErr(t, s.CreateIntlPayment(ctx, sameID), zfb.ErrConflict)
	// Through a transaction.
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateIntlPayment(ctx, sameTrans) }), zfb.ErrConflict)

	got, err := s.IntlPayment(ctx, first.AcquirementID)
	ok(t, err)
	sameIntlPayment(t, got, first)
	for _, p := range []*zfb.IntlPayment{sameTrans, tomb} {
		_, err = s.IntlPayment(ctx, p.AcquirementID)
		wantErr(t, err, zfb.ErrNotFound)
	}
	_, err = s.IntlPaymentByMerchantTransID(ctx, b.ID, sameID.MerchantTransID)
	wantErr(t, err, zfb.ErrNotFound)

	// Another app may use the same merchantTransId.
	other := newIntlPayment(b, 5)
	other.MerchantTransID = first.MerchantTransID
	ok(t, s.CreateIntlPayment(ctx, other))
	for _, want := range []*zfb.IntlPayment{first, other} {
		got, err := s.IntlPaymentByMerchantTransID(ctx, want.AppID, want.MerchantTransID)
		ok(t, err)
		sameIntlPayment(t, got, want)
	}

	// A payment needs its keys; the schema refuses impossible amounts.
	pay := func(change func(p *zfb.IntlPayment)) *zfb.IntlPayment {
		p := &zfb.IntlPayment{AcquirementID: "A-x", AppID: a.ID, MerchantTransID: "t-x", Kind: zfb.IntlKindPay,
			Status: zfb.IntlPaymentSuccess, Currency: "USD", Amount: 10, PaidCNY: 70}
		change(p)
		return p
	}
	for name, p := range map[string]*zfb.IntlPayment{
		"no acquirementId":      pay(func(p *zfb.IntlPayment) { p.AcquirementID = "" }),
		"no app":                pay(func(p *zfb.IntlPayment) { p.AppID = "" }),
		"no merchantTransId":    pay(func(p *zfb.IntlPayment) { p.MerchantTransID = "" }),
		"no amount":             pay(func(p *zfb.IntlPayment) { p.Amount = 0 }),
		"negative amount":       pay(func(p *zfb.IntlPayment) { p.Amount = -1 }),
		"negative tombstone":    pay(func(p *zfb.IntlPayment) { p.Kind, p.Amount = zfb.IntlKindCancelled, -1 }),
		"negative paid CNY":     pay(func(p *zfb.IntlPayment) { p.PaidCNY = -1 }),
		"negative refund":       pay(func(p *zfb.IntlPayment) { p.RefundedAmount = -1 }),
		"over-refunded":         pay(func(p *zfb.IntlPayment) { p.RefundedAmount = 11 }),
		"negative CNY refund":   pay(func(p *zfb.IntlPayment) { p.RefundedCNY = -1 }),
		"over-refunded in CNY":  pay(func(p *zfb.IntlPayment) { p.RefundedCNY = 71 }),
		"tombstone over-refund": pay(func(p *zfb.IntlPayment) { p.Kind, p.Amount, p.RefundedAmount = zfb.IntlKindCancelled, 0, 1 }),
	} {
		err := s.CreateIntlPayment(ctx, p)
		if err == nil || errors.Is(err, zfb.ErrConflict) || errors.Is(err, zfb.ErrNotFound) {
			t.Errorf("%s: err = %v, want a plain error", name, err)
		}
	}
	// The edges are allowed: refunded in full, in either currency.
	ok(t, s.CreateIntlPayment(ctx, pay(func(p *zfb.IntlPayment) { p.RefundedAmount, p.RefundedCNY = 10, 70 })))
	// An app that does not exist.
	wantErr(t, s.CreateIntlPayment(ctx, newIntlPayment(newApp(3), 6)), zfb.ErrNotFound)
}

func testIntlNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	p := newIntlPayment(a, 1)
	ok(t, s.CreateIntlPayment(ctx, p))
	ok(t, s.CreateIntlRefund(ctx, newIntlRefund(p, "r-1", 1)))

	_, err := s.IntlPayment(ctx, "2025031419999999999999999999")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.IntlPaymentByMerchantTransID(ctx, a.ID, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	// Payments are the app's own; the acquirementId is no merchantTransId.
	_, err = s.IntlPaymentByMerchantTransID(ctx, b.ID, p.MerchantTransID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.IntlPaymentByMerchantTransID(ctx, "2021000000000404", p.MerchantTransID)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.IntlPaymentByMerchantTransID(ctx, a.ID, p.AcquirementID)
	wantErr(t, err, zfb.ErrNotFound)

	missing := newIntlPayment(a, 2)
	missing.Version = 1
	wantErr(t, s.UpdateIntlPayment(ctx, missing), zfb.ErrNotFound)
	if missing.Version != 1 {
		t.Errorf("Version after a failed update = %d, want 1", missing.Version)
	}
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.UpdateIntlPayment(ctx, missing) }), zfb.ErrNotFound)

	// Refunds: of a payment that does not exist, or by a number it has
	// not used.
	_, err = s.IntlRefund(ctx, p.AcquirementID, "missing")
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.IntlRefund(ctx, missing.AcquirementID, "r-1")
	wantErr(t, err, zfb.ErrNotFound)
	rs, err := s.IntlRefunds(ctx, missing.AcquirementID)
	ok(t, err)
	if len(rs) != 0 {
		t.Errorf("%d refunds of a payment that does not exist", len(rs))
	}
	wantErr(t, s.CreateIntlRefund(ctx, newIntlRefund(missing, "r-1", 2)), zfb.ErrNotFound)
	wantErr(t, s.InTx(ctx, func(q zfb.Queries) error { return q.CreateIntlRefund(ctx, newIntlRefund(missing, "r-2", 3)) }), zfb.ErrNotFound)

	ps, err := s.IntlPayments(ctx, "2021000000000404", 10)
	ok(t, err)
	if len(ps) != 0 {
		t.Errorf("%d payments of an app that does not exist", len(ps))
	}
}

func testAppByIntlClientID(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	withID := newApp(1)
	ok(t, s.CreateApp(ctx, withID))
	for n := 2; n <= 3; n++ {
		without := newApp(n)
		without.IntlClientID = ""
		ok(t, s.CreateApp(ctx, without))
	}
	other := newApp(4)
	ok(t, s.CreateApp(ctx, other))

	for _, want := range []*zfb.App{withID, other} {
		got, err := s.AppByIntlClientID(ctx, want.IntlClientID)
		ok(t, err)
		sameApp(t, got, want)
	}
	// Unknown, of another case, or "" (which apps without a clientId
	// have): none.
	for _, id := range []string{"SANDBOX_404", "sandbox_1", "SANDBOX_1 ", ""} {
		_, err := s.AppByIntlClientID(ctx, id)
		wantErr(t, err, zfb.ErrNotFound)
	}
	// In a transaction and in a read transaction.
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		got, err := q.AppByIntlClientID(ctx, withID.IntlClientID)
		if err != nil {
			return err
		}
		sameApp(t, got, withID)
		if _, err := q.AppByIntlClientID(ctx, ""); !errors.Is(err, zfb.ErrNotFound) {
			return fmt.Errorf(`AppByIntlClientID("") in a transaction: err = %v, want not found`, err)
		}
		return nil
	}))
	ok(t, s.InReadTx(ctx, func(q zfb.Queries) error {
		got, err := q.AppByIntlClientID(ctx, other.IntlClientID)
		if err != nil {
			return err
		}
		sameApp(t, got, other)
		return nil
	}))
}

// newIntlRefund is a refund of p numbered merchantRefundID; n tells refund
// ids apart.
func newIntlRefund(p *zfb.IntlPayment, merchantRefundID string, n int) *zfb.IntlRefund {
	return &zfb.IntlRefund{
		AcquirementID:    p.AcquirementID,
		MerchantRefundID: merchantRefundID,
		RefundID:         fmt.Sprintf("2025031421%016d", n),
		Amount:           100,
		AmountCNY:        725,
		Reason:           "damaged «破损»",
		CreatedAt:        at(n),
	}
}

func sameIntlRefund(t *testing.T, got, want *zfb.IntlRefund) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("intl refund = %+v\nwant %+v", g, w)
	}
}

// testCreateIntlPaymentIfNew: a new merchantTransId is stored; a taken one
// returns the stored payment and leaves the transaction usable, so that it
// can go on and commit; a taken acquirementId is a conflict.
func testCreateIntlPaymentIfNew(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))
	first := newIntlPayment(a, 1)
	existing, err := s.CreateIntlPaymentIfNew(ctx, first)
	ok(t, err)
	if existing != nil || first.Version != 1 {
		t.Fatalf("new payment: existing = %+v, version %d; want nil, 1", existing, first.Version)
	}
	sameID := newIntlPayment(a, 2)
	sameID.MerchantTransID, sameID.OrderTitle = first.MerchantTransID, "second"
	later := newIntlPayment(a, 3)
	err = s.InTx(ctx, func(q zfb.Queries) error {
		existing, err := q.CreateIntlPaymentIfNew(ctx, sameID)
		if err != nil {
			return err
		}
		if existing == nil {
			return errors.New("the taken merchantTransId was stored again")
		}
		sameIntlPayment(t, existing, first)
		// The transaction goes on.
		existing, err = q.CreateIntlPaymentIfNew(ctx, later)
		if err != nil || existing != nil {
			return fmt.Errorf("after a taken merchantTransId: existing = %+v, err = %v", existing, err)
		}
		return nil
	})
	ok(t, err)
	_, err = s.IntlPayment(ctx, sameID.AcquirementID)
	wantErr(t, err, zfb.ErrNotFound)
	got, err := s.IntlPaymentByMerchantTransID(ctx, a.ID, later.MerchantTransID)
	ok(t, err)
	sameIntlPayment(t, got, later)

	// The acquirementId again, in another app.
	sameNo := newIntlPayment(b, 4)
	sameNo.AcquirementID = first.AcquirementID
	_, err = s.CreateIntlPaymentIfNew(ctx, sameNo)
	wantErr(t, err, zfb.ErrConflict)
	_, err = s.IntlPaymentByMerchantTransID(ctx, b.ID, sameNo.MerchantTransID)
	wantErr(t, err, zfb.ErrNotFound)
}

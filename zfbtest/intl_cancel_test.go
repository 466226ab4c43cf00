package zfbtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestIntlPayCancel: payCancel (seed 001) closes an unpaid payment,
// refunds a paid one in full, cancels a merchantTransId zfb never saw in
// advance, and answers a repeat as it answered first.
func TestIntlPayCancel(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newIntlEnv(t, srv, srv.App())

		t.Run("unpaid: closed", func(t *testing.T) {
			no := e.next("unpaid")
			acq := e.mustPayWaiting(t, no, "USD", 1000)
			c := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if c.AcquirementID != acq || c.MerchantTransID != no || c.ResultInfo.ResultStatus != intl.StatusSuccess {
				t.Fatalf("cancel %+v", c)
			}
			q := e.query(t, intl.PayQueryRequest{AcquirementID: acq})
			if q.AcquirementStatus != intl.AcquirementStatusClosed || q.CancelTime != c.CancelTime || q.PaymentAmount != nil {
				t.Fatalf("payQuery %+v", q)
			}
			// The buyer can no longer pay it; the pay cannot be replayed.
			srv.AdvanceClock(t, e.app.AppID, time.Second)
			if _, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay); err == nil {
				t.Fatal("the buyer paid a cancelled payment")
			}
			_, err := e.pay(e.password.PaymentCode, no, "USD", 1000)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			// A repeat: the same answer, the same cancelTime.
			again := e.mustCancel(t, intl.PayCancelRequest{AcquirementID: acq})
			if again.CancelTime != c.CancelTime || again.AcquirementID != acq || again.MerchantTransID != no {
				t.Fatalf("repeat %+v, first %+v", again, c)
			}
			p, refunds := e.payment(t, no)
			if p.CancelAction != zfb.IntlCancelClose || len(refunds) != 0 || p.PaidCNY != 0 {
				t.Fatalf("payment %+v, refunds %+v", p, refunds)
			}
			srv.CheckLedger(t)
		})

		t.Run("paid: refunded in full, to the fen", func(t *testing.T) {
			before, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")
			no := e.next("paid")
			r := e.mustPay(t, no, "USD", 333) // 23.976 CNY: 2398 fen
			if srv.Balance(t, e.payer.UserID) != before-2398 {
				t.Fatal("not charged")
			}
			c := e.mustCancel(t, intl.PayCancelRequest{AcquirementID: r.AcquirementID})
			if c.AcquirementID != r.AcquirementID || c.MerchantTransID != no {
				t.Fatalf("cancel %+v", c)
			}
			if got := srv.Balance(t, e.payer.UserID); got != before {
				t.Fatalf("buyer %d, want %d back", got, before)
			}
			if got := e.merchant(t, "USD"); got != merchant {
				t.Fatalf("merchant USD %d, want %d", got, merchant)
			}
			q := e.query(t, intl.PayQueryRequest{MerchantTransID: no})
			if q.AcquirementStatus != intl.AcquirementStatusCancelled || q.CancelTime != c.CancelTime || q.PaidTime != r.PaidTime ||
				q.RefundAmount == nil || *q.RefundAmount != intl.NewMoney("USD", 333) {
				t.Fatalf("payQuery %+v", q)
			}
			p, refunds := e.payment(t, no)
			if p.Status != zfb.IntlPaymentCancelled || p.CancelAction != zfb.IntlCancelRefund || p.RefundedCNY != 2398 ||
				len(refunds) != 1 || !refunds[0].ByCancel || refunds[0].Amount != 333 || refunds[0].AmountCNY != 2398 {
				t.Fatalf("payment %+v, refunds %+v", p, refunds)
			}
			// Later: the same answer, no second refund.
			srv.AdvanceClock(t, e.app.AppID, time.Minute)
			again := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if again.CancelTime != c.CancelTime || again.AcquirementID != r.AcquirementID {
				t.Fatalf("repeat %+v, first %+v", again, c)
			}
			_, err := e.pay(e.payer.PaymentCode, no, "USD", 333)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			// The cancel's refund is not one the merchant can replay.
			_, err = e.refund(r.AcquirementID, no, "USD", 333)
			wantIntlError(t, err, intl.StatusFailure, "12005112", "REPEAT_REQ_INCONSISTENT")
			if srv.Balance(t, e.payer.UserID) != before {
				t.Fatal("a repeat moved money")
			}
			srv.CheckLedger(t)
		})

		t.Run("a password buyer who paid: refunded", func(t *testing.T) {
			before := srv.Balance(t, e.password.UserID)
			no := e.next("pwpaid")
			acq := e.mustPayWaiting(t, no, "GBP", 1234) // 112.294 CNY
			srv.ActOnIntlPayment(t, acq, zfb.BuyerActionPay)
			if srv.Balance(t, e.password.UserID) != before-11229 {
				t.Fatalf("buyer paid %d", before-srv.Balance(t, e.password.UserID))
			}
			e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if srv.Balance(t, e.password.UserID) != before || e.status(t, no) != intl.AcquirementStatusCancelled {
				t.Fatal("not refunded")
			}
			srv.CheckLedger(t)
		})

		t.Run("unknown acquirementId", func(t *testing.T) {
			_, err := e.cancel(intl.PayCancelRequest{AcquirementID: "2026010111000000000000000404"})
			wantIntlError(t, err, intl.StatusFailure, "12005004", "ORDER_NOT_EXIST")
			// With a merchantTransId beside it: still the acquirementId's answer,
			// and the merchantTransId is not cancelled.
			no := e.next("beside")
			_, err = e.cancel(intl.PayCancelRequest{AcquirementID: "2026010111000000000000000404", MerchantTransID: no})
			wantIntlError(t, err, intl.StatusFailure, "12005004", "ORDER_NOT_EXIST")
			e.wantNoPayment(t, no)
			e.mustPay(t, no, "USD", 100)
			srv.CheckLedger(t)
		})

		t.Run("unknown merchantTransId: cancelled in advance", func(t *testing.T) {
			before := srv.Balance(t, e.payer.UserID)
			no := e.next("lost")
			c := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if c.MerchantTransID != no || c.AcquirementID != "" {
				t.Fatalf("cancel %+v", c)
			}
			if s := e.status(t, no); s != "NOT_EXIST" {
				t.Fatalf("payQuery of a cancelled merchantTransId: %s", s)
			}
			// The pay arrives late: refused, the buyer is not charged.
			_, err := e.pay(e.payer.PaymentCode, no, "USD", 1000)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			_, err = e.pay(e.password.PaymentCode, no, "EUR", 5)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			if srv.Balance(t, e.payer.UserID) != before {
				t.Fatal("the late pay charged the buyer")
			}
			srv.AdvanceClock(t, e.app.AppID, time.Second)
			again := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if again.CancelTime != c.CancelTime || again.AcquirementID != "" {
				t.Fatalf("repeat %+v, first %+v", again, c)
			}
			for _, bad := range []string{"tea#1", "with space"} {
				_, err := e.cancel(intl.PayCancelRequest{MerchantTransID: bad})
				wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			}
			srv.CheckLedger(t)
		})

		t.Run("acquirementId wins over a wrong merchantTransId", func(t *testing.T) {
			a := e.mustPay(t, e.next("win"), "USD", 200)
			b := e.mustPay(t, e.next("win"), "USD", 300)
			c := e.mustCancel(t, intl.PayCancelRequest{AcquirementID: a.AcquirementID, MerchantTransID: b.MerchantTransID})
			if c.AcquirementID != a.AcquirementID || c.MerchantTransID != a.MerchantTransID {
				t.Fatalf("cancel %+v", c)
			}
			if e.status(t, a.MerchantTransID) != intl.AcquirementStatusCancelled || e.status(t, b.MerchantTransID) != intl.AcquirementStatusSuccess {
				t.Fatal("the cancel hit the wrong payment")
			}
			// A merchantTransId nobody used, beside a real acquirementId, is
			// not cancelled in advance.
			fresh := e.next("win")
			e.mustCancel(t, intl.PayCancelRequest{AcquirementID: b.AcquirementID, MerchantTransID: fresh})
			e.wantNoPayment(t, fresh)
			e.mustPay(t, fresh, "USD", 100)
			srv.CheckLedger(t)
		})

		t.Run("partly refunded: ORDER_STATUS_INVALID, nothing changes", func(t *testing.T) {
			no := e.next("partly")
			r := e.mustPay(t, no, "HKD", 1000)
			e.mustRefund(t, r.AcquirementID, "part", "HKD", 1)
			before, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "HKD")
			_, err := e.cancel(intl.PayCancelRequest{MerchantTransID: no})
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			p, refunds := e.payment(t, no)
			if p.Status != zfb.IntlPaymentSuccess || p.CancelAction != "" || !p.CancelledAt.IsZero() || p.RefundedAmount != 1 || len(refunds) != 1 {
				t.Fatalf("payment %+v, refunds %+v", p, refunds)
			}
			if srv.Balance(t, e.payer.UserID) != before || e.merchant(t, "HKD") != merchant {
				t.Fatal("money moved")
			}
			// The rest can still be refunded.
			e.mustRefund(t, r.AcquirementID, "rest", "HKD", 999)
			srv.CheckLedger(t)
		})
	})
}

// TestIntlCancelWindow: payCancel works until 00:15 Beijing time of the day
// after the payment, on the app's clock. 23h59m after a payment made at
// 00:30 is past that.
func TestIntlCancelWindow(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		advanceTo := func(t *testing.T, at time.Time) {
			t.Helper()
			srv.AdvanceClock(t, e.app.AppID, at.Sub(e.appNow(t)))
		}
		now := e.appNow(t).In(zfb.Beijing)
		payday := time.Date(now.Year(), now.Month(), now.Day(), 0, 30, 0, 0, zfb.Beijing)
		if !payday.After(now) {
			payday = payday.AddDate(0, 0, 1)
		}
		deadline := time.Date(payday.Year(), payday.Month(), payday.Day()+1, 0, 15, 0, 0, zfb.Beijing)
		advanceTo(t, payday)

		before, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")
		a := e.mustPay(t, e.next("early"), "USD", 1000)
		b := e.mustPay(t, e.next("late"), "USD", 2000)
		c := e.mustPay(t, e.next("later"), "USD", 3000)
		if at := beijing(t, a.CreateTime).In(zfb.Beijing); at.Hour() != 0 || at.Minute() != 30 {
			t.Fatalf("paid at %s, want 00:30 Beijing", a.CreateTime)
		}

		// A password buyer's payment at 23:50, still waiting at 00:15:01.
		advanceTo(t, payday.Add(23*time.Hour+20*time.Minute))
		waiting := e.next("waiting")
		waitingAcq := e.mustPayWaiting(t, waiting, "USD", 500)

		advanceTo(t, deadline.Add(-10*time.Second)) // 00:14:50 the next day
		ca := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: a.MerchantTransID})
		if e.status(t, a.MerchantTransID) != intl.AcquirementStatusCancelled {
			t.Fatal("not cancelled just before 00:15")
		}

		advanceTo(t, deadline.Add(time.Second)) // 00:15:01
		_, err := e.cancel(intl.PayCancelRequest{MerchantTransID: b.MerchantTransID})
		wantIntlError(t, err, intl.StatusFailure, "12002018", "ORDER_CANCEL_WINDOW_EXPIRED")
		_, err = e.cancel(intl.PayCancelRequest{AcquirementID: b.AcquirementID})
		wantIntlError(t, err, intl.StatusFailure, "12002018", "ORDER_CANCEL_WINDOW_EXPIRED")
		// The window limits refunds: an unpaid payment still closes, and
		// its buyer can no longer pay it.
		e.mustCancel(t, intl.PayCancelRequest{AcquirementID: waitingAcq})
		if s := e.status(t, waiting); s != intl.AcquirementStatusClosed {
			t.Fatalf("an unpaid payment cancelled after the window is %s", s)
		}
		if _, err := srv.Service.ActOnIntlPayment(t.Context(), waitingAcq, zfb.BuyerActionPay); !errors.Is(err, zfb.ErrInvalidAction) {
			t.Fatalf("the buyer paid a cancelled payment: %v", err)
		}

		advanceTo(t, payday.Add(23*time.Hour+59*time.Minute)) // 00:29 the next day
		_, err = e.cancel(intl.PayCancelRequest{MerchantTransID: c.MerchantTransID})
		wantIntlError(t, err, intl.StatusFailure, "12002018", "ORDER_CANCEL_WINDOW_EXPIRED")
		for _, p := range []*intl.PayResponse{b, c} {
			if s := e.status(t, p.MerchantTransID); s != intl.AcquirementStatusSuccess {
				t.Fatalf("%s is %s after a refused cancel", p.MerchantTransID, s)
			}
		}
		if srv.Balance(t, e.payer.UserID) != before-14400-21600 || e.merchant(t, "USD") != merchant+5000 {
			t.Fatal("a refused cancel moved money")
		}
		// A repeat of the cancel that worked still answers as it did.
		if again := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: a.MerchantTransID}); again.CancelTime != ca.CancelTime {
			t.Fatalf("repeat after the window: %+v, first %+v", again, ca)
		}
		// Past the window, the merchant refunds instead.
		e.mustRefund(t, b.AcquirementID, "instead", "USD", 2000)
		if s := e.status(t, b.MerchantTransID); s != intl.AcquirementStatusClosed {
			t.Fatalf("status %s", s)
		}
		// A payment of the new day can be cancelled.
		d := e.mustPay(t, e.next("newday"), "USD", 100)
		e.mustCancel(t, intl.PayCancelRequest{AcquirementID: d.AcquirementID})
		if srv.Balance(t, e.payer.UserID) != before-21600 || e.merchant(t, "USD") != merchant+3000 {
			t.Fatalf("buyer moved by %d, merchant by %d", srv.Balance(t, e.payer.UserID)-before, e.merchant(t, "USD")-merchant)
		}
		srv.CheckLedger(t)
	})
}

// TestIntlSettledMerchant: once the merchant's balance is paid out, a
// cancel or refund it cannot fund is MERCHANT_BALANCE_NOT_ENOUGH and
// changes nothing; new income funds it again.
func TestIntlSettledMerchant(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		a := e.mustPay(t, e.next("a"), "USD", 1000)
		b := e.mustPay(t, e.next("b"), "USD", 2000)
		j := e.mustPay(t, e.next("j"), "JPY", 700)
		paidOut := srv.SettleMerchant(t, e.app.AppID)
		if len(paidOut) != 2 || paidOut["USD"] != 3000 || paidOut["JPY"] != 700 {
			t.Fatalf("paid out %v", paidOut)
		}
		if e.merchant(t, "USD") != 0 || e.merchant(t, "JPY") != 0 {
			t.Fatal("balances left after settling")
		}
		before := srv.Balance(t, e.payer.UserID)
		_, err := e.cancel(intl.PayCancelRequest{MerchantTransID: a.MerchantTransID})
		wantIntlError(t, err, intl.StatusFailure, "12006009", "MERCHANT_BALANCE_NOT_ENOUGH")
		_, err = e.refund(b.AcquirementID, "r1", "USD", 1)
		wantIntlError(t, err, intl.StatusFailure, "12006009", "MERCHANT_BALANCE_NOT_ENOUGH")
		_, err = e.refund(j.AcquirementID, "r1", "JPY", 700)
		wantIntlError(t, err, intl.StatusFailure, "12006009", "MERCHANT_BALANCE_NOT_ENOUGH")
		for _, no := range []string{a.MerchantTransID, b.MerchantTransID, j.MerchantTransID} {
			p, refunds := e.payment(t, no)
			if p.Status != zfb.IntlPaymentSuccess || p.CancelAction != "" || p.RefundedAmount != 0 || p.RefundedCNY != 0 || len(refunds) != 0 {
				t.Fatalf("payment %+v, refunds %+v after refused refunds", p, refunds)
			}
		}
		if srv.Balance(t, e.payer.UserID) != before || e.merchant(t, "USD") != 0 {
			t.Fatal("money moved")
		}
		srv.CheckLedger(t)

		// New income in USD funds the cancel of a but not of b.
		e.mustPay(t, e.next("c"), "USD", 1500)
		e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: a.MerchantTransID})
		if e.merchant(t, "USD") != 500 || srv.Balance(t, e.payer.UserID) != before-10800+7200 {
			t.Fatalf("merchant USD %d, buyer moved by %d", e.merchant(t, "USD"), srv.Balance(t, e.payer.UserID)-before)
		}
		_, err = e.cancel(intl.PayCancelRequest{AcquirementID: b.AcquirementID})
		wantIntlError(t, err, intl.StatusFailure, "12006009", "MERCHANT_BALANCE_NOT_ENOUGH")
		e.mustRefund(t, b.AcquirementID, "r1", "USD", 500)
		if e.merchant(t, "USD") != 0 {
			t.Fatal("the refund did not use the new income")
		}
		if again := srv.SettleMerchant(t, e.app.AppID); len(again) != 0 {
			t.Fatalf("a second settlement paid out %v", again)
		}
		srv.CheckLedger(t)
	})
}

// TestIntlFaults: fault rules answer UNKNOWN_EXCEPTION (U); the merchant
// queries, then cancels, as the docs say.
func TestIntlFaults(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		app := e.app.AppID
		fault := func(t *testing.T, function, pattern, effect string, delayMS int) {
			srv.AddFault(t, zfb.Fault{AppID: app, Method: function, OutTradeNo: pattern, Effect: effect, DelayMS: delayMS})
		}
		wantUnknown := func(t *testing.T, err error) {
			t.Helper()
			wantIntlError(t, err, intl.StatusUnknown, "00000901", "UNKNOWN_EXCEPTION")
		}

		t.Run("error before: nothing happened", func(t *testing.T) {
			no := e.next("before")
			before := srv.Balance(t, e.payer.UserID)
			fault(t, intl.FunctionPay, no, zfb.FaultErrorBefore, 0)
			_, err := e.pay(e.payer.PaymentCode, no, "USD", 1000)
			wantUnknown(t, err)
			if s := e.status(t, no); s != "NOT_EXIST" {
				t.Fatalf("status %s", s)
			}
			e.wantNoPayment(t, no)
			// The merchant cancels, as told: success, and the merchantTransId
			// is spent, even once the fault is gone.
			c := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if c.MerchantTransID != no || c.AcquirementID != "" {
				t.Fatalf("cancel %+v", c)
			}
			srv.ClearFaults(t, app)
			_, err = e.pay(e.payer.PaymentCode, no, "USD", 1000)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			if srv.Balance(t, e.payer.UserID) != before {
				t.Fatal("money moved")
			}
			srv.CheckLedger(t)
		})
		t.Run("error after: it happened; payCancel refunds it", func(t *testing.T) {
			no := e.next("after")
			before, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")
			fault(t, intl.FunctionPay, "after_*", zfb.FaultErrorAfter, 0)
			_, err := e.pay(e.payer.PaymentCode, no, "USD", 333)
			wantUnknown(t, err)
			q := e.query(t, intl.PayQueryRequest{MerchantTransID: no})
			if q.AcquirementStatus != intl.AcquirementStatusSuccess || *q.PaymentAmount != intl.NewMoney("CNY", 2398) {
				t.Fatalf("payQuery %+v", q)
			}
			if srv.Balance(t, e.payer.UserID) != before-2398 || e.merchant(t, "USD") != merchant+333 {
				t.Fatal("the payment did not move the money")
			}
			c := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if c.AcquirementID != q.AcquirementID || c.MerchantTransID != no {
				t.Fatalf("cancel %+v", c)
			}
			if s := e.status(t, no); s != intl.AcquirementStatusCancelled {
				t.Fatalf("status %s", s)
			}
			if srv.Balance(t, e.payer.UserID) != before || e.merchant(t, "USD") != merchant {
				t.Fatal("the cancel did not refund every fen")
			}
			srv.ClearFaults(t, app)
			srv.CheckLedger(t)
		})
		t.Run("delay: the client times out, the payment is made", func(t *testing.T) {
			no := e.next("delay")
			before := srv.Balance(t, e.payer.UserID)
			fault(t, intl.FunctionPay, "", zfb.FaultDelay, 3000)
			impatient := intlClient(t, srv, e.app, intl.WithTimeout(500*time.Millisecond))
			began := time.Now()
			_, err := impatient.Pay(e.ctx, e.payReq(e.payer.PaymentCode, no, "USD", 100))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want a client time-out", err)
			}
			if d := time.Since(began); d > 2*time.Second {
				t.Fatalf("the client waited %v", d)
			}
			srv.ClearFaults(t, app)
			if s := e.status(t, no); s != intl.AcquirementStatusSuccess {
				t.Fatalf("status %s", s)
			}
			if srv.Balance(t, e.payer.UserID) != before-720 {
				t.Fatal("the delayed payment did not charge the buyer once")
			}
			e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: no})
			if srv.Balance(t, e.payer.UserID) != before {
				t.Fatal("the cancel did not refund")
			}
			srv.CheckLedger(t)
		})
		t.Run("unknown cancel and refund results: retry", func(t *testing.T) {
			p := e.mustPay(t, e.next("retry"), "HKD", 1000)
			before := srv.Balance(t, e.payer.UserID)
			fault(t, intl.FunctionRefund, "rf_*", zfb.FaultErrorAfter, 0)
			_, err := e.refund(p.AcquirementID, "rf_1", "HKD", 400)
			wantUnknown(t, err)
			srv.ClearFaults(t, app)
			r := e.mustRefund(t, p.AcquirementID, "rf_1", "HKD", 400)
			if _, refunds := e.payment(t, p.MerchantTransID); len(refunds) != 1 || refunds[0].RefundID != r.RefundID {
				t.Fatalf("refunds %+v", refunds)
			}
			if srv.Balance(t, e.payer.UserID) != before+368 { // 400/1000 of 920 fen
				t.Fatalf("buyer %d, want %d", srv.Balance(t, e.payer.UserID), before+368)
			}

			q := e.mustPay(t, e.next("retry"), "HKD", 1000)
			fault(t, intl.FunctionPayCancel, q.MerchantTransID, zfb.FaultErrorAfter, 0)
			_, err = e.cancel(intl.PayCancelRequest{MerchantTransID: q.MerchantTransID})
			wantUnknown(t, err)
			srv.ClearFaults(t, app)
			first, _ := e.payment(t, q.MerchantTransID)
			c := e.mustCancel(t, intl.PayCancelRequest{MerchantTransID: q.MerchantTransID})
			if first.Status != zfb.IntlPaymentCancelled || !beijing(t, c.CancelTime).Equal(first.CancelledAt.Truncate(time.Second)) {
				t.Fatalf("payment %+v, repeated cancel %+v", first, c)
			}
			srv.CheckLedger(t)
		})
	})
}

package zfbtest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestIntlRaces races, for each of several merchantTransIds, the pay that
// charges a buyer against payCancels of the same merchantTransId, and a
// password buyer's confirmation against payCancel. Whatever the
// interleaving: at most one charge per merchantTransId; a pay answered S
// and cancelled is CANCELLED and refunded in full; a cancel that came first
// makes the pay ORDER_STATUS_INVALID and charges nothing; what the buyers
// have and what the merchant holds match the payments still SUCCESS, and
// the ledger balances.
func TestIntlRaces(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		ctx := context.Background()
		payer := newIntlBuyer(t, srv, zfb.BehaviourPays, 10_000_00)
		start := srv.Balance(t, payer.UserID)

		const (
			contested = 8 // a pay (sent twice) against cancels
			twins     = 3 // identical pays only: each charges once
			cancels   = 3 // cancels per contested merchantTransId
		)
		type outcome struct {
			mu      sync.Mutex
			no      string
			value   int64
			paid    []string // acquirementIds of the pays answered S
			refused int      // pays answered ORDER_STATUS_INVALID
			unknown int      // calls answered anything else (a failure of the test)
			// Answers of the cancels answered S: acquirementId and cancelTime.
			cancelled [][2]string
		}
		var outcomes []*outcome
		// A call answered with anything but S or the refusal its race
		// allows fails the test; the checks after the race still run, so
		// that they show whether money moved wrongly too.
		var unknownMu sync.Mutex
		var unknowns []string
		unexpected := func(format string, args ...any) {
			unknownMu.Lock()
			defer unknownMu.Unlock()
			unknowns = append(unknowns, fmt.Sprintf(format, args...))
		}
		var wg sync.WaitGroup
		ready := make(chan struct{})
		run := func(fn func()) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				// Up to 3 ms of jitter, so that either side may go first.
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				fn()
			}()
		}
		for i := range contested + twins {
			o := &outcome{no: fmt.Sprintf("race_%d", i), value: int64(100 + 7*i)}
			outcomes = append(outcomes, o)
			for range 2 {
				run(func() {
					r, err := e.pay(payer.PaymentCode, o.no, "USD", o.value)
					o.mu.Lock()
					defer o.mu.Unlock()
					switch {
					case err == nil:
						o.paid = append(o.paid, r.AcquirementID)
					case intl.IsCode(err, intl.CodeOrderStatusInvalid) && i < contested:
						o.refused++
					default:
						o.unknown++
						unexpected("pay %s: %v", o.no, err)
					}
				})
			}
			if i >= contested {
				continue
			}
			for range cancels {
				run(func() {
					c, err := e.cancel(intl.PayCancelRequest{MerchantTransID: o.no})
					o.mu.Lock()
					defer o.mu.Unlock()
					if err != nil || c.MerchantTransID != o.no {
						o.unknown++
						unexpected("cancel %s: %v", o.no, err)
						return
					}
					o.cancelled = append(o.cancelled, [2]string{c.AcquirementID, c.CancelTime})
				})
			}
		}

		// Password buyers confirming while the merchant cancels.
		waiter := newIntlBuyer(t, srv, zfb.BehaviourPassword, 1_000_00)
		waiterStart := srv.Balance(t, waiter.UserID)
		const waiting = 6
		type waitOutcome struct {
			no, acq   string
			mu        sync.Mutex
			confirmed bool
			refused   bool // the confirmation found the payment closed
			unknown   int
			cancelled []string
		}
		waits := make([]*waitOutcome, waiting)
		for i := range waits {
			w := &waitOutcome{no: fmt.Sprintf("race_wait_%d", i)}
			w.acq = e.mustPayWaitingBy(t, waiter, w.no, "EUR", int64(150+i))
			waits[i] = w
			run(func() {
				_, err := srv.Service.ActOnIntlPayment(ctx, w.acq, zfb.BuyerActionPay)
				w.mu.Lock()
				defer w.mu.Unlock()
				switch {
				case err == nil:
					w.confirmed = true
				case errors.Is(err, zfb.ErrInvalidAction):
					w.refused = true
				default:
					w.unknown++
					unexpected("confirm %s: %v", w.no, err)
				}
			})
			for k := range 2 {
				run(func() {
					ref := intl.PayCancelRequest{MerchantTransID: w.no}
					if k == 1 {
						ref = intl.PayCancelRequest{AcquirementID: w.acq}
					}
					c, err := e.cancel(ref)
					w.mu.Lock()
					defer w.mu.Unlock()
					if err != nil || c.AcquirementID != w.acq {
						w.unknown++
						unexpected("cancel %s: %v", w.no, err)
						return
					}
					w.cancelled = append(w.cancelled, c.CancelTime)
				})
			}
		}
		close(ready)
		wg.Wait()
		for _, u := range unknowns {
			t.Errorf("unexpected answer: %s", u)
		}

		// charges counts a payment's transfers out of the buyer and back.
		charges := func(t *testing.T, p *zfb.IntlPayment) (paid, paidCNY, refundedCNY int64) {
			t.Helper()
			transfers, err := srv.Store.Transfers(ctx, p.AcquirementID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range transfers {
				switch {
				case tr.Kind == zfb.TransferIntlPay && tr.Currency == zfb.CNY:
					paid++
					paidCNY += tr.Amount
				case tr.Kind == zfb.TransferIntlRefund && tr.Currency == zfb.CNY:
					refundedCNY += tr.Amount
				}
			}
			return paid, paidCNY, refundedCNY
		}

		// stored is the payment of a merchantTransId, tombstones included;
		// nil when nothing was stored.
		stored := func(t *testing.T, no string) *zfb.IntlPayment {
			t.Helper()
			p, err := srv.Store.IntlPaymentByMerchantTransID(ctx, e.app.AppID, no)
			if errors.Is(err, zfb.ErrNotFound) {
				return nil
			} else if err != nil {
				t.Fatal(err)
			}
			return p
		}

		var successCNY, successUSD int64 // what payments still SUCCESS hold
		var cancelledFirst, paidFirst int
		for i, o := range outcomes {
			p := stored(t, o.no)
			for _, c := range o.cancelled {
				if c != o.cancelled[0] {
					t.Fatalf("%s: cancels answered %v, not one answer", o.no, o.cancelled)
				}
			}
			if p == nil { // only when every call failed
				if len(o.paid) != 0 || len(o.cancelled) != 0 || o.unknown == 0 {
					t.Fatalf("%s: nothing stored, yet pays answered %v and cancels %v", o.no, o.paid, o.cancelled)
				}
				continue
			}
			paid, paidCNY, refundedCNY := charges(t, p)
			if paid > 1 {
				t.Fatalf("%s: charged %d times", o.no, paid)
			}
			if paid == 1 && paidCNY != p.PaidCNY || refundedCNY != p.RefundedCNY {
				t.Fatalf("%s: %+v, but its transfers paid %d and refunded %d", o.no, p, paidCNY, refundedCNY)
			}
			for _, acq := range o.paid {
				if acq != p.AcquirementID {
					t.Fatalf("%s: pays answered %v, the payment is %s", o.no, o.paid, p.AcquirementID)
				}
			}
			strict := o.unknown == 0
			switch {
			case i >= contested: // twins: both pays answered S, one charge
				if p.Status != zfb.IntlPaymentSuccess || paid != 1 || strict && len(o.paid) != 2 {
					t.Fatalf("%s: %d pays answered S, %s, %d charges", o.no, len(o.paid), p.Status, paid)
				}
				successCNY += p.PaidCNY - p.RefundedCNY
				successUSD += p.Amount - p.RefundedAmount
				continue
			case strict && (len(o.cancelled) != cancels || o.refused+len(o.paid) != 2):
				t.Fatalf("%s: %d of %d cancels answered S, %d pays S and %d refused", o.no, len(o.cancelled), cancels, len(o.paid), o.refused)
			case p.Kind == zfb.IntlKindCancelled: // a cancel came first: the pays were refused
				cancelledFirst++
				if len(o.paid) != 0 || paid != 0 || len(o.cancelled) > 0 && o.cancelled[0][0] != "" {
					t.Fatalf("%s cancelled first: %+v, pays answered %v, %d charges, cancels %v", o.no, p, o.paid, paid, o.cancelled)
				}
			case p.Status == zfb.IntlPaymentCancelled: // the pay came first; a cancel refunded it
				paidFirst++
				if p.CancelAction != zfb.IntlCancelRefund || paid != 1 || refundedCNY != paidCNY ||
					len(o.cancelled) > 0 && o.cancelled[0][0] != p.AcquirementID || strict && len(o.paid) == 0 {
					t.Fatalf("%s paid, then cancelled: %+v, %d charges of %d, %d back, cancels %v", o.no, p, paid, paidCNY, refundedCNY, o.cancelled)
				}
			case p.Status == zfb.IntlPaymentSuccess && len(o.cancelled) == 0 && !strict:
				// Paid, and every cancel after it failed: still charged.
				successCNY += p.PaidCNY - p.RefundedCNY
				successUSD += p.Amount - p.RefundedAmount
			default:
				t.Fatalf("%s ended %+v: pays answered %v, cancels %v", o.no, p, o.paid, o.cancelled)
			}
		}
		t.Logf("contested merchantTransIds: %d paid then cancelled, %d cancelled before the pay", paidFirst, cancelledFirst)
		if got, want := srv.Balance(t, payer.UserID), start-successCNY; got != want {
			t.Fatalf("buyer balance %d, want %d (start %d − %d of payments still SUCCESS)", got, want, start, successCNY)
		}
		if got := e.merchant(t, "USD"); got != successUSD {
			t.Fatalf("merchant USD %d, want %d (what payments still SUCCESS hold)", got, successUSD)
		}

		var confirmedFirst, closedFirst int
		var waitSuccessCNY, waitSuccessEUR int64
		for _, w := range waits {
			p, refunds := e.payment(t, w.no)
			paid, paidCNY, refundedCNY := charges(t, p)
			strict := w.unknown == 0
			if paid > 1 || len(w.cancelled) == 2 && w.cancelled[0] != w.cancelled[1] || w.confirmed && w.refused ||
				strict && (len(w.cancelled) != 2 || w.confirmed == w.refused) {
				t.Fatalf("%s: %d charges, confirmed %v, refused %v, cancels %v", w.no, paid, w.confirmed, w.refused, w.cancelled)
			}
			switch {
			case p.Status == zfb.IntlPaymentCancelled: // paid first, then refunded in full
				confirmedFirst++
				if p.CancelAction != zfb.IntlCancelRefund || paid != 1 || refundedCNY != paidCNY || len(refunds) != 1 ||
					!refunds[0].ByCancel || w.refused {
					t.Fatalf("%s confirmed, then cancelled: %+v, refunds %+v", w.no, p, refunds)
				}
			case p.Status == zfb.IntlPaymentClosed: // closed first: the buyer could no longer pay
				closedFirst++
				if p.CancelAction != zfb.IntlCancelClose || paid != 0 || len(refunds) != 0 || w.confirmed {
					t.Fatalf("%s closed before the buyer confirmed: %+v, %d charges", w.no, p, paid)
				}
			case p.Status == zfb.IntlPaymentSuccess && len(w.cancelled) == 0 && w.confirmed && !strict:
				waitSuccessCNY += p.PaidCNY
				waitSuccessEUR += p.Amount
			case p.Status == zfb.IntlPaymentInit && len(w.cancelled) == 0 && !w.confirmed && !strict:
			default:
				t.Fatalf("%s ended %+v: confirmed %v, refused %v, cancels %v", w.no, p, w.confirmed, w.refused, w.cancelled)
			}
		}
		t.Logf("waiting payments: %d confirmed then refunded, %d closed before the buyer", confirmedFirst, closedFirst)
		if got := srv.Balance(t, waiter.UserID); got != waiterStart-waitSuccessCNY {
			t.Fatalf("password buyer %d, want %d", got, waiterStart-waitSuccessCNY)
		}
		if got := e.merchant(t, "EUR"); got != waitSuccessEUR {
			t.Fatalf("merchant EUR %d, want %d", got, waitSuccessEUR)
		}
		srv.CheckLedger(t)
	})
}

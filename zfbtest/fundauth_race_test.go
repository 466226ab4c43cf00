package zfbtest_test

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestFundAuthRaces races, on each of several authorisations of one buyer,
// an operation cancel (twice), payments from the authorisation (distinct
// ones and a repeat of one) and unfreezes (distinct ones and repeats of
// one), all through the SDK at once. Whatever the interleaving, no money is
// created, lost or moved twice: each order's totals match its operations
// and its ledger transfers, the buyer's frozen account holds the orders'
// rests, and what left the buyer is what the merchant got.
func TestFundAuthRaces(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		const orders = 8
		start := e.funds(t, e.payer.UserID)
		fs := make([]*alipay.FundAuthOrderFreezeResponse, orders)
		for i := range fs {
			fs[i] = e.mustFreeze(t, "100.00")
		}

		// What the SDK was answered, per order.
		type result struct {
			mu        sync.Mutex
			cancels   []string            // the actions of successful cancels
			pays      map[string]string   // out_trade_no → trade_no of each successful pay
			unfreezes map[string][]string // out_request_no → operation_ids answered
		}
		results := make([]*result, orders)
		type pay struct{ no, amount string }
		pays := make([][]pay, orders)
		unfreezeAmounts := map[string]string{"u1": "20.00", "u2": "30.00", "u3": "45.00"}

		var wg sync.WaitGroup
		ready := make(chan struct{})
		run := func(fn func()) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				fn()
			}()
		}
		for i, f := range fs {
			r := &result{pays: map[string]string{}, unfreezes: map[string][]string{}}
			results[i] = r
			// Amounts differ per order, so that orders end differently.
			pays[i] = []pay{
				{fmt.Sprintf("race-%d-p1", i), fmt.Sprintf("%d.00", 10+i)},
				{fmt.Sprintf("race-%d-p2", i), fmt.Sprintf("%d.50", 25+2*i)},
				{fmt.Sprintf("race-%d-p3", i), "40.00"},
			}
			for range 2 {
				run(func() {
					c, err := e.cancel(alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationID: f.OperationID})
					switch {
					case err == nil:
						r.mu.Lock()
						r.cancels = append(r.cancels, c.Action)
						r.mu.Unlock()
					case alipay.IsCode(err, "REQUEST_AMOUNT_EXCEED"), alipay.IsCode(err, "ORDER_ALREADY_FINISH"):
					default:
						t.Errorf("cancel %s: %v", f.AuthNo, err)
					}
				})
			}
			// The first pay twice: the same out_trade_no and amount.
			for _, p := range append(pays[i], pays[i][0]) {
				run(func() {
					res, err := e.payAuth(f, p.no, p.amount, alipay.AuthConfirmModeNotComplete)
					switch {
					case err == nil:
						r.mu.Lock()
						defer r.mu.Unlock()
						if earlier, ok := r.pays[p.no]; ok {
							t.Errorf("pay %s succeeded twice: trades %s and %s", p.no, earlier, res.TradeNo)
						}
						r.pays[p.no] = res.TradeNo
					case alipay.IsCode(err, "ACQ.AUTH_AMOUNT_NOT_ENOUGH"), alipay.IsCode(err, "ACQ.AUTH_ORDER_HAS_CLOSED"),
						alipay.IsCode(err, "ACQ.AUTH_ORDER_HAS_FINISHED"), alipay.IsCode(err, "ACQ.TRADE_HAS_SUCCESS") && p.no == pays[i][0].no:
					default:
						t.Errorf("pay %s: %v", p.no, err)
					}
				})
			}
			// u1 three times, u2 and u3 once.
			for _, no := range []string{"u1", "u2", "u1", "u3", "u1"} {
				run(func() {
					u, err := e.unfreeze(f.AuthNo, no, unfreezeAmounts[no])
					switch {
					case err == nil:
						if u.Amount != unfreezeAmounts[no] || u.OutRequestNo != no {
							t.Errorf("unfreeze %s of %s answered %+v", no, f.AuthNo, u)
						}
						r.mu.Lock()
						r.unfreezes[no] = append(r.unfreezes[no], u.OperationID)
						r.mu.Unlock()
					case alipay.IsCode(err, "REQUEST_AMOUNT_EXCEED"), alipay.IsCode(err, "ORDER_ALREADY_CLOSED"), alipay.IsCode(err, "ORDER_ALREADY_FINISH"):
					default:
						t.Errorf("unfreeze %s of %s: %v", no, f.AuthNo, err)
					}
				})
			}
			// A reader alongside: it never fails, and never sees more
			// released than was frozen.
			run(func() {
				q, err := e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID})
				if err != nil {
					t.Errorf("detail query of %s: %v", f.AuthNo, err)
				} else if q.TotalFreezeAmount != "100.00" || q.RestAmount == "" || q.RestAmount[0] == '-' {
					t.Errorf("detail query of %s: %+v", f.AuthNo, q)
				}
			})
		}
		close(ready)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}

		var rests, paid int64
		for i, f := range fs {
			r := results[i]
			d := srv.AuthOrder(t, e.app, f.OutOrderNo)
			o := d.Order
			rest := o.RestAmount()
			if o.TotalFreezeAmount != 10000 || rest < 0 || o.TotalUnfreezeAmount < 0 || o.TotalPayAmount < 0 {
				t.Fatalf("order %d: frozen %d, unfrozen %d, paid %d, rest %d", i, o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount, rest)
			}
			q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID})
			if q.TotalFreezeAmount != "100.00" || q.RestAmount != zfb.FormatAmount(rest) || q.TotalPayAmount != zfb.FormatAmount(o.TotalPayAmount) ||
				q.TotalUnfreezeAmount != zfb.FormatAmount(o.TotalUnfreezeAmount) || q.OrderStatus != string(o.Status) {
				t.Fatalf("order %d: detail query %+v, order %+v", i, q, o)
			}
			wantStatus := zfb.AuthOrderAuthorized
			switch {
			case rest == 0 && o.TotalPayAmount > 0:
				wantStatus = zfb.AuthOrderFinish
			case rest == 0:
				wantStatus = zfb.AuthOrderClosed
			}
			if o.Status != wantStatus {
				t.Fatalf("order %d: %s with %d left and %d paid", i, o.Status, rest, o.TotalPayAmount)
			}

			// The operations are what the SDK was answered.
			var payOps, unfreezeOps int64
			opPays := map[string]string{}
			opUnfreezes := map[string]string{}
			for _, op := range d.Operations {
				switch op.Type {
				case zfb.AuthOpPay:
					payOps += op.Amount
					if _, dup := opPays[op.OutRequestNo]; dup {
						t.Fatalf("order %d: two PAY operations %s", i, op.OutRequestNo)
					}
					opPays[op.OutRequestNo] = op.TradeNo
				case zfb.AuthOpUnfreeze:
					unfreezeOps += op.Amount
					if _, dup := opUnfreezes[op.OutRequestNo]; dup {
						t.Fatalf("order %d: two UNFREEZE operations %s", i, op.OutRequestNo)
					}
					opUnfreezes[op.OutRequestNo] = op.OperationID
					if zfb.FormatAmount(op.Amount) != unfreezeAmounts[op.OutRequestNo] {
						t.Fatalf("order %d: unfreeze %s of %d", i, op.OutRequestNo, op.Amount)
					}
				}
			}
			if fmt.Sprint(opPays) != fmt.Sprint(r.pays) {
				t.Fatalf("order %d: PAY operations %v, successful pays %v", i, opPays, r.pays)
			}
			for no, ids := range r.unfreezes {
				for _, id := range ids {
					if id != opUnfreezes[no] {
						t.Fatalf("order %d: unfreeze %s answered operations %v, stored %s", i, no, ids, opUnfreezes[no])
					}
				}
			}
			if len(opUnfreezes) != len(r.unfreezes) {
				t.Fatalf("order %d: UNFREEZE operations %v, answered %v", i, opUnfreezes, r.unfreezes)
			}
			if payOps != o.TotalPayAmount {
				t.Fatalf("order %d: PAY operations sum to %d, the order says %d paid", i, payOps, o.TotalPayAmount)
			}
			switch len(r.cancels) {
			case 0:
				if unfreezeOps != o.TotalUnfreezeAmount {
					t.Fatalf("order %d: UNFREEZE operations sum to %d, the order says %d unfrozen", i, unfreezeOps, o.TotalUnfreezeAmount)
				}
			case 2:
				// Both cancels answered: only the first moved money, before
				// anything else did.
				if r.cancels[0] != alipay.AuthCancelActionUnfreeze || r.cancels[1] != alipay.AuthCancelActionUnfreeze ||
					o.TotalUnfreezeAmount != 10000 || len(d.Operations) != 1 || o.Status != zfb.AuthOrderClosed {
					t.Fatalf("order %d: cancels %v, order %+v, operations %d", i, r.cancels, o, len(d.Operations))
				}
			default:
				// One cancel won, the other was refused: impossible, a
				// repeat answers as the first.
				t.Fatalf("order %d: one cancel of two succeeded (%v)", i, r.cancels)
			}

			// The ledger moved each of them once.
			transfers, err := srv.Store.Transfers(e.ctx, f.AuthNo)
			if err != nil {
				t.Fatal(err)
			}
			sums := map[string]int64{}
			counts := map[string]int{}
			for _, tr := range transfers {
				sums[tr.Kind] += tr.Amount
				counts[tr.Kind]++
			}
			wantUnfreezes := len(opUnfreezes) + len(r.cancels)/2
			if sums[zfb.TransferFreeze] != 10000 || counts[zfb.TransferFreeze] != 1 ||
				sums[zfb.TransferUnfreeze] != o.TotalUnfreezeAmount || counts[zfb.TransferUnfreeze] != wantUnfreezes ||
				sums[zfb.TransferAuthPay] != o.TotalPayAmount || counts[zfb.TransferAuthPay] != len(opPays) {
				t.Fatalf("order %d: transfers %v (%v), order %+v", i, sums, counts, o)
			}
			for no, tradeNo := range r.pays {
				tr, err := srv.Store.Trade(e.ctx, tradeNo)
				if err != nil || tr.Status != zfb.TradeSuccess || tr.OutTradeNo != no || tr.AuthNo != f.AuthNo {
					t.Fatalf("order %d: trade %s: %v %+v", i, tradeNo, err, tr)
				}
			}
			rests += rest
			paid += o.TotalPayAmount
		}

		now := e.funds(t, e.payer.UserID)
		if now.frozen != start.frozen+rests {
			t.Fatalf("frozen %d, want %d + the rests %d", now.frozen, start.frozen, rests)
		}
		if now.merchant != start.merchant+paid {
			t.Fatalf("merchant %d, want %d + the payments %d", now.merchant, start.merchant, paid)
		}
		if now.available+now.frozen+now.merchant != start.available+start.frozen+start.merchant {
			t.Fatalf("money created or lost: %+v, started with %+v", now, start)
		}
		srv.CheckLedger(t)

		raceWaitingFreezes(t, e)

		// How the races ended, for whoever reads -v.
		var ends []string
		for i, r := range results {
			ends = append(ends, fmt.Sprintf("%d: %d cancels, %d pays, %d unfreezes", i, len(r.cancels), len(r.pays), len(r.unfreezes)))
		}
		sort.Strings(ends)
		t.Log(ends)
	})
}

// raceWaitingFreezes races, on freezes waiting for the password buyer, the
// buyer authorising, the merchant cancelling (twice) and unfreezing part of
// it. Either the cancel came first and closed it with nothing frozen, or the
// buyer authorised first and then the cancel released it all, or an
// unfreeze came between them and the cancel was refused.
func raceWaitingFreezes(t *testing.T, e *authEnv) {
	t.Helper()
	srv := e.srv
	password := srv.Buyer(t, zfb.BehaviourPassword)
	start := e.funds(t, password.UserID)
	const orders = 6
	ws := make([]*alipay.FundAuthOrderFreezeResponse, orders)
	for i := range ws {
		ws[i] = e.mustFreezeWaiting(t, "20.00")
	}
	type result struct {
		mu         sync.Mutex
		authorized bool
		cancels    []string
		unfrozen   bool
	}
	results := make([]*result, orders)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	run := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			fn()
		}()
	}
	for i, w := range ws {
		r := &result{}
		results[i] = r
		run(func() {
			_, err := srv.Service.ActOnAuthorization(e.ctx, w.AuthNo, zfb.BuyerActionAuthorize, "")
			switch {
			case err == nil:
				r.mu.Lock()
				r.authorized = true
				r.mu.Unlock()
			case errors.Is(err, zfb.ErrInvalidAction):
			default:
				t.Errorf("authorize %s: %v", w.AuthNo, err)
			}
		})
		for range 2 {
			run(func() {
				c, err := e.cancel(alipay.FundAuthOperationCancel{OutOrderNo: w.OutOrderNo, OutRequestNo: w.OutRequestNo})
				switch {
				case err == nil:
					r.mu.Lock()
					r.cancels = append(r.cancels, c.Action)
					r.mu.Unlock()
				case alipay.IsCode(err, "REQUEST_AMOUNT_EXCEED"):
				default:
					t.Errorf("cancel %s: %v", w.AuthNo, err)
				}
			})
		}
		run(func() {
			_, err := e.unfreeze(w.AuthNo, "u", "5.00")
			switch {
			case err == nil:
				r.mu.Lock()
				r.unfrozen = true
				r.mu.Unlock()
			case alipay.IsCode(err, "ILLEGAL_STATUS"), alipay.IsCode(err, "ORDER_ALREADY_CLOSED"):
			default:
				t.Errorf("unfreeze %s: %v", w.AuthNo, err)
			}
		})
	}
	close(ready)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var rests int64
	for i, w := range ws {
		r := results[i]
		o := srv.AuthOrder(t, e.app, w.OutOrderNo).Order
		transfers, err := srv.Store.Transfers(e.ctx, w.AuthNo)
		if err != nil {
			t.Fatal(err)
		}
		var moved []string
		for _, tr := range transfers {
			moved = append(moved, fmt.Sprintf("%s %d", tr.Kind, tr.Amount))
		}
		got := fmt.Sprintf("authorized %v, cancels %v, unfrozen %v; order %s %d/%d/%d; transfers %v",
			r.authorized, r.cancels, r.unfrozen, o.Status, o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount, moved)
		var want []string
		switch {
		case !r.authorized:
			want = []string{"authorized false, cancels [close close], unfrozen false; order CLOSED 0/0/0; transfers []"}
		case len(r.cancels) == 2:
			want = []string{"authorized true, cancels [unfreeze unfreeze], unfrozen false; order CLOSED 2000/2000/0; transfers [freeze 2000 unfreeze 2000]"}
		default:
			want = []string{"authorized true, cancels [], unfrozen true; order AUTHORIZED 2000/500/0; transfers [freeze 2000 unfreeze 500]"}
		}
		if !slices.Contains(want, got) {
			t.Fatalf("waiting freeze %d: %s; want %s", i, got, want[0])
		}
		rests += o.RestAmount()
	}
	now := e.funds(t, password.UserID)
	if now.frozen != start.frozen+rests || now.available+now.frozen != start.available+start.frozen {
		t.Fatalf("password buyer %+v, started with %+v, rests %d", now, start, rests)
	}
}

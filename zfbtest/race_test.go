package zfbtest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestRaces races the buyer's confirmation, the merchant's cancel and a
// refund on the same waiting trades, and identical pays on one out_trade_no.
// Whatever the interleaving, each payment moves at most once, refunds never
// exceed it, and the ledger balances.
func TestRaces(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		ctx := context.Background()
		const trades = 12
		nos := make([]string, trades)
		tradeNos := make([]string, trades)
		for i := range nos {
			nos[i] = fmt.Sprintf("race-%d", i)
			r, err := e.pay(nos[i], "10.00", zfb.BehaviourPassword)
			if err != nil || !r.InProgress() {
				t.Fatalf("pay %v %+v", err, r)
			}
			tradeNos[i] = r.TradeNo
		}
		var wg sync.WaitGroup
		for i := range nos {
			wg.Add(3)
			go func() {
				defer wg.Done()
				_, _ = srv.Service.ActAsBuyer(ctx, tradeNos[i], zfb.BuyerActionPay, "") // loses when cancelled first
			}()
			go func() {
				defer wg.Done()
				// Refused only when the partial refund came first.
				if _, err := e.c.TradeCancel(ctx, alipay.TradeCancel{OutTradeNo: nos[i]}); err != nil && !alipay.IsCode(err, "ACQ.REASON_TRADE_REFUND_FEE_ERR") {
					t.Errorf("cancel %s: %v", nos[i], err)
				}
			}()
			go func() {
				defer wg.Done()
				_, _ = e.c.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: nos[i], RefundAmount: "1.00", OutRequestNo: "r"})
			}()
		}
		// Identical pays racing on one out_trade_no charge once.
		payer := srv.Buyer(t, zfb.BehaviourPays)
		before := srv.Balance(t, payer.UserID)
		var paid sync.Map
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r, err := e.pay("race-twin", "5.00", zfb.BehaviourPays); err == nil {
					paid.Store(r.TradeNo, true)
				} else if !alipay.IsCode(err, "ACQ.TRADE_HAS_SUCCESS") {
					t.Errorf("twin pay: %v", err)
				}
			}()
		}
		wg.Wait()

		n := 0
		paid.Range(func(any, any) bool { n++; return true })
		if n != 1 || srv.Balance(t, payer.UserID) != before-500 {
			t.Fatalf("identical pays: %d succeeded, balance moved by %d; want 1 and 500", n, before-srv.Balance(t, payer.UserID))
		}
		for i, tradeNo := range tradeNos {
			transfers, err := srv.Store.Transfers(ctx, tradeNo)
			if err != nil {
				t.Fatal(err)
			}
			var pays, payAmount, refunded int64
			for _, tr := range transfers {
				switch tr.Kind {
				case zfb.TransferPay:
					pays++
					payAmount += tr.Amount
				case zfb.TransferRefund:
					refunded += tr.Amount
				}
			}
			trade, err := srv.Store.Trade(ctx, tradeNo)
			if err != nil {
				t.Fatal(err)
			}
			if pays > 1 || refunded > payAmount || trade.RefundedAmount != refunded {
				t.Fatalf("%s: %d payments of %d, %d refunded (trade says %d)", nos[i], pays, payAmount, refunded, trade.RefundedAmount)
			}
			// Either the cancel closed it (refunding in full if the buyer had
			// paid), or the buyer paid, the refund of 1.00 came next and the
			// cancel was refused.
			closed := trade.Status == zfb.TradeClosed && (pays == 0 && refunded == 0 || pays == 1 && refunded == payAmount)
			partly := trade.Status == zfb.TradeSuccess && pays == 1 && refunded == 100
			if !closed && !partly {
				t.Fatalf("%s ended %s with %d paid and %d refunded", nos[i], trade.Status, payAmount, refunded)
			}
		}
		srv.CheckLedger(t)
	})
}

// TestRefundRacesCancel races a partial refund and a cancel of one paid
// trade whose merchant holds exactly that trade's money. One of them
// refunds; the other is refused for the trade's state
// (ACQ.REASON_TRADE_REFUND_FEE_ERR), never for the merchant's balance,
// which covered whichever came first.
func TestRefundRacesCancel(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		ctx := context.Background()
		for range 25 {
			srv.SettleMerchant(t, e.app)
			no := e.outTradeNo()
			e.mustPay(no, "10.00")
			var cancelErr, refundErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, cancelErr = e.c.TradeCancel(ctx, alipay.TradeCancel{OutTradeNo: no})
			}()
			go func() {
				defer wg.Done()
				_, refundErr = e.c.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "1.00", OutRequestNo: "r"})
			}()
			wg.Wait()
			cancelled := cancelErr == nil && alipay.IsCode(refundErr, "ACQ.REASON_TRADE_REFUND_FEE_ERR")
			refunded := refundErr == nil && alipay.IsCode(cancelErr, "ACQ.REASON_TRADE_REFUND_FEE_ERR")
			if !cancelled && !refunded {
				t.Fatalf("%s: cancel %v, refund %v; want one to succeed and the other refused with ACQ.REASON_TRADE_REFUND_FEE_ERR", no, cancelErr, refundErr)
			}
		}
		srv.CheckLedger(t)
	})
}

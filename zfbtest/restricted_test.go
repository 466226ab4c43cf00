package zfbtest_test

import (
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestRestrictedBuyer: a buyer whose account the tester restricted can
// neither pay nor have funds frozen or released (PAYER_USER_STATUS_LIMIT,
// ACQ.BUYER_ENABLE_STATUS_FORBID), nothing moves, and lifting the
// restriction lets the same calls through.
func TestRestrictedBuyer(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		payer := srv.Buyer(t, zfb.BehaviourPays)
		freeze := func(outOrderNo string) (*alipay.FundAuthOrderFreezeResponse, error) {
			return e.c.FundAuthOrderFreeze(e.ctx, alipay.FundAuthOrderFreeze{
				AuthCode: payer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: outOrderNo,
				OutRequestNo: outOrderNo + "-F", OrderTitle: "押金", Amount: "50.00",
			})
		}
		// Frozen before the restriction.
		held, err := freeze(e.outTradeNo())
		if err != nil || held.Status != alipay.AuthOperationStatusSuccess {
			t.Fatalf("freeze: %v %+v", err, held)
		}
		before, frozen := srv.Balance(t, payer.UserID), srv.FrozenBalance(t, payer.UserID)

		srv.RestrictBuyer(t, payer.UserID, true)
		_, err = freeze(e.outTradeNo())
		wantSubCode(t, err, "40004", "PAYER_USER_STATUS_LIMIT")
		_, err = e.pay(e.outTradeNo(), "1.00", zfb.BehaviourPays)
		wantSubCode(t, err, "40004", "ACQ.BUYER_ENABLE_STATUS_FORBID")
		_, err = e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: held.AuthNo, OutRequestNo: "U1", Amount: "1.00", Remark: "退押金"})
		wantSubCode(t, err, "40004", "PAYER_USER_STATUS_LIMIT")
		_, err = e.c.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{AuthNo: held.AuthNo, OperationID: held.OperationID, Remark: "撤销"})
		wantSubCode(t, err, "40004", "PAYER_USER_STATUS_LIMIT")
		_, err = e.c.TradePay(e.ctx, alipay.TradePay{
			OutTradeNo: e.outTradeNo(), AuthNo: held.AuthNo, BuyerID: payer.UserID,
			ProductCode: alipay.ProductCodePreAuthPay, TotalAmount: "1.00", Subject: "房费",
		})
		wantSubCode(t, err, "40004", "ACQ.BUYER_ENABLE_STATUS_FORBID")
		if srv.Balance(t, payer.UserID) != before || srv.FrozenBalance(t, payer.UserID) != frozen {
			t.Fatal("money moved for a restricted buyer")
		}

		srv.RestrictBuyer(t, payer.UserID, false)
		c, err := e.c.FundAuthOperationCancel(e.ctx, alipay.FundAuthOperationCancel{AuthNo: held.AuthNo, OperationID: held.OperationID, Remark: "撤销"})
		if err != nil || c.Action != alipay.AuthCancelActionUnfreeze {
			t.Fatalf("cancel after lifting the restriction: %v %+v", err, c)
		}
		if got := srv.Balance(t, payer.UserID); got != before+5000 {
			t.Fatalf("available %d, want %d", got, before+5000)
		}
		srv.CheckLedger(t)
	})
}

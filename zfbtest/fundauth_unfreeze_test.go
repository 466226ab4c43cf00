package zfbtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestFundAuthUnfreeze(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		t.Run("partly, repeated, then all", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			f := e.mustFreeze(t, "100.00")
			u, err := e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{
				AuthNo: f.AuthNo, OutRequestNo: "u1", Amount: "30.00", Remark: "还 30 元", ExtraParam: `{"unfreezeBizInfo":"{\"bizComplete\":\"false\"}"}`,
			})
			if err != nil || u.Code != "10000" || u.AuthNo != f.AuthNo || u.OutOrderNo != f.OutOrderNo || !operationIDPattern.MatchString(u.OperationID) ||
				u.OperationID == f.OperationID || u.OutRequestNo != "u1" || u.Amount != "30.00" || u.CreditAmount != "0.00" ||
				u.FundAmount != "30.00" || !gatewayTimePattern.MatchString(u.GmtTrans) || u.Status != alipay.AuthOperationStatusSuccess {
				t.Fatalf("unfreeze %v %+v", err, u)
			}
			e.wantFunds(t, e.payer.UserID, before, -7000, 7000, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 10000, 3000, 0)
			q := e.query(t, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: "u1"})
			if q.OperationType != alipay.AuthOperationUnfreeze || q.OperationID != u.OperationID || q.Status != alipay.AuthOperationStatusSuccess ||
				q.Amount != "30.00" || q.Remark != "还 30 元" || q.RestAmount != "70.00" || q.TotalFreezeAmount != "100.00" ||
				q.TotalUnfreezeAmount != "30.00" || q.TotalPayAmount != "0.00" || q.OrderStatus != alipay.AuthOrderStatusAuthorized ||
				q.GmtTrans != u.GmtTrans || q.PayerUserID != e.payer.UserID {
				t.Fatalf("detail query of the unfreeze %+v", q)
			}

			again, err := e.unfreeze(f.AuthNo, "u1", "30.00")
			if err != nil || again.OperationID != u.OperationID || again.Amount != "30.00" || again.GmtTrans != u.GmtTrans {
				t.Fatalf("repeated unfreeze %v %+v, first %+v", err, again, u)
			}
			_, err = e.unfreeze(f.AuthNo, "u1", "31.00")
			wantSubCode(t, err, "40004", "UNIQUE_VIOLATION")
			_, err = e.unfreeze(f.AuthNo, "u2", "70.01")
			wantSubCode(t, err, "40004", "REQUEST_AMOUNT_EXCEED")
			e.wantFunds(t, e.payer.UserID, before, -7000, 7000, 0)
			d := e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 10000, 3000, 0)
			if len(d.Operations) != 2 {
				t.Fatalf("operations %+v", d.Operations)
			}

			e.mustUnfreeze(t, f.AuthNo, "u3", "70.00")
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderClosed, 10000, 10000, 0)
			if q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: "u3"}); q.OrderStatus != alipay.AuthOrderStatusClosed || q.RestAmount != "0.00" || q.TotalUnfreezeAmount != "100.00" {
				t.Fatalf("detail query after the last unfreeze %+v", q)
			}
			_, err = e.unfreeze(f.AuthNo, "u4", "1.00")
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")
			// A retry of an earlier unfreeze still answers it.
			if again, err := e.unfreeze(f.AuthNo, "u1", "30.00"); err != nil || again.OperationID != u.OperationID {
				t.Fatalf("retry after closing %v %+v", err, again)
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			srv.CheckLedger(t)
		})
		t.Run("finished order", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			e.mustPayAuth(t, f, e.next("T"), "4.00", alipay.AuthConfirmModeComplete)
			_, err := e.unfreeze(f.AuthNo, "late", "1.00")
			wantSubCode(t, err, "40004", "ORDER_ALREADY_FINISH")
		})
		t.Run("waiting order: ILLEGAL_STATUS", func(t *testing.T) {
			w := e.mustFreezeWaiting(t, "5.00")
			_, err := e.unfreeze(w.AuthNo, "u", "1.00")
			wantSubCode(t, err, "40004", "ILLEGAL_STATUS")
			e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderInit, 0, 0, 0)
		})
		t.Run("unknown order: AUTH_ORDER_NOT_EXIST", func(t *testing.T) {
			_, err := e.unfreeze("2026010100002001000000000000", "u", "1.00")
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
		})
		t.Run("bad arguments", func(t *testing.T) {
			f := e.mustFreeze(t, "10.00")
			before := e.funds(t, e.payer.UserID)
			for _, u := range []alipay.FundAuthOrderUnfreeze{
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "1.00"},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "1.00", Remark: "  "},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "1.00", Remark: strings.Repeat("长", 101)},
				{OutRequestNo: "b", Amount: "1.00", Remark: "r"},
				{AuthNo: f.AuthNo, Amount: "1.00", Remark: "r"},
				{AuthNo: f.AuthNo, OutRequestNo: "b c", Amount: "1.00", Remark: "r"},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "0", Remark: "r"},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "0.001", Remark: "r"},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Remark: "r"},
				{AuthNo: f.AuthNo, OutRequestNo: "b", Amount: "1.00", Remark: "r", ExtraParam: "x=1"},
			} {
				_, err := e.c.FundAuthOrderUnfreeze(e.ctx, u)
				var ae *alipay.Error
				if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != "ILLEGAL_ARGUMENT" {
					t.Fatalf("%+v: got %v, want ILLEGAL_ARGUMENT", u, err)
				}
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			e.wantOrder(t, f.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 0)
			srv.CheckLedger(t)
		})
	})
}

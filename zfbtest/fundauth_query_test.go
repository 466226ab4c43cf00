package zfbtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestFundAuthDetailQuery(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		f := e.mustFreeze(t, "10.00")
		// An unfreeze may reuse the freeze's out_request_no: the type tells
		// them apart.
		u := e.mustUnfreeze(t, f.AuthNo, f.OutRequestNo, "2.00")

		byNo := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: f.OutRequestNo})
		if byNo.OperationType != alipay.AuthOperationFreeze || byNo.OperationID != f.OperationID {
			t.Fatalf("without a type, the freeze first: %+v", byNo)
		}
		typed := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: f.OutRequestNo, OperationType: alipay.AuthOperationUnfreeze})
		if typed.OperationType != alipay.AuthOperationUnfreeze || typed.OperationID != u.OperationID || typed.Amount != "2.00" || typed.RestAmount != "8.00" {
			t.Fatalf("UNFREEZE %+v", typed)
		}
		_, err := e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: f.OutRequestNo, OperationType: alipay.AuthOperationPay})
		wantSubCode(t, err, "40004", "AUTH_OPERATION_NOT_EXIST")
		_, err = e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID, OperationType: alipay.AuthOperationUnfreeze})
		wantSubCode(t, err, "40004", "AUTH_OPERATION_NOT_EXIST")
		// operation_id wins over out_request_no.
		if q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: u.OperationID, OutRequestNo: "nonexistent"}); q.OperationID != u.OperationID {
			t.Fatalf("by operation_id %+v", q)
		}
		// auth_no wins over out_order_no.
		if q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutOrderNo: "nonexistent", OperationID: f.OperationID}); q.AuthNo != f.AuthNo {
			t.Fatalf("by auth_no %+v", q)
		}

		g := e.mustFreeze(t, "1.00")
		for _, tt := range []struct {
			q       alipay.FundAuthOperationDetailQuery
			subCode string
		}{
			{alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OutRequestNo: "never"}, "AUTH_OPERATION_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: "20260101000000000000"}, "AUTH_OPERATION_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: g.OperationID}, "AUTH_OPERATION_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: g.OutRequestNo}, "AUTH_OPERATION_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{AuthNo: "2026010100002001000000000000", OperationID: f.OperationID}, "AUTH_ORDER_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{OutOrderNo: "never", OutRequestNo: f.OutRequestNo}, "AUTH_ORDER_NOT_EXIST"},
			{alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID, OperationType: "REFUND"}, "ILLEGAL_ARGUMENT"},
			{alipay.FundAuthOperationDetailQuery{OperationID: f.OperationID}, "ILLEGAL_ARGUMENT"},
			{alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo}, "ILLEGAL_ARGUMENT"},
			{alipay.FundAuthOperationDetailQuery{}, "ILLEGAL_ARGUMENT"},
		} {
			_, err := e.c.FundAuthOperationDetailQuery(e.ctx, tt.q)
			var ae *alipay.Error
			if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != tt.subCode {
				t.Fatalf("%+v: got %v, want 40004 %s", tt.q, err, tt.subCode)
			}
		}

		t.Run("GBK: Chinese text both ways", func(t *testing.T) {
			gbk := client(t, srv, srv.App(), alipay.WithCharset("GBK"))
			req := e.freezeReq(t, zfb.BehaviourPays, "3.00")
			req.OrderTitle = "共享充电宝押金"
			req.ExtraParam = `{"merchantExt":"门店=西湖店"}`
			g, err := gbk.FundAuthOrderFreeze(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			u, err := gbk.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: g.AuthNo, OutRequestNo: "u", Amount: "3.00", Remark: "归还押金（全部）"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*alipay.Client{gbk, e.c} {
				q, err := c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: g.AuthNo, OperationID: u.OperationID})
				if err != nil || q.OrderTitle != "共享充电宝押金" || q.Remark != "归还押金（全部）" || q.ExtraParam != `{"merchantExt":"门店=西湖店"}` {
					t.Fatalf("detail query %v %+v", err, q)
				}
			}
			_, err = gbk.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: g.AuthNo, OutRequestNo: "u", Amount: "3.00", Remark: strings.Repeat("长", 101)})
			wantSubCode(t, err, "40004", "ILLEGAL_ARGUMENT")
		})
		t.Run("another app", func(t *testing.T) {
			other := srv.NewApp(t, zfb.SignTypeRSA2)
			oc := client(t, srv, other)
			_, err := oc.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID})
			wantSubCode(t, err, "40004", "ACCESS_FORBIDDEN")
			_, err = oc.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			_, err = oc.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: f.AuthNo, OutRequestNo: "steal", Amount: "1.00", Remark: "r"})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			// The other app's own orders are its own.
			o, err := oc.FundAuthOrderFreeze(e.ctx, alipay.FundAuthOrderFreeze{
				AuthCode: e.payer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo,
				OrderTitle: "x", Amount: "1.00",
			})
			if err != nil || o.Status != alipay.AuthOperationStatusSuccess || o.AuthNo == f.AuthNo {
				t.Fatalf("the other app's freeze with the same numbers %v %+v", err, o)
			}
			if q, err := oc.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.OutOrderNo, OutRequestNo: f.OutRequestNo}); err != nil || q.AuthNo != o.AuthNo || q.Amount != "1.00" {
				t.Fatalf("the other app's query %v %+v", err, q)
			}
			_, err = e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: o.AuthNo, OperationID: o.OperationID})
			wantSubCode(t, err, "40004", "ACCESS_FORBIDDEN")
			if _, err := oc.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: o.AuthNo, OutRequestNo: "u", Amount: "1.00", Remark: "r"}); err != nil {
				t.Fatal(err)
			}
		})
		srv.CheckLedger(t)
	})
}

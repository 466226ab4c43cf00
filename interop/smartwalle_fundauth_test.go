package interop

// Fund authorisation driven by github.com/smartwalle/alipay/v3 v3.2.30 through its own typed
// methods (fund.go / fund_type.go), with the verification smartwalle_test.go describes. What
// v3.2.30 has for these APIs (read from its source in the module cache):
//
//   - FundAuthOrderFreeze, FundAuthOrderUnfreeze, FundAuthOperationCancel and
//     FundAuthOperationDetailQuery (and FundAuthOrderVoucherCreate) each call doRequest with a
//     typed param that embeds AuxParam, so NeedVerify() is true and every answer is verified
//     exactly as a trade answer is: no error means zfb's sign checked out. No generic call is
//     needed. A payment from an authorisation is TradePay with AuthNo, BuyerId, ProductCode and
//     AuthConfirmMode.
//   - Every amount of these responses is a Go string field (json:"amount", "rest_amount",
//     "total_pay_amount", …): smartwalle takes the 2-decimal strings as they are, and a JSON
//     number there (as seed 002's sample shows) would fail json.Unmarshal into a string —
//     the whole call would return an error. So zfb must, and does, send strings.
//   - Business failures are not Go errors: the response's embedded alipay.Error carries code
//     40004 and the sub_code as sent (these APIs' sub_codes have no ACQ. prefix).
//   - FundAuthOrderFreezeRsp has only auth_no, out_order_no, operation_id, out_request_no,
//     amount, status, payer_user_id and gmt_trans; credit_amount, fund_amount, payer_logon_id
//     and trans_currency are dropped (the raw node is still checked by alipayLike).
//   - FundAuthOperationDetailQuery has NO operation_type field and no omitempty: it always
//     sends "auth_no", "out_order_no", "operation_id" and "out_request_no", empty or not, so zfb
//     must read "" as absent. Without operation_type an out_request_no shared by several
//     operations finds the freeze, then the unfreeze, then the pay (spec §4.13): after a
//     COMPLETE payment, whose PAY and UNFREEZE operations both carry the out_trade_no, this SDK
//     can reach the PAY operation only by its operation_id, which no answer gives it.
//   - FundAuthOperationCancel has omitempty on all four numbers; FundAuthOrderUnfreeze on
//     extra_param only; TradePay sends "scene":"" with AuthNo (zfb ignores scene there).

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

func swFreeze(t *testing.T, sw *swClient, p alipay.FundAuthOrderFreeze, wantCode alipay.Code) *alipay.FundAuthOrderFreezeRsp {
	t.Helper()
	return swCall(t, sw, "alipay.fund.auth.order.freeze", wantCode, func(ctx context.Context) (*alipay.FundAuthOrderFreezeRsp, error) {
		return sw.FundAuthOrderFreeze(ctx, p)
	})
}

// swFreezeOf is a bar-code freeze of amount with the buyer's payment code.
func swFreezeOf(outOrderNo, authCode, amount string) alipay.FundAuthOrderFreeze {
	return alipay.FundAuthOrderFreeze{
		AuthCode: authCode, AuthCodeType: "bar_code", OutOrderNo: outOrderNo, OutRequestNo: outOrderNo + "_f",
		OrderTitle: interopSubject, Amount: amount, ProductCode: "PRE_AUTH",
	}
}

func swUnfreeze(t *testing.T, sw *swClient, authNo, outRequestNo, amount string, wantCode alipay.Code) *alipay.FundAuthOrderUnfreezeRsp {
	t.Helper()
	return swCall(t, sw, "alipay.fund.auth.order.unfreeze", wantCode, func(ctx context.Context) (*alipay.FundAuthOrderUnfreezeRsp, error) {
		return sw.FundAuthOrderUnfreeze(ctx, alipay.FundAuthOrderUnfreeze{AuthNo: authNo, OutRequestNo: outRequestNo, Amount: amount, Remark: authRemark})
	})
}

func swAuthCancel(t *testing.T, sw *swClient, p alipay.FundAuthOperationCancel, wantCode alipay.Code) *alipay.FundAuthOperationCancelRsp {
	t.Helper()
	p.Remark = authRemark
	return swCall(t, sw, "alipay.fund.auth.operation.cancel", wantCode, func(ctx context.Context) (*alipay.FundAuthOperationCancelRsp, error) {
		return sw.FundAuthOperationCancel(ctx, p)
	})
}

func swDetailQuery(t *testing.T, sw *swClient, p alipay.FundAuthOperationDetailQuery, wantCode alipay.Code) *alipay.FundAuthOperationDetailQueryRsp {
	t.Helper()
	return swCall(t, sw, "alipay.fund.auth.operation.detail.query", wantCode, func(ctx context.Context) (*alipay.FundAuthOperationDetailQueryRsp, error) {
		return sw.FundAuthOperationDetailQuery(ctx, p)
	})
}

// swWantFrozen checks the typed answer of a freeze that succeeded at once.
func swWantFrozen(t *testing.T, sw *swClient, f *alipay.FundAuthOrderFreezeRsp, p alipay.FundAuthOrderFreeze, payer string) {
	t.Helper()
	swNonEmpty(t, sw, "auth_no", f.AuthNo)
	swNonEmpty(t, sw, "operation_id", f.OperationId)
	swWant(t, sw, "out_order_no", f.OutOrderNo, p.OutOrderNo)
	swWant(t, sw, "out_request_no", f.OutRequestNo, p.OutRequestNo)
	swWant(t, sw, "amount", f.Amount, p.Amount)
	swWant(t, sw, "status", f.Status, "SUCCESS")
	swWant(t, sw, "payer_user_id", f.PayerUserId, payer)
	swNonEmpty(t, sw, "gmt_trans", f.GMTTrans)
}

// TestSmartwalleFundAuth proves that smartwalle/alipay/v3's typed fund authorisation methods,
// unchanged and verifying every answer, work against zfb.
func TestSmartwalleFundAuth(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	pays := sandboxBuyer(t, srv, buyerPays)
	password := sandboxBuyer(t, srv, buyerPassword)

	t.Run("freeze, partial unfreeze twice, detail queries, cancel exceeds, unfreeze the rest", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_unfreeze")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		p := swFreezeOf(out, pays.PaymentCode, "2.00")
		p.ExtraParam = `{"category":"CHARGE_PILE_CAR","merchantExt":"key1=value1"}`
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		swWantFrozen(t, sw, f, p, pays.UserID)
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -200, 200)

		u1 := out + "_u1"
		var unfreezeOp string
		for i := 0; i < 2; i++ { // the same request again answers the first: no second movement
			u := swUnfreeze(t, sw, f.AuthNo, u1, "0.50", alipay.CodeSuccess)
			swWant(t, sw, "auth_no", u.AuthNo, f.AuthNo)
			swWant(t, sw, "out_order_no", u.OutOrderNo, out)
			swWant(t, sw, "out_request_no", u.OutRequestNo, u1)
			swWant(t, sw, "amount", u.Amount, "0.50")
			swWant(t, sw, "fund_amount", u.FundAmount, "0.50")
			swWant(t, sw, "credit_amount", u.CreditAmount, "0.00")
			swWant(t, sw, "status", u.Status, "SUCCESS")
			swNonEmpty(t, sw, "gmt_trans", u.GMTTrans)
			if i == 0 {
				unfreezeOp = u.OperationId
				swNonEmpty(t, sw, "operation_id", unfreezeOp)
			} else {
				swWant(t, sw, "operation_id of the repeat", u.OperationId, unfreezeOp)
			}
		}
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -150, 150)

		// By the merchant's numbers (smartwalle sends "auth_no":"" and "operation_id":"" too).
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: u1}, alipay.CodeSuccess)
		swWant(t, sw, "auth_no", q.AuthNo, f.AuthNo)
		swWant(t, sw, "out_order_no", q.OutOrderNo, out)
		swWant(t, sw, "operation_id", q.OperationId, unfreezeOp)
		swWant(t, sw, "out_request_no", q.OutRequestNo, u1)
		swWant(t, sw, "operation_type", q.OperationType, "UNFREEZE")
		swWant(t, sw, "amount", q.Amount, "0.50")
		swWant(t, sw, "status", q.Status, "SUCCESS")
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusAuthorized))
		swWant(t, sw, "total_freeze_amount", q.TotalFreezeAmount, "2.00")
		swWant(t, sw, "total_pay_amount", q.TotalPayAmount, "0.00")
		swWant(t, sw, "rest_amount", q.RestAmount, "1.50")
		swWant(t, sw, "order_title", q.OrderTitle, interopSubject)
		swWant(t, sw, "payer_user_id", q.PayerUserId, pays.UserID)
		swNonEmpty(t, sw, "payer_logon_id", q.PayerLogonId)
		swWant(t, sw, "extra_param", q.ExtraParam, `{"merchantExt":"key1=value1"}`)
		swWant(t, sw, "remark", q.Remark, authRemark)
		swWant(t, sw, "trans_currency", q.TransCurrency, "CNY")
		swNonEmpty(t, sw, "gmt_create", q.GMTCreate)
		swNonEmpty(t, sw, "gmt_trans", q.GMTTrans)

		// By Alipay's numbers (smartwalle sends "out_order_no":"" and "out_request_no":"").
		q = swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeSuccess)
		swWant(t, sw, "operation_type", q.OperationType, "FREEZE")
		swWant(t, sw, "out_request_no", q.OutRequestNo, p.OutRequestNo)
		swWant(t, sw, "amount", q.Amount, "2.00")
		swWant(t, sw, "rest_amount", q.RestAmount, "1.50")

		// Seed 000: after an unfreeze, the freeze can no longer be cancelled.
		c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", c.SubCode, "REQUEST_AMOUNT_EXCEED")
		swNonEmpty(t, sw, "sub_msg", c.SubMsg)
		swWant(t, sw, "msg", c.Msg, "Business Failed")

		u := swUnfreeze(t, sw, f.AuthNo, out+"_u2", "1.60", alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", u.SubCode, "REQUEST_AMOUNT_EXCEED")
		swUnfreeze(t, sw, f.AuthNo, out+"_u3", "1.50", alipay.CodeSuccess)
		q = swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: out + "_u3"}, alipay.CodeSuccess)
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusClosed))
		swWant(t, sw, "rest_amount", q.RestAmount, "0.00")
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("freeze, cancel by auth_no and operation_id unfreezes, repeat answers alike", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_cancel")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		p := swFreezeOf(out, pays.PaymentCode, "1.00")
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		swWantFrozen(t, sw, f, p, pays.UserID)
		for i := 0; i < 2; i++ {
			c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeSuccess)
			swWant(t, sw, "auth_no", c.AuthNo, f.AuthNo)
			swWant(t, sw, "out_order_no", c.OutOrderNo, out)
			swWant(t, sw, "operation_id", c.OperationId, f.OperationId)
			swWant(t, sw, "out_request_no", c.OutRequestNo, p.OutRequestNo)
			swWant(t, sw, "action", c.Action, "unfreeze")
		}
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: p.OutRequestNo}, alipay.CodeSuccess)
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusClosed))
		swWant(t, sw, "rest_amount", q.RestAmount, "0.00")
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("password buyer: freeze INIT, cancel closes", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_pwd")
		before := buyerBalance(t, srv, password.UserID)
		p := swFreezeOf(out, password.PaymentCode, "1.00")
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		swWant(t, sw, "status", f.Status, "INIT")
		swWant(t, sw, "gmt_trans", f.GMTTrans, "")
		swWant(t, sw, "payer_user_id", f.PayerUserId, password.UserID)
		c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{OutOrderNo: out, OutRequestNo: p.OutRequestNo}, alipay.CodeSuccess)
		swWant(t, sw, "auth_no", c.AuthNo, f.AuthNo)
		swWant(t, sw, "action", c.Action, "close")
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeSuccess)
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusClosed))
		swWant(t, sw, "status", q.Status, "CLOSED")
		if after := buyerBalance(t, srv, password.UserID); after != before {
			t.Errorf("password buyer balance %s after a cancelled INIT freeze, want %s", after, before)
		}
	})

	t.Run("voucher: QR code, the buyer authorises (admin), detail query, cancel unfreezes", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_voucher")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		vp := alipay.FundAuthOrderVoucherCreate{OutOrderNo: out, OutRequestNo: out + "_f", OrderTitle: interopSubject, Amount: "1.00", ProductCode: "PRE_AUTH"}
		v := swCall(t, sw, "alipay.fund.auth.order.voucher.create", alipay.CodeSuccess, func(ctx context.Context) (*alipay.FundAuthOrderVoucherCreateRsp, error) {
			return sw.FundAuthOrderVoucherCreate(ctx, vp)
		})
		swWant(t, sw, "out_order_no", v.OutOrderNo, out)
		swWant(t, sw, "out_request_no", v.OutRequestNo, vp.OutRequestNo)
		swWant(t, sw, "code_type", v.CodeType, "qrCode")
		swNonEmpty(t, sw, "code_value", v.CodeValue)
		swNonEmpty(t, sw, "code_url", v.CodeURL)

		// The voucher's answer has no auth_no; the detail query gives it.
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: vp.OutRequestNo}, alipay.CodeSuccess)
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusInit))
		swWant(t, sw, "status", q.Status, "INIT")
		swWant(t, sw, "payer_user_id", q.PayerUserId, "")
		authNo := q.AuthNo
		swNonEmpty(t, sw, "auth_no", authNo)

		o := adminDo(t, srv, http.MethodPost, "/fund-auth/orders/"+authNo+"/buyer", map[string]any{"action": "authorize", "buyer_id": pays.UserID}, http.StatusOK)
		if o["order_status"] != "AUTHORIZED" || o["payer_user_id"] != pays.UserID {
			t.Fatalf("admin authorize answered %v, want the order AUTHORIZED for %s", o, pays.UserID)
		}
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -100, 100)

		q = swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{AuthNo: authNo, OperationId: q.OperationId}, alipay.CodeSuccess)
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusAuthorized))
		swWant(t, sw, "status", q.Status, "SUCCESS")
		swWant(t, sw, "payer_user_id", q.PayerUserId, pays.UserID)
		swWant(t, sw, "rest_amount", q.RestAmount, "1.00")
		swNonEmpty(t, sw, "gmt_trans", q.GMTTrans)

		c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{OutOrderNo: out, OutRequestNo: vp.OutRequestNo}, alipay.CodeSuccess)
		swWant(t, sw, "auth_no", c.AuthNo, authNo)
		swWant(t, sw, "action", c.Action, "unfreeze")
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, 0, 0)
	})

	t.Run("cancel of a freeze that never arrived; the late freeze is refused", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_lost")
		p := swFreezeOf(out, pays.PaymentCode, "1.00")
		c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{OutOrderNo: out, OutRequestNo: p.OutRequestNo}, alipay.CodeSuccess)
		swWant(t, sw, "action", c.Action, "")
		swWant(t, sw, "out_order_no", c.OutOrderNo, out)
		f := swFreeze(t, sw, p, alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", f.SubCode, "ORDER_ALREADY_CLOSED")
		swWant(t, sw, "auth_no", f.AuthNo, "")
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: p.OutRequestNo}, alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", q.SubCode, "AUTH_ORDER_NOT_EXIST")
	})

	t.Run("TradePay from the authorisation, COMPLETE; cancel then finds it finished", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_pay")
		before, frozenBefore := buyerBalance(t, srv, pays.UserID), srv.FrozenBalance(t, pays.UserID)
		p := swFreezeOf(out, pays.PaymentCode, "2.00")
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		swWantFrozen(t, sw, f, p, pays.UserID)

		tradeOut := newOutTradeNo(t, "sw_fa_paytrade")
		tp := alipay.TradePay{AuthNo: f.AuthNo, BuyerId: pays.UserID, AuthConfirmMode: "COMPLETE"}
		tp.Subject, tp.OutTradeNo, tp.TotalAmount, tp.ProductCode = interopSubject, tradeOut, "1.20", "PREAUTH_PAY"
		pay := swCall(t, sw, "alipay.trade.pay", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradePayRsp, error) {
			return sw.TradePay(ctx, tp)
		})
		swNonEmpty(t, sw, "trade_no", pay.TradeNo)
		swWant(t, sw, "out_trade_no", pay.OutTradeNo, tradeOut)
		swWant(t, sw, "total_amount", pay.TotalAmount, "1.20")
		swWant(t, sw, "buyer_user_id", pay.BuyerUserId, pays.UserID)
		tq := swQuery(t, sw, tradeOut, alipay.CodeSuccess)
		swWant(t, sw, "trade_status", string(tq.TradeStatus), string(alipay.TradeStatusSuccess))

		// Without operation_type (which smartwalle cannot send), out_request_no = out_trade_no
		// finds COMPLETE's UNFREEZE of the rest before the PAY (spec §4.13's order).
		q := swDetailQuery(t, sw, alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: tradeOut}, alipay.CodeSuccess)
		swWant(t, sw, "operation_type", q.OperationType, "UNFREEZE")
		swWant(t, sw, "amount", q.Amount, "0.80")
		swWant(t, sw, "order_status", string(q.OrderStatus), string(alipay.OrderStatusFinish))
		swWant(t, sw, "total_freeze_amount", q.TotalFreezeAmount, "2.00")
		swWant(t, sw, "total_pay_amount", q.TotalPayAmount, "1.20")
		swWant(t, sw, "rest_amount", q.RestAmount, "0.00")

		c := swAuthCancel(t, sw, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", c.SubCode, "ORDER_ALREADY_FINISH")
		u := swUnfreeze(t, sw, f.AuthNo, out+"_u", "0.01", alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", u.SubCode, "ORDER_ALREADY_FINISH")
		frozenDelta(t, srv, pays.UserID, before, frozenBefore, -120, 0)
		requireLedgerOK(t, srv)
	})

	t.Run("another app's auth_no: ACCESS_FORBIDDEN", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_other")
		p := swFreezeOf(out, pays.PaymentCode, "0.01")
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		other := srv.NewApp(t, zfb.SignTypeRSA2)
		osw := newSmartwalle(t, srv, other.AppID, other.AppPrivateKey, other.AlipayPublicKey)
		q := swDetailQuery(t, osw, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeBusinessFailed)
		swWant(t, osw, "sub_code", q.SubCode, "ACCESS_FORBIDDEN")
		c := swAuthCancel(t, osw, alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationId: f.OperationId}, alipay.CodeBusinessFailed)
		swWant(t, osw, "sub_code", c.SubCode, "AUTH_ORDER_NOT_EXIST")
		swUnfreeze(t, sw, f.AuthNo, out+"_u", "0.01", alipay.CodeSuccess)
	})

	t.Run("wrong alipay public key fails on the same fund-auth call", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_fa_wrongkey")
		p := swFreezeOf(out, pays.PaymentCode, "0.01")
		f := swFreeze(t, sw, p, alipay.CodeSuccess)
		query := alipay.FundAuthOperationDetailQuery{OutOrderNo: out, OutRequestNo: p.OutRequestNo}
		swDetailQuery(t, sw, query, alipay.CodeSuccess) // the right key verifies this answer

		_, otherPub := newKeyPair(t)
		wrong := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, otherPub)
		rsp, err := wrong.FundAuthOperationDetailQuery(t.Context(), query)
		_, raw := wrong.rec.last()
		if err == nil {
			t.Fatalf("smartwalle returned %+v and no error for an answer verified with the wrong key\n  raw response: %s", rsp, raw)
		}
		if !errors.Is(err, rsa.ErrVerification) {
			t.Errorf("error %v (%T), want crypto/rsa.ErrVerification\n  raw response: %s", err, err, raw)
		}
		if wrong.verifiedCount(responseNode("alipay.fund.auth.operation.detail.query")) != 1 {
			t.Errorf("the answer did not go down smartwalle's verifying path")
		}
		for _, want := range []string{`{"alipay_fund_auth_operation_detail_query_response":{"code":"10000"`, `"auth_no":"` + f.AuthNo + `"`, `"operation_type":"FREEZE"`, `},"sign":"`} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("raw response does not contain %s: %s", want, raw)
			}
		}
		// A business failure is signed and verified too: with the wrong key it is an error as well.
		_, err = wrong.FundAuthOperationCancel(t.Context(), alipay.FundAuthOperationCancel{AuthNo: f.AuthNo, OperationId: "no_such_operation", Remark: authRemark})
		if _, raw = wrong.rec.last(); !errors.Is(err, rsa.ErrVerification) || !bytes.Contains(raw, []byte(`"code":"40004"`)) {
			t.Errorf("cancel with the wrong key: error %v, want crypto/rsa.ErrVerification on a 40004 answer\n  raw response: %s", err, raw)
		}
		if !t.Failed() {
			t.Logf("smartwalle %s rejected as it must: %v", smartwalleVersion, err)
		}
		swUnfreeze(t, sw, f.AuthNo, out+"_u", "0.01", alipay.CodeSuccess)
	})

	requireLedgerOK(t, srv)
}

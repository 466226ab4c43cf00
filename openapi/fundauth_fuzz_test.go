package openapi

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// FuzzFundAuthBizContent feeds arbitrary JSON to every fund authorisation
// method, and to the trade methods (alipay.trade.pay pays from an
// authorisation with auth_no), as a verified call would carry it. The store
// holds an authorisation to act on. Whatever biz_content holds, a method
// answers a result that renders as a JSON object, or an Alipay error —
// never a panic, never an internal error.
func FuzzFundAuthBizContent(f *testing.F) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(f.TempDir(), "zfb.db"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, nil)
	sb, err := sandbox.Generate(sandbox.WithKeys(testkeys.Sequence()))
	if err != nil {
		f.Fatal(err)
	}
	if err := svc.CreateSandbox(ctx, sb); err != nil {
		f.Fatal(err)
	}
	g := New(svc, svc.Logger)
	RegisterFundAuth(g, svc)
	RegisterTrades(g, svc)
	methods := g.Methods()
	app := sb.Apps[0]
	code := sb.Buyers[0].PaymentCode // pays at once
	// An authorisation with room to pay from, unfreeze and cancel.
	frozen, err := svc.Freeze(ctx, app, time.Now(), zfb.FreezeCommand{
		AuthCode: code, AuthCodeType: "bar_code", OutOrderNo: "A1", OutRequestNo: "A1-f",
		OrderTitle: "押金", Amount: "50000.00", ExtraParam: `{"merchantExt":"k=v"}`,
	})
	if err != nil {
		f.Fatal(err)
	}
	authNo, operationID, payer := frozen.Order.AuthNo, frozen.Operation.OperationID, frozen.Order.PayerUserID
	index := func(method string) uint8 {
		i := slices.Index(methods, method)
		if i < 0 {
			f.Fatalf("%s is not registered", method)
		}
		return uint8(i)
	}
	for _, seed := range []struct{ method, biz string }{
		{"alipay.fund.auth.order.freeze", `{"auth_code":"` + code + `","auth_code_type":"bar_code","out_order_no":"F1","out_request_no":"F1-f","order_title":"押金","amount":"1.00","product_code":"PRE_AUTH","extra_param":"{\"merchantExt\":\"a=b\"}"}`},
		{"alipay.fund.auth.order.freeze", `{"auth_code":"` + code + `","auth_code_type":"security_code","out_order_no":"F2","out_request_no":"F2","order_title":"t","amount":1,"pay_timeout":"1c","extra_param":{"merchantExt":{"x":[1,2]}}}`},
		{"alipay.fund.auth.order.freeze", `{"auth_code":123,"auth_code_type":null,"out_order_no":{"a":1},"amount":"1e2","timeout_express":"15d"}`},
		{"alipay.fund.auth.order.voucher.create", `{"out_order_no":"V1","out_request_no":"V1-f","order_title":"租车","amount":"0.01","payee_user_id":"` + app.SellerID + `","extra_param":"{}"}`},
		{"alipay.fund.auth.order.voucher.create", `{"out_order_no":"V2","out_request_no":"V2","order_title":"t","amount":"100000000.00","product_code":"PREAUTH_PAY","pay_timeout":"99999999999999999999m"}`},
		{"alipay.fund.auth.order.unfreeze", `{"auth_no":"` + authNo + `","out_request_no":"U1","amount":"0.01","remark":"r","extra_param":"{\"unfreezeBizInfo\":\"{\\\"bizComplete\\\":\\\"true\\\"}\"}"}`},
		{"alipay.fund.auth.order.unfreeze", `{"auth_no":"` + authNo + `","out_request_no":"U1","amount":"0.02","remark":""}`},
		{"alipay.fund.auth.operation.cancel", `{"auth_no":"` + authNo + `","operation_id":"` + operationID + `","remark":"撤销"}`},
		{"alipay.fund.auth.operation.cancel", `{"out_order_no":"C1","out_request_no":"C1","remark":"r"}`},
		{"alipay.fund.auth.operation.cancel", `{"out_order_no":"A1","out_request_no":"A1-f","operation_id":"x","remark":"r"}`},
		{"alipay.fund.auth.operation.detail.query", `{"auth_no":"` + authNo + `","out_request_no":"A1-f","operation_type":"FREEZE"}`},
		{"alipay.fund.auth.operation.detail.query", `{"out_order_no":"A1","operation_id":"` + operationID + `","operation_type":"PAY"}`},
		{"alipay.fund.auth.operation.detail.query", `{"auth_no":["x"],"operation_type":7}`},
		{"alipay.trade.pay", `{"out_trade_no":"P1","total_amount":"1.00","subject":"s","product_code":"PRE_AUTH","auth_no":"` + authNo + `","buyer_id":"` + payer + `","seller_id":"` + app.SellerID + `","auth_confirm_mode":"NOT_COMPLETE"}`},
		{"alipay.trade.pay", `{"out_trade_no":"P2","total_amount":"2.00","subject":"s","product_code":"PREAUTH_PAY","auth_no":"` + authNo + `","buyer_id":"` + payer + `","auth_confirm_mode":"COMPLETE"}`},
		{"alipay.trade.pay", `{"out_trade_no":"P3","total_amount":"1.00","subject":"s","product_code":"FACE_TO_FACE_PAYMENT","auth_no":"` + authNo + `"}`},
		{"alipay.trade.refund", `{"out_trade_no":"P1","refund_amount":"0.50","out_request_no":"r"}`},
	} {
		if !json.Valid([]byte(seed.biz)) {
			f.Fatalf("seed for %s is not JSON: %s", seed.method, seed.biz)
		}
		f.Add(index(seed.method), seed.biz)
	}
	f.Fuzz(func(t *testing.T, which uint8, biz string) {
		name := methods[int(which)%len(methods)]
		call := &Call{App: app, Method: name, BizContent: []byte(biz), Params: map[string]string{"notify_url": "https://merchant.example/notify"}, Now: time.Now()}
		result, err := g.methods[name].Handle(ctx, call)
		if err != nil {
			if _, ok := zfb.AsError(err); !ok {
				t.Fatalf("%s(%q): internal error %v", name, biz, err)
			}
			return
		}
		if _, _, err := renderNode(result, nil); err != nil {
			t.Fatalf("%s(%q): the result %#v does not render: %v", name, biz, result, err)
		}
	})
}

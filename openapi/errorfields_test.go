package openapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sign"
)

// Business errors carry the business fields Alipay puts beside them (spec
// §2.3): a failed cancel its retry_flag (seed 003), a failed query its
// zeroed amounts, a failed refund refund_fee and send_back_fee. The
// gateway's own errors stay generic.
func TestErrorAnswersCarryBusinessFields(t *testing.T) {
	g := newTestGateway(t)
	openapi.RegisterTrades(g.handler.(*openapi.Gateway), g.svc)
	ctx := context.Background()
	fault := func(t *testing.T, method, subCode string) {
		t.Helper()
		if err := g.svc.AddFault(ctx, &zfb.Fault{AppID: g.app.ID, Method: method, Effect: zfb.FaultErrorBefore, SubCode: subCode}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = g.svc.DeleteFaults(ctx, g.app.ID) })
	}
	tests := []struct {
		name, method, biz string
		setup             func(t *testing.T)
		edit              func(map[string]string)
		want              string // the node value, exactly
	}{
		{
			name: "cancel: fault rule ACQ.SYSTEM_ERROR, retry", method: "alipay.trade.cancel", biz: `{"out_trade_no":"C1"}`,
			setup: func(t *testing.T) { fault(t, "alipay.trade.cancel", "ACQ.SYSTEM_ERROR") },
			want:  `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误","out_trade_no":"C1","retry_flag":"Y"}`,
		},
		{
			name: "cancel: fault rule 20000, retry, trade_no as given", method: "alipay.trade.cancel", biz: `{"out_trade_no":"C1","trade_no":"2026"}`,
			setup: func(t *testing.T) { fault(t, "alipay.trade.cancel", "") },
			want:  `{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"服务暂不可用（业务系统不可用）","out_trade_no":"C1","retry_flag":"Y","trade_no":"2026"}`,
		},
		{
			name: "cancel: invalid parameter, no retry", method: "alipay.trade.cancel", biz: `{}`,
			want: `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.INVALID_PARAMETER","sub_msg":"参数无效: out_trade_no 和 trade_no 不能同时为空","retry_flag":"N"}`,
		},
		{
			name: "cancel: biz_content over its boundary, not echoed", method: "alipay.trade.cancel", biz: `{"out_trade_no":"` + strings.Repeat("x", 65) + `"}`,
			want: `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.INVALID_PARAMETER","sub_msg":"参数无效: out_trade_no 不能超过 64 个字符","retry_flag":"N"}`,
		},
		{
			name: "query: trade not found, zeroed amounts", method: "alipay.trade.query", biz: `{"out_trade_no":"Q1"}`,
			want: `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在","buyer_pay_amount":"0.00","invoice_amount":"0.00","out_trade_no":"Q1","point_amount":"0.00","receipt_amount":"0.00"}`,
		},
		{
			name: "refund: trade not found, nothing refunded", method: "alipay.trade.refund", biz: `{"out_trade_no":"R1","refund_amount":"1.00"}`,
			want: `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在","out_trade_no":"R1","refund_fee":"0.00","send_back_fee":"0.00"}`,
		},
		{
			// The refund may have happened: no amounts claimed.
			name: "refund: system error, no amounts", method: "alipay.trade.refund", biz: `{"out_trade_no":"R1","refund_amount":"1.00"}`,
			setup: func(t *testing.T) { fault(t, "alipay.trade.refund", "ACQ.SYSTEM_ERROR") },
			want:  `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误","out_trade_no":"R1"}`,
		},
		{
			name: "query: system error, no amounts", method: "alipay.trade.query", biz: `{"out_trade_no":"Q1"}`,
			setup: func(t *testing.T) { fault(t, "alipay.trade.query", "") },
			want:  `{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"服务暂不可用（业务系统不可用）","out_trade_no":"Q1"}`,
		},
		{
			// The gateway speaks before the method: a generic answer, no
			// retry_flag (a retry would fail the same way).
			name: "cancel: bad signature, generic", method: "alipay.trade.cancel", biz: `{"out_trade_no":"C1"}`,
			edit: func(p map[string]string) { p["sign"] = "AAAA" + p["sign"][4:] },
			want: `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			p := g.signed(g.params(tt.method, tt.biz))
			if tt.edit != nil {
				tt.edit(p)
			}
			w := g.post(p)
			nodeName := sign.ResponseNode(tt.method)
			g.answer(w, nodeName, true)
			sr, err := sign.ExtractResponse(w.Body.Bytes(), nodeName)
			if err != nil {
				t.Fatal(err)
			}
			got := string(sr.Value)
			if strings.HasSuffix(tt.want, `"sub_msg":"`) {
				var fields map[string]any
				if err := json.Unmarshal(sr.Value, &fields); err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(got, tt.want) || len(fields) != 4 {
					t.Fatalf("got  %s\nwant %s… and nothing else", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

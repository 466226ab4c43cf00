package zfbtest_test

import (
	"encoding/json"
	"testing"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// query_options asks for fields Alipay returns only when asked (spec §4.2,
// §4.4). zfb's buyers pay from their balance: one ALIPAYACCOUNT bill for the
// whole amount, no vouchers, no settlement movements.
func TestQueryOptions(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		// raw answers a call's response node as JSON texts by field.
		raw := func(method string, biz any) map[string]string {
			t.Helper()
			var out map[string]json.RawMessage
			if err := e.c.Do(e.ctx, alipay.Request{Method: method, BizContent: biz}, &out); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			fields := make(map[string]string, len(out))
			for k, v := range out {
				fields[k] = string(v)
			}
			return fields
		}
		want := func(t *testing.T, fields map[string]string, k, v string) {
			t.Helper()
			if fields[k] != v {
				t.Fatalf("%s = %s, want %s (answer %v)", k, fields[k], v, fields)
			}
		}
		absent := func(t *testing.T, fields map[string]string, keys ...string) {
			t.Helper()
			for _, k := range keys {
				if v, ok := fields[k]; ok {
					t.Fatalf("%s = %s, want it absent when not asked for", k, v)
				}
			}
		}
		all := []string{"fund_bill_list", "voucher_detail_list", "trade_settle_info"}

		paid := e.outTradeNo()
		e.mustPay(paid, "12.50")
		t.Run("query, not asked", func(t *testing.T) {
			absent(t, raw("alipay.trade.query", map[string]any{"out_trade_no": paid}), all...)
		})
		t.Run("query, asked", func(t *testing.T) {
			f := raw("alipay.trade.query", map[string]any{"out_trade_no": paid, "query_options": all})
			want(t, f, "fund_bill_list", `[{"amount":"12.50","fund_channel":"ALIPAYACCOUNT"}]`)
			want(t, f, "voucher_detail_list", `[]`)
			want(t, f, "trade_settle_info", `{"trade_settle_detail_list":[]}`)
			// The typed call reads them too.
			r, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{OutTradeNo: paid, QueryOptions: []string{"fund_bill_list"}})
			if err != nil || len(r.FundBillList) != 1 || r.FundBillList[0].FundChannel != "ALIPAYACCOUNT" || r.FundBillList[0].Amount != "12.50" {
				t.Fatalf("typed query: %v %+v", err, r)
			}
		})
		t.Run("query of a waiting trade, asked: nothing paid yet", func(t *testing.T) {
			waiting := e.outTradeNo()
			e.waitingPay(waiting)
			f := raw("alipay.trade.query", map[string]any{"out_trade_no": waiting, "query_options": []string{"fund_bill_list", "no_such_option"}})
			want(t, f, "fund_bill_list", `[]`)
			absent(t, f, "voucher_detail_list", "trade_settle_info")
		})
		t.Run("refund and refund query", func(t *testing.T) {
			f := raw("alipay.trade.refund", map[string]any{"out_trade_no": paid, "refund_amount": "2.50", "out_request_no": "r1"})
			absent(t, f, "refund_detail_item_list", "send_back_fee")
			f = raw("alipay.trade.refund", map[string]any{"out_trade_no": paid, "refund_amount": "3.00", "out_request_no": "r2", "query_options": []string{"refund_detail_item_list"}})
			want(t, f, "refund_detail_item_list", `[{"amount":"3.00","fund_channel":"ALIPAYACCOUNT","real_amount":"3.00"}]`)
			want(t, f, "send_back_fee", `"3.00"`)
			want(t, f, "refund_fee", `"5.50"`)

			q := map[string]any{"out_trade_no": paid, "out_request_no": "r1"}
			absent(t, raw("alipay.trade.fastpay.refund.query", q), "refund_detail_item_list", "send_back_fee")
			q["query_options"] = []string{"refund_detail_item_list"}
			f = raw("alipay.trade.fastpay.refund.query", q)
			want(t, f, "refund_detail_item_list", `[{"amount":"2.50","fund_channel":"ALIPAYACCOUNT","real_amount":"2.50"}]`)
			want(t, f, "send_back_fee", `"2.50"`)
		})
		t.Run("query_options of the wrong type", func(t *testing.T) {
			err := e.c.Do(e.ctx, alipay.Request{Method: "alipay.trade.query", BizContent: map[string]any{"out_trade_no": paid, "query_options": 7}}, nil)
			wantSubCode(t, err, "40004", "ACQ.INVALID_PARAMETER")
		})
		srv.CheckLedger(t)
	})
}

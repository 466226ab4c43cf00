package openapi

import (
	"bytes"
	"testing"

	"github.com/zfbpay/zfb"
)

// jsonTexts are strings that exercise every escaping rule encoding/json
// has: Chinese, quotes, backslashes, '<', '>', '&', every control
// character, DEL, U+2028/U+2029, invalid UTF-8 and a lone surrogate's
// bytes.
var jsonTexts = func() []string {
	texts := []string{
		"", "plain", "中文 商品", `say "hi"`, `back\slash`, "<b>&amp;</b>", "a\u2028b\u2029c",
		"\x7f", "\xff\xfe", "ok\xe4\xb8", "\xed\xa0\x80", "emoji 😀", "tab\tnl\ncr\rbs\bff\f",
		"/slash/", "'single'", "混合\"<中>&\\\n文\u2028",
	}
	for c := range 0x20 {
		texts = append(texts, "x"+string(rune(c))+"y")
	}
	return texts
}()

// marshalFields is what encoding/json writes for result, as the members
// appendJSONFields writes (`,"name":value`…).
func marshalFields(t *testing.T, result any) []byte {
	t.Helper()
	b, err := marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(b, []byte("{}")) {
		return nil
	}
	return append([]byte{','}, b[1:len(b)-1]...)
}

func TestQueryResponseFieldsMatchEncodingJSON(t *testing.T) {
	bills := []fundBill{{Amount: "1.00", FundChannel: "ALIPAYACCOUNT"}, {Amount: "<&>", FundChannel: "中\u2028"}}
	empty, none := []fundBill{}, []fundBill(nil)
	vouchers, noVouchers := []voucherDetail{{}, {}}, []voucherDetail(nil)
	cases := []*queryResponse{
		{},
		{FundBillList: &bills, VoucherDetailList: &vouchers, TradeSettleInfo: &tradeSettleInfo{TradeSettleDetailList: []struct{}{{}}}},
		{FundBillList: &empty, VoucherDetailList: &[]voucherDetail{}, TradeSettleInfo: &tradeSettleInfo{TradeSettleDetailList: []struct{}{}}},
		{FundBillList: &none, VoucherDetailList: &noVouchers, TradeSettleInfo: &tradeSettleInfo{}},
	}
	for _, s := range jsonTexts {
		cases = append(cases, &queryResponse{
			BuyerLogonID: s, BuyerOpenID: s, BuyerPayAmount: s, BuyerUserID: s, InvoiceAmount: s, OutTradeNo: s,
			PointAmount: s, ReceiptAmount: s, SendPayDate: s, Subject: s, TotalAmount: s, TradeNo: s, TradeStatus: s,
			FundBillList: &[]fundBill{{Amount: s, FundChannel: s}},
		})
	}
	for _, r := range cases {
		if got, want := r.appendJSONFields(nil), marshalFields(t, r); !bytes.Equal(got, want) {
			t.Errorf("queryResponse %+v:\n got %s\nwant %s", r, got, want)
		}
	}
}

func TestPayResponseFieldsMatchEncodingJSON(t *testing.T) {
	cases := []*payResponse{
		{},
		{FundBillList: []fundBill{}},
		{FundBillList: []fundBill{{Amount: "1.00", FundChannel: "ALIPAYACCOUNT"}, {}}},
	}
	for _, s := range jsonTexts {
		cases = append(cases, &payResponse{
			code: s, BuyerLogonID: s, BuyerOpenID: s, BuyerPayAmount: s, BuyerUserID: s, GmtPayment: s,
			InvoiceAmount: s, OutTradeNo: s, PointAmount: s, ReceiptAmount: s, TotalAmount: s, TradeNo: s,
			FundBillList: []fundBill{{Amount: s, FundChannel: s}},
		})
	}
	for _, r := range cases {
		if got, want := r.appendJSONFields(nil), marshalFields(t, r); !bytes.Equal(got, want) {
			t.Errorf("payResponse %+v:\n got %s\nwant %s", r, got, want)
		}
	}
}

// TestAppendNodeMatchesEncodingJSON checks the whole node value, header
// and error members included, against the encoding/json rendering a
// result without jsonFields gets.
func TestAppendNodeMatchesEncodingJSON(t *testing.T) {
	type plain queryResponse // the same fields without appendJSONFields
	for _, s := range jsonTexts {
		r := &queryResponse{OutTradeNo: s, Subject: s, TradeNo: s, TradeStatus: "TRADE_SUCCESS", TotalAmount: "1.00"}
		e := &zfb.Error{Code: "40004", Msg: "Business Failed", SubCode: "ACQ." + s, SubMsg: s}
		for _, err := range []*zfb.Error{nil, e} {
			got, gotCode, gerr := appendNode([]byte("reused"), r, err)
			want, wantCode, werr := renderNode((*plain)(r), err)
			if gerr != nil || werr != nil {
				t.Fatal(gerr, werr)
			}
			if !bytes.Equal(got[len("reused"):], want) || gotCode != wantCode {
				t.Errorf("appendNode(%q, err %v):\n got %s %s\nwant %s %s", s, err != nil, got, gotCode, want, wantCode)
			}
		}
	}
}

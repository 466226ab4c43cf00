package openapi

import (
	"github.com/zfbpay/zfb/internal/jsontext"
)

// jsonFields is a result that writes its own JSON members, each as
// `,"name":value`, in its declared field order, byte for byte what
// encoding/json (without HTML escaping, see marshal) writes for it. The
// answers of the busiest methods (trade.query, trade.pay) implement it, so
// that the gateway's answer path runs no reflection; jsonenc_test.go
// compares every implementation with encoding/json.
type jsonFields interface {
	appendJSONFields(b []byte) []byte
}

// appendStringMember appends `,"name":"value"`; name is a plain ASCII
// literal that needs no escaping.
func appendStringMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return jsontext.AppendString(b, value)
}

// appendOmitEmpty is appendStringMember for an omitempty field: nothing
// when value is "".
func appendOmitEmpty(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendStringMember(b, name, value)
}

// appendFundBills appends a fund_bill_list value; nil is null, as
// encoding/json writes a nil slice.
func appendFundBills(b []byte, bills []fundBill) []byte {
	if bills == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, f := range bills {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"amount":`...)
		b = jsontext.AppendString(b, f.Amount)
		b = append(b, `,"fund_channel":`...)
		b = jsontext.AppendString(b, f.FundChannel)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendEmptyObjects appends a list of n empty objects ([{},{}]), or null
// for a nil list.
func appendEmptyObjects(b []byte, isNil bool, n int) []byte {
	if isNil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{', '}')
	}
	return append(b, ']')
}

func (r *payResponse) appendJSONFields(b []byte) []byte {
	b = appendOmitEmpty(b, "buyer_logon_id", r.BuyerLogonID)
	b = appendOmitEmpty(b, "buyer_open_id", r.BuyerOpenID)
	b = appendStringMember(b, "buyer_pay_amount", r.BuyerPayAmount)
	b = appendOmitEmpty(b, "buyer_user_id", r.BuyerUserID)
	if len(r.FundBillList) > 0 {
		b = append(b, `,"fund_bill_list":`...)
		b = appendFundBills(b, r.FundBillList)
	}
	b = appendOmitEmpty(b, "gmt_payment", r.GmtPayment)
	b = appendStringMember(b, "invoice_amount", r.InvoiceAmount)
	b = appendStringMember(b, "out_trade_no", r.OutTradeNo)
	b = appendStringMember(b, "point_amount", r.PointAmount)
	b = appendStringMember(b, "receipt_amount", r.ReceiptAmount)
	b = appendStringMember(b, "total_amount", r.TotalAmount)
	return appendStringMember(b, "trade_no", r.TradeNo)
}

func (r *queryResponse) appendJSONFields(b []byte) []byte {
	b = appendOmitEmpty(b, "buyer_logon_id", r.BuyerLogonID)
	b = appendOmitEmpty(b, "buyer_open_id", r.BuyerOpenID)
	b = appendStringMember(b, "buyer_pay_amount", r.BuyerPayAmount)
	b = appendOmitEmpty(b, "buyer_user_id", r.BuyerUserID)
	if r.FundBillList != nil {
		b = append(b, `,"fund_bill_list":`...)
		b = appendFundBills(b, *r.FundBillList)
	}
	b = appendStringMember(b, "invoice_amount", r.InvoiceAmount)
	b = appendStringMember(b, "out_trade_no", r.OutTradeNo)
	b = appendStringMember(b, "point_amount", r.PointAmount)
	b = appendStringMember(b, "receipt_amount", r.ReceiptAmount)
	b = appendOmitEmpty(b, "send_pay_date", r.SendPayDate)
	b = appendOmitEmpty(b, "subject", r.Subject)
	b = appendStringMember(b, "total_amount", r.TotalAmount)
	b = appendStringMember(b, "trade_no", r.TradeNo)
	if s := r.TradeSettleInfo; s != nil {
		b = append(b, `,"trade_settle_info":{"trade_settle_detail_list":`...)
		b = appendEmptyObjects(b, s.TradeSettleDetailList == nil, len(s.TradeSettleDetailList))
		b = append(b, '}')
	}
	b = appendStringMember(b, "trade_status", r.TradeStatus)
	if l := r.VoucherDetailList; l != nil {
		b = append(b, `,"voucher_detail_list":`...)
		b = appendEmptyObjects(b, *l == nil, len(*l))
	}
	return b
}

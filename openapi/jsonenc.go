package openapi

import (
	"unicode/utf8"
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

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal exactly as
// encoding/json does with SetEscapeHTML(false): '"', '\\' and control
// characters escaped (\b \f \n \r \t short, the rest \u00XX), invalid UTF-8
// as \ufffd, U+2028 and U+2029 as \u2028 and \u2029; '<', '>' and '&' kept.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendStringMember appends `,"name":"value"`; name is a plain ASCII
// literal that needs no escaping.
func appendStringMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
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
		b = appendJSONString(b, f.Amount)
		b = append(b, `,"fund_channel":`...)
		b = appendJSONString(b, f.FundChannel)
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

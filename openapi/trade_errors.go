package openapi

import (
	"strings"

	"github.com/zfbpay/zfb"
)

// The business fields of the trade APIs' error answers (spec §2.3, §4.2–4.4).

// cancelErrorResponse is a failed alipay.trade.cancel's answer: seed 003
// makes retry_flag part of every answer, and Alipay's face-to-face demo
// retries a cancel only when it reads "Y", so a failed cancel must say
// whether retrying can help.
type cancelErrorResponse struct {
	OutTradeNo string `json:"out_trade_no,omitempty"`
	RetryFlag  string `json:"retry_flag"`
	TradeNo    string `json:"trade_no,omitempty"`
}

func cancelErrorFields(c *Call, e *zfb.Error) any {
	ref := callRef(c)
	return cancelErrorResponse{OutTradeNo: ref.OutTradeNo.String(), RetryFlag: retryFlag(e), TradeNo: ref.TradeNo.String()}
}

// cancelRefusal is the answer's fields when the domain refused a cancel of
// a trade it found (ACQ.TRADE_CANCEL_TIME_OUT, say): its numbers, which the
// request may have given only one of. Otherwise nil: cancelErrorFields
// answers from the request.
func cancelRefusal(res *zfb.CancelResult, err error) any {
	e, ok := zfb.AsError(err)
	if !ok || res == nil || res.Trade == nil {
		return nil
	}
	return cancelErrorResponse{OutTradeNo: res.Trade.OutTradeNo, RetryFlag: retryFlag(e), TradeNo: res.Trade.TradeNo}
}

// retryFlag is a failed cancel's retry_flag: "Y" for a system error, which
// the same cancel may well get through; "N" for every business refusal,
// which a retry would only repeat.
func retryFlag(e *zfb.Error) string {
	if systemError(e) {
		return "Y"
	}
	return "N"
}

// systemError reports an error whose outcome is unknown: code 20000
// whatever its sub_code, ACQ.SYSTEM_ERROR and its real misspelling
// AQC.SYSTEM_ERROR, and the SYSTEM_ERROR a fault rule may answer (spec §3,
// §4.3, §6.2). A fault rule's error_after answers one after the work was
// done, so such an answer claims no amounts: a "refund_fee":"0.00" there
// would tell the merchant that nothing was refunded when it was.
func systemError(e *zfb.Error) bool {
	return e.Code == zfb.CodeUnavailable || strings.HasSuffix(e.SubCode, "SYSTEM_ERROR")
}

// tradeRefAnswer is the trade a failed call named, as given: all a system
// error's answer says.
type tradeRefAnswer struct {
	OutTradeNo string `json:"out_trade_no,omitempty"`
	TradeNo    string `json:"trade_no,omitempty"`
}

// queryErrorResponse is a failed alipay.trade.query's answer: the
// out_trade_no asked about and the amounts, all zero. Real answers look so
// (e.g. ACQ.TRADE_NOT_EXIST with "buyer_pay_amount":"0.00",
// "invoice_amount":"0.00", "point_amount":"0.00", "receipt_amount":"0.00"
// in the samples merchants paste; the exact set is UNCONFIRMED beyond
// those), and the Java SDK's parsed response then reads 0.00, not null.
type queryErrorResponse struct {
	BuyerPayAmount string `json:"buyer_pay_amount"`
	InvoiceAmount  string `json:"invoice_amount"`
	OutTradeNo     string `json:"out_trade_no,omitempty"`
	PointAmount    string `json:"point_amount"`
	ReceiptAmount  string `json:"receipt_amount"`
	TradeNo        string `json:"trade_no,omitempty"`
}

func queryErrorFields(c *Call, e *zfb.Error) any {
	ref := callRef(c)
	if systemError(e) {
		return tradeRefAnswer{OutTradeNo: ref.OutTradeNo.String(), TradeNo: ref.TradeNo.String()}
	}
	return queryErrorResponse{
		BuyerPayAmount: "0.00", InvoiceAmount: "0.00", OutTradeNo: ref.OutTradeNo.String(),
		PointAmount: "0.00", ReceiptAmount: "0.00", TradeNo: ref.TradeNo.String(),
	}
}

// refundErrorResponse is a failed alipay.trade.refund's answer, as in the
// real ACQ.REFUND_AMT_NOT_EQUAL_TOTAL sample (spec §2.3): the out_trade_no
// asked about, and nothing refunded.
type refundErrorResponse struct {
	OutTradeNo  string `json:"out_trade_no,omitempty"`
	RefundFee   string `json:"refund_fee"`
	SendBackFee string `json:"send_back_fee"`
	TradeNo     string `json:"trade_no,omitempty"`
}

func refundErrorFields(c *Call, e *zfb.Error) any {
	ref := callRef(c)
	if systemError(e) {
		return tradeRefAnswer{OutTradeNo: ref.OutTradeNo.String(), TradeNo: ref.TradeNo.String()}
	}
	return refundErrorResponse{OutTradeNo: ref.OutTradeNo.String(), RefundFee: "0.00", SendBackFee: "0.00", TradeNo: ref.TradeNo.String()}
}

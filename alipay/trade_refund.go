package alipay

import "context"

// TradeRefund is the request of alipay.trade.refund (spec/openapi.md §4.4).
// Give TradeNo or OutTradeNo. OutRequestNo identifies the refund (required
// for a partial one; without it the refund must be of the whole amount).
type TradeRefund struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	TradeNo        string   `json:"trade_no,omitempty"`
	OutTradeNo     string   `json:"out_trade_no,omitempty"`
	RefundAmount   string   `json:"refund_amount,omitempty"` // "0.01": sent as a string
	OutRequestNo   string   `json:"out_request_no,omitempty"`
	RefundReason   string   `json:"refund_reason,omitempty"`
	RefundCurrency string   `json:"refund_currency,omitempty"`
	OperatorID     string   `json:"operator_id,omitempty"`
	StoreID        string   `json:"store_id,omitempty"`
	TerminalID     string   `json:"terminal_id,omitempty"`
	OrgPID         string   `json:"org_pid,omitempty"`
	QueryOptions   []string `json:"query_options,omitempty"` // e.g. refund_detail_item_list
}

// TradeRefundResponse is the answer of alipay.trade.refund.
type TradeRefundResponse struct {
	Response
	TradeNo      string `json:"trade_no,omitempty"`
	OutTradeNo   string `json:"out_trade_no,omitempty"`
	BuyerLogonID string `json:"buyer_logon_id,omitempty"`
	BuyerUserID  string `json:"buyer_user_id,omitempty"`
	BuyerOpenID  string `json:"buyer_open_id,omitempty"`
	// FundChange is "Y" if this call moved money, "N" if not — notably when
	// it repeats an out_request_no already refunded, which is a success.
	FundChange string `json:"fund_change,omitempty"`
	// RefundFee is the trade's cumulative refunded amount, this refund
	// included.
	RefundFee            string     `json:"refund_fee,omitempty"`
	GmtRefundPay         string     `json:"gmt_refund_pay,omitempty"`
	StoreName            string     `json:"store_name,omitempty"`
	RefundDetailItemList []FundBill `json:"refund_detail_item_list,omitempty"`
	SendBackFee          string     `json:"send_back_fee,omitempty"`
	RefundCurrency       string     `json:"refund_currency,omitempty"`
	RefundHybAmount      string     `json:"refund_hyb_amount,omitempty"`
	RefundChargeAmount   string     `json:"refund_charge_amount,omitempty"`
	RefundSettlementID   string     `json:"refund_settlement_id,omitempty"`
}

// TradeFastpayRefundQuery is the request of alipay.trade.fastpay.refund.query.
// Give TradeNo or OutTradeNo, and the refund's OutRequestNo (for a refund
// sent without one, the trade's out_trade_no).
type TradeFastpayRefundQuery struct {
	AppAuthToken string `json:"-"`

	TradeNo      string   `json:"trade_no,omitempty"`
	OutTradeNo   string   `json:"out_trade_no,omitempty"`
	OutRequestNo string   `json:"out_request_no,omitempty"`
	OrgPID       string   `json:"org_pid,omitempty"`
	QueryOptions []string `json:"query_options,omitempty"` // e.g. refund_detail_item_list, gmt_refund_pay
}

// TradeFastpayRefundQueryResponse is the answer of
// alipay.trade.fastpay.refund.query.
type TradeFastpayRefundQueryResponse struct {
	Response
	TradeNo      string `json:"trade_no,omitempty"`
	OutTradeNo   string `json:"out_trade_no,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	TotalAmount  string `json:"total_amount,omitempty"`  // the trade's amount
	RefundAmount string `json:"refund_amount,omitempty"` // this refund's amount
	// RefundStatus is RefundStatusSuccess once the refund went through;
	// empty means Alipay has no successful refund under that out_request_no
	// (never received, or failed).
	RefundStatus         string     `json:"refund_status,omitempty"`
	RefundReason         string     `json:"refund_reason,omitempty"`
	GmtRefundPay         string     `json:"gmt_refund_pay,omitempty"`
	RefundDetailItemList []FundBill `json:"refund_detail_item_list,omitempty"`
	SendBackFee          string     `json:"send_back_fee,omitempty"`
	RefundHybAmount      string     `json:"refund_hyb_amount,omitempty"`
	RefundChargeAmount   string     `json:"refund_charge_amount,omitempty"`
	RefundSettlementID   string     `json:"refund_settlement_id,omitempty"`
}

// TradeRefund calls alipay.trade.refund. A refund is idempotent per
// (trade, OutRequestNo): after an unknown result (UnknownResult, timeout,
// transport error) retry with the same OutRequestNo and amount; a repeat
// answers 10000 with FundChange "N" and refunds nothing twice. A business
// *Error (ACQ.REFUND_AMT_NOT_EQUAL_TOTAL, ACQ.REASON_TRADE_REFUND_FEE_ERR,
// ACQ.TRADE_STATUS_ERROR…) refunded nothing; the response returned beside
// it holds what the answer carried (RefundFee, SendBackFee "0.00").
func (c *Client) TradeRefund(ctx context.Context, p TradeRefund) (*TradeRefundResponse, error) {
	return call[TradeRefundResponse](ctx, c, "alipay.trade.refund", &p, p.NotifyURL, p.AppAuthToken)
}

// TradeFastpayRefundQuery calls alipay.trade.fastpay.refund.query: it reports
// whether the refund OutRequestNo went through (RefundStatus
// RefundStatusSuccess). A 10000 answer without that status means no such
// refund succeeded: retry TradeRefund with the same OutRequestNo.
func (c *Client) TradeFastpayRefundQuery(ctx context.Context, p TradeFastpayRefundQuery) (*TradeFastpayRefundQueryResponse, error) {
	return call[TradeFastpayRefundQueryResponse](ctx, c, "alipay.trade.fastpay.refund.query", &p, "", p.AppAuthToken)
}

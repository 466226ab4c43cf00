package alipay

import (
	"context"
)

// Typed face-to-face trade calls (spec/openapi.md §4.1–4.7), in the style of
// stripe-go and smartwalle/alipay: one request struct and one response struct
// per API. JSON tags are Alipay's wire names. Amounts are strings in yuan with
// two decimals ("88.88") and times strings "yyyy-MM-dd HH:mm:ss" (Beijing
// time), exactly as on the wire; the SDK neither parses nor reformats them.
//
// Request fields are sent only when set (omitempty). NotifyURL and
// AppAuthToken are not business fields: they become the notify_url and
// app_auth_token common params. An API field the structs lack can be sent
// with Client.Do.

// trade_status values (spec/openapi.md §4.14). Untyped, so they compare with
// TradeQueryResponse.TradeStatus and with a notification's trade_status alike.
const (
	TradeStatusWaitBuyerPay = "WAIT_BUYER_PAY" // created, not paid yet
	TradeStatusClosed       = "TRADE_CLOSED"   // unpaid and closed (timed out, closed, cancelled), or fully refunded
	TradeStatusSuccess      = "TRADE_SUCCESS"  // paid; refundable
	TradeStatusFinished     = "TRADE_FINISHED" // paid; no refund possible any more
)

// TradeCancelResponse.Action values.
const (
	CancelActionClose  = "close"  // the trade was unpaid and is now closed
	CancelActionRefund = "refund" // the trade was paid and is now fully refunded
)

// RefundStatusSuccess is TradeFastpayRefundQueryResponse.RefundStatus for a
// refund that went through.
const RefundStatusSuccess = "REFUND_SUCCESS"

// GoodsDetail is one line of goods_detail.
type GoodsDetail struct {
	GoodsID        string `json:"goods_id"`
	GoodsName      string `json:"goods_name"`
	Quantity       int64  `json:"quantity"`
	Price          string `json:"price"` // unit price, yuan: "10.00"
	AlipayGoodsID  string `json:"alipay_goods_id,omitempty"`
	GoodsCategory  string `json:"goods_category,omitempty"`
	CategoriesTree string `json:"categories_tree,omitempty"`
	Body           string `json:"body,omitempty"`
	ShowURL        string `json:"show_url,omitempty"`
}

// FundBill is one funding channel of a payment (fund_bill_list) or of a
// refund (refund_detail_item_list).
type FundBill struct {
	FundChannel string `json:"fund_channel,omitempty"` // ALIPAYACCOUNT, PCREDIT, BANKCARD, POINT…
	BankCode    string `json:"bank_code,omitempty"`
	Amount      string `json:"amount,omitempty"`
	RealAmount  string `json:"real_amount,omitempty"`
	FundType    string `json:"fund_type,omitempty"` // refund details only: DEBIT_CARD, CREDIT_CARD, MIXED_CARD
}

// VoucherDetail is one coupon used in a payment (voucher_detail_list).
type VoucherDetail struct {
	ID                 string `json:"id,omitempty"`
	Name               string `json:"name,omitempty"`
	Type               string `json:"type,omitempty"`
	Amount             string `json:"amount,omitempty"`
	MerchantContribute string `json:"merchant_contribute,omitempty"`
	OtherContribute    string `json:"other_contribute,omitempty"`
	Memo               string `json:"memo,omitempty"`
}

// TradePay is the request of alipay.trade.pay (spec/openapi.md §4.1): the
// merchant scans the buyer's payment code (Scene "bar_code", AuthCode the
// code's digits), or charges a fund authorisation (AuthNo, BuyerID, SellerID,
// a pre-auth ProductCode, no Scene).
type TradePay struct {
	NotifyURL    string `json:"-"` // notify_url common param
	AppAuthToken string `json:"-"` // app_auth_token, when calling for an authorising merchant

	OutTradeNo           string        `json:"out_trade_no,omitempty"`
	Scene                string        `json:"scene,omitempty"`        // bar_code, security_code
	AuthCode             string        `json:"auth_code,omitempty"`    // the buyer's payment code
	ProductCode          string        `json:"product_code,omitempty"` // default FACE_TO_FACE_PAYMENT
	Subject              string        `json:"subject,omitempty"`
	TotalAmount          string        `json:"total_amount,omitempty"`
	DiscountableAmount   string        `json:"discountable_amount,omitempty"`
	UndiscountableAmount string        `json:"undiscountable_amount,omitempty"`
	Body                 string        `json:"body,omitempty"`
	GoodsDetail          []GoodsDetail `json:"goods_detail,omitempty"`
	TimeoutExpress       string        `json:"timeout_express,omitempty"` // 1m–15d, e.g. "90m"
	TimeExpire           string        `json:"time_expire,omitempty"`     // yyyy-MM-dd HH:mm:ss
	StoreID              string        `json:"store_id,omitempty"`
	AlipayStoreID        string        `json:"alipay_store_id,omitempty"`
	OperatorID           string        `json:"operator_id,omitempty"`
	TerminalID           string        `json:"terminal_id,omitempty"`
	AuthNo               string        `json:"auth_no,omitempty"`           // the freeze to pay from
	AuthConfirmMode      string        `json:"auth_confirm_mode,omitempty"` // COMPLETE or NOT_COMPLETE
	BuyerID              string        `json:"buyer_id,omitempty"`
	BuyerOpenID          string        `json:"buyer_open_id,omitempty"`
	SellerID             string        `json:"seller_id,omitempty"`
	TransCurrency        string        `json:"trans_currency,omitempty"`
	SettleCurrency       string        `json:"settle_currency,omitempty"`
	DisablePayChannels   string        `json:"disable_pay_channels,omitempty"`
	PassbackParams       string        `json:"passback_params,omitempty"`
	MerchantOrderNo      string        `json:"merchant_order_no,omitempty"`
	QueryOptions         []string      `json:"query_options,omitempty"`
	RequestOrgPID        string        `json:"request_org_pid,omitempty"`
	IsAsyncPay           bool          `json:"is_async_pay,omitempty"`
	TerminalParams       string        `json:"terminal_params,omitempty"`
	BusinessParams       string        `json:"business_params,omitempty"` // a JSON object, as a string
}

// TradePayResponse is the answer of alipay.trade.pay. On 10003
// (InProgress) it already carries trade_no, and the amounts read "0.00".
type TradePayResponse struct {
	Response
	TradeNo             string          `json:"trade_no,omitempty"`
	OutTradeNo          string          `json:"out_trade_no,omitempty"`
	BuyerLogonID        string          `json:"buyer_logon_id,omitempty"` // masked: 159****5620
	BuyerUserID         string          `json:"buyer_user_id,omitempty"`
	BuyerOpenID         string          `json:"buyer_open_id,omitempty"`
	TotalAmount         string          `json:"total_amount,omitempty"`
	ReceiptAmount       string          `json:"receipt_amount,omitempty"`
	BuyerPayAmount      string          `json:"buyer_pay_amount,omitempty"`
	PointAmount         string          `json:"point_amount,omitempty"`
	InvoiceAmount       string          `json:"invoice_amount,omitempty"`
	GmtPayment          string          `json:"gmt_payment,omitempty"`
	FundBillList        []FundBill      `json:"fund_bill_list,omitempty"`
	VoucherDetailList   []VoucherDetail `json:"voucher_detail_list,omitempty"`
	StoreName           string          `json:"store_name,omitempty"`
	CardBalance         string          `json:"card_balance,omitempty"`
	DiscountGoodsDetail string          `json:"discount_goods_detail,omitempty"`
	DiscountAmount      string          `json:"discount_amount,omitempty"`
	MdiscountAmount     string          `json:"mdiscount_amount,omitempty"`
	TransCurrency       string          `json:"trans_currency,omitempty"`
	SettleCurrency      string          `json:"settle_currency,omitempty"`
	SettleAmount        string          `json:"settle_amount,omitempty"`
	PayCurrency         string          `json:"pay_currency,omitempty"`
	PayAmount           string          `json:"pay_amount,omitempty"`
	SettleTransRate     string          `json:"settle_trans_rate,omitempty"`
	TransPayRate        string          `json:"trans_pay_rate,omitempty"`
	AuthTradePayMode    string          `json:"auth_trade_pay_mode,omitempty"` // CREDIT_PREAUTH_PAY
	PreAuthPayAmount    string          `json:"pre_auth_pay_amount,omitempty"`
	AsyncPayApplyStatus string          `json:"async_pay_apply_status,omitempty"`
	ChargeAmount        string          `json:"charge_amount,omitempty"`
	ChargeFlags         string          `json:"charge_flags,omitempty"`
	SettlementID        string          `json:"settlement_id,omitempty"`
	BusinessParams      string          `json:"business_params,omitempty"`
}

// TradePrecreate is the request of alipay.trade.precreate (spec/openapi.md
// §4.6): the buyer scans the QR code the merchant shows.
type TradePrecreate struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	OutTradeNo           string        `json:"out_trade_no,omitempty"`
	TotalAmount          string        `json:"total_amount,omitempty"`
	Subject              string        `json:"subject,omitempty"`
	ProductCode          string        `json:"product_code,omitempty"`
	Body                 string        `json:"body,omitempty"`
	GoodsDetail          []GoodsDetail `json:"goods_detail,omitempty"`
	SellerID             string        `json:"seller_id,omitempty"`
	DiscountableAmount   string        `json:"discountable_amount,omitempty"`
	UndiscountableAmount string        `json:"undiscountable_amount,omitempty"`
	StoreID              string        `json:"store_id,omitempty"`
	OperatorID           string        `json:"operator_id,omitempty"`
	TerminalID           string        `json:"terminal_id,omitempty"`
	TimeoutExpress       string        `json:"timeout_express,omitempty"`
	TimeExpire           string        `json:"time_expire,omitempty"`
	QRCodeTimeoutExpress string        `json:"qr_code_timeout_express,omitempty"` // at most 2h whatever is asked
	DisablePayChannels   string        `json:"disable_pay_channels,omitempty"`
	EnablePayChannels    string        `json:"enable_pay_channels,omitempty"`
	BuyerLogonID         string        `json:"buyer_logon_id,omitempty"`
	MerchantOrderNo      string        `json:"merchant_order_no,omitempty"`
	QueryOptions         []string      `json:"query_options,omitempty"`
}

// TradePrecreateResponse is the answer of alipay.trade.precreate.
type TradePrecreateResponse struct {
	Response
	OutTradeNo string `json:"out_trade_no,omitempty"`
	QRCode     string `json:"qr_code,omitempty"` // render it as a QR code; valid 2 h
	ShareCode  string `json:"share_code,omitempty"`
	PrepayID   string `json:"prepay_id,omitempty"`
}

// TradeCreate is the request of alipay.trade.create (spec/openapi.md §4.7):
// a trade for a known buyer (BuyerID or BuyerOpenID), who pays it in the
// Alipay app (mini-program / JSAPI).
type TradeCreate struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	OutTradeNo           string        `json:"out_trade_no,omitempty"`
	TotalAmount          string        `json:"total_amount,omitempty"`
	Subject              string        `json:"subject,omitempty"`
	ProductCode          string        `json:"product_code,omitempty"` // default FACE_TO_FACE_PAYMENT
	BuyerID              string        `json:"buyer_id,omitempty"`
	BuyerOpenID          string        `json:"buyer_open_id,omitempty"`
	OpAppID              string        `json:"op_app_id,omitempty"`
	OpBuyerOpenID        string        `json:"op_buyer_open_id,omitempty"`
	SellerID             string        `json:"seller_id,omitempty"`
	Body                 string        `json:"body,omitempty"`
	GoodsDetail          []GoodsDetail `json:"goods_detail,omitempty"`
	DiscountableAmount   string        `json:"discountable_amount,omitempty"`
	UndiscountableAmount string        `json:"undiscountable_amount,omitempty"`
	StoreID              string        `json:"store_id,omitempty"`
	OperatorID           string        `json:"operator_id,omitempty"`
	TerminalID           string        `json:"terminal_id,omitempty"`
	TimeoutExpress       string        `json:"timeout_express,omitempty"`
	TimeExpire           string        `json:"time_expire,omitempty"`
	DisablePayChannels   string        `json:"disable_pay_channels,omitempty"`
	EnablePayChannels    string        `json:"enable_pay_channels,omitempty"`
	PassbackParams       string        `json:"passback_params,omitempty"`
	MerchantOrderNo      string        `json:"merchant_order_no,omitempty"`
	QueryOptions         []string      `json:"query_options,omitempty"`
}

// TradeCreateResponse is the answer of alipay.trade.create; the trade is
// WAIT_BUYER_PAY.
type TradeCreateResponse struct {
	Response
	OutTradeNo string `json:"out_trade_no,omitempty"`
	TradeNo    string `json:"trade_no,omitempty"` // hand it to the mini-program's my.tradePay
}

// TradeQuery is the request of alipay.trade.query (spec/openapi.md §4.2).
// Give TradeNo or OutTradeNo; TradeNo wins when both are set.
type TradeQuery struct {
	AppAuthToken string `json:"-"`

	TradeNo      string   `json:"trade_no,omitempty"`
	OutTradeNo   string   `json:"out_trade_no,omitempty"`
	OrgPID       string   `json:"org_pid,omitempty"`
	QueryOptions []string `json:"query_options,omitempty"` // e.g. fund_bill_list, voucher_detail_list
}

// TradeQueryResponse is the answer of alipay.trade.query.
type TradeQueryResponse struct {
	Response
	TradeNo           string          `json:"trade_no,omitempty"`
	OutTradeNo        string          `json:"out_trade_no,omitempty"`
	TradeStatus       string          `json:"trade_status,omitempty"` // TradeStatusWaitBuyerPay…
	TotalAmount       string          `json:"total_amount,omitempty"`
	ReceiptAmount     string          `json:"receipt_amount,omitempty"`
	BuyerPayAmount    string          `json:"buyer_pay_amount,omitempty"`
	PointAmount       string          `json:"point_amount,omitempty"`
	InvoiceAmount     string          `json:"invoice_amount,omitempty"`
	SendPayDate       string          `json:"send_pay_date,omitempty"`
	BuyerLogonID      string          `json:"buyer_logon_id,omitempty"`
	BuyerUserID       string          `json:"buyer_user_id,omitempty"`
	BuyerOpenID       string          `json:"buyer_open_id,omitempty"`
	BuyerUserType     string          `json:"buyer_user_type,omitempty"` // PRIVATE, CORPORATE
	StoreID           string          `json:"store_id,omitempty"`
	StoreName         string          `json:"store_name,omitempty"`
	TerminalID        string          `json:"terminal_id,omitempty"`
	AlipayStoreID     string          `json:"alipay_store_id,omitempty"`
	FundBillList      []FundBill      `json:"fund_bill_list,omitempty"`
	VoucherDetailList []VoucherDetail `json:"voucher_detail_list,omitempty"`
	Subject           string          `json:"subject,omitempty"`
	Body              string          `json:"body,omitempty"`
	PassbackParams    string          `json:"passback_params,omitempty"`
	TransCurrency     string          `json:"trans_currency,omitempty"`
	SettleCurrency    string          `json:"settle_currency,omitempty"`
	SettleAmount      string          `json:"settle_amount,omitempty"`
	PayCurrency       string          `json:"pay_currency,omitempty"`
	PayAmount         string          `json:"pay_amount,omitempty"`
	SettleTransRate   string          `json:"settle_trans_rate,omitempty"`
	TransPayRate      string          `json:"trans_pay_rate,omitempty"`
	DiscountAmount    string          `json:"discount_amount,omitempty"`
	MdiscountAmount   string          `json:"mdiscount_amount,omitempty"`
	AuthTradePayMode  string          `json:"auth_trade_pay_mode,omitempty"`
	AdditionalStatus  string          `json:"additional_status,omitempty"`
	ExtInfos          string          `json:"ext_infos,omitempty"`
	ChargeAmount      string          `json:"charge_amount,omitempty"`
	ChargeFlags       string          `json:"charge_flags,omitempty"`
	SettlementID      string          `json:"settlement_id,omitempty"`
}

// TradeCancel is the request of alipay.trade.cancel (spec/openapi.md §4.3).
// Give TradeNo or OutTradeNo.
type TradeCancel struct {
	AppAuthToken string `json:"-"`

	TradeNo    string `json:"trade_no,omitempty"`
	OutTradeNo string `json:"out_trade_no,omitempty"`
}

// TradeCancelResponse is the answer of alipay.trade.cancel.
type TradeCancelResponse struct {
	Response
	TradeNo            string `json:"trade_no,omitempty"`
	OutTradeNo         string `json:"out_trade_no,omitempty"`
	RetryFlag          string `json:"retry_flag,omitempty"` // Y or N; see ShouldRetry
	Action             string `json:"action,omitempty"`     // CancelActionClose, CancelActionRefund, or "" if the trade did not exist
	GmtRefundPay       string `json:"gmt_refund_pay,omitempty"`
	RefundSettlementID string `json:"refund_settlement_id,omitempty"`
}

// ShouldRetry reports retry_flag "Y": Alipay asks for the cancel to be sent
// again (same trade) before its outcome is final.
func (r *TradeCancelResponse) ShouldRetry() bool { return r.RetryFlag == "Y" }

// TradeClose is the request of alipay.trade.close (spec/openapi.md §4.5).
// Give TradeNo or OutTradeNo; TradeNo wins when both are set.
type TradeClose struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	TradeNo    string `json:"trade_no,omitempty"`
	OutTradeNo string `json:"out_trade_no,omitempty"`
	OperatorID string `json:"operator_id,omitempty"`
}

// TradeCloseResponse is the answer of alipay.trade.close.
type TradeCloseResponse struct {
	Response
	TradeNo    string `json:"trade_no,omitempty"`
	OutTradeNo string `json:"out_trade_no,omitempty"`
}

// TradePay calls alipay.trade.pay: it charges the buyer whose payment code
// the merchant scanned (or pays from a fund authorisation).
//
//   - 10000: paid; the trade is TRADE_SUCCESS.
//   - 10003: the response and a nil error, with InProgress() true: the trade
//     exists but the buyer is still confirming (e.g. entering a password).
//     Poll TradeQuery until TRADE_SUCCESS or TRADE_CLOSED; if it does not
//     settle in time, TradeCancel.
//   - an *Error whose UnknownResult() is true, a timeout, a transport error
//     or an *HTTPError: the buyer may or may not have been charged. Query,
//     then cancel (spec/openapi.md §6.2); never just retry with a new
//     out_trade_no.
//   - any other *Error: this call charged nothing. IsCode(err,
//     "ACQ.TRADE_HAS_SUCCESS") means the out_trade_no was already paid by an
//     earlier call (query it); ACQ.PAYMENT_AUTH_CODE_INVALID,
//     ACQ.BUYER_BALANCE_NOT_ENOUGH… are final.
func (c *Client) TradePay(ctx context.Context, p TradePay) (*TradePayResponse, error) {
	return call[TradePayResponse](ctx, c, "alipay.trade.pay", &p, p.NotifyURL, p.AppAuthToken)
}

// TradePrecreate calls alipay.trade.precreate: it returns a QR code for the
// buyer to scan. Alipay creates the trade only when the buyer scans, so
// until then TradeQuery and TradeClose answer ACQ.TRADE_NOT_EXIST. Nothing
// is charged by this call; any error can be retried with the same request.
func (c *Client) TradePrecreate(ctx context.Context, p TradePrecreate) (*TradePrecreateResponse, error) {
	return call[TradePrecreateResponse](ctx, c, "alipay.trade.precreate", &p, p.NotifyURL, p.AppAuthToken)
}

// TradeCreate calls alipay.trade.create: it creates a WAIT_BUYER_PAY trade for
// a known buyer, who pays it in the Alipay app. An *Error such as
// ACQ.BUYER_NOT_EXIST or ACQ.TRADE_HAS_SUCCESS is final; on an unknown
// result, retry with the same out_trade_no.
func (c *Client) TradeCreate(ctx context.Context, p TradeCreate) (*TradeCreateResponse, error) {
	return call[TradeCreateResponse](ctx, c, "alipay.trade.create", &p, p.NotifyURL, p.AppAuthToken)
}

// TradeQuery calls alipay.trade.query: it reports a trade's status
// (TradeStatus) and amounts. IsCode(err, "ACQ.TRADE_NOT_EXIST") means Alipay
// has no such trade (yet: a precreated trade appears once scanned); on an
// unknown result (ACQ.SYSTEM_ERROR…) retry.
func (c *Client) TradeQuery(ctx context.Context, p TradeQuery) (*TradeQueryResponse, error) {
	return call[TradeQueryResponse](ctx, c, "alipay.trade.query", &p, "", p.AppAuthToken)
}

// TradeCancel calls alipay.trade.cancel, the way out of a payment whose
// outcome is unknown: an unpaid trade is closed (Action "close"), a paid one
// fully refunded (Action "refund"); a trade Alipay never saw is closed in
// advance, with no Action. It works only within 24 h of payment:
// ACQ.TRADE_CANCEL_TIME_OUT means use TradeRefund instead. If ShouldRetry()
// or the error's UnknownResult() is true, call it again: a failed cancel
// returns its response beside the *Error, so that its retry_flag is
// readable (r.ShouldRetry() with r non-nil).
func (c *Client) TradeCancel(ctx context.Context, p TradeCancel) (*TradeCancelResponse, error) {
	return call[TradeCancelResponse](ctx, c, "alipay.trade.cancel", &p, "", p.AppAuthToken)
}

// TradeClose calls alipay.trade.close: it closes an unpaid (WAIT_BUYER_PAY)
// trade, which becomes TRADE_CLOSED. ACQ.TRADE_STATUS_ERROR means the trade
// is not unpaid (paid or already closed); ACQ.TRADE_NOT_EXIST that Alipay
// has no such trade. On an unknown result, retry.
func (c *Client) TradeClose(ctx context.Context, p TradeClose) (*TradeCloseResponse, error) {
	return call[TradeCloseResponse](ctx, c, "alipay.trade.close", &p, p.NotifyURL, p.AppAuthToken)
}

package alipay

import "context"

// Typed fund authorisation (资金预授权) calls (spec/openapi.md §4.8–4.13), in
// the style of the trade calls (trade.go): one request struct and one
// response struct per API, JSON tags as Alipay's wire names, amounts strings
// in yuan ("4800.00") and times strings "yyyy-MM-dd HH:mm:ss" exactly as on
// the wire. Fields that carry JSON (extra_param, enable_pay_channels,
// identity_params, business_params…) are strings holding that JSON, as in
// Alipay's own SDKs.
//
// A freeze holds part of the buyer's balance for the merchant; the merchant
// later takes some of it (a payment from the authorisation, alipay.trade.pay)
// and releases the rest (unfreeze). With c a *Client:
//
//	f, err := c.FundAuthOrderFreeze(ctx, alipay.FundAuthOrderFreeze{
//		AuthCode: code, AuthCodeType: alipay.AuthCodeTypeBarCode,
//		OutOrderNo: "O1", OutRequestNo: "O1-freeze", OrderTitle: "Bike deposit",
//		Amount: "200.00", ProductCode: alipay.ProductCodePreAuth,
//	})
//	// … f.Status == alipay.AuthOperationStatusSuccess: 200.00 frozen under f.AuthNo
//	p, err := c.TradePay(ctx, alipay.TradePay{
//		OutTradeNo: "T1", Subject: "Bike rental", TotalAmount: "12.50",
//		ProductCode: alipay.ProductCodePreAuth, AuthNo: f.AuthNo,
//		AuthConfirmMode: alipay.AuthConfirmModeComplete, // release the other 187.50
//		BuyerID: f.PayerUserID, SellerID: sellerID,
//	})
//	// … or, paying nothing, release it all:
//	u, err := c.FundAuthOrderUnfreeze(ctx, alipay.FundAuthOrderUnfreeze{
//		AuthNo: f.AuthNo, OutRequestNo: "O1-unfreeze", Amount: "200.00", Remark: "returned",
//	})
//
// The payment answers a TradePayResponse like any other (TradeNo,
// TotalAmount, GmtPayment…; AuthTradePayMode "CREDIT_PREAUTH_PAY" and
// PreAuthPayAmount for a credit pre-authorisation only). Without
// AuthConfirmModeComplete the rest stays frozen until unfrozen.
//
// Fund authorisation sub_codes carry no "ACQ." prefix: IsCode(err,
// "AUTH_ORDER_NOT_EXIST"), IsCode(err, "FREEZE_ALREADY_SUCCESS"). Their
// SYSTEM_ERROR is an unknown result, as ACQ.SYSTEM_ERROR is (see
// Error.UnknownResult).

// order_status values of a fund authorisation order (spec/openapi.md §4.14),
// in FundAuthOperationDetailQueryResponse.OrderStatus.
const (
	AuthOrderStatusInit       = "INIT"       // created, not authorised yet
	AuthOrderStatusAuthorized = "AUTHORIZED" // frozen: may be paid from or unfrozen
	AuthOrderStatusFinish     = "FINISH"     // paid from, nothing left frozen
	AuthOrderStatusClosed     = "CLOSED"     // never authorised (timed out), or fully unfrozen
)

// operation_type values: what an operation on an authorisation order did
// (spec/openapi.md §4.13). FundAuthOperationDetailQuery takes one to pick the
// operation, and answers it.
const (
	AuthOperationFreeze   = "FREEZE"
	AuthOperationUnfreeze = "UNFREEZE"
	AuthOperationPay      = "PAY" // a payment from the authorisation (alipay.trade.pay)
)

// status values of an operation (a freeze, an unfreeze, a payment) on an
// authorisation order (spec/openapi.md §4.14). An unfreeze answers only
// SUCCESS.
const (
	AuthOperationStatusInit    = "INIT"    // waiting for the buyer (a freeze that asks for a password, a voucher not scanned yet)
	AuthOperationStatusSuccess = "SUCCESS" // done: the money is frozen (or unfrozen, or paid)
	AuthOperationStatusClosed  = "CLOSED"  // did not happen: timed out or cancelled
)

// FundAuthOperationCancelResponse.Action values (spec/openapi.md §4.12).
const (
	AuthCancelActionClose    = "close"    // the freeze had not happened; its operation is closed, nothing was frozen
	AuthCancelActionUnfreeze = "unfreeze" // the freeze had happened; the frozen money is released
)

// TradePay.AuthConfirmMode values, for a payment from an authorisation
// (spec/openapi.md §4.1).
const (
	AuthConfirmModeComplete    = "COMPLETE"     // after the payment, unfreeze what is left
	AuthConfirmModeNotComplete = "NOT_COMPLETE" // the default: what is left stays frozen
)

// product_code values of fund authorisation (spec/openapi.md §4.1, §4.8,
// §4.10): freezes and the payments from them. Which of them a payment from
// an authorisation must carry is UNCONFIRMED (spec §4.1); zfb accepts all
// three.
const (
	ProductCodePreAuth       = "PRE_AUTH"        // 当面资金授权: face-to-face freeze, voucher
	ProductCodePreAuthPay    = "PREAUTH_PAY"     // 预授权支付: current freeze and in-app freeze integrations
	ProductCodePreAuthOnline = "PRE_AUTH_ONLINE" // older online pre-authorisation
)

// FundAuthOrderFreeze.AuthCodeType values.
const (
	AuthCodeTypeBarCode      = "bar_code"      // the buyer's payment code, scanned
	AuthCodeTypeSecurityCode = "security_code" // face payment (AuthCode starts with "fp")
)

// PreAuthTypeCredit is pre_auth_type for a credit pre-authorisation: no
// money of the buyer's was actually frozen.
const PreAuthTypeCredit = "CREDIT_AUTH"

// PostPayment is one item of post_payments: what the merchant will charge
// after the service, shown to the buyer when authorising (Zhima
// deposit-free products; see DepositProductMode).
type PostPayment struct {
	Name        string `json:"name,omitempty"`
	Amount      string `json:"amount,omitempty"` // yuan; not with DepositProductMode POSTPAY_UNCERTAIN
	Description string `json:"description,omitempty"`
}

// FundAuthOrderFreeze is the request of alipay.fund.auth.order.freeze
// (spec/openapi.md §4.8): the merchant scans the buyer's payment code and
// freezes Amount of the buyer's funds.
type FundAuthOrderFreeze struct {
	NotifyURL    string `json:"-"` // notify_url common param: fund_auth_freeze notifications
	AppAuthToken string `json:"-"` // app_auth_token, when calling for an authorising merchant

	AuthCode           string        `json:"auth_code,omitempty"`      // the buyer's payment code
	AuthCodeType       string        `json:"auth_code_type,omitempty"` // AuthCodeTypeBarCode, AuthCodeTypeSecurityCode
	OutOrderNo         string        `json:"out_order_no,omitempty"`   // the merchant's authorisation order number
	OutRequestNo       string        `json:"out_request_no,omitempty"` // this operation's number; may equal OutOrderNo
	OrderTitle         string        `json:"order_title,omitempty"`
	Amount             string        `json:"amount,omitempty"`       // yuan, [0.01, 100000000.00]
	ProductCode        string        `json:"product_code,omitempty"` // ProductCodePreAuth, ProductCodePreAuthPay
	PayeeUserID        string        `json:"payee_user_id,omitempty"`
	PayeeLogonID       string        `json:"payee_logon_id,omitempty"`
	PayTimeout         string        `json:"pay_timeout,omitempty"`     // 1m–15d, default 15m
	TimeoutExpress     string        `json:"timeout_express,omitempty"` // the older name of PayTimeout
	ExtraParam         string        `json:"extra_param,omitempty"`     // a JSON object, as a string: {"category":…,"serviceId":…}
	EnablePayChannels  string        `json:"enable_pay_channels,omitempty"`
	DisablePayChannels string        `json:"disable_pay_channels,omitempty"`
	IdentityParams     string        `json:"identity_params,omitempty"` // a JSON object, as a string
	SceneCode          string        `json:"scene_code,omitempty"`      // HOTEL for face payment
	TransCurrency      string        `json:"trans_currency,omitempty"`
	SettleCurrency     string        `json:"settle_currency,omitempty"`
	TerminalParams     string        `json:"terminal_params,omitempty"`
	BusinessParams     string        `json:"business_params,omitempty"`      // a JSON object, as a string
	DepositProductMode string        `json:"deposit_product_mode,omitempty"` // POSTPAY, POSTPAY_UNCERTAIN, DEPOSIT_ONLY
	PostPayments       []PostPayment `json:"post_payments,omitempty"`        // with DepositProductMode POSTPAY*
}

// FundAuthOrderFreezeResponse is the answer of alipay.fund.auth.order.freeze.
type FundAuthOrderFreezeResponse struct {
	Response
	AuthNo       string `json:"auth_no,omitempty"` // Alipay's authorisation order number: pay from it, unfreeze it
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"` // Alipay's number of this freeze operation
	OutRequestNo string `json:"out_request_no,omitempty"`
	Amount       string `json:"amount,omitempty"`
	CreditAmount string `json:"credit_amount,omitempty"` // the part granted on credit (no money frozen)
	FundAmount   string `json:"fund_amount,omitempty"`   // the part frozen from the buyer's funds
	GmtTrans     string `json:"gmt_trans,omitempty"`
	// Status is the freeze operation's status: AuthOperationStatusSuccess
	// once frozen, AuthOperationStatusInit while the buyer confirms,
	// AuthOperationStatusClosed if it did not happen.
	Status        string `json:"status,omitempty"`
	PayerLogonID  string `json:"payer_logon_id,omitempty"` // masked
	PayerUserID   string `json:"payer_user_id,omitempty"`  // the TradePay.BuyerID of a payment from this authorisation
	PayerOpenID   string `json:"payer_open_id,omitempty"`
	PreAuthType   string `json:"pre_auth_type,omitempty"` // PreAuthTypeCredit, or empty
	TransCurrency string `json:"trans_currency,omitempty"`
}

// FundAuthOrderVoucherCreate is the request of
// alipay.fund.auth.order.voucher.create (spec/openapi.md §4.9): Alipay makes
// a QR code for the buyer to scan and authorise the freeze in the Alipay app.
type FundAuthOrderVoucherCreate struct {
	NotifyURL    string `json:"-"` // notify_url common param: the fund_auth_freeze notification
	AppAuthToken string `json:"-"`

	OutOrderNo         string        `json:"out_order_no,omitempty"`
	OutRequestNo       string        `json:"out_request_no,omitempty"`
	OrderTitle         string        `json:"order_title,omitempty"`
	Amount             string        `json:"amount,omitempty"`
	ProductCode        string        `json:"product_code,omitempty"` // ProductCodePreAuth
	PayeeUserID        string        `json:"payee_user_id,omitempty"`
	PayeeLogonID       string        `json:"payee_logon_id,omitempty"`
	PayTimeout         string        `json:"pay_timeout,omitempty"`
	TimeoutExpress     string        `json:"timeout_express,omitempty"`
	ExtraParam         string        `json:"extra_param,omitempty"`
	EnablePayChannels  string        `json:"enable_pay_channels,omitempty"`
	DisablePayChannels string        `json:"disable_pay_channels,omitempty"`
	TransCurrency      string        `json:"trans_currency,omitempty"`
	SettleCurrency     string        `json:"settle_currency,omitempty"`
	PostPayments       []PostPayment `json:"post_payments,omitempty"`
	DepositProductMode string        `json:"deposit_product_mode,omitempty"`
	IdentityParams     string        `json:"identity_params,omitempty"`
	BusinessParams     string        `json:"business_params,omitempty"`
}

// FundAuthOrderVoucherCreateResponse is the answer of
// alipay.fund.auth.order.voucher.create.
type FundAuthOrderVoucherCreateResponse struct {
	Response
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	CodeType     string `json:"code_type,omitempty"`  // qrCode
	CodeValue    string `json:"code_value,omitempty"` // render it as a QR code
	CodeURL      string `json:"code_url,omitempty"`   // Alipay's image of it; append &picSize=… to size it
}

// FundAuthOrderUnfreeze is the request of alipay.fund.auth.order.unfreeze
// (spec/openapi.md §4.11): it releases Amount of what an authorisation still
// holds frozen.
type FundAuthOrderUnfreeze struct {
	// NotifyURL is the notify_url common param. The fund_auth_unfreeze
	// notification goes only to the URL given on this call.
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	AuthNo       string `json:"auth_no,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"` // a new number per unfreeze; the same one to retry it
	Amount       string `json:"amount,omitempty"`         // at most what is still frozen
	Remark       string `json:"remark,omitempty"`         // required: ≤100 letters or 50 Chinese characters
	ExtraParam   string `json:"extra_param,omitempty"`    // e.g. {"unfreezeBizInfo":"{\"bizComplete\":\"true\"}"}
}

// FundAuthOrderUnfreezeResponse is the answer of
// alipay.fund.auth.order.unfreeze.
type FundAuthOrderUnfreezeResponse struct {
	Response
	AuthNo       string `json:"auth_no,omitempty"`
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	Amount       string `json:"amount,omitempty"` // unfrozen by this operation
	CreditAmount string `json:"credit_amount,omitempty"`
	FundAmount   string `json:"fund_amount,omitempty"`
	GmtTrans     string `json:"gmt_trans,omitempty"`
	Status       string `json:"status,omitempty"` // AuthOperationStatusSuccess
}

// FundAuthOperationCancel is the request of alipay.fund.auth.operation.cancel
// (spec/openapi.md §4.12). Give AuthNo or OutOrderNo (AuthNo wins), and the
// freeze's OperationID or OutRequestNo (OperationID wins).
type FundAuthOperationCancel struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	AuthNo       string `json:"auth_no,omitempty"`
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"` // the freeze's out_request_no
	Remark       string `json:"remark,omitempty"`         // required: ≤100 letters or 50 Chinese characters
}

// FundAuthOperationCancelResponse is the answer of
// alipay.fund.auth.operation.cancel.
type FundAuthOperationCancelResponse struct {
	Response
	AuthNo       string `json:"auth_no,omitempty"`
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	Action       string `json:"action,omitempty"` // AuthCancelActionClose, AuthCancelActionUnfreeze
}

// FundAuthOperationDetailQuery is the request of
// alipay.fund.auth.operation.detail.query (spec/openapi.md §4.13). Give
// AuthNo or OutOrderNo (AuthNo wins), and OperationID or OutRequestNo
// (OperationID wins). For a payment from the authorisation, OutRequestNo is
// the payment's out_trade_no.
type FundAuthOperationDetailQuery struct {
	AppAuthToken string `json:"-"`

	AuthNo       string `json:"auth_no,omitempty"`
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	// OperationType picks the operation (AuthOperationFreeze…). Without it,
	// a single match is answered; of several, the freeze, else the
	// unfreeze.
	OperationType string   `json:"operation_type,omitempty"`
	QueryOptions  []string `json:"query_options,omitempty"`
}

// CreditRiskInfo is credit_risk_info: Zhima's risk assessment of the buyer,
// on credit pre-authorisations only.
type CreditRiskInfo struct {
	CanRetry bool   `json:"can_retry,omitempty"`
	Code     string `json:"code,omitempty"`
	Data     string `json:"data,omitempty"`
}

// FundAuthOperationDetailQueryResponse is the answer of
// alipay.fund.auth.operation.detail.query: the authorisation order's totals
// and status, and one of its operations.
type FundAuthOperationDetailQueryResponse struct {
	Response
	AuthNo      string `json:"auth_no,omitempty"`
	OutOrderNo  string `json:"out_order_no,omitempty"`
	OrderStatus string `json:"order_status,omitempty"` // AuthOrderStatusAuthorized…

	// The order's totals: frozen in all, paid from it, still frozen.
	TotalFreezeAmount       string `json:"total_freeze_amount,omitempty"`
	TotalFreezeCreditAmount string `json:"total_freeze_credit_amount,omitempty"`
	TotalFreezeFundAmount   string `json:"total_freeze_fund_amount,omitempty"`
	// TotalUnfreezeAmount is in the fund_auth_* notifications (spec
	// §5.2); that the query answers it too is UNCONFIRMED.
	TotalUnfreezeAmount  string `json:"total_unfreeze_amount,omitempty"`
	TotalPayAmount       string `json:"total_pay_amount,omitempty"`
	TotalPayCreditAmount string `json:"total_pay_credit_amount,omitempty"`
	TotalPayFundAmount   string `json:"total_pay_fund_amount,omitempty"`
	RestAmount           string `json:"rest_amount,omitempty"`
	RestCreditAmount     string `json:"rest_credit_amount,omitempty"`
	RestFundAmount       string `json:"rest_fund_amount,omitempty"`

	OrderTitle   string `json:"order_title,omitempty"`
	PayerLogonID string `json:"payer_logon_id,omitempty"` // masked
	PayerUserID  string `json:"payer_user_id,omitempty"`
	PayerOpenID  string `json:"payer_open_id,omitempty"`
	ExtraParam   string `json:"extra_param,omitempty"` // only the merchantExt the freeze carried

	// The operation.
	OperationID   string `json:"operation_id,omitempty"`
	OutRequestNo  string `json:"out_request_no,omitempty"`
	Amount        string `json:"amount,omitempty"`
	CreditAmount  string `json:"credit_amount,omitempty"`
	FundAmount    string `json:"fund_amount,omitempty"`
	OperationType string `json:"operation_type,omitempty"` // AuthOperationFreeze, AuthOperationUnfreeze, AuthOperationPay
	Status        string `json:"status,omitempty"`         // AuthOperationStatusInit, …Success, …Closed
	Remark        string `json:"remark,omitempty"`
	GmtCreate     string `json:"gmt_create,omitempty"`
	GmtTrans      string `json:"gmt_trans,omitempty"`

	PreAuthType       string          `json:"pre_auth_type,omitempty"` // PreAuthTypeCredit, or empty
	TransCurrency     string          `json:"trans_currency,omitempty"`
	CreditRiskInfo    *CreditRiskInfo `json:"credit_risk_info,omitempty"`
	CreditMerchantExt string          `json:"credit_merchant_ext,omitempty"`
	EnterprisePayInfo string          `json:"enterprise_pay_info,omitempty"`
}

// FundAuthOrderFreeze calls alipay.fund.auth.order.freeze: it freezes Amount
// of the funds of the buyer whose payment code the merchant scanned.
//
//   - 10000 with Status AuthOperationStatusSuccess: frozen under AuthNo; pay
//     from it with TradePay, release it with FundAuthOrderUnfreeze.
//   - Status AuthOperationStatusInit, or 10003 (the response and a nil
//     error, InProgress() true): the buyer is still confirming (e.g.
//     entering a password). Which of the two Alipay answers is UNCONFIRMED
//     (spec §4.8). Poll FundAuthOperationDetailQuery (OutOrderNo,
//     OutRequestNo) until SUCCESS or CLOSED; if it does not settle in time,
//     FundAuthOperationCancel.
//   - an *Error whose UnknownResult() is true (SYSTEM_ERROR, 20000…), a
//     timeout, a transport error or an *HTTPError: the funds may or may not
//     be frozen. Query, then cancel; never just retry with a new
//     out_order_no.
//   - any other *Error: this call froze nothing. FREEZE_ALREADY_SUCCESS means
//     an earlier call with the same numbers froze it (query it);
//     PAYMENT_AUTH_CODE_INVALID, MONEY_NOT_ENOUGH, PAYER_PAYEE_EQUAL… are
//     final.
func (c *Client) FundAuthOrderFreeze(ctx context.Context, p FundAuthOrderFreeze) (*FundAuthOrderFreezeResponse, error) {
	return call[FundAuthOrderFreezeResponse](ctx, c, "alipay.fund.auth.order.freeze", &p, p.NotifyURL, p.AppAuthToken)
}

// FundAuthOrderVoucherCreate calls alipay.fund.auth.order.voucher.create: it
// returns a QR code (CodeValue) for the buyer to scan and authorise the
// freeze. Nothing is frozen by this call; the freeze, once the buyer
// confirms, is reported by a fund_auth_freeze notification to NotifyURL, and
// FundAuthOperationDetailQuery (OutOrderNo, OutRequestNo) shows it. On an
// unknown result, retry with the same numbers.
func (c *Client) FundAuthOrderVoucherCreate(ctx context.Context, p FundAuthOrderVoucherCreate) (*FundAuthOrderVoucherCreateResponse, error) {
	return call[FundAuthOrderVoucherCreateResponse](ctx, c, "alipay.fund.auth.order.voucher.create", &p, p.NotifyURL, p.AppAuthToken)
}

// FundAuthOrderUnfreeze calls alipay.fund.auth.order.unfreeze: it releases
// Amount of the funds the authorisation AuthNo holds. An unfreeze is
// idempotent per (authorisation, OutRequestNo): after an unknown result
// (UnknownResult, timeout, transport error) retry with the same OutRequestNo
// and Amount; a repeat unfreezes nothing twice. A business *Error
// (REQUEST_AMOUNT_EXCEED: more than is still frozen; AUTH_ORDER_NOT_EXIST;
// ORDER_ALREADY_FINISH, ORDER_ALREADY_CLOSED…) unfroze nothing.
func (c *Client) FundAuthOrderUnfreeze(ctx context.Context, p FundAuthOrderUnfreeze) (*FundAuthOrderUnfreezeResponse, error) {
	return call[FundAuthOrderUnfreezeResponse](ctx, c, "alipay.fund.auth.order.unfreeze", &p, p.NotifyURL, p.AppAuthToken)
}

// FundAuthOperationCancel calls alipay.fund.auth.operation.cancel, the way
// out of a freeze whose outcome is unknown (a timeout, SYSTEM_ERROR): a
// freeze that had not happened is closed (Action "close"), one that had is
// unfrozen (Action "unfreeze"). Otherwise release funds with
// FundAuthOrderUnfreeze. Alipay's English documentation says a cancel must
// come within 24 hours of the freeze; the spec leaves the window
// UNCONFIRMED (§4.12). CANCEL_OPERATION_TIME_OUT means the window is past:
// unfreeze instead. On an unknown result, call it again with the same
// parameters.
func (c *Client) FundAuthOperationCancel(ctx context.Context, p FundAuthOperationCancel) (*FundAuthOperationCancelResponse, error) {
	return call[FundAuthOperationCancelResponse](ctx, c, "alipay.fund.auth.operation.cancel", &p, p.NotifyURL, p.AppAuthToken)
}

// FundAuthOperationDetailQuery calls alipay.fund.auth.operation.detail.query:
// it reports an authorisation order (OrderStatus, totals) and one of its
// operations (OperationType, Status, Amount). AUTH_ORDER_NOT_EXIST and
// AUTH_OPERATION_NOT_EXIST mean Alipay has no such order or operation; on an
// unknown result (SYSTEM_ERROR…) retry.
func (c *Client) FundAuthOperationDetailQuery(ctx context.Context, p FundAuthOperationDetailQuery) (*FundAuthOperationDetailQueryResponse, error) {
	return call[FundAuthOperationDetailQueryResponse](ctx, c, "alipay.fund.auth.operation.detail.query", &p, "", p.AppAuthToken)
}

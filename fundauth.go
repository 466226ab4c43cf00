package zfb

import "time"

// Fund authorisation (资金授权, a pre-authorisation hold): a merchant freezes
// part of a buyer's balance, later pays from it (alipay.trade.pay with
// auth_no) and unfreezes the rest. Spec: spec/openapi.md §4.1, §4.8–4.14.
//
// One AuthOrder per out_order_no holds one FREEZE operation (Alipay does not
// support additional freezes on an order), then any number of UNFREEZE and
// PAY operations. Money moves in the ledger: a freeze moves the buyer's
// available funds to their frozen account, a pay moves frozen funds to the
// merchant, an unfreeze (or a cancel) moves them back to available.

// AuthOrderStatus is an authorisation order's order_status (spec §4.14).
type AuthOrderStatus string

const (
	// AuthOrderInit: created, nothing frozen yet (the buyer has not
	// confirmed, or has not scanned the voucher's QR code).
	AuthOrderInit AuthOrderStatus = "INIT"
	// AuthOrderAuthorized: funds are frozen; the merchant may pay from them
	// or unfreeze them.
	AuthOrderAuthorized AuthOrderStatus = "AUTHORIZED"
	// AuthOrderFinish: paid from, and nothing is frozen any more.
	AuthOrderFinish AuthOrderStatus = "FINISH"
	// AuthOrderClosed: timed out or cancelled before anything was frozen,
	// or everything frozen was released without a payment.
	AuthOrderClosed AuthOrderStatus = "CLOSED"
)

// AuthOperationType is a fund operation's operation_type.
type AuthOperationType string

const (
	AuthOpFreeze   AuthOperationType = "FREEZE"
	AuthOpUnfreeze AuthOperationType = "UNFREEZE"
	AuthOpPay      AuthOperationType = "PAY"
)

// AuthOperationRef names an operation of an order, as
// alipay.fund.auth.operation.detail.query does: the order by AuthNo, or
// when it is "" by its app and OutOrderNo; the operation by OperationID,
// or when it is "" by OutRequestNo among the operations of Type. Without a
// Type, an out_request_no that several operations share finds the freeze
// first, then the unfreeze, then the pay (spec §4.13).
type AuthOperationRef struct {
	AuthNo            string
	AppID, OutOrderNo string
	OperationID       string
	OutRequestNo      string
	Type              AuthOperationType
}

// AuthOperationStatus is a fund operation's status.
type AuthOperationStatus string

const (
	AuthOpInit    AuthOperationStatus = "INIT"    // waiting for the buyer
	AuthOpSuccess AuthOperationStatus = "SUCCESS" // the money moved
	AuthOpClosed  AuthOperationStatus = "CLOSED"  // never happened, or undone by a cancel
)

// How an authorisation order came to be.
const (
	AuthKindFreeze  = "freeze"  // alipay.fund.auth.order.freeze: the merchant scanned the buyer's code
	AuthKindVoucher = "voucher" // alipay.fund.auth.order.voucher.create: the buyer scans a QR code
	// AuthKindCancelled is no order at all: alipay.fund.auth.operation.cancel
	// named an out_order_no zfb had never seen. It is kept, closed, so that
	// a freeze arriving late with that number is refused instead of
	// freezing the buyer's money.
	AuthKindCancelled = "cancelled"
)

// Cancel actions of alipay.fund.auth.operation.cancel.
const (
	AuthCancelClose    = "close"    // the operation was INIT: nothing had been frozen
	AuthCancelUnfreeze = "unfreeze" // frozen funds were released
)

// AuthOrder is one fund authorisation of an app. Amounts are CNY minor units.
type AuthOrder struct {
	AuthNo     string
	AppID      string
	OutOrderNo string
	Kind       string
	Status     AuthOrderStatus
	// PayeeUserID is the merchant (seller id) the funds are frozen for.
	PayeeUserID string
	// PayerUserID is the buyer; empty until one is known (a voucher nobody
	// has scanned).
	PayerUserID string
	OrderTitle  string
	ProductCode string
	// ExtraParam is the extra_param JSON the merchant sent, as sent.
	ExtraParam string

	TotalFreezeAmount   int64
	TotalUnfreezeAmount int64
	TotalPayAmount      int64

	// Fingerprint digests the business parameters of the call that created
	// the order: a repeat with other parameters is UNIQUE_VIOLATION.
	Fingerprint string
	// CodeValue is the QR code a voucher shows.
	CodeValue string
	// NotifyURL is the freeze call's notify_url.
	NotifyURL string
	// AgentAppID is the third-party (ISV) app that made the order for the
	// merchant with an app_auth_token; empty when the app called itself.
	AgentAppID string
	// ExpiresAt is when an order still INIT closes, on the app's clock.
	ExpiresAt time.Time
	CreatedAt time.Time
	ClosedAt  time.Time // zero until closed or finished

	// Version counts the order's updates; UpdateAuthOrder writes only over
	// the version it read. Every command that changes an operation updates
	// its order in the same transaction, so the order's version guards its
	// operations too.
	Version int64
}

// RestAmount is what is still frozen: frozen, less unfrozen and paid.
func (o *AuthOrder) RestAmount() int64 {
	return o.TotalFreezeAmount - o.TotalUnfreezeAmount - o.TotalPayAmount
}

// AuthOperation is one fund operation of an order, identified by the
// merchant's out_request_no within the order and type (a PAY operation's
// out_request_no is the pay's out_trade_no, so it may repeat a freeze's).
type AuthOperation struct {
	OperationID  string
	AuthNo       string
	OutRequestNo string
	Type         AuthOperationType
	Status       AuthOperationStatus
	Amount       int64
	Remark       string
	// TradeNo is the trade a PAY operation paid.
	TradeNo string
	// CancelAction is what alipay.fund.auth.operation.cancel did to a
	// FREEZE operation (AuthCancelClose, AuthCancelUnfreeze); empty when
	// it was never cancelled. A repeated cancel answers the same.
	CancelAction string
	CreatedAt    time.Time // gmt_create
	TransAt      time.Time // gmt_trans: when it succeeded; zero until then
	ClosedAt     time.Time // zero until closed
}

// Transfer kinds of fund authorisation; Ref is the auth_no.
const (
	TransferFreeze   = "freeze"   // buyer available → buyer frozen
	TransferUnfreeze = "unfreeze" // buyer frozen → buyer available (unfreeze, cancel)
	TransferAuthPay  = "auth_pay" // buyer frozen → merchant (alipay.trade.pay with auth_no)
)

// Outbox kinds of fund authorisation notifications (spec §5.2, seed 000).
const (
	NotifyFundAuthFreeze   = "fund_auth_freeze"
	NotifyFundAuthUnfreeze = "fund_auth_unfreeze"
	// NotifyFundAuthOperationCancel is the notify_type of seed 000's
	// notification. The seed names its trigger fund_auth_operation_cancel
	// while its sample URL says notify_type=trade_status_sync with every
	// field null, a copy of the trade template; zfb sends the trigger's
	// name, which lets a merchant tell it from a trade's (UNCONFIRMED).
	NotifyFundAuthOperationCancel = "fund_auth_operation_cancel"
)

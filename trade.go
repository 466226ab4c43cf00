package zfb

import (
	"errors"
	"time"
)

// TradeStatus is a trade's trade_status (spec/openapi.md §4.14).
type TradeStatus string

const (
	// TradeWaitBuyerPay: created, the buyer has not paid.
	TradeWaitBuyerPay TradeStatus = "WAIT_BUYER_PAY"
	// TradeSuccess: paid and refundable.
	TradeSuccess TradeStatus = "TRADE_SUCCESS"
	// TradeClosed: unpaid and closed (timed out, closed, cancelled), or
	// fully refunded after payment.
	TradeClosed TradeStatus = "TRADE_CLOSED"
	// TradeFinished: paid, and no refund is possible any more.
	TradeFinished TradeStatus = "TRADE_FINISHED"
)

// How a trade came to be.
const (
	TradeKindPay       = "pay"       // alipay.trade.pay: the merchant scanned the buyer's code
	TradeKindPrecreate = "precreate" // alipay.trade.precreate: the buyer scans the merchant's QR code
	TradeKindCreate    = "create"    // alipay.trade.create: the buyer is known, pays in their app
	TradeKindAuthPay   = "auth_pay"  // alipay.trade.pay with auth_no: paid from a fund authorisation
	// TradeKindCancelled is no trade at all: alipay.trade.cancel named an
	// out_trade_no zfb had never seen. It is kept, closed, so that a pay
	// arriving late with that out_trade_no is refused instead of charging.
	TradeKindCancelled = "cancelled"
)

// Trade is a face-to-face trade of one app. Amounts are CNY minor units.
type Trade struct {
	TradeNo    string
	AppID      string
	OutTradeNo string
	Kind       string
	Status     TradeStatus
	SellerID   string
	// BuyerID is the paying buyer's user id; empty until one is known.
	BuyerID string
	Subject string
	Body    string
	// AuthNo is the fund authorisation a TradeKindAuthPay trade was paid
	// from; empty for other trades.
	AuthNo string
	// AgentAppID is the third-party (ISV) app that made the trade for the
	// merchant with an app_auth_token; empty when the app called itself.
	// Its notifications go out as the ISV's (spec isv-and-identity §1.7).
	AgentAppID string

	TotalAmount    int64
	RefundedAmount int64

	// Fingerprint is a digest of the business parameters of the call that
	// created the trade: a repeat with other parameters is
	// ACQ.CONTEXT_INCONSISTENT, never a second trade.
	Fingerprint string
	// QRCode is the code a precreated trade shows. Scanned says a buyer
	// has scanned it: until then the trade does not exist for query, close
	// and cancel, as on Alipay (spec §4.2).
	QRCode  string
	Scanned bool
	// PassbackParams is the page, wap or app call's passback_params, as
	// sent (URL-encoded by the merchant): its notifications carry it back.
	PassbackParams string

	NotifyURL string
	// ExpiresAt is when an unpaid trade closes, on the app's clock.
	ExpiresAt time.Time
	CreatedAt time.Time
	PaidAt    time.Time // zero until paid
	ClosedAt  time.Time // zero until closed
	// CancelAction is what alipay.trade.cancel did: "close" or "refund";
	// empty when it was never cancelled. A repeated cancel answers the same.
	CancelAction string

	// Version counts the trade's updates. UpdateTrade writes only over the
	// version it read, so two commands racing on one trade cannot both win.
	Version int64
}

// Refund is one refund of a trade, identified by the merchant's
// out_request_no within the trade.
type Refund struct {
	TradeNo      string
	OutRequestNo string
	Amount       int64
	Reason       string
	// ByCancel marks the full refund alipay.trade.cancel makes.
	ByCancel  bool
	CreatedAt time.Time
}

// ErrStale is returned by UpdateTrade when the trade changed since it was
// read: another command won the race. Re-read and answer from the new state.
var ErrStale = errors.New("zfb: changed by another command")

// Transfer kinds of trades.
const (
	TransferPay    = "pay"    // buyer → merchant, Ref = trade_no
	TransferRefund = "refund" // merchant → buyer, Ref = trade_no
)

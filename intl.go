package zfb

import "time"

// International acquiring (alipay.intl.acquiring.*, spec/intl-acquiring.md,
// seed 001): a merchant outside China charges an Alipay buyer in the order's
// currency. The buyer pays in CNY at the sandbox's fixed rate (FX), and the
// merchant is credited in the order's currency. It is the same payment core
// as gateway.do trades — buyers and their behaviours, the ledger, fault
// rules, the app clock, the outbox — in another dialect with its own
// numbers: acquirementId (Alipay's) and merchantTransId (the merchant's).

// IntlPaymentStatus is a payment's acquirementStatus (spec intl §4.3).
type IntlPaymentStatus string

const (
	// IntlPaymentInit: waiting for the buyer to confirm (a password buyer).
	IntlPaymentInit IntlPaymentStatus = "INIT"
	// IntlPaymentSuccess: paid; refundable.
	IntlPaymentSuccess IntlPaymentStatus = "SUCCESS"
	// IntlPaymentClosed: never paid (timed out, declined or cancelled
	// unpaid), or refunded in full.
	IntlPaymentClosed IntlPaymentStatus = "CLOSED"
	// IntlPaymentCancelled: paid, then cancelled by payCancel, which
	// refunded it in full.
	IntlPaymentCancelled IntlPaymentStatus = "CANCELLED"
)

// How an international payment came to be.
const (
	IntlKindPay = "pay" // alipay.intl.acquiring.offline.pay
	// IntlKindCancelled is no payment at all: payCancel named a
	// merchantTransId zfb had never seen. It is kept, closed, so that a pay
	// arriving late with that merchantTransId is refused instead of
	// charging the buyer.
	IntlKindCancelled = "cancelled"
)

// Cancel actions of payCancel.
const (
	IntlCancelClose  = "close"  // it was unpaid: closed
	IntlCancelRefund = "refund" // it was paid: refunded in full
)

// IntlPayment is one international acquiring payment of an app (a client).
type IntlPayment struct {
	AcquirementID   string // Alipay's transaction id
	AppID           string
	MerchantTransID string // the merchant's transaction id, unique per app
	Kind            string
	Status          IntlPaymentStatus
	SellerID        string // the app's merchant, paid in Currency
	BuyerID         string
	OrderTitle      string

	// Currency is the order's ISO 4217 code; Amount is in its minor
	// units. PaidCNY is what the buyer paid, in CNY fen, at the rate of
	// the payment (Amount itself when Currency is CNY).
	Currency       string
	Amount         int64
	PaidCNY        int64
	RefundedAmount int64 // minor units of Currency
	RefundedCNY    int64 // what went back to the buyer, CNY fen

	// Fingerprint digests the parameters of the pay that created it: a
	// repeat with other parameters is refused, never a second payment.
	Fingerprint string
	NotifyURL   string
	// ExpiresAt is when a payment still INIT closes, on the app's clock.
	ExpiresAt   time.Time
	CreatedAt   time.Time
	PaidAt      time.Time // zero until paid
	ClosedAt    time.Time // zero until closed or cancelled
	CancelledAt time.Time // when payCancel acted; zero until then
	// CancelAction is what payCancel did (IntlCancelClose,
	// IntlCancelRefund); a repeated cancel answers the same.
	CancelAction string

	// Version counts updates: UpdateIntlPayment writes only over the
	// version it read.
	Version int64
}

// IntlRefund is one refund of a payment, identified by the merchant's
// merchantRefundId within it. A payCancel of a paid payment is recorded as
// a refund too, numbered by the payment's merchantTransId.
type IntlRefund struct {
	AcquirementID    string
	MerchantRefundID string
	RefundID         string // Alipay's refund id
	Amount           int64  // minor units of the payment's currency
	AmountCNY        int64  // what went back to the buyer, CNY fen
	Reason           string
	ByCancel         bool
	CreatedAt        time.Time
}

// Transfer kinds of international payments; Ref is the acquirementId.
const (
	TransferIntlPay    = "intl_pay"    // buyer (CNY) → FX, FX (currency) → merchant
	TransferIntlRefund = "intl_refund" // merchant (currency) → FX, FX (CNY) → buyer
)

// NotifyIntlPay is the outbox kind of alipay.intl.acquiring.offline.notify.pay.
const NotifyIntlPay = "intl_notify_pay"

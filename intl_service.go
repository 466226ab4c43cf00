package zfb

import "time"

// IntlRef names a payment by acquirementId or merchantTransId;
// acquirementId wins when both are given (seed 001).
type IntlRef struct {
	AcquirementID   string
	MerchantTransID string
}

// IntlPayCommand is alipay.intl.acquiring.offline.pay: the merchant scanned
// the buyer's code. Value is the order amount in minor units of Currency,
// as the wire carries it ("1000" is 10.00 USD).
type IntlPayCommand struct {
	MerchantTransID, ProductCode, CodeType, IdentityCode string
	OrderTitle, Currency, Value, NotifyURL               string
}

// IntlPayResult is what a pay did. InProgress means the buyer has not
// confirmed yet (a password buyer): the answer is U, USER_PAYING.
type IntlPayResult struct {
	Payment    *IntlPayment
	Buyer      *Buyer
	InProgress bool
}

// IntlCancelResult is what payCancel did. Payment is nil and Action empty
// when the merchantTransId was never seen.
type IntlCancelResult struct {
	Payment    *IntlPayment
	Action     string
	CancelTime time.Time
}

// IntlRefundCommand is alipay.intl.acquiring.common.refund.
type IntlRefundCommand struct {
	AcquirementID, MerchantRefundID string
	Currency, Value, Reason         string
}

// IntlRefundResult is what a refund did; a replay answers the first refund.
type IntlRefundResult struct {
	Payment *IntlPayment
	Refund  *IntlRefund
}

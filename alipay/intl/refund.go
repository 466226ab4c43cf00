package intl

import "context"

// RefundRequest is the body of alipay.intl.acquiring.common.refund (spec
// §4.4). Partial and repeated refunds are allowed up to the paid amount.
type RefundRequest struct {
	PartnerID        string `json:"partnerId"`
	AcquirementID    string `json:"acquirementId"`
	MerchantRefundID string `json:"merchantRefundId"` // the refund's idempotency key
	RefundAmount     Money  `json:"refundAmount"`
	RefundReason     string `json:"refundReason,omitempty"`
	ExtendInfo       string `json:"extendInfo,omitempty"` // a JSON object, as a string
}

// RefundResponse is the answer of common.refund.
type RefundResponse struct {
	ResultInfo       ResultInfo `json:"resultInfo"`
	AcquirementID    string     `json:"acquirementId"`
	MerchantRefundID string     `json:"merchantRefundId"`
	RefundID         string     `json:"refundId"` // Alipay's id of the refund
	RefundAmount     Money      `json:"refundAmount"`
	RefundTime       string     `json:"refundTime,omitempty"`
}

// Refund calls alipay.intl.acquiring.common.refund (at …/common/grefund.htm).
// A refund is idempotent per MerchantRefundID: after an unknown result
// (UnknownResult, a timeout, a transport error) retry with the same
// MerchantRefundID and amount (spec §4.4). Any other *Error refunded
// nothing.
func (c *Client) Refund(ctx context.Context, p RefundRequest) (*RefundResponse, error) {
	p.PartnerID = c.partner(p.PartnerID)
	return call[RefundResponse](ctx, c, FunctionRefund, &p)
}

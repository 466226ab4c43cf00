package intl

import (
	"context"

	"github.com/zfbpay/zfb"
)

// refundFields is the body of a refund answer.
type refundFields struct {
	AcquirementID    string `json:"acquirementId"`
	MerchantRefundID string `json:"merchantRefundId"`
	RefundID         string `json:"refundId"`
	RefundAmount     money  `json:"refundAmount"`
	RefundTime       string `json:"refundTime"`
}

// serveRefund is alipay.intl.acquiring.common.refund (at grefund.htm):
// acquirementId, merchantRefundId, refundAmount {currency, value},
// refundReason. extendInfo is ignored. A replay of a merchantRefundId
// answers the first refund.
func serveRefund(ctx context.Context, c *call) (*outcome, error) {
	r := fieldReader{o: c.body}
	cmd := zfb.IntlRefundCommand{
		AcquirementID:    r.text("acquirementId"),
		MerchantRefundID: r.text("merchantRefundId"),
	}
	amount := r.moneyAt(c.body, "refundAmount", "refundAmount")
	cmd.Reason = r.text("refundReason")
	if out := r.outcome(); out != nil {
		return out, nil
	}
	cmd.Currency, cmd.Value = amount.Currency, amount.Value
	res, err := c.svc.RefundIntlPayment(ctx, c.app, c.now, cmd)
	if err != nil {
		return nil, err
	}
	return success(refundFields{
		AcquirementID: res.Payment.AcquirementID, MerchantRefundID: res.Refund.MerchantRefundID,
		RefundID: res.Refund.RefundID, RefundAmount: moneyOf(res.Payment.Currency, res.Refund.Amount),
		RefundTime: intlTime(res.Refund.CreatedAt),
	}), nil
}

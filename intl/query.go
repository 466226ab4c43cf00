package intl

import (
	"context"

	"github.com/zfbpay/zfb"
)

// payQueryFields is the body of a payQuery answer; the optional members
// appear when they apply. Alipay's field names are UNCONFIRMED (spec §4.3);
// acquirementStatus takes the sibling spec's enum.
type payQueryFields struct {
	AcquirementID     string `json:"acquirementId"`
	MerchantTransID   string `json:"merchantTransId"`
	AcquirementStatus string `json:"acquirementStatus"` // INIT, SUCCESS, CLOSED, CANCELLED
	OrderAmount       money  `json:"orderAmount"`
	PaymentAmount     *money `json:"paymentAmount,omitempty"` // when paid, CNY
	CreateTime        string `json:"createTime"`
	PaidTime          string `json:"paidTime,omitempty"`
	CancelTime        string `json:"cancelTime,omitempty"` // when payCancel acted on it
	RefundAmount      *money `json:"refundAmount,omitempty"`
}

// servePayQuery is alipay.intl.acquiring.offline.payQuery: acquirementId or
// merchantTransId (acquirementId wins).
func servePayQuery(ctx context.Context, c *call) (*outcome, error) {
	ref, out := readRef(c.body)
	if out != nil {
		return out, nil
	}
	p, err := c.svc.IntlPayQuery(ctx, c.app, c.now, ref)
	if err != nil {
		return nil, err
	}
	f := payQueryFields{
		AcquirementID: p.AcquirementID, MerchantTransID: p.MerchantTransID,
		AcquirementStatus: string(p.Status), OrderAmount: moneyOf(p.Currency, p.Amount),
		CreateTime: intlTime(p.CreatedAt), PaidTime: intlTime(p.PaidAt), CancelTime: intlTime(p.CancelledAt),
	}
	if !p.PaidAt.IsZero() {
		paid := moneyOf(zfb.CNY, p.PaidCNY)
		f.PaymentAmount = &paid
	}
	if p.RefundedAmount > 0 {
		refunded := moneyOf(p.Currency, p.RefundedAmount)
		f.RefundAmount = &refunded
	}
	return success(f), nil
}

// readRef reads acquirementId and merchantTransId.
func readRef(body object) (zfb.IntlRef, *outcome) {
	r := fieldReader{o: body}
	ref := zfb.IntlRef{AcquirementID: r.text("acquirementId"), MerchantTransID: r.text("merchantTransId")}
	return ref, r.outcome()
}

package intl

import (
	"context"

	"github.com/zfbpay/zfb"
)

// payFields is the body of a pay answer. A payment still waiting for the
// buyer (U, USER_PAYING) has no paymentAmount and no paidTime yet. Alipay's
// pay response fields are UNCONFIRMED (spec §4.2); these are the siblings'
// (TNGD, DANA), with paymentAmount for what the buyer paid in CNY.
type payFields struct {
	AcquirementID   string `json:"acquirementId"`
	MerchantTransID string `json:"merchantTransId"`
	OrderAmount     money  `json:"orderAmount"`
	PaymentAmount   *money `json:"paymentAmount,omitempty"` // what the buyer paid, CNY
	CreateTime      string `json:"createTime"`
	PaidTime        string `json:"paidTime,omitempty"`
}

// servePay is alipay.intl.acquiring.offline.pay: partnerId|merchantId,
// productCode, merchantTransId, codeType, identityCode, order {orderAmount
// {currency, value}, orderTitle}, notifyUrl. Other members (envInfo,
// extendInfo, settleContractId, …) are ignored.
func servePay(ctx context.Context, c *call) (*outcome, error) {
	r := fieldReader{o: c.body}
	cmd := zfb.IntlPayCommand{
		ProductCode:     r.text("productCode"),
		MerchantTransID: r.text("merchantTransId"),
		CodeType:        r.text("codeType"),
		IdentityCode:    r.text("identityCode"),
		NotifyURL:       r.text("notifyUrl"),
	}
	order := r.objectAt(c.body, "order", "order")
	amount := r.moneyAt(order, "orderAmount", "order.orderAmount")
	cmd.OrderTitle = r.textAt(order, "orderTitle", "order.orderTitle")
	if out := r.outcome(); out != nil {
		return out, nil
	}
	cmd.Currency, cmd.Value = amount.Currency, amount.Value
	res, err := c.svc.IntlPay(ctx, c.app, c.now, cmd)
	if err != nil {
		return nil, err
	}
	p := res.Payment
	f := payFields{
		AcquirementID: p.AcquirementID, MerchantTransID: p.MerchantTransID,
		OrderAmount: moneyOf(p.Currency, p.Amount), CreateTime: intlTime(p.CreatedAt),
	}
	if res.InProgress {
		return &outcome{code: codeUserPaying, fields: f}, nil
	}
	paid := moneyOf(zfb.CNY, p.PaidCNY)
	f.PaymentAmount, f.PaidTime = &paid, intlTime(p.PaidAt)
	return success(f), nil
}

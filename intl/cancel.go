package intl

import "context"

// payCancelFields is the body of a payCancel answer (seed 001).
type payCancelFields struct {
	AcquirementID   string `json:"acquirementId,omitempty"`
	MerchantTransID string `json:"merchantTransId"`
	CancelTime      string `json:"cancelTime"`
}

// servePayCancel is alipay.intl.acquiring.common.payCancel: acquirementId
// or merchantTransId (acquirementId wins). A merchantTransId zfb never saw
// is cancelled with success; the answer then echoes it and has no
// acquirementId, for there is no payment (UNCONFIRMED: the seed requires
// acquirementId on SUCCESS, but Alipay has none to give either).
func servePayCancel(ctx context.Context, c *call) (*outcome, error) {
	ref, out := readRef(c.body)
	if out != nil {
		return out, nil
	}
	res, err := c.svc.IntlPayCancel(ctx, c.app, c.now, ref)
	if err != nil {
		return nil, err
	}
	f := payCancelFields{MerchantTransID: ref.MerchantTransID, CancelTime: intlTime(res.CancelTime)}
	if p := res.Payment; p != nil {
		f.AcquirementID, f.MerchantTransID = p.AcquirementID, p.MerchantTransID
	}
	return success(f), nil
}

package zfb

import (
	"context"
	"errors"
	"time"
)

// intlCancelBuffer is how long after the end of the payment's day (Beijing
// time) payCancel still works: "transactions of the current day … with a
// 15-minute buffer", until 00:15 UTC+8 of the next day (spec intl §4.1).
const intlCancelBuffer = 15 * time.Minute

// intlCancelDeadline is when payCancel stops working for a payment made at
// created: 00:15 Beijing time of the next day.
func intlCancelDeadline(created time.Time) time.Time {
	b := created.In(Beijing)
	day := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, Beijing)
	return day.AddDate(0, 0, 1).Add(intlCancelBuffer)
}

// IntlPayCancel runs alipay.intl.acquiring.common.payCancel (seed 001), for
// a pay whose result the merchant does not know: unpaid, the payment
// closes, at any time, so that the buyer can no longer pay it; paid, it is
// refunded in full (MERCHANT_BALANCE_NOT_ENOUGH when the merchant's balance
// cannot fund that) — only until 00:15 Beijing time of the day after the
// payment, else ORDER_CANCEL_WINDOW_EXPIRED. A partly
// refunded payment cannot be cancelled (full cancels only):
// ORDER_STATUS_INVALID. A repeated cancel answers as the first did.
//
// acquirementId wins over merchantTransId. An acquirementId Alipay never
// issued is ORDER_NOT_EXIST; a merchantTransId zfb has never seen (the pay
// was lost, or is still on its way) is answered with success, as the spec
// records Alipay doing, and the merchantTransId is closed so that a pay
// arriving late with it is refused (ORDER_STATUS_INVALID) instead of
// charging the buyer.
func (s *Service) IntlPayCancel(ctx context.Context, app *App, now time.Time, ref IntlRef) (*IntlCancelResult, error) {
	if ref.AcquirementID == "" && ref.MerchantTransID == "" {
		return nil, IntlParamIllegal("acquirementId and merchantTransId cannot both be empty")
	}
	var res IntlCancelResult
	err := s.command(ctx, func(q Queries) error {
		res = IntlCancelResult{CancelTime: now}
		p, err := findIntlPayment(ctx, q, app, ref)
		switch {
		case errors.Is(err, ErrNotFound) && ref.AcquirementID == "":
			if !validOutNo(ref.MerchantTransID) {
				return IntlParamIllegal("merchantTransId must be 1 to 64 letters, digits, underscores, hyphens or dots")
			}
			return q.CreateIntlPayment(ctx, &IntlPayment{
				AcquirementID: newIntlAcquirementID(now), AppID: app.ID, MerchantTransID: ref.MerchantTransID,
				Kind: IntlKindCancelled, Status: IntlPaymentClosed, SellerID: app.SellerID, Currency: CNY,
				CreatedAt: now, ClosedAt: now, CancelledAt: now, CancelAction: IntlCancelClose,
			})
		case errors.Is(err, ErrNotFound):
			return ErrIntlOrderNotExist
		case err != nil:
			return err
		case p.Kind == IntlKindCancelled:
			res.CancelTime = p.CancelledAt // as the first cancel answered
			return nil
		}
		res.Payment = p
		if p.CancelAction != "" {
			res.Action, res.CancelTime = p.CancelAction, p.CancelledAt
			return nil
		}
		if err := s.expireIntl(ctx, q, p, now); err != nil {
			return err
		}
		var refund *IntlRefund
		switch {
		case p.Status == IntlPaymentInit || (p.Status == IntlPaymentClosed && p.PaidAt.IsZero()):
			// Unpaid: closed now (or closed already by its time-out or the
			// buyer; the cancel's outcome holds).
			if p.Status == IntlPaymentInit {
				p.Status, p.ClosedAt = IntlPaymentClosed, now
			}
			res.Action = IntlCancelClose
		case p.Status == IntlPaymentSuccess && p.RefundedAmount == 0:
			// The window limits refunding; an unpaid payment is closed
			// whenever it is asked, so that the buyer cannot pay it later.
			if !now.Before(intlCancelDeadline(p.CreatedAt)) {
				return ErrIntlOrderCancelWindowExpired
			}
			refund = &IntlRefund{
				AcquirementID: p.AcquirementID, MerchantRefundID: p.MerchantTransID, RefundID: newIntlRefundID(now),
				Amount: p.Amount, Reason: "payCancel", ByCancel: true, CreatedAt: now,
			}
			addIntlRefund(p, refund)
			p.Status, p.ClosedAt = IntlPaymentCancelled, now
			res.Action = IntlCancelRefund
		default: // partly or wholly refunded
			return ErrIntlOrderStatusInvalid
		}
		p.CancelAction, p.CancelledAt = res.Action, now
		if err := q.UpdateIntlPayment(ctx, p); err != nil {
			return err
		}
		if refund == nil {
			return nil
		}
		return s.postIntlRefund(ctx, q, p, refund, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// findIntlPayment finds the app's payment by acquirementId (which wins) or
// merchantTransId; ErrNotFound for one of another app.
func findIntlPayment(ctx context.Context, q Queries, app *App, ref IntlRef) (*IntlPayment, error) {
	if ref.AcquirementID != "" {
		p, err := q.IntlPayment(ctx, ref.AcquirementID)
		if err == nil && p.AppID != app.ID {
			return nil, ErrNotFound
		}
		return p, err
	}
	return q.IntlPaymentByMerchantTransID(ctx, app.ID, ref.MerchantTransID)
}

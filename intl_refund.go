package zfb

import (
	"context"
	"errors"
	"time"
)

// RefundIntlPayment runs alipay.intl.acquiring.common.refund: part or all of a paid
// payment goes back to the buyer, in CNY in proportion to what they paid.
// merchantRefundId makes it idempotent: the same id and amount answers the
// first refund; the same id with another amount is REPEAT_REQ_INCONSISTENT.
// A payment not paid (or closed, or cancelled) is ORDER_STATUS_INVALID; a
// merchant whose balance in the currency cannot fund it,
// MERCHANT_BALANCE_NOT_ENOUGH. A refund of all that is left closes the
// payment.
func (s *Service) RefundIntlPayment(ctx context.Context, app *App, now time.Time, cmd IntlRefundCommand) (*IntlRefundResult, error) {
	switch {
	case cmd.AcquirementID == "":
		return nil, IntlParamIllegal("acquirementId is required")
	case !validOutNo(cmd.MerchantRefundID):
		return nil, IntlParamIllegal("merchantRefundId must be 1 to 64 letters, digits, underscores, hyphens or dots")
	case len([]rune(cmd.Reason)) > 256:
		return nil, IntlParamIllegal("refundReason is at most 256 characters")
	}
	amount, err := parseIntlAmount(cmd.Currency, cmd.Value)
	if err != nil {
		return nil, err
	}
	var res IntlRefundResult
	err = s.command(ctx, func(q Queries) error {
		res = IntlRefundResult{}
		p, err := findIntlPayment(ctx, q, app, IntlRef{AcquirementID: cmd.AcquirementID})
		if errors.Is(err, ErrNotFound) || (err == nil && p.Kind == IntlKindCancelled) {
			return ErrIntlOrderNotExist
		} else if err != nil {
			return err
		}
		res.Payment = p
		if earlier, err := q.IntlRefund(ctx, p.AcquirementID, cmd.MerchantRefundID); err == nil {
			if earlier.Amount != amount || cmd.Currency != p.Currency || earlier.ByCancel {
				return ErrIntlRepeatRequestInconsistent
			}
			res.Refund = earlier
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if cmd.Currency != p.Currency {
			return IntlParamIllegal("refundAmount.currency must be the payment's, " + p.Currency)
		}
		if err := s.expireIntl(ctx, q, p, now); err != nil {
			return err
		}
		if p.Status != IntlPaymentSuccess {
			return ErrIntlOrderStatusInvalid
		}
		if amount > p.Amount-p.RefundedAmount {
			return IntlParamIllegal("refundAmount exceeds what is left to refund")
		}
		res.Refund = &IntlRefund{
			AcquirementID: p.AcquirementID, MerchantRefundID: cmd.MerchantRefundID, RefundID: newIntlRefundID(now),
			Amount: amount, Reason: cmd.Reason, CreatedAt: now,
		}
		addIntlRefund(p, res.Refund)
		if p.RefundedAmount == p.Amount {
			p.Status, p.ClosedAt = IntlPaymentClosed, now
		}
		if err := q.UpdateIntlPayment(ctx, p); err != nil {
			return err
		}
		return s.postIntlRefund(ctx, q, p, res.Refund, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// addIntlRefund adds r to p's refunded amounts, in memory, and sets the CNY
// it gives back to the buyer.
func addIntlRefund(p *IntlPayment, r *IntlRefund) {
	r.AmountCNY = refundCNY(p, r.Amount)
	p.RefundedAmount += r.Amount
	p.RefundedCNY += r.AmountCNY
}

// postIntlRefund records r and moves its money back, in the caller's
// transaction: the merchant's currency to the exchange, the exchange's CNY
// to the buyer. The caller has written p, with r added (addIntlRefund),
// first: the payment's version decides races before any account is locked.
func (s *Service) postIntlRefund(ctx context.Context, q Queries, p *IntlPayment, r *IntlRefund, now time.Time) error {
	if err := q.CreateIntlRefund(ctx, r); err != nil {
		return err
	}
	// The CNY leg first, as a payment posts it: commands on one payment
	// then lock the exchange accounts in the same order and cannot
	// deadlock on them.
	if r.AmountCNY > 0 {
		if err := q.PostTransfer(ctx, &Transfer{
			Kind: TransferIntlRefund, Ref: p.AcquirementID, Currency: CNY, Amount: r.AmountCNY, CreatedAt: now,
			Debit: FXAccount(CNY), Credit: BuyerAccount(p.BuyerID, CNY),
		}); err != nil {
			return err
		}
	}
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferIntlRefund, Ref: p.AcquirementID, Currency: p.Currency, Amount: r.Amount, CreatedAt: now,
		Debit: MerchantAccount(p.SellerID, p.Currency), Credit: FXAccount(p.Currency),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrIntlMerchantBalanceNotEnough
	}
	return err
}

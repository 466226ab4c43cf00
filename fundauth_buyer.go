package zfb

import (
	"context"
	"fmt"
)

// BuyerActionAuthorize is the buyer confirming a waiting freeze: entering
// their password on a bar-code freeze, or scanning and confirming a
// voucher's QR code. BuyerActionDecline refuses it.
const BuyerActionAuthorize = "authorize"

// ActOnAuthorization plays the buyer on an authorisation order still INIT,
// at its app's time: authorize freezes the amount (for a voucher, the buyer
// named by buyerID, or the first sandbox buyer who pays at once), decline
// closes the order. A buyer whose balance is too low cannot authorise
// (MONEY_NOT_ENOUGH) and the order stays waiting.
func (s *Service) ActOnAuthorization(ctx context.Context, authNo, action, buyerID string) (*AuthOrderDetail, error) {
	switch action {
	case BuyerActionAuthorize, BuyerActionDecline:
	default:
		return nil, fmt.Errorf("%w: action must be authorize or decline", ErrInvalidAction)
	}
	err := s.command(ctx, func(q Queries) error {
		o, err := q.AuthOrder(ctx, authNo)
		if err != nil {
			return err
		}
		if o.Kind == AuthKindCancelled {
			return ErrNotFound
		}
		now, err := s.appNow(ctx, q, o.AppID)
		if err != nil {
			return err
		}
		op, err := freezeOperation(ctx, q, o.AuthNo)
		if err != nil {
			return err
		}
		if err := s.expireAuth(ctx, q, o, now, op); err != nil {
			return err
		}
		if o.Status != AuthOrderInit || op.Status != AuthOpInit {
			return fmt.Errorf("%w: the order is %s", ErrInvalidAction, o.Status)
		}
		if action == BuyerActionDecline {
			o.Status, o.ClosedAt = AuthOrderClosed, now
			op.Status, op.ClosedAt = AuthOpClosed, now
			if err := q.UpdateAuthOrder(ctx, o); err != nil {
				return err
			}
			return q.UpdateAuthOperation(ctx, op)
		}
		if buyerID != "" && o.PayerUserID != "" && buyerID != o.PayerUserID {
			return fmt.Errorf("%w: the order's payer is %s", ErrInvalidAction, o.PayerUserID)
		}
		if o.PayerUserID == "" {
			payer, err := scanningBuyer(ctx, q, buyerID)
			if err != nil {
				return err
			}
			if payer.UserID == o.PayeeUserID {
				return ErrPayerPayeeEqual
			}
			o.PayerUserID = payer.UserID
		}
		if err := payerMayMoveFunds(ctx, q, o.PayerUserID); err != nil {
			return err
		}
		markFrozen(o, op, now)
		if err := q.UpdateAuthOrder(ctx, o); err != nil {
			return err
		}
		if err := q.UpdateAuthOperation(ctx, op); err != nil {
			return err
		}
		return s.postFreeze(ctx, q, o, op, now)
	})
	if err != nil {
		return nil, err
	}
	return s.AuthOrder(ctx, authNo)
}

package zfb

import (
	"context"
	"errors"
	"fmt"
)

// Buyer actions on a waiting trade, as a tester plays the buyer.
const (
	BuyerActionScan    = "scan"    // a buyer scans a precreated trade's QR code
	BuyerActionPay     = "pay"     // the buyer confirms and pays
	BuyerActionDecline = "decline" // the buyer declines: the trade closes
)

// ActAsBuyer plays the buyer on a trade at its app's time. For a precreated
// trade the buyer may be named (buyerID); otherwise the trade's buyer acts,
// or the first buyer who pays at once.
func (s *Service) ActAsBuyer(ctx context.Context, tradeNo, action, buyerID string) (*Trade, error) {
	switch action {
	case BuyerActionScan, BuyerActionPay, BuyerActionDecline:
	default:
		return nil, fmt.Errorf("%w: action must be scan, pay or decline", ErrInvalidAction)
	}
	var t *Trade
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = q.Trade(ctx, tradeNo); err != nil {
			return err
		}
		if t.Kind == TradeKindCancelled {
			return ErrNotFound
		}
		now, err := s.appNow(ctx, q, t.AppID)
		if err != nil {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		if t.Status != TradeWaitBuyerPay {
			return fmt.Errorf("%w: the trade is %s", ErrInvalidAction, t.Status)
		}
		if action == BuyerActionDecline {
			return s.closeTrade(ctx, q, t, now, tradeParties{})
		}
		if buyerID != "" && t.BuyerID != "" && buyerID != t.BuyerID {
			return fmt.Errorf("%w: the trade's buyer is %s", ErrInvalidAction, t.BuyerID)
		}
		if t.BuyerID == "" {
			buyer, err := scanningBuyer(ctx, q, buyerID)
			if err != nil {
				return err
			}
			t.BuyerID = buyer.UserID
		}
		t.Scanned = true
		if action == BuyerActionScan {
			return q.UpdateTrade(ctx, t)
		}
		// The trade first: its version decides a race with a cancel or a
		// second confirmation before the buyer's account is locked.
		t.Status, t.PaidAt = TradeSuccess, now
		if err := q.UpdateTrade(ctx, t); err != nil {
			return err
		}
		return s.postPayment(ctx, q, t, now, tradeParties{})
	})
	return t, err
}

// ErrInvalidAction refuses a buyer action the trade's state does not allow.
var ErrInvalidAction = errors.New("invalid buyer action")

// scanningBuyer is the buyer who scans a precreated trade: the one named,
// or the first sandbox buyer who pays at once.
func scanningBuyer(ctx context.Context, q Queries, userID string) (*Buyer, error) {
	if userID != "" {
		b, err := q.Buyer(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: no buyer %s", ErrInvalidAction, userID)
		}
		return b, err
	}
	buyers, err := q.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.Behaviour == BehaviourPays {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: name a buyer_id: no buyer pays at once", ErrInvalidAction)
}

package zfb

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// IntlPayQuery runs alipay.intl.acquiring.offline.payQuery. It only reads,
// one statement (so it needs no transaction): a payment whose time ran out
// is answered closed. An unknown payment, or a merchantTransId that only a
// payCancel has seen, is ORDER_NOT_EXIST.
func (s *Service) IntlPayQuery(ctx context.Context, app *App, now time.Time, ref IntlRef) (*IntlPayment, error) {
	if ref.AcquirementID == "" && ref.MerchantTransID == "" {
		return nil, IntlParamIllegal("acquirementId and merchantTransId cannot both be empty")
	}
	p, err := findIntlPayment(ctx, s.store, app, ref)
	if errors.Is(err, ErrNotFound) || (err == nil && p.Kind == IntlKindCancelled) {
		return nil, ErrIntlOrderNotExist
	}
	if err != nil {
		return nil, err
	}
	settleIntlPayment(p, now)
	return p, nil
}

// IntlPaymentView finds a payment by acquirementId for the admin API, as it
// stands on its app's clock.
func (s *Service) IntlPaymentView(ctx context.Context, acquirementID string) (*IntlPayment, []*IntlRefund, error) {
	return s.intlView(ctx, func(q Queries) (*IntlPayment, error) { return q.IntlPayment(ctx, acquirementID) })
}

// IntlPaymentByMerchantTransID finds an app's payment by merchantTransId for
// the admin API.
func (s *Service) IntlPaymentByMerchantTransID(ctx context.Context, appID, merchantTransID string) (*IntlPayment, []*IntlRefund, error) {
	return s.intlView(ctx, func(q Queries) (*IntlPayment, error) {
		return q.IntlPaymentByMerchantTransID(ctx, appID, merchantTransID)
	})
}

func (s *Service) intlView(ctx context.Context, find func(q Queries) (*IntlPayment, error)) (*IntlPayment, []*IntlRefund, error) {
	var p *IntlPayment
	var refunds []*IntlRefund
	err := s.read(ctx, func(q Queries) error {
		var err error
		if p, err = find(q); err != nil {
			return err
		}
		if p.Kind == IntlKindCancelled {
			return ErrNotFound
		}
		now, err := s.appNow(ctx, q, p.AppID)
		if err != nil {
			return err
		}
		settleIntlPayment(p, now)
		refunds, err = q.IntlRefunds(ctx, p.AcquirementID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return p, refunds, nil
}

// IntlPayments lists an app's international payments, newest first, at
// most limit, as they stand on the app's clock.
func (s *Service) IntlPayments(ctx context.Context, appID string, limit int) ([]*IntlPayment, error) {
	var ps []*IntlPayment
	err := s.read(ctx, func(q Queries) error {
		now, err := s.appNow(ctx, q, appID)
		if err != nil {
			return err
		}
		if ps, err = q.IntlPayments(ctx, appID, limit); err != nil {
			return err
		}
		for _, p := range ps {
			settleIntlPayment(p, now)
		}
		return nil
	})
	return ps, err
}

// ActOnIntlPayment plays the buyer on an international payment waiting for
// them, at its app's time: BuyerActionPay confirms and pays,
// BuyerActionDecline closes it.
func (s *Service) ActOnIntlPayment(ctx context.Context, acquirementID, action string) (*IntlPayment, error) {
	if action != BuyerActionPay && action != BuyerActionDecline {
		return nil, fmt.Errorf("%w: action must be pay or decline", ErrInvalidAction)
	}
	var p *IntlPayment
	err := s.command(ctx, func(q Queries) error {
		var err error
		if p, err = q.IntlPayment(ctx, acquirementID); err != nil {
			return err
		}
		if p.Kind == IntlKindCancelled {
			return ErrNotFound
		}
		now, err := s.appNow(ctx, q, p.AppID)
		if err != nil {
			return err
		}
		if err := s.expireIntl(ctx, q, p, now); err != nil {
			return err
		}
		if p.Status != IntlPaymentInit {
			return fmt.Errorf("%w: the payment is %s", ErrInvalidAction, p.Status)
		}
		if action == BuyerActionDecline {
			p.Status, p.ClosedAt = IntlPaymentClosed, now
			return q.UpdateIntlPayment(ctx, p)
		}
		buyer, err := q.Buyer(ctx, p.BuyerID)
		if err != nil {
			return err
		}
		if buyer.Restricted {
			return ErrIntlUserStatusAbnormal
		}
		markIntlPaid(p, toCNY(p.Currency, p.Amount), now)
		if err := q.UpdateIntlPayment(ctx, p); err != nil {
			return err
		}
		return s.postIntlPayment(ctx, q, p, now)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

package zfb

import (
	"context"
	"errors"
	"time"
)

// DetailQueryCommand is alipay.fund.auth.operation.detail.query (seed 002).
type DetailQueryCommand struct {
	AuthNo, OutOrderNo, OperationID, OutRequestNo string
	// OperationType narrows the search: FREEZE, UNFREEZE or PAY.
	OperationType string
}

// DetailQueryResult is one operation and its order, as they stand on the
// app's clock.
type DetailQueryResult struct {
	Order        *AuthOrder
	Operation    *AuthOperation
	PayerLogonID string   // "" until the payer is known
	PayerIDs     BuyerIDs // how the app names the payer
}

// OperationDetailQuery runs alipay.fund.auth.operation.detail.query. It
// only reads: the order with the operation in one statement, which needs
// no transaction to agree with itself (and the order alone when there is
// no such pair, to say which is missing). An auth_no of another
// merchant's order is ACCESS_FORBIDDEN (seed 002: the merchant may not
// view that order).
func (s *Service) OperationDetailQuery(ctx context.Context, app *App, now time.Time, cmd DetailQueryCommand) (*DetailQueryResult, error) {
	if err := validOrderRef(cmd.AuthNo, cmd.OutOrderNo, cmd.OperationID, cmd.OutRequestNo); err != nil {
		return nil, err
	}
	typ := AuthOperationType(cmd.OperationType)
	switch typ {
	case "", AuthOpFreeze, AuthOpUnfreeze, AuthOpPay:
	default:
		return nil, IllegalArgument("operation_type 只支持 FREEZE、UNFREEZE、PAY")
	}
	ref := AuthOperationRef{AuthNo: cmd.AuthNo, AppID: app.ID, OutOrderNo: cmd.OutOrderNo,
		OperationID: cmd.OperationID, OutRequestNo: cmd.OutRequestNo, Type: typ}
	o, op, err := findAuthOrderOperation(ctx, s.store, app, ref)
	switch {
	case errors.Is(err, errOtherMerchant):
		return nil, ErrAuthAccessForbidden
	case errors.Is(err, errNoAuthOrder):
		return nil, ErrAuthOrderNotExist
	case errors.Is(err, ErrNotFound):
		return nil, ErrAuthOperationNotExist
	case err != nil:
		return nil, err
	}
	settleAuthOrder(o, op, now)
	res := DetailQueryResult{Order: o, Operation: op}
	// The payer's names never change once written: read apart, from
	// memory once seen.
	if res.PayerLogonID, err = s.buyerLogonID(ctx, s.store, res.Order.PayerUserID); err != nil {
		return nil, err
	}
	if res.PayerIDs, err = s.showBuyer(ctx, app, res.Order.PayerUserID); err != nil {
		return nil, err
	}
	return &res, nil
}

// AuthOrderDetail is an order with every operation, for the admin API and
// the dashboard.
type AuthOrderDetail struct {
	Order      *AuthOrder
	Operations []*AuthOperation
}

// AuthOrder finds an authorisation order by auth_no, with its operations,
// as it stands on its app's clock.
func (s *Service) AuthOrder(ctx context.Context, authNo string) (*AuthOrderDetail, error) {
	return s.authOrderView(ctx, func(q Queries) (*AuthOrder, error) { return q.AuthOrder(ctx, authNo) })
}

// AuthOrderByOutOrderNo finds an app's authorisation order by out_order_no.
func (s *Service) AuthOrderByOutOrderNo(ctx context.Context, appID, outOrderNo string) (*AuthOrderDetail, error) {
	return s.authOrderView(ctx, func(q Queries) (*AuthOrder, error) { return q.AuthOrderByOutOrderNo(ctx, appID, outOrderNo) })
}

func (s *Service) authOrderView(ctx context.Context, find func(q Queries) (*AuthOrder, error)) (*AuthOrderDetail, error) {
	var d AuthOrderDetail
	err := s.read(ctx, func(q Queries) error {
		o, err := find(q)
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
		ops, err := q.AuthOperations(ctx, o.AuthNo)
		if err != nil {
			return err
		}
		var freeze *AuthOperation
		for _, op := range ops {
			if op.Type == AuthOpFreeze {
				freeze = op
			}
		}
		settleAuthOrder(o, freeze, now)
		d = AuthOrderDetail{Order: o, Operations: ops}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// AuthOrders lists an app's authorisation orders, newest first, at most
// limit, as they stand on the app's clock.
func (s *Service) AuthOrders(ctx context.Context, appID string, limit int) ([]*AuthOrder, error) {
	var orders []*AuthOrder
	err := s.read(ctx, func(q Queries) error {
		now, err := s.appNow(ctx, q, appID)
		if err != nil {
			return err
		}
		if orders, err = q.AuthOrders(ctx, appID, limit); err != nil {
			return err
		}
		for _, o := range orders {
			settleAuthOrder(o, nil, now)
		}
		return nil
	})
	return orders, err
}

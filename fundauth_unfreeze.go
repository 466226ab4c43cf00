package zfb

import (
	"context"
	"errors"
	"time"
)

// UnfreezeCommand is alipay.fund.auth.order.unfreeze.
type UnfreezeCommand struct {
	AuthNo, OutRequestNo, Amount, Remark, ExtraParam string
	// NotifyURL is the unfreeze call's own: Alipay notifies an unfreeze
	// only there (spec §4.11).
	NotifyURL string
}

// UnfreezeResult is what an unfreeze did; a replay answers the first
// unfreeze's operation.
type UnfreezeResult struct {
	Order     *AuthOrder
	Operation *AuthOperation
}

// Unfreeze runs alipay.fund.auth.order.unfreeze: it releases part or all of
// what is frozen back to the buyer's available funds. out_request_no makes
// it idempotent: the same number and amount answers the first unfreeze;
// the same number with another amount is UNIQUE_VIOLATION.
func (s *Service) Unfreeze(ctx context.Context, app *App, now time.Time, cmd UnfreezeCommand) (*UnfreezeResult, error) {
	if cmd.AuthNo == "" {
		return nil, IllegalArgument("auth_no 不能为空")
	}
	if !validOutNo(cmd.OutRequestNo) {
		return nil, IllegalArgument("out_request_no 须为 1 到 64 位字母、数字、下划线")
	}
	amount, err := validAuthAmount("amount", cmd.Amount)
	if err != nil {
		return nil, err
	}
	if err := validRemark(cmd.Remark); err != nil {
		return nil, err
	}
	if cmd.ExtraParam != "" && !isJSONObject(cmd.ExtraParam) {
		return nil, IllegalArgument("extra_param 须为 JSON 对象")
	}
	var res UnfreezeResult
	err = s.command(ctx, func(q Queries) error {
		res = UnfreezeResult{}
		o, err := findAuthOrder(ctx, q, app, cmd.AuthNo, "")
		if errors.Is(err, ErrNotFound) {
			return ErrAuthOrderNotExist
		} else if err != nil {
			return err
		}
		res.Order = o
		if earlier, err := q.AuthOperationByOutRequestNo(ctx, o.AuthNo, AuthOpUnfreeze, cmd.OutRequestNo); err == nil {
			if earlier.Amount != amount {
				return ErrUniqueViolation
			}
			res.Operation = earlier
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.expireAuth(ctx, q, o, now); err != nil {
			return err
		}
		switch o.Status {
		case AuthOrderInit:
			return ErrAuthIllegalStatus
		case AuthOrderFinish:
			return ErrOrderAlreadyFinish
		case AuthOrderClosed:
			return ErrOrderAlreadyClosed
		}
		if amount > o.RestAmount() {
			return ErrRequestAmountExceed
		}
		if err := payerMayMoveFunds(ctx, q, o.PayerUserID); err != nil {
			return err
		}
		op := &AuthOperation{
			OperationID: newOperationID(now), AuthNo: o.AuthNo, OutRequestNo: cmd.OutRequestNo,
			Type: AuthOpUnfreeze, Status: AuthOpSuccess, Amount: amount, Remark: cmd.Remark,
			CreatedAt: now, TransAt: now,
		}
		res.Operation = op
		if err := s.release(ctx, q, o, op, now); err != nil {
			return err
		}
		return s.notifyOperation(ctx, q, NotifyFundAuthUnfreeze, app.notifyURL(cmd.NotifyURL), o, op, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// release records the unfreeze operation op on o and moves its amount from
// the payer's frozen account back to their available funds, in the
// caller's transaction. The order is written first: its version decides a
// race with another command on it.
func (s *Service) release(ctx context.Context, q Queries, o *AuthOrder, op *AuthOperation, now time.Time) error {
	o.TotalUnfreezeAmount += op.Amount
	settleAfterRelease(o, now)
	if err := q.UpdateAuthOrder(ctx, o); err != nil {
		return err
	}
	if err := q.CreateAuthOperation(ctx, op); err != nil {
		return err
	}
	return s.postUnfreeze(ctx, q, o, op.Amount, now)
}

// postUnfreeze moves amount from o's payer's frozen account back to their
// available funds.
func (s *Service) postUnfreeze(ctx context.Context, q Queries, o *AuthOrder, amount int64, now time.Time) error {
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferUnfreeze, Ref: o.AuthNo, Currency: CNY, Amount: amount, CreatedAt: now,
		Debit: BuyerFrozenAccount(o.PayerUserID, CNY), Credit: BuyerAccount(o.PayerUserID, CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		// The order said more was frozen than the account holds: refuse
		// rather than move money the ledger does not have.
		return ErrRequestAmountExceed
	}
	return err
}

package zfb

import (
	"context"
	"errors"
	"time"
)

// OperationCancelCommand is alipay.fund.auth.operation.cancel (seed 000).
type OperationCancelCommand struct {
	AuthNo, OutOrderNo, OperationID, OutRequestNo, Remark string
	NotifyURL                                             string
}

// OperationCancelResult is what a cancel did. Action is AuthCancelClose,
// AuthCancelUnfreeze, or empty when there was nothing to cancel (the
// freeze never reached zfb); Order and Operation are nil then.
type OperationCancelResult struct {
	Order     *AuthOrder
	Operation *AuthOperation
	Action    string
}

// OperationCancel runs alipay.fund.auth.operation.cancel, which a merchant
// calls when a freeze timed out or answered a system error, or when the
// business must stop. auth_no wins over out_order_no and operation_id over
// out_request_no, as the seed says. Only a FREEZE operation is cancelled,
// and only within AuthCancelWindow of it on the app's clock:
//   - still INIT (nothing frozen): it closes, action close;
//   - frozen, nothing unfrozen or paid since: all of it is released, action
//     unfreeze;
//   - frozen and partly released or paid: REQUEST_AMOUNT_EXCEED (seed 000:
//     after an unfreeze a cancel is no longer possible), or
//     ORDER_ALREADY_FINISH when the order is finished.
//
// A repeated cancel answers as the first did.
//
// An out_order_no zfb has never seen is answered with success and no
// action, and the number is closed so that a freeze arriving late with it
// is refused (ORDER_ALREADY_CLOSED) instead of freezing the buyer's money:
// the merchant called cancel because it does not know whether its freeze
// arrived, and the seed's purpose is that afterwards no money stays frozen
// for it. This mirrors alipay.trade.cancel (spec §4.3, §6.2). An auth_no,
// which only Alipay issues, that does not exist is AUTH_ORDER_NOT_EXIST.
func (s *Service) OperationCancel(ctx context.Context, app *App, now time.Time, cmd OperationCancelCommand) (*OperationCancelResult, error) {
	if err := validOrderRef(cmd.AuthNo, cmd.OutOrderNo, cmd.OperationID, cmd.OutRequestNo); err != nil {
		return nil, err
	}
	if err := validRemark(cmd.Remark); err != nil {
		return nil, err
	}
	var res OperationCancelResult
	err := s.command(ctx, func(q Queries) error {
		res = OperationCancelResult{}
		var o *AuthOrder
		var err error
		if cmd.AuthNo != "" {
			o, err = q.AuthOrder(ctx, cmd.AuthNo)
			if err == nil && o.AppID != app.ID {
				err = ErrNotFound
			}
		} else {
			o, err = q.AuthOrderByOutOrderNo(ctx, app.ID, cmd.OutOrderNo)
		}
		switch {
		case errors.Is(err, ErrNotFound) && cmd.AuthNo == "":
			if !validOutNo(cmd.OutOrderNo) {
				return IllegalArgument("out_order_no 须为 1 到 64 位字母、数字、下划线")
			}
			return q.CreateAuthOrder(ctx, &AuthOrder{
				AuthNo: newAuthNo(now), AppID: app.ID, OutOrderNo: cmd.OutOrderNo, Kind: AuthKindCancelled,
				Status: AuthOrderClosed, PayeeUserID: app.SellerID, CreatedAt: now, ClosedAt: now, AgentAppID: app.Agent,
			})
		case errors.Is(err, ErrNotFound):
			return ErrAuthOrderNotExist
		case err != nil:
			return err
		case o.Kind == AuthKindCancelled:
			return nil // as the first cancel answered
		}
		op, err := findAuthOperation(ctx, q, o, cmd.OperationID, cmd.OutRequestNo, "")
		if errors.Is(err, ErrNotFound) && cmd.OperationID == "" {
			// A freeze request that never reached zfb: the order's own
			// freeze has another number, so a late one would be refused
			// as UNIQUE_VIOLATION. Nothing to do.
			res.Order = o
			return nil
		} else if errors.Is(err, ErrNotFound) {
			return IllegalArgument("operation_id " + cmd.OperationID + " 不存在")
		} else if err != nil {
			return err
		}
		if op.Type != AuthOpFreeze {
			return IllegalArgument("只能撤销冻结操作")
		}
		res.Order, res.Operation = o, op
		if op.CancelAction != "" {
			res.Action = op.CancelAction // a repeated cancel answers as the first
			return nil
		}
		if err := s.expireAuth(ctx, q, o, now, op); err != nil {
			return err
		}
		if o.Status == AuthOrderFinish {
			return ErrOrderAlreadyFinish
		}
		if now.Sub(op.CreatedAt) > AuthCancelWindow {
			return ErrCancelOperationTimeOut
		}
		switch op.Status {
		case AuthOpInit, AuthOpClosed:
			// Nothing was frozen: close it (a timed-out or declined
			// freeze is closed already; the cancel's outcome holds).
			if o.Status == AuthOrderInit {
				o.Status, o.ClosedAt = AuthOrderClosed, now
			}
			if op.Status == AuthOpInit {
				op.Status, op.ClosedAt = AuthOpClosed, now
			}
			res.Action = AuthCancelClose
		default: // SUCCESS
			if o.TotalUnfreezeAmount > 0 || o.TotalPayAmount > 0 {
				return ErrRequestAmountExceed
			}
			if err := payerMayMoveFunds(ctx, q, o.PayerUserID); err != nil {
				return err
			}
			rest := o.RestAmount()
			o.TotalUnfreezeAmount += rest
			settleAfterRelease(o, now)
			op.Status, op.ClosedAt = AuthOpClosed, now
			res.Action = AuthCancelUnfreeze
			if err := q.UpdateAuthOrder(ctx, o); err != nil {
				return err
			}
			if err := s.postUnfreeze(ctx, q, o, rest, now); err != nil {
				return err
			}
		}
		if res.Action == AuthCancelClose {
			if err := q.UpdateAuthOrder(ctx, o); err != nil {
				return err
			}
		}
		op.CancelAction = res.Action
		if err := q.UpdateAuthOperation(ctx, op); err != nil {
			return err
		}
		fields := map[string]string{
			"auth_no": o.AuthNo, "out_order_no": o.OutOrderNo,
			"operation_id": op.OperationID, "out_request_no": op.OutRequestNo, "action": res.Action,
		}
		asAgent(fields, o.AgentAppID, o.AppID)
		return s.enqueueNotification(ctx, q, o.AppID, NotifyFundAuthOperationCancel, app.notifyURL(cmd.NotifyURL), fields, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

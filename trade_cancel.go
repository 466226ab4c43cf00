package zfb

import (
	"context"
	"errors"
	"time"
)

// CancelResult is what alipay.trade.cancel did. Action is "close", "refund",
// or empty when the trade does not exist.
type CancelResult struct {
	Trade  *Trade // nil when the trade does not exist
	Action string
}

// Close runs alipay.trade.close: only a trade waiting for payment closes.
func (s *Service) Close(ctx context.Context, app *App, now time.Time, ref TradeRef) (*Trade, error) {
	var t *Trade
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = findVisible(ctx, q, app, ref); err != nil {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		if t.Status != TradeWaitBuyerPay {
			return ErrTradeStatusError
		}
		return s.closeTrade(ctx, q, t, now, tradeParties{app: app})
	})
	return t, err
}

// Cancel runs alipay.trade.cancel, for a trade whose payment result the
// merchant does not know: unpaid, it closes; paid within CancelWindow, it is
// refunded in full. A trade zfb has never seen is answered with success and
// no action, and its out_trade_no is closed so that a pay arriving later is
// refused (ACQ.TRADE_HAS_CLOSE) instead of taking the buyer's money. A
// refusal (*Error) comes with the trade it concerns, when there is one.
func (s *Service) Cancel(ctx context.Context, app *App, now time.Time, ref TradeRef) (*CancelResult, error) {
	if ref.TradeNo == "" && ref.OutTradeNo == "" {
		return nil, InvalidTradeParameter("out_trade_no 和 trade_no 不能同时为空")
	}
	var res CancelResult
	err := s.command(ctx, func(q Queries) error {
		res = CancelResult{}
		t, err := findTrade(ctx, q, app, ref)
		switch {
		case errors.Is(err, ErrNotFound) && ref.TradeNo == "":
			return q.CreateTrade(ctx, &Trade{
				TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: ref.OutTradeNo, Kind: TradeKindCancelled,
				Status: TradeClosed, SellerID: app.SellerID, CreatedAt: now, ClosedAt: now, AgentAppID: app.Agent,
			})
		case errors.Is(err, ErrNotFound):
			return nil // a trade_no Alipay never issued: nothing to do
		case err != nil:
			return err
		case t.Kind == TradeKindCancelled:
			return nil // as the first cancel answered
		case !t.Scanned:
			// A precreated trade nobody scanned does not exist for Alipay:
			// no action, but it is closed, so that no scan can pay it now.
			t.Status, t.ClosedAt = TradeClosed, now
			return q.UpdateTrade(ctx, t)
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		res.Trade = t
		switch t.Status {
		case TradeWaitBuyerPay:
			t.CancelAction, res.Action = "close", "close"
			return s.closeTrade(ctx, q, t, now, tradeParties{app: app})
		case TradeClosed:
			switch {
			case t.CancelAction != "":
				res.Action = t.CancelAction // a repeated cancel answers as the first
			case t.PaidAt.IsZero():
				res.Action = "close" // closed unpaid: the cancel's outcome holds
			default:
				return ErrRefundFeeErr // paid and refunded in full already
			}
			return nil
		case TradeFinished:
			return ErrTradeHasFinished
		}
		// TRADE_SUCCESS
		if t.RefundedAmount > 0 {
			return ErrRefundFeeErr
		}
		if now.Sub(t.PaidAt) > CancelWindow {
			return ErrTradeCancelTimeOut
		}
		refund := &Refund{TradeNo: t.TradeNo, OutRequestNo: t.OutTradeNo, Amount: t.TotalAmount, Reason: "cancel", ByCancel: true, CreatedAt: now}
		t.CancelAction, res.Action = "refund", "refund"
		return s.postRefund(ctx, q, t, refund, now, tradeParties{app: app})
	})
	if err != nil {
		if _, refused := AsError(err); refused && res.Trade != nil {
			// A refused cancel still names the trade it found: its answer
			// carries trade_no (seed 003). Nothing was done to it.
			return &CancelResult{Trade: res.Trade}, err
		}
		return nil, err
	}
	return &res, nil
}

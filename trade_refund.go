package zfb

import (
	"context"
	"errors"
	"time"
)

// RefundCommand is alipay.trade.refund.
type RefundCommand struct {
	TradeRef
	RefundAmount, OutRequestNo, RefundReason string
}

// RefundResult is what a refund did. FundChange says whether this call
// moved money (a replay of an earlier refund does not).
type RefundResult struct {
	Trade      *Trade
	Refund     *Refund
	Buyer      *Buyer
	BuyerIDs   BuyerIDs // how the app names the buyer
	FundChange bool
}

// Refund runs alipay.trade.refund. out_request_no makes it idempotent: a
// repeat answers the first refund with fund_change N; the same number with
// another amount is ACQ.DISCORDANT_REPEAT_REQUEST. Without out_request_no
// the refund is of the whole trade, numbered by its out_trade_no.
func (s *Service) Refund(ctx context.Context, app *App, now time.Time, cmd RefundCommand) (*RefundResult, error) {
	amount, err := ParseAmount(cmd.RefundAmount)
	if err != nil || amount == 0 {
		return nil, InvalidTradeParameter("refund_amount 须为 0.01 到 100000000.00 之间的金额")
	}
	if len(cmd.OutRequestNo) > 64 {
		return nil, InvalidTradeParameter("out_request_no 不能超过 64 个字符")
	}
	var res RefundResult
	err = s.command(ctx, func(q Queries) error {
		res = RefundResult{}
		t, err := findVisible(ctx, q, app, cmd.TradeRef)
		if err != nil {
			return err
		}
		whole := cmd.OutRequestNo == ""
		number := cmd.OutRequestNo
		if whole {
			number = t.OutTradeNo
		}
		res.Trade = t
		if res.Buyer, err = optionalBuyer(ctx, q, t.BuyerID); err != nil {
			return err
		}
		if res.BuyerIDs, err = s.buyerIDs(ctx, q, app, t.BuyerID); err != nil {
			return err
		}
		if earlier, err := q.Refund(ctx, t.TradeNo, number); err == nil {
			if earlier.Amount != amount {
				return ErrDiscordantRepeatRequest
			}
			res.Refund = earlier
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		switch t.Status {
		case TradeWaitBuyerPay:
			return ErrTradeStatusError
		case TradeFinished:
			return ErrTradeHasFinished
		case TradeClosed:
			if t.PaidAt.IsZero() {
				return ErrTradeHasClose
			}
			return ErrRefundFeeErr
		}
		if whole && amount != t.TotalAmount {
			return ErrRefundAmtNotEqualTotal
		}
		if amount > t.TotalAmount-t.RefundedAmount {
			return ErrRefundFeeErr
		}
		res.Refund = &Refund{TradeNo: t.TradeNo, OutRequestNo: number, Amount: amount, Reason: cmd.RefundReason, CreatedAt: now}
		res.FundChange = true
		return s.postRefund(ctx, q, t, res.Refund, now, tradeParties{app: app})
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// postRefund refunds r of t, which the caller has read in this
// transaction and changed as it needs (a cancel's action). It writes t
// first, with r's amount added (closed when refunded in full): t's version
// then decides a race with another command on the trade before any account
// is locked, so the loser runs again and is answered for the trade's new
// state, not for the merchant's balance the winner has spent. Then it
// records r and moves its money back to the buyer. known is what the caller
// has read of the trade's app and buyer in this transaction.
func (s *Service) postRefund(ctx context.Context, q Queries, t *Trade, r *Refund, now time.Time, known tradeParties) error {
	t.RefundedAmount += r.Amount
	if t.RefundedAmount == t.TotalAmount {
		t.Status, t.ClosedAt = TradeClosed, now
	}
	if err := q.UpdateTrade(ctx, t); err != nil {
		return err
	}
	if err := q.CreateRefund(ctx, r); err != nil {
		return err
	}
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferRefund, Ref: t.TradeNo, Currency: CNY, Amount: r.Amount, CreatedAt: now,
		Debit: MerchantAccount(t.SellerID, CNY), Credit: BuyerAccount(t.BuyerID, CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrSellerBalanceNotEnough
	}
	if err != nil {
		return err
	}
	return s.notifyKnowing(ctx, q, t, now, r, known)
}

package zfb

import (
	"context"
	"errors"
	"time"
)

// TradeRef names a trade by trade_no or out_trade_no; trade_no wins when
// both are given, as on Alipay.
type TradeRef struct {
	TradeNo    string
	OutTradeNo string
}

// QueryResult is what alipay.trade.query answers: the trade, and its
// buyer ("" until known) by logon id and as the app names buyers.
type QueryResult struct {
	Trade        *Trade
	BuyerLogonID string
	BuyerIDs     BuyerIDs
}

// Query runs alipay.trade.query. It only reads, and one statement at
// most: the trade. Whatever else the answer shows of the buyer (logon id,
// open_id) never changes once written, so it needs no snapshot shared
// with the trade and comes from memory once seen. A trade whose time ran
// out is answered closed, and closed for good by the next command that
// touches it. (The one write it may cause is issuing the buyer's open_id
// in an app that had none for them yet; see showBuyer.)
func (s *Service) Query(ctx context.Context, app *App, now time.Time, ref TradeRef) (*QueryResult, error) {
	t, err := findVisible(ctx, s.store, app, ref)
	if err != nil {
		return nil, err
	}
	settleTrade(t, now)
	res := &QueryResult{Trade: t}
	if res.BuyerLogonID, err = s.buyerLogonID(ctx, s.store, t.BuyerID); err != nil {
		return nil, err
	}
	res.BuyerIDs, err = s.lookupBuyerIDs(ctx, s.store, app, t.BuyerID)
	if errors.Is(err, ErrNotFound) {
		// The buyer has no open_id in the app yet (paid before the app
		// moved to open ids): issue it.
		res.BuyerIDs, err = s.showBuyer(ctx, app, t.BuyerID)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RefundQuery runs alipay.trade.fastpay.refund.query. A refund that does
// not exist is not an error: Alipay answers success without refund fields.
func (s *Service) RefundQuery(ctx context.Context, app *App, ref TradeRef, outRequestNo string) (*Trade, *Refund, error) {
	var t *Trade
	var refund *Refund
	err := s.read(ctx, func(q Queries) error {
		var err error
		if t, err = findVisible(ctx, q, app, ref); err != nil {
			return err
		}
		if outRequestNo == "" {
			outRequestNo = t.OutTradeNo
		}
		refund, err = q.Refund(ctx, t.TradeNo, outRequestNo)
		if errors.Is(err, ErrNotFound) {
			refund, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return t, refund, nil
}

// Trade finds a trade by trade_no for the admin API and the dashboard, as
// it stands on its app's clock (a trade whose time ran out shows closed).
func (s *Service) Trade(ctx context.Context, tradeNo string) (*Trade, error) {
	return s.tradeView(ctx, func(q Queries) (*Trade, error) { return q.Trade(ctx, tradeNo) })
}

// TradeByOutTradeNo finds an app's trade for the admin API, precreated
// trades included (their trade_no is not in the precreate answer), as it
// stands on the app's clock.
func (s *Service) TradeByOutTradeNo(ctx context.Context, appID, outTradeNo string) (*Trade, error) {
	return s.tradeView(ctx, func(q Queries) (*Trade, error) { return q.TradeByOutTradeNo(ctx, appID, outTradeNo) })
}

func (s *Service) tradeView(ctx context.Context, find func(q Queries) (*Trade, error)) (*Trade, error) {
	var t *Trade
	err := s.read(ctx, func(q Queries) error {
		var err error
		if t, err = find(q); err != nil {
			return err
		}
		if t.Kind == TradeKindCancelled {
			return ErrNotFound
		}
		now, err := s.appNow(ctx, q, t.AppID)
		if err != nil {
			return err
		}
		settleTrade(t, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// findTrade finds the app's trade by trade_no (which wins) or out_trade_no.
func findTrade(ctx context.Context, q Queries, app *App, ref TradeRef) (*Trade, error) {
	if ref.TradeNo != "" {
		t, err := q.Trade(ctx, ref.TradeNo)
		if err == nil && t.AppID != app.ID {
			return nil, ErrNotFound
		}
		return t, err
	}
	return q.TradeByOutTradeNo(ctx, app.ID, ref.OutTradeNo)
}

// findVisible finds a trade as Alipay's query sees it: a cancelled
// out_trade_no and a precreated trade nobody scanned do not exist.
func findVisible(ctx context.Context, q Queries, app *App, ref TradeRef) (*Trade, error) {
	if ref.TradeNo == "" && ref.OutTradeNo == "" {
		return nil, InvalidTradeParameter("out_trade_no 和 trade_no 不能同时为空")
	}
	t, err := findTrade(ctx, q, app, ref)
	if errors.Is(err, ErrNotFound) || (err == nil && (t.Kind == TradeKindCancelled || !t.Scanned)) {
		return nil, ErrTradeNotExist
	}
	return t, err
}

func optionalBuyer(ctx context.Context, q Queries, userID string) (*Buyer, error) {
	if userID == "" {
		return nil, nil
	}
	return q.Buyer(ctx, userID)
}

func findBuyer(ctx context.Context, q Queries, userID, logonID string) (*Buyer, error) {
	if userID != "" {
		b, err := q.Buyer(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return nil, ErrBuyerNotExist
		}
		return b, err
	}
	buyers, err := q.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.LogonID == logonID {
			return b, nil
		}
	}
	return nil, ErrBuyerNotExist
}

package zfb

import (
	"context"
	"time"
)

// TradeFilter selects trades for the admin API's and the dashboard's
// lists (Queries.Trades).
type TradeFilter struct {
	// AppID keeps one app's trades; "" keeps every app's.
	AppID string
	// Statuses keeps trades stored with one of these statuses; none keeps
	// every status.
	Statuses []TradeStatus
	// Number keeps the trades whose trade_no or out_trade_no is Number or
	// starts with it; "" keeps every trade.
	Number string
	// Before keeps the trades listed after it: older, or made at the same
	// time with a smaller trade_no. nil starts at the newest.
	Before *TradeCursor
	// Limit is the most trades listed; none below 1.
	Limit int
}

// TradeCursor is a place in a trade list, newest first: a trade's creation
// time and trade_no.
type TradeCursor struct {
	CreatedAt time.Time
	TradeNo   string
}

// TradePage is one page of a trade list: the trades, newest first, and the
// cursor of the next page (nil on the last).
type TradePage struct {
	Trades []*Trade
	Next   *TradeCursor
}

// Trades lists trades newest first (by creation time, then trade_no), as
// they stand on their apps' clocks: status, when not "", keeps the trades
// that have it now (a trade whose time ran out is TRADE_CLOSED, one past its
// refund period TRADE_FINISHED); number keeps those whose trade_no or
// out_trade_no is number or starts with it; appID "" lists every app's.
// A page holds at most limit trades, and fewer when status filtered some
// of them out; Next continues after the last trade the page looked at.
// The tombstones of cancelled out_trade_nos are no trades and are left out.
func (s *Service) Trades(ctx context.Context, appID string, status TradeStatus, number string, before *TradeCursor, limit int) (*TradePage, error) {
	f := TradeFilter{AppID: appID, Number: number, Before: before, Limit: limit}
	switch status {
	case "":
	case TradeClosed: // closed, or waiting past its time
		f.Statuses = []TradeStatus{TradeClosed, TradeWaitBuyerPay}
	case TradeFinished: // finished, or paid before the refund period
		f.Statuses = []TradeStatus{TradeFinished, TradeSuccess}
	default:
		f.Statuses = []TradeStatus{status}
	}
	page := &TradePage{}
	err := s.read(ctx, func(q Queries) error {
		trades, err := q.Trades(ctx, f)
		if err != nil {
			return err
		}
		page.Trades, page.Next = nil, nil
		nows := map[string]time.Time{}
		for _, t := range trades {
			now, ok := nows[t.AppID]
			if !ok {
				if now, err = s.appNow(ctx, q, t.AppID); err != nil {
					return err
				}
				nows[t.AppID] = now
			}
			settleTrade(t, now)
			if status == "" || t.Status == status {
				page.Trades = append(page.Trades, t)
			}
		}
		if limit > 0 && len(trades) == limit {
			last := trades[len(trades)-1]
			page.Next = &TradeCursor{CreatedAt: last.CreatedAt, TradeNo: last.TradeNo}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// TradeRefunds lists a trade's refunds, oldest first.
func (s *Service) TradeRefunds(ctx context.Context, tradeNo string) ([]*Refund, error) {
	return s.store.Refunds(ctx, tradeNo)
}

package admin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/zfbpay/zfb"
)

// tradesPage lists trades newest first: ?app_id=, ?status=, ?q= (a number
// or its start), ?before= (the next page).
func (d *dashboard) tradesPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	query := r.URL.Query()
	data := struct {
		Apps                []*zfb.App
		Statuses            []zfb.TradeStatus
		AppID, Status, Q    string
		Trades              []*zfb.Trade
		Next, Error, NextQS string
	}{AppID: query.Get("app_id"), Status: query.Get("status"), Q: strings.TrimSpace(query.Get("q")), Statuses: tradeStatuses}
	apps, err := d.svc.Apps(ctx)
	if err != nil {
		d.fail(w, r, "apps", err)
		return
	}
	data.Apps = apps
	status, err := parseTradeStatus(data.Status)
	if err == nil {
		var before *zfb.TradeCursor
		if before, err = parseTradeCursor(query.Get("before")); err == nil {
			var page *zfb.TradePage
			if page, err = d.svc.Trades(ctx, data.AppID, status, data.Q, before, 50); err != nil {
				d.fail(w, r, "trades", err)
				return
			}
			data.Trades = page.Trades
			if page.Next != nil {
				next := url.Values{"app_id": {data.AppID}, "status": {data.Status}, "q": {data.Q}, "before": {formatTradeCursor(page.Next)}}
				data.NextQS = next.Encode()
			}
		}
	}
	if err != nil {
		data.Error = err.Error()
	}
	d.show(w, r, s, "dashboard_trades.html", "Trades", "trades", data)
}

// notificationRow is a notification in a list.
type notificationRow struct {
	*zfb.OutboxMessage
	State string // delivered, pending or failed
}

func notificationState(m *zfb.OutboxMessage) string {
	switch {
	case m.DeliveredAt != nil:
		return "delivered"
	case m.Attempts >= zfb.MaxNotifyAttempts:
		return "failed"
	}
	return "pending"
}

// notificationsAbout lists the app's notifications one of whose fields is
// number (a trade_no, an auth_no, an acquirementId).
func (d *dashboard) notificationsAbout(r *http.Request, appID, number string) ([]notificationRow, error) {
	ms, err := d.svc.Notifications(r.Context(), appID)
	if err != nil {
		return nil, err
	}
	var out []notificationRow
	for _, m := range ms {
		var fields map[string]any
		_ = json.Unmarshal([]byte(m.Payload), &fields)
		for _, v := range fields {
			if s, ok := v.(string); ok && s == number {
				out = append(out, notificationRow{m, notificationState(m)})
				break
			}
		}
	}
	return out, nil
}

// moneyTrail is what a detail page shows of the money and the messages
// an object caused: the ledger transfers that name its number, and the
// notifications about it (template "money-trail").
type moneyTrail struct {
	Transfers     []*zfb.Transfer
	Notifications []notificationRow
}

// moneyTrail reads the trail of the object numbered number in app appID;
// what names the part that failed, for d.fail.
func (d *dashboard) moneyTrail(r *http.Request, appID, number string) (trail moneyTrail, what string, err error) {
	if trail.Transfers, err = d.svc.Transfers(r.Context(), number); err != nil {
		return trail, "transfers", err
	}
	if trail.Notifications, err = d.notificationsAbout(r, appID, number); err != nil {
		return trail, "notifications", err
	}
	return trail, "", nil
}

// tradePage shows a trade: every field, its refunds, its ledger transfers,
// its notifications and, while it waits for the buyer, the buyer's actions.
func (d *dashboard) tradePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	tradeNo := r.PathValue("trade_no")
	t, err := d.svc.Trade(ctx, tradeNo)
	if err != nil {
		d.pageError(w, r, s, "trade "+tradeNo, err)
		return
	}
	data := struct {
		Trade   *zfb.Trade
		QRCode  string // the URL precreate answered; "" for none
		Refunds []*zfb.Refund
		moneyTrail
		Waiting bool
		Buyers  []*zfb.Buyer
	}{Trade: t, QRCode: tradeQRCodeURL(r, t), Waiting: t.Status == zfb.TradeWaitBuyerPay}
	if data.Refunds, err = d.svc.TradeRefunds(ctx, tradeNo); err != nil {
		d.fail(w, r, "refunds", err)
		return
	}
	var what string
	if data.moneyTrail, what, err = d.moneyTrail(r, t.AppID, tradeNo); err != nil {
		d.fail(w, r, what, err)
		return
	}
	if data.Waiting && t.BuyerID == "" {
		if data.Buyers, err = d.svc.Buyers(ctx); err != nil {
			d.fail(w, r, "buyers", err)
			return
		}
	}
	d.show(w, r, s, "dashboard_trade.html", "Trade "+tradeNo, "trades", data)
}

// tradeBuyerAction plays the buyer on a waiting trade: action pay, decline
// or scan, and for a trade nobody has scanned yet the buyer_id who acts.
func (d *dashboard) tradeBuyerAction(r *http.Request) (string, string, error) {
	tradeNo := r.PathValue("trade_no")
	back := dashboardPath + "trades/" + url.PathEscape(tradeNo)
	action := r.PostForm.Get("action")
	t, err := d.svc.ActAsBuyer(r.Context(), tradeNo, action, r.PostForm.Get("buyer_id"))
	if err != nil {
		return back, "", err
	}
	return back, "The buyer did " + action + ": the trade is " + string(t.Status) + ".", nil
}

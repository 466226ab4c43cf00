package zfb

import (
	"context"
	"encoding/json"
	"time"
)

// NotifyTradeStatusSync is the notify_type of trade notifications.
const NotifyTradeStatusSync = "trade_status_sync"

// notify records the trade_status_sync notification of t's current state
// in the outbox, in the caller's transaction: on payment (TRADE_SUCCESS),
// on a refund (refund given; TRADE_SUCCESS, or TRADE_CLOSED when it
// refunded everything), on closing (TRADE_CLOSED) and on finishing
// (TRADE_FINISHED). It goes to the trade's NotifyURL (the pay's
// notify_url, else the app's default when the trade was made), else
// nowhere. The fields are those of spec/openapi.md §5.2, as
// they stand now; the notify package adds the common ones and signs.
func (s *Service) notify(ctx context.Context, q Queries, t *Trade, now time.Time, refund *Refund) error {
	return s.notifyKnowing(ctx, q, t, now, refund, tradeParties{})
}

// tradeParties is what a command has already read of a trade's app and
// buyer in its transaction, so that notifyKnowing need not read them again
// (a round trip each on PostgreSQL); nil fields are read.
type tradeParties struct {
	app   *App   // the trade's app (t.AppID)
	buyer *Buyer // the trade's buyer (t.BuyerID)
}

// notifyKnowing is notify with the parties the caller already holds.
func (s *Service) notifyKnowing(ctx context.Context, q Queries, t *Trade, now time.Time, refund *Refund, known tradeParties) error {
	if t.NotifyURL == "" {
		return nil
	}
	fields := map[string]string{
		"trade_no": t.TradeNo, "out_trade_no": t.OutTradeNo, "trade_status": string(t.Status),
		"seller_id": t.SellerID, "buyer_id": t.BuyerID, "subject": t.Subject, "body": t.Body,
		"total_amount": FormatAmount(t.TotalAmount), "gmt_create": FormatGatewayTime(t.CreatedAt),
	}
	asAgent(fields, t.AgentAppID, t.AppID)
	if t.PassbackParams != "" {
		fields["passback_params"] = t.PassbackParams // as sent, still URL-encoded (spec web-and-app-pay.md §7)
	}
	if t.BuyerID != "" {
		b := known.buyer
		if b == nil || b.UserID != t.BuyerID {
			var err error
			if b, err = q.Buyer(ctx, t.BuyerID); err != nil {
				return err
			}
		}
		fields["buyer_logon_id"] = b.LogonID // masked when rendered
	}
	// buyer_id and/or buyer_open_id by the app's identity mode (spec
	// isv-and-identity §2.2).
	if app := known.app; app != nil && app.ID == t.AppID {
		if err := s.nameBuyerInApp(ctx, q, app, fields, "buyer_id", "buyer_open_id"); err != nil {
			return err
		}
	} else if err := s.nameBuyerIn(ctx, q, t.AppID, fields, "buyer_id", "buyer_open_id"); err != nil {
		return err
	}
	if !t.PaidAt.IsZero() {
		paid := FormatAmount(t.TotalAmount)
		fields["receipt_amount"], fields["invoice_amount"], fields["buyer_pay_amount"] = paid, paid, paid
		fields["point_amount"] = "0.00"
		fields["gmt_payment"] = FormatGatewayTime(t.PaidAt)
		// camelCase inside the notification, unlike the API answers (§5.2).
		bills, err := json.Marshal([]map[string]string{{"amount": paid, "fundChannel": "ALIPAYACCOUNT"}})
		if err != nil {
			return err
		}
		fields["fund_bill_list"] = string(bills)
	}
	if t.RefundedAmount > 0 {
		fields["refund_fee"] = FormatAmount(t.RefundedAmount)
	}
	if refund != nil {
		fields["out_biz_no"] = refund.OutRequestNo
		fields["gmt_refund"] = FormatGatewayTime(refund.CreatedAt)
	}
	if !t.ClosedAt.IsZero() {
		fields["gmt_close"] = FormatGatewayTime(t.ClosedAt)
	}
	return s.enqueueNotification(ctx, q, t.AppID, NotifyTradeStatusSync, t.NotifyURL, fields, now)
}

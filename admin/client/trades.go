package client

import (
	"context"
	"time"
)

// Trade is a trade as the admin API shows it.
type Trade struct {
	TradeNo        string     `json:"trade_no"`
	AppID          string     `json:"app_id"`
	OutTradeNo     string     `json:"out_trade_no"`
	SellerID       string     `json:"seller_id"`
	AgentAppID     string     `json:"agent_app_id,omitempty"`
	Kind           string     `json:"kind"`
	TradeStatus    string     `json:"trade_status"` // WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED, TRADE_FINISHED
	BuyerID        string     `json:"buyer_id,omitempty"`
	Subject        string     `json:"subject"`
	TotalAmount    string     `json:"total_amount"`
	RefundedAmount string     `json:"refunded_amount"`
	QRCode         string     `json:"qr_code,omitempty"`
	Scanned        bool       `json:"scanned"`
	CancelAction   string     `json:"cancel_action,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	PaidAt         *time.Time `json:"paid_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
}

// What the buyer may do on a waiting trade (ActAsBuyer).
const (
	BuyerPay     = "pay"     // confirm a password payment
	BuyerDecline = "decline" // decline it
	BuyerScan    = "scan"    // scan (and pay) a precreated QR code
)

// Trade reads a trade by its trade_no.
func (c *Client) Trade(ctx context.Context, tradeNo string) (*Trade, error) {
	return c.trade(ctx, "GET", "/trades/"+seg(tradeNo), nil)
}

// TradeByOutTradeNo reads an app's trade by the merchant's out_trade_no.
func (c *Client) TradeByOutTradeNo(ctx context.Context, appID, outTradeNo string) (*Trade, error) {
	return c.trade(ctx, "GET", "/apps/"+seg(appID)+"/trades/"+seg(outTradeNo), nil)
}

// ActAsBuyer acts as the buyer on a waiting trade: BuyerPay, BuyerDecline
// or BuyerScan; buyerID (optional) names who scans a precreated trade.
func (c *Client) ActAsBuyer(ctx context.Context, tradeNo, action, buyerID string) (*Trade, error) {
	body := map[string]string{"action": action}
	if buyerID != "" {
		body["buyer_id"] = buyerID
	}
	return c.trade(ctx, "POST", "/trades/"+seg(tradeNo)+"/buyer", body)
}

func (c *Client) trade(ctx context.Context, method, path string, body any) (*Trade, error) {
	var out Trade
	if err := c.do(ctx, method, path, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

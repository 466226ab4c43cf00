package client

import (
	"context"
	"strconv"
	"time"
)

// Fault effects.
const (
	FaultErrorBefore = "error_before" // a system error, nothing done
	FaultErrorAfter  = "error_after"  // the work commits, the answer is a system error
	FaultDelay       = "delay"        // the work commits, the answer comes DelayMS late
)

// FaultRule is what AddFault takes.
type FaultRule struct {
	Method string `json:"method"` // e.g. alipay.trade.pay
	// OutTradeNo is a pattern ("T-*"; "" for any) on the call's
	// out_trade_no, or a fund authorisation call's out_order_no or
	// out_request_no.
	OutTradeNo string `json:"out_trade_no,omitempty"`
	Effect     string `json:"effect"`
	DelayMS    int    `json:"delay_ms,omitempty"`
	// SubCode: isp.unknow-error (default), ACQ.SYSTEM_ERROR or SYSTEM_ERROR.
	SubCode string `json:"sub_code,omitempty"`
}

// Fault is a stored fault rule.
type Fault struct {
	ID        int64     `json:"id"`
	AppID     string    `json:"app_id"`
	CreatedAt time.Time `json:"created_at"`
	FaultRule
}

// Faults lists an app's fault rules, oldest first.
func (c *Client) Faults(ctx context.Context, appID string) ([]Fault, error) {
	var out struct {
		Faults []Fault `json:"faults"`
	}
	err := c.do(ctx, "GET", "/apps/"+seg(appID)+"/faults", nil, &out)
	return out.Faults, err
}

// AddFault adds a fault rule to an app.
func (c *Client) AddFault(ctx context.Context, appID string, rule FaultRule) (*Fault, error) {
	var out Fault
	if err := c.do(ctx, "POST", "/apps/"+seg(appID)+"/faults", rule, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ClearFaults removes every fault rule of an app.
func (c *Client) ClearFaults(ctx context.Context, appID string) error {
	return c.do(ctx, "DELETE", "/apps/"+seg(appID)+"/faults", nil, nil)
}

// DeleteFault removes one fault rule of an app.
func (c *Client) DeleteFault(ctx context.Context, appID string, id int64) error {
	return c.do(ctx, "DELETE", "/apps/"+seg(appID)+"/faults/"+strconv.FormatInt(id, 10), nil, nil)
}

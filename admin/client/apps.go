package client

import (
	"context"
	"time"
)

// App is an app as the admin API shows it (never its private key).
type App struct {
	AppID           string    `json:"app_id"`
	SellerID        string    `json:"seller_id"`
	SignType        string    `json:"sign_type"`
	Name            string    `json:"name,omitempty"`
	Methods         []string  `json:"methods"`
	AppPublicKey    string    `json:"app_public_key"`
	AlipayPublicKey string    `json:"alipay_public_key"`
	IdentityMode    string    `json:"identity_mode"`
	CertMode        bool      `json:"cert_mode,omitempty"`
	ISV             bool      `json:"isv,omitempty"`
	IntlClientID    string    `json:"intl_client_id"`
	IntlPartnerID   string    `json:"intl_partner_id"`
	NotifyURL       string    `json:"notify_url,omitempty"`
	Now             time.Time `json:"now"`
}

// Apps lists the apps.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	var out struct {
		Apps []App `json:"apps"`
	}
	err := c.do(ctx, "GET", "/apps", nil, &out)
	return out.Apps, err
}

// App reads one app.
func (c *Client) App(ctx context.Context, appID string) (*App, error) {
	var out App
	if err := c.do(ctx, "GET", "/apps/"+seg(appID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Clock is an app's clock.
type Clock struct {
	AppID string `json:"app_id"`
	// Now is the app's time (Beijing time).
	Now time.Time `json:"now"`
	// GatewayTime is Now as gateway.do writes it: "2006-01-02 15:04:05".
	GatewayTime string `json:"gateway_time"`
	// Offset is how far the app's clock is ahead of the wall clock ("25h0m0s").
	Offset string `json:"offset"`
}

// Clock reads an app's clock.
func (c *Client) Clock(ctx context.Context, appID string) (*Clock, error) {
	return c.clock(ctx, "GET", appID, nil)
}

// AdvanceClock moves an app's clock forward by d: a Go duration ("90m",
// "25h") or whole days ("2d").
func (c *Client) AdvanceClock(ctx context.Context, appID, d string) (*Clock, error) {
	return c.clock(ctx, "POST", appID, map[string]string{"advance": d})
}

// SetClock moves an app's clock forward to t (clocks never go back: an
// *Error with code clock_backwards).
func (c *Client) SetClock(ctx context.Context, appID string, t time.Time) (*Clock, error) {
	return c.clock(ctx, "POST", appID, map[string]string{"set": t.Format(time.RFC3339)})
}

func (c *Client) clock(ctx context.Context, method, appID string, body any) (*Clock, error) {
	var out Clock
	if err := c.do(ctx, method, "/apps/"+seg(appID)+"/clock", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

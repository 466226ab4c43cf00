package client

import "context"

// Buyer is a sandbox buyer.
type Buyer struct {
	UserID      string `json:"user_id"`
	LogonID     string `json:"logon_id"`
	PaymentCode string `json:"payment_code"`
	Balance     string `json:"balance"`
	Behaviour   string `json:"behaviour"` // pays, password or poor
	Restricted  bool   `json:"restricted,omitempty"`
	// OpenIDs is the buyer's open_id in each app, by app_id.
	OpenIDs map[string]string `json:"open_ids,omitempty"`
}

// NewBuyer is what CreateBuyer takes; what is left empty is generated.
type NewBuyer struct {
	Behaviour   string `json:"behaviour"`         // pays, password or poor
	Balance     string `json:"balance"`           // e.g. "100.00"
	UserID      string `json:"user_id,omitempty"` // 2088…
	LogonID     string `json:"logon_id,omitempty"`
	PaymentCode string `json:"payment_code,omitempty"`
}

// Buyers lists the buyers.
func (c *Client) Buyers(ctx context.Context) ([]Buyer, error) {
	var out struct {
		Buyers []Buyer `json:"buyers"`
	}
	err := c.do(ctx, "GET", "/buyers", nil, &out)
	return out.Buyers, err
}

// Buyer reads one buyer.
func (c *Client) Buyer(ctx context.Context, userID string) (*Buyer, error) {
	return c.buyer(ctx, "GET", "/buyers/"+seg(userID), nil)
}

// CreateBuyer creates a buyer funded with b.Balance.
func (c *Client) CreateBuyer(ctx context.Context, b NewBuyer) (*Buyer, error) {
	return c.buyer(ctx, "POST", "/buyers", b)
}

// RestrictBuyer restricts a buyer's account (restricted false lifts it):
// a restricted buyer can neither pay nor have funds frozen or released.
func (c *Client) RestrictBuyer(ctx context.Context, userID string, restricted bool) (*Buyer, error) {
	return c.buyer(ctx, "POST", "/buyers/"+seg(userID), map[string]bool{"restricted": restricted})
}

// TopUp adds amount ("50.00") to a buyer's balance
// (POST /buyers/{user_id}/top-up).
func (c *Client) TopUp(ctx context.Context, userID, amount string) (*Buyer, error) {
	return c.buyer(ctx, "POST", "/buyers/"+seg(userID)+"/top-up", map[string]string{"amount": amount})
}

func (c *Client) buyer(ctx context.Context, method, path string, body any) (*Buyer, error) {
	var out Buyer
	if err := c.do(ctx, method, path, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

package admin

import (
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
)

func (h *Handler) routeTrades() {
	h.mux.HandleFunc("GET "+Prefix+"/trades", h.listTrades)
	h.mux.HandleFunc("GET "+Prefix+"/trades/{trade_no}", h.showTrade)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/trades/{out_trade_no}", h.showTradeByOutTradeNo)
	h.mux.HandleFunc("POST "+Prefix+"/trades/{trade_no}/buyer", h.actAsBuyer)
}

// tradeView is a trade as the admin API shows it.
type tradeView struct {
	TradeNo    string `json:"trade_no"`
	AppID      string `json:"app_id"`
	OutTradeNo string `json:"out_trade_no"`
	SellerID   string `json:"seller_id"`
	// AgentAppID is the third-party app that made the trade for the app.
	AgentAppID     string     `json:"agent_app_id,omitempty"`
	Kind           string     `json:"kind"`
	TradeStatus    string     `json:"trade_status"`
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

// optionalTime is t in Beijing time, or nil when t is zero (unset).
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	b := t.In(zfb.Beijing)
	return &b
}

// viewTrade is t as the API shows it to r: its qr_code is the URL
// precreate answered, zfb's page for the code on r's host.
func viewTrade(r *http.Request, t *zfb.Trade) tradeView {
	at := optionalTime
	return tradeView{
		TradeNo: t.TradeNo, AppID: t.AppID, OutTradeNo: t.OutTradeNo, Kind: t.Kind, TradeStatus: string(t.Status),
		SellerID: t.SellerID, AgentAppID: t.AgentAppID,
		BuyerID: t.BuyerID, Subject: t.Subject, TotalAmount: zfb.FormatAmount(t.TotalAmount),
		RefundedAmount: zfb.FormatAmount(t.RefundedAmount), QRCode: openapi.QRCodeURL(openapi.BaseURL(r), t.QRCode), Scanned: t.Scanned,
		CancelAction: t.CancelAction, CreatedAt: t.CreatedAt.In(zfb.Beijing),
		ExpiresAt: at(t.ExpiresAt), PaidAt: at(t.PaidAt), ClosedAt: at(t.ClosedAt),
	}
}

func (h *Handler) showTrade(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.Trade(r.Context(), r.PathValue("trade_no"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTrade(r, t))
}

func (h *Handler) showTradeByOutTradeNo(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.TradeByOutTradeNo(r.Context(), r.PathValue("app_id"), r.PathValue("out_trade_no"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTrade(r, t))
}

// actAsBuyer takes {"action":"pay"|"decline"|"scan"} and, for a precreated
// trade, optionally the "buyer_id" who scans it.
func (h *Handler) actAsBuyer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Action  string `json:"action"`
		BuyerID string `json:"buyer_id"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	t, err := h.svc.ActAsBuyer(r.Context(), r.PathValue("trade_no"), body.Action, body.BuyerID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTrade(r, t))
}

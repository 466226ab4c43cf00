package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

func (h *Handler) routeTrades() {
	h.mux.HandleFunc("POST "+Prefix+"/buyers", h.createBuyer)
	h.mux.HandleFunc("GET "+Prefix+"/trades/{trade_no}", h.showTrade)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/trades/{out_trade_no}", h.showTradeByOutTradeNo)
	h.mux.HandleFunc("POST "+Prefix+"/trades/{trade_no}/buyer", h.actAsBuyer)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/faults", h.listFaults)
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}/faults", h.createFault)
	h.mux.HandleFunc("DELETE "+Prefix+"/apps/{app_id}/faults", h.clearFaults)
	h.mux.HandleFunc("DELETE "+Prefix+"/apps/{app_id}/faults/{id}", h.deleteFault)
}

// createBuyer takes {"behaviour":"pays","balance":"100.00"} and optionally
// "user_id", "logon_id" and "payment_code"; what is left out is generated.
func (h *Handler) createBuyer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Behaviour   string `json:"behaviour"`
		Balance     string `json:"balance"`
		UserID      string `json:"user_id"`
		LogonID     string `json:"logon_id"`
		PaymentCode string `json:"payment_code"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if !zfb.ValidBehaviour(body.Behaviour) {
		writeError(w, http.StatusBadRequest, "invalid_request", `"behaviour" must be pays, password or poor`)
		return
	}
	balance, err := zfb.ParseAmount(body.Balance)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `"balance" must be an amount like "100.00"`)
		return
	}
	b, err := sandbox.NewBuyer(body.Behaviour, balance)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if body.UserID != "" {
		b.UserID = body.UserID
	}
	if body.LogonID != "" {
		b.LogonID = body.LogonID
	}
	if body.PaymentCode != "" {
		b.PaymentCode = body.PaymentCode
	}
	if err := h.svc.CreateBuyer(r.Context(), b); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sandbox.Buyer{UserID: b.UserID, LogonID: b.LogonID, PaymentCode: b.PaymentCode, Balance: zfb.FormatAmount(b.Balance), Behaviour: b.Behaviour})
}

// tradeView is a trade as the admin API shows it.
type tradeView struct {
	TradeNo        string     `json:"trade_no"`
	AppID          string     `json:"app_id"`
	OutTradeNo     string     `json:"out_trade_no"`
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

func viewTrade(t *zfb.Trade) tradeView {
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		b := t.In(zfb.Beijing)
		return &b
	}
	return tradeView{
		TradeNo: t.TradeNo, AppID: t.AppID, OutTradeNo: t.OutTradeNo, Kind: t.Kind, TradeStatus: string(t.Status),
		BuyerID: t.BuyerID, Subject: t.Subject, TotalAmount: zfb.FormatAmount(t.TotalAmount),
		RefundedAmount: zfb.FormatAmount(t.RefundedAmount), QRCode: t.QRCode, Scanned: t.Scanned,
		CancelAction: t.CancelAction, CreatedAt: t.CreatedAt.In(zfb.Beijing),
		ExpiresAt: at(t.ExpiresAt), PaidAt: at(t.PaidAt), ClosedAt: at(t.ClosedAt),
	}
}

func (h *Handler) showTrade(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.Store.Trade(r.Context(), r.PathValue("trade_no"))
	if err == nil && t.Kind == zfb.TradeKindCancelled {
		err = zfb.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTrade(t))
}

func (h *Handler) showTradeByOutTradeNo(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.TradeByOutTradeNo(r.Context(), r.PathValue("app_id"), r.PathValue("out_trade_no"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewTrade(t))
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
	writeJSON(w, http.StatusOK, viewTrade(t))
}

// faultView is a fault rule as the admin API shows it.
type faultView struct {
	ID         int64     `json:"id"`
	AppID      string    `json:"app_id"`
	Method     string    `json:"method"`
	OutTradeNo string    `json:"out_trade_no,omitempty"`
	Effect     string    `json:"effect"`
	DelayMS    int       `json:"delay_ms,omitempty"`
	SubCode    string    `json:"sub_code"`
	CreatedAt  time.Time `json:"created_at"`
}

func viewFault(f *zfb.Fault) faultView {
	return faultView{f.ID, f.AppID, f.Method, f.OutTradeNo, f.Effect, f.DelayMS, f.SubCode, f.CreatedAt}
}

func (h *Handler) listFaults(w http.ResponseWriter, r *http.Request) {
	faults, err := h.svc.Store.Faults(r.Context(), r.PathValue("app_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]faultView, 0, len(faults))
	for _, f := range faults {
		out = append(out, viewFault(f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": out})
}

// createFault takes {"method":"alipay.trade.pay","out_trade_no":"T-*",
// "effect":"error_before"|"error_after"|"delay","delay_ms":3000,
// "sub_code":"isp.unknow-error"|"ACQ.SYSTEM_ERROR"}.
func (h *Handler) createFault(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Method     string `json:"method"`
		OutTradeNo string `json:"out_trade_no"`
		Effect     string `json:"effect"`
		DelayMS    int    `json:"delay_ms"`
		SubCode    string `json:"sub_code"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	f := &zfb.Fault{AppID: r.PathValue("app_id"), Method: body.Method, OutTradeNo: body.OutTradeNo, Effect: body.Effect, DelayMS: body.DelayMS, SubCode: body.SubCode}
	if err := h.svc.AddFault(r.Context(), f); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewFault(f))
}

func (h *Handler) clearFaults(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Store.DeleteFaults(r.Context(), r.PathValue("app_id")); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": []faultView{}})
}

func (h *Handler) deleteFault(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "nothing found for "+r.URL.Path)
		return
	}
	if err := h.svc.Store.DeleteFault(r.Context(), r.PathValue("app_id"), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

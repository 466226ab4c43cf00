package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

func (h *Handler) routeBuyers() {
	h.mux.HandleFunc("GET "+Prefix+"/buyers", h.listBuyers)
	h.mux.HandleFunc("POST "+Prefix+"/buyers", h.createBuyer)
	h.mux.HandleFunc("GET "+Prefix+"/buyers/{user_id}", h.showBuyer)
	h.mux.HandleFunc("POST "+Prefix+"/buyers/{user_id}", h.updateBuyer)
	h.mux.HandleFunc("POST "+Prefix+"/buyers/{user_id}/top-up", h.topUpBuyer)
}

// buyerJSON is a buyer as the admin API shows it: with its open_id in
// every app (sandbox.WithOpenIDs).
func (h *Handler) buyerJSON(w http.ResponseWriter, r *http.Request, status int, b *zfb.Buyer) {
	c, err := sandbox.WithOpenIDs(r.Context(), h.svc, b)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, c)
}

func (h *Handler) showBuyer(w http.ResponseWriter, r *http.Request) {
	b, err := h.svc.Buyer(r.Context(), r.PathValue("user_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.buyerJSON(w, r, http.StatusOK, b)
}

func (h *Handler) listBuyers(w http.ResponseWriter, r *http.Request) {
	buyers, err := h.svc.Buyers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]sandbox.Buyer, 0, len(buyers))
	for _, b := range buyers {
		c, err := sandbox.WithOpenIDs(r.Context(), h.svc, b)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"buyers": out})
}

// createBuyer takes {"behaviour":"pays","balance":"100.00"} and optionally
// "user_id", "logon_id" and "payment_code"; what is left out is generated.
func (h *Handler) createBuyer(w http.ResponseWriter, r *http.Request) {
	var body newBuyer
	if !readJSON(w, r, &body) {
		return
	}
	b, err := body.create(r.Context(), h.svc)
	var fe formError
	if errors.As(err, &fe) {
		writeError(w, http.StatusBadRequest, "invalid_request", fe.Error())
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.buyerJSON(w, r, http.StatusCreated, b)
}

// newBuyer is a buyer to create, as the admin API and the dashboard take
// it: a behaviour and a balance, and what is left out of the rest is
// generated.
type newBuyer struct {
	Behaviour   string `json:"behaviour"`
	Balance     string `json:"balance"`
	UserID      string `json:"user_id"`
	LogonID     string `json:"logon_id"`
	PaymentCode string `json:"payment_code"`
}

// create makes the buyer; a bad behaviour or balance is a formError.
func (nb newBuyer) create(ctx context.Context, svc *zfb.Service) (*zfb.Buyer, error) {
	if !zfb.ValidBehaviour(nb.Behaviour) {
		return nil, formError(`"behaviour" must be pays, password or poor`)
	}
	balance, err := zfb.ParseAmount(nb.Balance)
	if err != nil {
		return nil, formError(`"balance" must be an amount like "100.00"`)
	}
	b, err := sandbox.NewBuyer(nb.Behaviour, balance)
	if err != nil {
		return nil, err
	}
	if nb.UserID != "" {
		b.UserID = nb.UserID
	}
	if nb.LogonID != "" {
		b.LogonID = nb.LogonID
	}
	if nb.PaymentCode != "" {
		b.PaymentCode = nb.PaymentCode
	}
	if err := svc.CreateBuyer(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// updateBuyer takes {"restricted":true} to restrict the buyer's account
// (it then can neither pay nor have funds frozen or released) or false to
// lift the restriction.
func (h *Handler) updateBuyer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Restricted *bool `json:"restricted"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Restricted == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `give "restricted": true or false`)
		return
	}
	ctx := r.Context()
	userID := r.PathValue("user_id")
	if err := h.svc.RestrictBuyer(ctx, userID, *body.Restricted); err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := h.svc.Buyer(ctx, userID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.buyerJSON(w, r, http.StatusOK, b)
}

// topUpBuyer takes {"amount":"100.00"} and adds it to the buyer's balance,
// paid from the sandbox's funding account.
func (h *Handler) topUpBuyer(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Amount string `json:"amount"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	amount, err := zfb.ParseAmount(body.Amount)
	if err != nil || amount <= 0 {
		writeError(w, http.StatusBadRequest, "invalid_request", `"amount" must be an amount above zero like "100.00"`)
		return
	}
	b, err := h.svc.TopUpBuyer(r.Context(), r.PathValue("user_id"), amount)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.buyerJSON(w, r, http.StatusOK, b)
}

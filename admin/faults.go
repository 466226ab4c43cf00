package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
)

// WithWriteTimeout tells the admin API the HTTP server's write timeout, so
// that it refuses a delay fault the server could never answer after.
func WithWriteTimeout(d time.Duration) Option { return func(h *Handler) { h.writeTimeout = d } }

func (h *Handler) routeFaults() {
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/faults", h.listFaults)
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}/faults", h.createFault)
	h.mux.HandleFunc("DELETE "+Prefix+"/apps/{app_id}/faults", h.clearFaults)
	h.mux.HandleFunc("DELETE "+Prefix+"/apps/{app_id}/faults/{id}", h.deleteFault)
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
	faults, err := h.svc.Faults(r.Context(), r.PathValue("app_id"))
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
// "sub_code":"isp.unknow-error"|"ACQ.SYSTEM_ERROR"|"SYSTEM_ERROR"}. The
// out_trade_no pattern also matches a fund authorisation call's
// out_order_no or out_request_no.
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
	if delay := time.Duration(body.DelayMS) * time.Millisecond; body.Effect == zfb.FaultDelay && h.writeTimeout > 0 && delay >= h.writeTimeout {
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf(
			"delay_ms %d is not shorter than the server's write timeout (%s): the delayed answer would never arrive; give a delay below %d ms",
			body.DelayMS, h.writeTimeout, h.writeTimeout.Milliseconds()))
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
	if err := h.svc.DeleteFaults(r.Context(), r.PathValue("app_id")); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"faults": []faultView{}})
}

func (h *Handler) deleteFault(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := h.svc.DeleteFault(r.Context(), r.PathValue("app_id"), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

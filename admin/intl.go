package admin

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/zfbpay/zfb"
)

func (h *Handler) routeIntl() {
	h.mux.HandleFunc("GET "+Prefix+"/intl/payments/{acquirement_id}", h.showIntlPayment)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/intl/payments", h.listIntlPayments)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/intl/payments/{merchant_trans_id}", h.showIntlPaymentByMerchantTransID)
	h.mux.HandleFunc("POST "+Prefix+"/intl/payments/{acquirement_id}/buyer", h.actOnIntlPayment)
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}/settle", h.settleMerchant)
}

// money is an amount as the intl dialect writes it: minor units as a
// string, with the currency.
type money struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

func minor(currency string, n int64) money {
	return money{Currency: currency, Value: strconv.FormatInt(n, 10)}
}

// intlPaymentView is an international payment as the admin API shows it.
type intlPaymentView struct {
	AcquirementID   string           `json:"acquirement_id"`
	AppID           string           `json:"app_id"`
	MerchantTransID string           `json:"merchant_trans_id"`
	Status          string           `json:"acquirement_status"`
	BuyerID         string           `json:"buyer_id"`
	OrderTitle      string           `json:"order_title"`
	OrderAmount     money            `json:"order_amount"`
	PaymentAmount   money            `json:"payment_amount"` // what the buyer paid, CNY
	RefundedAmount  money            `json:"refunded_amount"`
	CancelAction    string           `json:"cancel_action,omitempty"`
	CreatedAt       time.Time        `json:"created_at"`
	ExpiresAt       *time.Time       `json:"expires_at,omitempty"`
	PaidAt          *time.Time       `json:"paid_at,omitempty"`
	ClosedAt        *time.Time       `json:"closed_at,omitempty"`
	CancelledAt     *time.Time       `json:"cancelled_at,omitempty"`
	Refunds         []intlRefundView `json:"refunds,omitempty"`
}

type intlRefundView struct {
	MerchantRefundID string    `json:"merchant_refund_id"`
	RefundID         string    `json:"refund_id"`
	RefundAmount     money     `json:"refund_amount"`
	RefundCNY        money     `json:"refund_cny"`
	ByCancel         bool      `json:"by_cancel,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

func viewIntlPayment(p *zfb.IntlPayment, refunds []*zfb.IntlRefund) intlPaymentView {
	v := intlPaymentView{
		AcquirementID: p.AcquirementID, AppID: p.AppID, MerchantTransID: p.MerchantTransID, Status: string(p.Status),
		BuyerID: p.BuyerID, OrderTitle: p.OrderTitle, OrderAmount: minor(p.Currency, p.Amount),
		PaymentAmount: minor(zfb.CNY, p.PaidCNY), RefundedAmount: minor(p.Currency, p.RefundedAmount),
		CancelAction: p.CancelAction, CreatedAt: p.CreatedAt.In(zfb.Beijing), ExpiresAt: optionalTime(p.ExpiresAt),
		PaidAt: optionalTime(p.PaidAt), ClosedAt: optionalTime(p.ClosedAt), CancelledAt: optionalTime(p.CancelledAt),
	}
	for _, r := range refunds {
		v.Refunds = append(v.Refunds, intlRefundView{
			MerchantRefundID: r.MerchantRefundID, RefundID: r.RefundID, RefundAmount: minor(p.Currency, r.Amount),
			RefundCNY: minor(zfb.CNY, r.AmountCNY), ByCancel: r.ByCancel, CreatedAt: r.CreatedAt.In(zfb.Beijing),
		})
	}
	return v
}

func (h *Handler) showIntlPayment(w http.ResponseWriter, r *http.Request) {
	p, refunds, err := h.svc.IntlPaymentView(r.Context(), r.PathValue("acquirement_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewIntlPayment(p, refunds))
}

func (h *Handler) showIntlPaymentByMerchantTransID(w http.ResponseWriter, r *http.Request) {
	p, refunds, err := h.svc.IntlPaymentByMerchantTransID(r.Context(), r.PathValue("app_id"), r.PathValue("merchant_trans_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewIntlPayment(p, refunds))
}

// listIntlPayments lists an app's payments, newest first: ?limit=N
// (default 100, at most 1000).
func (h *Handler) listIntlPayments(w http.ResponseWriter, r *http.Request) {
	limit, ok := listLimit(w, r)
	if !ok {
		return
	}
	ps, err := h.svc.IntlPayments(r.Context(), r.PathValue("app_id"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]intlPaymentView, 0, len(ps))
	for _, p := range ps {
		out = append(out, viewIntlPayment(p, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"payments": out})
}

// actOnIntlPayment takes {"action":"pay"|"decline"}: the buyer confirms or
// declines a payment waiting for them.
func (h *Handler) actOnIntlPayment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Action string `json:"action"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	p, err := h.svc.ActOnIntlPayment(r.Context(), r.PathValue("acquirement_id"), body.Action)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewIntlPayment(p, nil))
}

// settleMerchant pays out the app's merchant balances (every currency), as
// Alipay settles to the merchant's bank; it answers what was paid out.
func (h *Handler) settleMerchant(w http.ResponseWriter, r *http.Request) {
	out, err := h.svc.SettleMerchant(r.Context(), r.PathValue("app_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	paid := make([]money, 0, len(out))
	for _, cur := range slices.Sorted(maps.Keys(out)) {
		paid = append(paid, minor(cur, out[cur]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"paid_out": paid})
}

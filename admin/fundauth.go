package admin

import (
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
)

func (h *Handler) routeFundAuth() {
	h.mux.HandleFunc("GET "+Prefix+"/fund-auth/orders/{auth_no}", h.showAuthOrder)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/fund-auth/orders", h.listAuthOrders)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/fund-auth/orders/{out_order_no}", h.showAuthOrderByOutOrderNo)
	h.mux.HandleFunc("POST "+Prefix+"/fund-auth/orders/{auth_no}/buyer", h.actOnAuthorization)
}

// authOrderView is an authorisation order as the admin API shows it.
type authOrderView struct {
	AuthNo              string              `json:"auth_no"`
	AppID               string              `json:"app_id"`
	OutOrderNo          string              `json:"out_order_no"`
	Kind                string              `json:"kind"`
	OrderStatus         string              `json:"order_status"`
	PayeeUserID         string              `json:"payee_user_id"`
	PayerUserID         string              `json:"payer_user_id,omitempty"`
	OrderTitle          string              `json:"order_title"`
	ProductCode         string              `json:"product_code,omitempty"`
	TotalFreezeAmount   string              `json:"total_freeze_amount"`
	TotalUnfreezeAmount string              `json:"total_unfreeze_amount"`
	TotalPayAmount      string              `json:"total_pay_amount"`
	RestAmount          string              `json:"rest_amount"`
	CodeValue           string              `json:"code_value,omitempty"`
	CreatedAt           time.Time           `json:"created_at"`
	ExpiresAt           *time.Time          `json:"expires_at,omitempty"`
	ClosedAt            *time.Time          `json:"closed_at,omitempty"`
	Operations          []authOperationView `json:"operations,omitempty"`
}

type authOperationView struct {
	OperationID   string     `json:"operation_id"`
	OutRequestNo  string     `json:"out_request_no"`
	OperationType string     `json:"operation_type"`
	Status        string     `json:"status"`
	Amount        string     `json:"amount"`
	Remark        string     `json:"remark,omitempty"`
	TradeNo       string     `json:"trade_no,omitempty"`
	CancelAction  string     `json:"cancel_action,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	TransAt       *time.Time `json:"trans_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
}

func viewAuthOrder(o *zfb.AuthOrder, ops []*zfb.AuthOperation) authOrderView {
	v := authOrderView{
		AuthNo: o.AuthNo, AppID: o.AppID, OutOrderNo: o.OutOrderNo, Kind: o.Kind, OrderStatus: string(o.Status),
		PayeeUserID: o.PayeeUserID, PayerUserID: o.PayerUserID, OrderTitle: o.OrderTitle, ProductCode: o.ProductCode,
		TotalFreezeAmount: zfb.FormatAmount(o.TotalFreezeAmount), TotalUnfreezeAmount: zfb.FormatAmount(o.TotalUnfreezeAmount),
		TotalPayAmount: zfb.FormatAmount(o.TotalPayAmount), RestAmount: zfb.FormatAmount(o.RestAmount()),
		CodeValue: o.CodeValue, CreatedAt: o.CreatedAt.In(zfb.Beijing), ExpiresAt: optionalTime(o.ExpiresAt), ClosedAt: optionalTime(o.ClosedAt),
	}
	for _, op := range ops {
		v.Operations = append(v.Operations, authOperationView{
			OperationID: op.OperationID, OutRequestNo: op.OutRequestNo, OperationType: string(op.Type),
			Status: string(op.Status), Amount: zfb.FormatAmount(op.Amount), Remark: op.Remark, TradeNo: op.TradeNo,
			CancelAction: op.CancelAction, CreatedAt: op.CreatedAt.In(zfb.Beijing),
			TransAt: optionalTime(op.TransAt), ClosedAt: optionalTime(op.ClosedAt),
		})
	}
	return v
}

func (h *Handler) showAuthOrder(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.AuthOrder(r.Context(), r.PathValue("auth_no"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewAuthOrder(d.Order, d.Operations))
}

func (h *Handler) showAuthOrderByOutOrderNo(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.AuthOrderByOutOrderNo(r.Context(), r.PathValue("app_id"), r.PathValue("out_order_no"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewAuthOrder(d.Order, d.Operations))
}

// listAuthOrders lists an app's orders, newest first: ?limit=N (default
// 100, at most 1000).
func (h *Handler) listAuthOrders(w http.ResponseWriter, r *http.Request) {
	limit, ok := listLimit(w, r)
	if !ok {
		return
	}
	orders, err := h.svc.AuthOrders(r.Context(), r.PathValue("app_id"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]authOrderView, 0, len(orders))
	for _, o := range orders {
		out = append(out, viewAuthOrder(o, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

// actOnAuthorization takes {"action":"authorize"|"decline"} and, for a
// voucher, optionally the "buyer_id" who scans it.
func (h *Handler) actOnAuthorization(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Action  string `json:"action"`
		BuyerID string `json:"buyer_id"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	d, err := h.svc.ActOnAuthorization(r.Context(), r.PathValue("auth_no"), body.Action, body.BuyerID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewAuthOrder(d.Order, d.Operations))
}

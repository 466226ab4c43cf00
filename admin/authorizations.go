package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
)

// ISV app authorizations (spec isv-and-identity §1.1): the tester plays the
// merchant who authorizes a third-party app, lists what it authorized, and
// cancels.
func (h *Handler) routeAuthorizations() {
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}/authorizations", h.authorizeApp)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/authorizations", h.listAuthorizations)
	h.mux.HandleFunc("DELETE "+Prefix+"/apps/{app_id}/authorizations/{token}", h.revokeAuthorization)
}

// authorizationView is an authorization as the admin API shows it: the
// tester needs the tokens, as the merchant's ISV would hold them.
type authorizationView struct {
	AppAuthToken     string     `json:"app_auth_token"`
	AppRefreshToken  string     `json:"app_refresh_token"`
	AuthAppID        string     `json:"auth_app_id"`
	UserID           string     `json:"user_id"`
	Status           string     `json:"status"`
	IssuedAt         time.Time  `json:"issued_at"`
	RefreshExpiresAt time.Time  `json:"refresh_expires_at"`
	RefreshUsed      bool       `json:"refresh_used"`
	RevokedAt        *time.Time `json:"revoked_at,omitempty"`
}

// authorizeApp takes {"merchant_app_id":"…"} and answers the app_auth_code
// the merchant's authorization gives the ISV app {app_id}.
func (h *Handler) authorizeApp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		MerchantAppID string `json:"merchant_app_id"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.MerchantAppID == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", `"merchant_app_id" is required`)
		return
	}
	c, err := h.svc.AuthorizeApp(r.Context(), r.PathValue("app_id"), body.MerchantAppID)
	if errors.Is(err, zfb.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such app: "+r.PathValue("app_id")+" or "+body.MerchantAppID)
		return
	}
	if errors.Is(err, zfb.ErrNotISV) {
		// APP_NOT_ISV is what the gateway says of such an app (spec §1.1).
		writeError(w, http.StatusBadRequest, "APP_NOT_ISV", err.Error())
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"app_auth_code": c.Code, "app_id": c.ISVAppID, "auth_app_id": c.MerchantAppID,
		"expires_at": c.ExpiresAt.In(zfb.Beijing),
	})
}

func (h *Handler) listAuthorizations(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.AppAuthorizations(r.Context(), r.PathValue("app_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]authorizationView, 0, len(list))
	for _, a := range list {
		out = append(out, authorizationView{
			AppAuthToken: a.AppAuthToken, AppRefreshToken: a.AppRefreshToken, AuthAppID: a.MerchantAppID,
			UserID: a.UserID, Status: string(a.Status), IssuedAt: a.IssuedAt.In(zfb.Beijing),
			RefreshExpiresAt: a.RefreshExpiresAt.In(zfb.Beijing), RefreshUsed: a.RefreshUsed,
			RevokedAt: optionalTime(a.RevokedAt),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"authorizations": out})
}

// revokeAuthorization is the merchant cancelling: the token stops working.
func (h *Handler) revokeAuthorization(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RevokeAppAuthorization(r.Context(), r.PathValue("app_id"), r.PathValue("token")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

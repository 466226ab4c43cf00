package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
)

// Replayer sends a notification again now, outside its schedule (the
// notify package's Dispatcher).
type Replayer interface {
	Replay(ctx context.Context, id int64) (*zfb.OutboxAttempt, error)
}

func (h *Handler) routeNotifications() {
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}", h.updateApp)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/notifications", h.listNotifications)
	h.mux.HandleFunc("GET "+Prefix+"/notifications/{id}", h.showNotification)
	h.mux.HandleFunc("POST "+Prefix+"/notifications/{id}/replay", h.replayNotification)
}

// updateApp changes an app's settings; each field is optional:
//
//	{"notify_url":"http://127.0.0.1:9000/notify"}  where notifications go when a call names none ("" for nowhere)
//	{"aes_key":"cW8mcZgoMGUVp5g7uv7bHw=="}         the AES content key, Base64 of 16, 24 or 32 bytes ("" for none)
//	{"identity_mode":"openid"}                     userid, openid or both
//	{"cert_mode":true}                             public-key-certificate mode (the app must have certificates)
//	{"isv":true}                                   a third-party (ISV) app
func (h *Handler) updateApp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NotifyURL    *string `json:"notify_url"`
		AESKey       *string `json:"aes_key"`
		IdentityMode *string `json:"identity_mode"`
		CertMode     *bool   `json:"cert_mode"`
		ISV          *bool   `json:"isv"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.NotifyURL == nil && body.AESKey == nil && body.IdentityMode == nil && body.CertMode == nil && body.ISV == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `give one of "notify_url", "aes_key", "identity_mode", "cert_mode", "isv"`)
		return
	}
	appID := r.PathValue("app_id")
	if body.NotifyURL != nil {
		if err := h.svc.SetAppNotifyURL(r.Context(), appID, *body.NotifyURL); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	app, err := h.svc.UpdateApp(r.Context(), appID, func(a *zfb.App) error {
		if body.AESKey != nil {
			a.AESKey = *body.AESKey
		}
		if body.IdentityMode != nil {
			a.IdentityMode = zfb.IdentityMode(*body.IdentityMode)
		}
		if body.CertMode != nil {
			a.CertMode = *body.CertMode
		}
		if body.ISV != nil {
			a.ISV = *body.ISV
		}
		return nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.appView(app))
}

// notificationView is a notification as the admin API shows it.
type notificationView struct {
	ID          int64             `json:"id"`
	AppID       string            `json:"app_id"`
	NotifyType  string            `json:"notify_type"`
	NotifyID    string            `json:"notify_id"`
	URL         string            `json:"url"`
	Attempts    int               `json:"attempts"`
	NextAttempt *time.Time        `json:"next_attempt,omitempty"` // app time; absent once delivered or given up
	DeliveredAt *time.Time        `json:"delivered_at,omitempty"`
	LastError   string            `json:"last_error,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	Fields      map[string]string `json:"fields,omitempty"`
	Sends       []attemptView     `json:"sends,omitempty"`
}

type attemptView struct {
	N            int       `json:"n"`
	At           time.Time `json:"at"`
	StatusCode   int       `json:"status_code,omitempty"`
	Body         string    `json:"body,omitempty"`
	LatencyMS    float64   `json:"latency_ms"`
	Error        string    `json:"error,omitempty"`
	Acknowledged bool      `json:"acknowledged"`
	Replay       bool      `json:"replay,omitempty"`
}

func viewNotification(m *zfb.OutboxMessage, attempts []*zfb.OutboxAttempt, withFields bool) notificationView {
	v := notificationView{
		ID: m.ID, AppID: m.AppID, NotifyType: m.Kind, NotifyID: m.NotifyID(), URL: m.Target,
		Attempts: m.Attempts, LastError: m.LastError, CreatedAt: m.CreatedAt.In(zfb.Beijing),
	}
	if m.DeliveredAt != nil {
		v.DeliveredAt = optionalTime(*m.DeliveredAt)
	} else if m.Attempts < zfb.MaxNotifyAttempts {
		v.NextAttempt = optionalTime(m.NextAttempt)
	}
	if withFields {
		_ = json.Unmarshal([]byte(m.Payload), &v.Fields) // written by zfb as a JSON object of strings
	}
	for _, a := range attempts {
		v.Sends = append(v.Sends, attemptView{
			N: a.N, At: a.At.In(zfb.Beijing), StatusCode: a.StatusCode, Body: a.Body,
			LatencyMS: float64(a.Latency.Microseconds()) / 1000, Error: a.Error,
			Acknowledged: a.Acknowledged, Replay: a.Replay,
		})
	}
	return v
}

func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) {
	ms, err := h.svc.Notifications(r.Context(), r.PathValue("app_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]notificationView, 0, len(ms))
	for _, m := range ms {
		out = append(out, viewNotification(m, nil, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out})
}

func (h *Handler) showNotification(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	m, attempts, err := h.svc.Notification(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewNotification(m, attempts, true))
}

// replayNotification sends a notification again now, with the same
// notify_id, whatever its schedule says, and answers that send.
func (h *Handler) replayNotification(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if h.replayer == nil {
		writeError(w, http.StatusServiceUnavailable, "no_dispatcher", "this zfb sends no notifications")
		return
	}
	a, err := h.replayer.Replay(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m, attempts, err := h.svc.Notification(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := viewNotification(m, attempts, true)
	writeJSON(w, http.StatusOK, map[string]any{"send": attemptView{
		N: a.N, At: a.At.In(zfb.Beijing), StatusCode: a.StatusCode, Body: a.Body,
		LatencyMS: float64(a.Latency.Microseconds()) / 1000, Error: a.Error, Acknowledged: a.Acknowledged, Replay: true,
	}, "notification": v})
}

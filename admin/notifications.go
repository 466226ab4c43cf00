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

// updateApp takes {"notify_url":"http://127.0.0.1:9000/notify"}: where the
// app's notifications go when a call names no notify_url ("" for nowhere).
func (h *Handler) updateApp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		NotifyURL *string `json:"notify_url"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.NotifyURL == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `give "notify_url"`)
		return
	}
	appID := r.PathValue("app_id")
	if err := h.svc.SetAppNotifyURL(r.Context(), appID, *body.NotifyURL); err != nil {
		h.fail(w, r, err)
		return
	}
	app, err := h.svc.App(r.Context(), appID)
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

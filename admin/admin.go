// Package admin serves zfb's admin JSON API under /admin/v1: the tester's
// controls (app clocks, buyers, the ledger check) behind a bearer token.
package admin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

// Prefix is where the admin API is mounted.
const Prefix = "/admin/v1"

// Handler is the admin API.
type Handler struct {
	svc      *zfb.Service
	log      *slog.Logger
	token    *tokenCache
	mux      *http.ServeMux
	replayer Replayer // nil: notifications cannot be replayed
	// writeTimeout is the HTTP server's write timeout (WithWriteTimeout);
	// a delay fault as long cannot be answered. 0: unknown, not checked.
	writeTimeout time.Duration
}

// Option configures the admin API.
type Option func(*Handler)

// WithReplayer lets the admin API replay notifications through r.
func WithReplayer(r Replayer) Option { return func(h *Handler) { h.replayer = r } }

// New returns the admin API, guarded by the admin token: token at first,
// then the one the Service holds (zfb.SettingAdminToken), re-read at least
// every second, so that a rotated token (Service.RotateAdminToken, on this
// instance or another on the same database) replaces the old one without a
// restart.
func New(svc *zfb.Service, token string, logger *slog.Logger, opts ...Option) *Handler {
	h := &Handler{svc: svc, log: logger, mux: http.NewServeMux()}
	h.token = &tokenCache{svc: svc, log: logger, token: token, readAt: time.Now()}
	for _, o := range opts {
		o(h)
	}
	h.mux.HandleFunc("GET "+Prefix+"/apps", h.listApps)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}", h.showApp)
	h.mux.HandleFunc("GET "+Prefix+"/apps/{app_id}/clock", h.showClock)
	h.mux.HandleFunc("POST "+Prefix+"/apps/{app_id}/clock", h.moveClock)
	h.mux.HandleFunc("GET "+Prefix+"/ledger/check", h.checkLedger)
	h.routeBuyers()
	h.routeTrades()
	h.routeFaults()
	h.routeFundAuth()
	h.routeIntl()
	h.routeNotifications()
	h.routeAuthorizations()
	h.routeRequests()
	h.guardInput() // last: the input boundary (boundary.go) before every route above
	return h
}

// ServeHTTP checks the bearer token, then routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !h.token.check(r.Context(), got) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="zfb admin"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "a valid admin token is required: Authorization: Bearer <admin_token from sandbox.json>")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// How fresh the cached admin token is kept: it is re-read when older than
// tokenMaxAge, and when a request's token does not match it and it is older
// than tokenRetryAge. A rotated token works within tokenRetryAge and the old
// one stops within tokenMaxAge, while wrong tokens cost at most one read
// per tokenRetryAge.
const (
	tokenMaxAge   = time.Second
	tokenRetryAge = 100 * time.Millisecond
)

// tokenCache holds the admin token as last read from the Service.
type tokenCache struct {
	svc *zfb.Service
	log *slog.Logger

	mu     sync.Mutex
	token  string    // "": no token, nobody gets in
	readAt time.Time // wall time of the last read (or of New)
}

// check reports whether got is the admin token.
func (c *tokenCache) check(ctx context.Context, got string) bool {
	if got == "" {
		return false
	}
	token, reread := c.get(ctx, tokenMaxAge)
	if sameToken(got, token) {
		return true
	}
	if reread {
		return false
	}
	token, _ = c.get(ctx, tokenRetryAge)
	return sameToken(got, token)
}

// get returns the token, re-read first when the cached one is older than
// maxAge; reread reports whether it was. A read that fails keeps the token
// read before, for another tokenMaxAge unless the request has gone.
func (c *tokenCache) get(ctx context.Context, maxAge time.Duration) (token string, reread bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.readAt) < maxAge {
		return c.token, false
	}
	token, err := c.svc.Setting(ctx, zfb.SettingAdminToken)
	switch {
	case errors.Is(err, zfb.ErrNotFound):
		token = ""
	case err != nil && ctx.Err() != nil:
		return c.token, false // the request has gone; the next one reads
	case err != nil:
		c.log.WarnContext(ctx, "admin: re-reading the admin token failed; the one read before stays valid", "err", err)
		c.readAt = time.Now()
		return c.token, false
	}
	c.token, c.readAt = token, time.Now()
	return token, true
}

// sameToken compares in constant time; the empty token matches nothing.
func sameToken(got, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

func (h *Handler) listApps(w http.ResponseWriter, r *http.Request) {
	apps, err := h.svc.Apps(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]appView, 0, len(apps))
	for _, a := range apps {
		out = append(out, h.appView(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"apps": out})
}

func (h *Handler) showApp(w http.ResponseWriter, r *http.Request) {
	app, err := h.svc.App(r.Context(), r.PathValue("app_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.appView(app))
}

type appView struct {
	sandbox.App
	Name    string    `json:"name,omitempty"`
	Methods []string  `json:"methods"`
	Now     time.Time `json:"now"`
}

func (h *Handler) appView(a *zfb.App) appView {
	creds := sandbox.AppCredentials(a).Public() // the admin API never hands out private keys
	return appView{App: creds, Name: a.Name, Methods: a.Methods, Now: a.Clock(h.svc.Clock).Now().In(zfb.Beijing)}
}

// clockView is the answer of the clock endpoints.
type clockView struct {
	AppID string `json:"app_id"`
	// Now is the app's time, RFC 3339 in Beijing time.
	Now time.Time `json:"now"`
	// GatewayTime is the same instant as gateway.do writes it.
	GatewayTime string `json:"gateway_time"`
	// Offset is how far the app's clock is ahead of the wall clock.
	Offset string `json:"offset"`
}

func (h *Handler) clockView(appID string, now time.Time) clockView {
	return clockView{
		AppID: appID, Now: now.In(zfb.Beijing), GatewayTime: zfb.FormatGatewayTime(now),
		Offset: now.Sub(h.svc.Clock.Now()).Round(time.Second).String(),
	}
}

func (h *Handler) showClock(w http.ResponseWriter, r *http.Request) {
	appID := r.PathValue("app_id")
	now, err := h.svc.AppNow(r.Context(), appID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.clockView(appID, now))
}

// moveClock takes {"advance":"25h"} (Go durations, plus whole days as
// "2d") or {"set":"2026-11-24T10:00:00+08:00"}. Clocks only move forward.
func (h *Handler) moveClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	appID := r.PathValue("app_id")
	var now time.Time
	var err error
	switch {
	case (body.Advance == "") == (body.Set == ""):
		writeError(w, http.StatusBadRequest, "invalid_request", `give exactly one of "advance" (like "25h" or "2d") and "set" (RFC 3339)`)
		return
	case body.Advance != "":
		d, perr := parseDuration(body.Advance)
		if perr != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", `"advance" must be a duration like "90m", "25h" or "2d"`)
			return
		}
		now, err = h.svc.AdvanceClock(r.Context(), appID, d)
	default:
		t, perr := time.Parse(time.RFC3339, body.Set)
		if perr != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", `"set" must be an RFC 3339 time like "2026-11-24T10:00:00+08:00"`)
			return
		}
		now, err = h.svc.SetClock(r.Context(), appID, t)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.clockView(appID, now))
}

func (h *Handler) checkLedger(w http.ResponseWriter, r *http.Request) {
	report, err := h.svc.CheckLedger(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, report)
}

// fail answers err with the status it deserves; an unexpected error is
// logged once and its text stays out of the answer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, zfb.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "nothing found for "+r.URL.Path)
	case errors.Is(err, zfb.ErrClockBackwards):
		writeError(w, http.StatusConflict, "clock_backwards", err.Error())
	case errors.Is(err, zfb.ErrClockRange):
		writeError(w, http.StatusBadRequest, "clock_range", err.Error())
	case errors.Is(err, zfb.ErrInvalidAction):
		writeError(w, http.StatusConflict, "invalid_action", err.Error())
	case errors.Is(err, zfb.ErrInvalidFault), errors.Is(err, zfb.ErrInvalidNotifyURL), errors.Is(err, zfb.ErrInvalidApp):
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
	case errors.Is(err, zfb.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "it exists already")
	case isAlipayError(err):
		// A business refusal, as the gateway would give it (a buyer whose
		// balance is too low to pay, say).
		e, _ := zfb.AsError(err)
		writeError(w, http.StatusConflict, e.SubCode, e.SubMsg)
	default:
		h.log.ErrorContext(r.Context(), "admin: request failed", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error; see the server log")
	}
}

func isAlipayError(err error) bool {
	_, ok := zfb.AsError(err)
	return ok
}

func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > int(zfb.MaxClockOffset/(24*time.Hour)) {
			return 0, errors.New("bad day count")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// listLimit reads a list's ?limit=N: 100 when absent, 1 to 1000. It
// answers 400 itself and returns false when the value is not one of those.
func listLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 100, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		writeError(w, http.StatusBadRequest, "invalid_request", `"limit" must be between 1 and 1000`)
		return 0, false
	}
	return n, true
}

// pathID reads the {id} of a path; it answers 404 itself and returns
// false when it is not a number.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "nothing found for "+r.URL.Path)
		return 0, false
	}
	return id, true
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_json", "the body must be a JSON object: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

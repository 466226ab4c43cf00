package admin

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/webstyle"
)

//go:embed dashboard*.html
var dashboardFS embed.FS

var loginPage = webstyle.Head(template.Must(template.ParseFS(dashboardFS, "dashboard_login.html")))

// DefaultLedgerCheckEvery is how often, at most, the dashboard runs the
// ledger check, a scan of the whole ledger.
const DefaultLedgerCheckEvery = 30 * time.Second

// dashboard is the tester's overview in a browser, behind the admin token
// (see login.go).
type dashboard struct {
	svc         *zfb.Service
	log         *slog.Logger
	clock       zfb.Clock
	ledger      *ledgerCache
	limiter     loginLimiter
	crossOrigin *http.CrossOriginProtection
	mux         *http.ServeMux
	pages       map[string]*template.Template // by file name
	replayer    Replayer                      // nil: notifications cannot be replayed

	endedMu       sync.Mutex
	endedSessions map[string]time.Time // signed-out cookie values, until they expire
}

// DashboardOption configures the dashboard.
type DashboardOption func(*dashboard)

// WithLedgerCheckEvery runs the dashboard's ledger check at most once per
// d (DefaultLedgerCheckEvery without it); page views in between show the
// last result and when it was taken.
func WithLedgerCheckEvery(d time.Duration) DashboardOption {
	return func(db *dashboard) {
		if d > 0 {
			db.ledger.every = d
		}
	}
}

// WithDashboardReplayer lets the dashboard's Replay button send a
// notification again through r (the notify package's Dispatcher).
func WithDashboardReplayer(r Replayer) DashboardOption {
	return func(db *dashboard) { db.replayer = r }
}

// WithDashboardClock reads the wall clock from c (for session expiry, the
// sign-in rate limit and the ledger check's age) instead of the system's.
func WithDashboardClock(c zfb.Clock) DashboardOption {
	return func(db *dashboard) { db.clock = c }
}

// Dashboard serves the dashboard under /dashboard/: a sign-in form at
// /dashboard/login and, for a signed-in browser, an overview of apps with
// their clocks, buyers with their balances and masked payment codes, and
// the (cached) ledger check. It is mounted at "/dashboard/" unstripped.
func Dashboard(svc *zfb.Service, logger *slog.Logger, opts ...DashboardOption) http.Handler {
	d := &dashboard{
		svc: svc, log: logger, clock: zfb.SystemClock,
		crossOrigin:   http.NewCrossOriginProtection(),
		mux:           http.NewServeMux(),
		endedSessions: map[string]time.Time{},
		pages:         dashboardPages(),
	}
	d.ledger = &ledgerCache{check: svc.CheckLedger, every: DefaultLedgerCheckEvery, now: func() time.Time { return d.clock.Now() }, log: logger}
	for _, o := range opts {
		o(d)
	}
	d.mux.HandleFunc("GET "+loginPath, d.loginForm)
	d.mux.HandleFunc("POST "+loginPath, d.login)
	d.mux.HandleFunc("POST "+dashboardPath+"logout", d.logout)
	d.mux.HandleFunc("GET "+dashboardPath+"{$}", d.authed(d.overview))
	d.routePages()
	d.routeRequests() // dashboard_requests.go
	d.mux.HandleFunc(dashboardPath, d.authed(func(w http.ResponseWriter, r *http.Request, _ *session) {
		http.NotFound(w, r)
	}))
	return d
}

// ServeHTTP sets the headers every dashboard answer carries, then routes.
func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	d.mux.ServeHTTP(w, r)
}

type appRow struct {
	ID, SellerID, SignType, Now string
}

type buyerRow struct {
	UserID, LogonID, PaymentCode, Behaviour, Balance string
	Revealed, Restricted                             bool
}

type ledgerView struct {
	Report              *zfb.LedgerReport
	Failed              bool
	TakenAt, Age, Every string
}

// overview is the dashboard's first page: apps with their clocks, recent
// trades, buyers and the ledger check. ?reveal=<user_id> shows that
// buyer's payment code in full.
func (d *dashboard) overview(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	apps, err := d.svc.Apps(ctx)
	if err != nil {
		d.fail(w, r, "apps", err)
		return
	}
	buyers, err := d.svc.Buyers(ctx)
	if err != nil {
		d.fail(w, r, "buyers", err)
		return
	}
	recent, err := d.svc.Trades(ctx, "", "", "", nil, 10)
	if err != nil {
		d.fail(w, r, "recent trades", err)
		return
	}
	data := struct {
		Apps       []appRow
		Trades     []*zfb.Trade
		Buyers     []buyerRow
		RevealBase string
		Ledger     ledgerView
	}{Trades: recent.Trades, Buyers: d.buyerRows(r, buyers), RevealBase: dashboardPath, Ledger: d.ledgerView(r)}
	for _, a := range apps {
		data.Apps = append(data.Apps, appRow{a.ID, a.SellerID, string(a.SignType), zfb.FormatGatewayTime(a.Clock(d.svc.Clock).Now())})
	}
	d.show(w, r, s, "dashboard.html", "Overview", "overview", data)
}

// ledgerView is the cached ledger check as a page shows it.
func (d *dashboard) ledgerView(r *http.Request) ledgerView {
	ledger := d.ledger.get(r.Context())
	return ledgerView{
		Report: ledger.report, Failed: ledger.err != nil,
		TakenAt: zfb.FormatGatewayTime(ledger.at),
		Age:     d.clock.Now().Sub(ledger.at).Round(time.Second).String(),
		Every:   d.ledger.every.String(),
	}
}

// buyerRows shows buyers with their payment codes masked, but for the one
// ?reveal= names (logged).
func (d *dashboard) buyerRows(r *http.Request, buyers []*zfb.Buyer) []buyerRow {
	reveal := r.URL.Query().Get("reveal")
	rows := make([]buyerRow, 0, len(buyers))
	for _, b := range buyers {
		row := buyerRow{
			UserID: b.UserID, LogonID: b.LogonID, PaymentCode: maskPaymentCode(b.PaymentCode),
			Behaviour: b.Behaviour, Balance: zfb.FormatAmount(b.Balance), Restricted: b.Restricted,
		}
		if reveal != "" && reveal == b.UserID {
			row.PaymentCode, row.Revealed = b.PaymentCode, true
			d.log.InfoContext(r.Context(), "dashboard: payment code revealed", "user_id", b.UserID, "remote", remoteKey(r))
		}
		rows = append(rows, row)
	}
	return rows
}

// maskPaymentCode hides a payment code but its first two and last four
// digits ("28************1234"): enough to tell buyers apart, too little to
// pay with.
func maskPaymentCode(code string) string {
	c := []rune(code)
	if len(c) <= 6 {
		return strings.Repeat("*", len(c))
	}
	return string(c[:2]) + strings.Repeat("*", len(c)-6) + string(c[len(c)-4:])
}

// render executes t into a buffer first, so a failure answers 500 rather
// than half a page.
func (d *dashboard) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		d.fail(w, r, "render", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (d *dashboard) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	d.log.ErrorContext(r.Context(), "dashboard: "+what, "err", err)
	http.Error(w, "internal error; see the server log", http.StatusInternalServerError)
}

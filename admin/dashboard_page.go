package admin

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/webstyle"
)

// The dashboard's pages share one layout (dashboard_layout.html: header,
// navigation, search box, flash message) and the partials of
// dashboard_parts.html; each page's template defines "content".

// flashCookie carries the message of a form's outcome across the redirect
// that follows it, to the next page shown.
const flashCookie = "zfb_dashboard_flash"

// pageFuncs are the helpers the page templates use.
var pageFuncs = template.FuncMap{
	"amount": zfb.FormatAmount,
	"minor":  formatMinor,
	"bj": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return zfb.FormatGatewayTime(t)
	},
	"bjp": func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return zfb.FormatGatewayTime(*t)
	},
	"badge": statusBadge,
	"deref": func(p *int64) int64 { return *p },
	// search links to the request log's calls that named a number.
	"search": requestsSearch,
}

// formatMinor writes minor units of currency as a decimal amount: two
// decimals but for the currencies that have none.
func formatMinor(currency string, n int64) string {
	switch currency {
	case "JPY", "KRW", "VND", "IDR", "CLP", "ISK":
		return strconv.FormatInt(n, 10) + " " + currency
	}
	return zfb.FormatAmount(n) + " " + currency
}

// statusBadge is the CSS class of a status's badge.
func statusBadge(status any) string {
	switch fmt.Sprint(status) {
	case "TRADE_SUCCESS", "SUCCESS", "AUTHORIZED", "delivered", "balanced", "pays":
		return "badge ok"
	case "WAIT_BUYER_PAY", "INIT", "pending", "password":
		return "badge wait"
	case "TRADE_CLOSED", "CLOSED", "CANCELLED", "failed", "restricted", "poor":
		return "badge bad"
	}
	return "badge"
}

// parsePages parses each page's template with the layout, the partials
// and the style.
func parsePages(fsys fs.FS, pages ...string) map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, p := range pages {
		out[p] = webstyle.Head(template.Must(template.New(p).Funcs(pageFuncs).ParseFS(fsys,
			"dashboard_layout.html", "dashboard_parts.html", p)))
	}
	return out
}

// page is what the layout shows around a page's own content.
type page struct {
	Title       string
	Nav         string // the navigation entry of the page
	CSRF        string
	SessionEnds string
	Flash       string
	FlashBad    bool
	Search      string // what the search box holds
	Data        any
}

// show renders a page for a signed-in session, with the flash message the
// last form left (and clears it).
func (d *dashboard) show(w http.ResponseWriter, r *http.Request, s *session, name, title, nav string, data any) {
	p := page{Title: title, Nav: nav, CSRF: s.csrf(), SessionEnds: zfb.FormatGatewayTime(s.expires), Data: data,
		Search: strings.TrimSpace(r.URL.Query().Get("q"))}
	if c, err := r.Cookie(flashCookie); err == nil {
		p.Flash, p.FlashBad = readFlash(c.Value)
		http.SetCookie(w, d.cookie(r, flashCookie, "", -1))
	}
	d.render(w, r, http.StatusOK, d.pages[name], p)
}

type flash struct {
	Bad bool   `json:"bad"`
	Msg string `json:"msg"`
}

func readFlash(v string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	var f flash
	if err != nil || json.Unmarshal(raw, &f) != nil {
		return "", false
	}
	return f.Msg, f.Bad
}

func (d *dashboard) setFlash(w http.ResponseWriter, r *http.Request, bad bool, msg string) {
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	raw, _ := json.Marshal(flash{Bad: bad, Msg: msg})
	http.SetCookie(w, d.cookie(r, flashCookie, base64.RawURLEncoding.EncodeToString(raw), 120))
}

// formError is a form's value the dashboard refuses itself; its text is
// shown as it is.
type formError string

func (e formError) Error() string { return string(e) }

// action runs a form's POST: the cross-origin check, a session and the
// session's CSRF token first (else nothing is done), then act, which
// returns the page to go back to and what to say there. Its error is said
// there instead, plainly, with the Alipay code when there is one.
func (d *dashboard) action(act func(r *http.Request) (back, msg string, err error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !d.parseForm(w, r) {
			return
		}
		s, ok := d.session(r)
		if !ok {
			http.Redirect(w, r, loginPath, http.StatusSeeOther)
			return
		}
		if !equal(r.PostForm.Get(csrfField), s.csrf()) {
			d.forbidden(w, r)
			return
		}
		back, msg, err := act(r)
		if err != nil {
			d.setFlash(w, r, true, d.errorText(r, err))
		} else {
			d.setFlash(w, r, false, msg)
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

// errorText says what went wrong as a tester needs it; an unexpected
// error is logged and its text kept out of the page.
func (d *dashboard) errorText(r *http.Request, err error) string {
	var fe formError
	switch {
	case errors.As(err, &fe):
		return string(fe)
	case isAlipayError(err):
		e, _ := zfb.AsError(err)
		return e.SubCode + ": " + e.SubMsg
	case errors.Is(err, zfb.ErrNotFound):
		return "Not found: it does not exist (any more)."
	case errors.Is(err, zfb.ErrConflict):
		return "It exists already."
	case errors.Is(err, zfb.ErrInvalidAction), errors.Is(err, zfb.ErrClockBackwards), errors.Is(err, zfb.ErrClockRange),
		errors.Is(err, zfb.ErrInvalidFault), errors.Is(err, zfb.ErrInvalidAmount), errors.Is(err, zfb.ErrInvalidNotifyURL),
		errors.Is(err, zfb.ErrInvalidApp), errors.Is(err, zfb.ErrInsufficientFunds):
		return err.Error()
	}
	d.log.ErrorContext(r.Context(), "dashboard: action failed", "path", r.URL.Path, "err", err)
	return "Internal error; see the server log."
}

// notFound answers a page for something that does not exist.
func (d *dashboard) notFound(w http.ResponseWriter, r *http.Request, s *session, what string) {
	p := page{Title: "Not found", CSRF: s.csrf(), SessionEnds: zfb.FormatGatewayTime(s.expires), Data: what}
	d.render(w, r, http.StatusNotFound, d.pages["dashboard_notfound.html"], p)
}

// pageError answers a page whose reads failed: 404 for a missing object,
// else 500 (logged).
func (d *dashboard) pageError(w http.ResponseWriter, r *http.Request, s *session, what string, err error) {
	if errors.Is(err, zfb.ErrNotFound) {
		d.notFound(w, r, s, what)
		return
	}
	d.fail(w, r, what, err)
}

package admin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
)

// The dashboard's sign-in.
//
// A session is a cookie that proves itself: "<nonce>.<expiry>.<mac>", the
// MAC an HMAC-SHA256 of nonce and expiry under a key derived from the
// admin token. No session is stored, so a session made by one zfb is good
// on every zfb over the same database (a shared staging gateway), it
// survives a restart, unauthenticated clients make it keep nothing, and
// rotating the admin token ends every session at once. Signing out drops
// the cookie from the browser and puts its value on this process's list of
// ended sessions until it expires.
//
// Every form carries a CSRF token: the sign-in form a random one that a
// cookie repeats (double submit: there is no session yet), the forms of a
// signed-in page the HMAC of the session cookie under the same key, which
// another site can neither read nor compute. Cookies are SameSite=Strict and
// POSTs go through net/http's cross-origin protection as well.

// Paths, names and limits of the sign-in.
const (
	dashboardPath   = "/dashboard/"
	loginPath       = dashboardPath + "login"
	sessionCookie   = "zfb_dashboard"
	loginCSRFCookie = "zfb_dashboard_login"
	csrfField       = "csrf"
	sessionLifetime = 12 * time.Hour

	// Failed sign-ins allowed per remote address in loginWindow; past
	// that, attempts are refused (429) until the oldest leaves the window.
	loginFailures = 5
	loginWindow   = time.Minute
	// limiterKeys bounds the addresses the rate limit remembers.
	limiterKeys = 4096
)

// session is a valid, signed-in dashboard session.
type session struct {
	value   string // the cookie's value
	expires time.Time
	key     []byte // derived from the admin token
}

// csrf is the token the session's forms carry.
func (s *session) csrf() string { return mac(s.key, "csrf", s.value) }

// sessionKey derives the key that signs sessions from the admin token.
func sessionKey(token string) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("zfb dashboard session key v1"))
	return m.Sum(nil)
}

// mac is the base64url HMAC-SHA256 of purpose and value under key.
func mac(key []byte, purpose, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newSession(key []byte, now time.Time) *session {
	expires := now.Add(sessionLifetime).Truncate(time.Second)
	payload := randomToken()[:22] + "." + strconv.FormatInt(expires.Unix(), 10)
	return &session{value: payload + "." + mac(key, "session", payload), expires: expires, key: key}
}

// adminToken reads the admin token the Service holds now; "" when there
// is none, and then nobody signs in.
func (d *dashboard) adminToken(ctx context.Context) (string, error) {
	token, err := d.svc.Setting(ctx, zfb.SettingAdminToken)
	if errors.Is(err, zfb.ErrNotFound) {
		return "", nil
	}
	return token, err
}

// session returns the request's session when its cookie is valid: well
// formed, unexpired, not signed out here, and signed with the current
// admin token. The cheap checks come first, so a forged cookie costs no
// database read.
func (d *dashboard) session(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return nil, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return nil, false
	}
	now := d.clock.Now()
	expires := time.Unix(exp, 0)
	if !now.Before(expires) || expires.After(now.Add(sessionLifetime+time.Minute)) || d.ended(c.Value, now) {
		return nil, false
	}
	token, err := d.adminToken(r.Context())
	if err != nil {
		d.log.ErrorContext(r.Context(), "dashboard: reading the admin token", "err", err)
		return nil, false
	}
	if token == "" {
		return nil, false
	}
	key := sessionKey(token)
	if !hmac.Equal([]byte(parts[2]), []byte(mac(key, "session", parts[0]+"."+parts[1]))) {
		return nil, false
	}
	return &session{value: c.Value, expires: expires, key: key}, true
}

// authed runs page for a signed-in request and sends anyone else to the
// sign-in form.
func (d *dashboard) authed(page func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := d.session(r)
		if !ok {
			http.Redirect(w, r, loginPath, http.StatusSeeOther)
			return
		}
		page(w, r, s)
	}
}

func (d *dashboard) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: dashboardPath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	}
}

type loginData struct {
	CSRF, Error, Lifetime string
}

// loginForm shows the sign-in form, or the dashboard to whoever is signed
// in already.
func (d *dashboard) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := d.session(r); ok {
		http.Redirect(w, r, dashboardPath, http.StatusSeeOther)
		return
	}
	d.renderLogin(w, r, http.StatusOK, "")
}

// renderLogin answers status with the sign-in form, keeping the sign-in
// CSRF cookie the browser has or setting a new one.
func (d *dashboard) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	csrf := ""
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == 43 {
		csrf = c.Value
	} else {
		csrf = randomToken()
		http.SetCookie(w, d.cookie(r, loginCSRFCookie, csrf, int(sessionLifetime.Seconds())))
	}
	d.render(w, r, status, loginPage, loginData{CSRF: csrf, Error: msg, Lifetime: strconv.Itoa(int(sessionLifetime.Hours())) + " hours"})
}

// login checks the CSRF token, the rate limit and then the admin token,
// and on success starts a session.
func (d *dashboard) login(w http.ResponseWriter, r *http.Request) {
	if !d.parseForm(w, r) {
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !equal(c.Value, r.PostForm.Get(csrfField)) {
		// Cookies off, or a form another site made: either way the
		// fresh form this answer carries works.
		d.renderLogin(w, r, http.StatusForbidden, "The form was missing its security token (are cookies on?). Please sign in again.")
		return
	}
	addr := remoteKey(r)
	now := d.clock.Now()
	if wait := d.limiter.wait(addr, now); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		d.renderLogin(w, r, http.StatusTooManyRequests, "Too many wrong tokens from your address. Try again in "+strconv.Itoa(secs)+" s.")
		return
	}
	token, err := d.adminToken(r.Context())
	if err != nil {
		d.fail(w, r, "reading the admin token", err)
		return
	}
	if token == "" || !equal(strings.TrimSpace(r.PostForm.Get("token")), token) {
		d.limiter.fail(addr, now)
		d.log.WarnContext(r.Context(), "dashboard: sign-in with a wrong admin token", "remote", addr)
		d.renderLogin(w, r, http.StatusUnauthorized, "That is not the admin token.")
		return
	}
	d.limiter.reset(addr)
	s := newSession(sessionKey(token), now)
	http.SetCookie(w, d.cookie(r, sessionCookie, s.value, int(sessionLifetime.Seconds())))
	http.SetCookie(w, d.cookie(r, loginCSRFCookie, "", -1))
	d.log.InfoContext(r.Context(), "dashboard: signed in", "remote", addr)
	http.Redirect(w, r, dashboardPath, http.StatusSeeOther)
}

// logout ends the session, given the session's CSRF token.
func (d *dashboard) logout(w http.ResponseWriter, r *http.Request) {
	if !d.parseForm(w, r) {
		return
	}
	s, ok := d.session(r)
	if !ok {
		http.SetCookie(w, d.cookie(r, sessionCookie, "", -1))
		http.Redirect(w, r, loginPath, http.StatusSeeOther)
		return
	}
	if !equal(r.PostForm.Get(csrfField), s.csrf()) {
		d.forbidden(w, r)
		return
	}
	d.end(s, d.clock.Now())
	http.SetCookie(w, d.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
}

// parseForm reads a POST's form after net/http's cross-origin check; it
// answers itself and returns false when either fails.
func (d *dashboard) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := d.crossOrigin.Check(r); err != nil {
		d.forbidden(w, r)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request: the form does not parse", http.StatusBadRequest)
		return false
	}
	return true
}

func (d *dashboard) forbidden(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "403 forbidden: the form's security token is missing or wrong; reload the page and try again", http.StatusForbidden)
}

// ended tells whether a session was signed out here.
func (d *dashboard) ended(value string, now time.Time) bool {
	d.endedMu.Lock()
	defer d.endedMu.Unlock()
	exp, ok := d.endedSessions[value]
	return ok && now.Before(exp)
}

// end remembers a signed-out session until it would have expired.
func (d *dashboard) end(s *session, now time.Time) {
	d.endedMu.Lock()
	defer d.endedMu.Unlock()
	for v, exp := range d.endedSessions {
		if !now.Before(exp) {
			delete(d.endedSessions, v)
		}
	}
	d.endedSessions[s.value] = s.expires
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// remoteKey is who the rate limit counts: the remote IP address, or for
// IPv6 its /64, which one host usually holds whole. Forwarding headers are
// not trusted.
func remoteKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// loginLimiter counts failed sign-ins per remote address: at most
// loginFailures in any loginWindow.
type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time // the latest loginFailures, oldest first
}

// wait is how long addr must wait before it may try again; zero when it
// may now.
func (l *loginLimiter) wait(addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[addr]
	if len(f) < loginFailures {
		return 0
	}
	return max(f[0].Add(loginWindow).Sub(now), 0)
}

func (l *loginLimiter) fail(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = map[string][]time.Time{}
	}
	if _, known := l.failures[addr]; !known && len(l.failures) >= limiterKeys {
		for a, f := range l.failures {
			if !now.Before(f[len(f)-1].Add(loginWindow)) {
				delete(l.failures, a)
			}
		}
		if len(l.failures) >= limiterKeys {
			// Thousands of addresses failing at once: forget them rather
			// than grow. The token is long and random: this limit is a courtesy.
			clear(l.failures)
		}
	}
	f := append(l.failures[addr], now)
	if len(f) > loginFailures {
		f = f[len(f)-loginFailures:]
	}
	l.failures[addr] = f
}

func (l *loginLimiter) reset(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, addr)
}

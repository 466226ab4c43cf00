package admin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// countingStore counts the ledger checks that reach the store: each is a
// scan of the whole ledger.
type countingStore struct {
	zfb.Store
	ledgerChecks atomic.Int64
}

func (s *countingStore) CheckLedger(ctx context.Context) (*zfb.LedgerReport, error) {
	s.ledgerChecks.Add(1)
	return s.Store.CheckLedger(ctx)
}

// dashboardService is a Service over a fresh sandbox whose store counts
// ledger checks; it returns the admin token too.
func dashboardService(t *testing.T) (*zfb.Service, *countingStore, string) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	counting := &countingStore{Store: store}
	svc := zfb.NewService(counting, nil, nil)
	if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
		t.Fatal(err)
	}
	token, err := store.Setting(ctx, zfb.SettingAdminToken)
	if err != nil || token == "" {
		t.Fatalf("admin token %q: %v", token, err)
	}
	return svc, counting, token
}

type dashEnv struct {
	t      *testing.T
	srv    *httptest.Server
	svc    *zfb.Service
	store  *countingStore
	token  string
	buyers []*zfb.Buyer
}

// newDashboard serves the dashboard alone, as server.Handler mounts it.
func newDashboard(t *testing.T, tls bool) *dashEnv {
	t.Helper()
	svc, store, token := dashboardService(t)
	return serveDashboard(t, tls, svc, store, token, admin.Dashboard(svc, svc.Logger))
}

func serveDashboard(t *testing.T, tls bool, svc *zfb.Service, store *countingStore, token string, h http.Handler) *dashEnv {
	t.Helper()
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	buyers, err := svc.Buyers(context.Background())
	if err != nil || len(buyers) == 0 {
		t.Fatalf("buyers: %v", err)
	}
	return &dashEnv{t: t, srv: srv, svc: svc, store: store, token: token, buyers: buyers}
}

// browser is a client with a cookie jar that does not follow redirects.
func (e *dashEnv) browser() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := e.srv.Client()
	return &http.Client{Transport: c.Transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type answer struct {
	status int
	body   string
	resp   *http.Response
}

func (a answer) cookie(name string) *http.Cookie {
	for _, c := range a.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (e *dashEnv) do(c *http.Client, req *http.Request) answer {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(body), resp}
}

func (e *dashEnv) get(c *http.Client, path string) answer {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	return e.do(c, req)
}

func (e *dashEnv) post(c *http.Client, path string, form url.Values, header ...string) answer {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(c, req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the form in a page.
func (e *dashEnv) csrf(body string) string {
	e.t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return m[1]
}

// signIn signs c in and returns the login answer.
func (e *dashEnv) signIn(c *http.Client) answer {
	e.t.Helper()
	form := e.get(c, "/dashboard/login")
	if form.status != http.StatusOK {
		e.t.Fatalf("GET /dashboard/login: %d %s", form.status, form.body)
	}
	a := e.post(c, "/dashboard/login", url.Values{"token": {e.token}, "csrf": {e.csrf(form.body)}})
	if a.status != http.StatusSeeOther || a.resp.Header.Get("Location") != "/dashboard/" || a.cookie("zfb_dashboard") == nil {
		e.t.Fatalf("sign-in: %d, Location %q, cookies %v\n%s", a.status, a.resp.Header.Get("Location"), a.resp.Cookies(), a.body)
	}
	return a
}

func wantRedirectToLogin(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusSeeOther || a.resp.Header.Get("Location") != "/dashboard/login" {
		t.Errorf("%s: %d, Location %q; want 303 to /dashboard/login", what, a.status, a.resp.Header.Get("Location"))
	}
}

// TestDashboardNeedsSignIn: without a valid session every dashboard page
// redirects to the sign-in form, shows nothing and costs no ledger check.
func TestDashboardNeedsSignIn(t *testing.T) {
	e := newDashboard(t, false)
	anon := e.browser()
	for _, path := range []string{"/dashboard/", "/dashboard/?reveal=" + e.buyers[0].UserID, "/dashboard/nothing-here"} {
		a := e.get(anon, path)
		wantRedirectToLogin(t, "GET "+path, a)
		for _, b := range e.buyers {
			if strings.Contains(a.body, b.PaymentCode) {
				t.Errorf("GET %s without a session shows payment code %s", path, b.PaymentCode)
			}
		}
	}
	for _, forged := range []string{
		"x",
		"AAAAAAAAAAAAAAAAAAAAAA.99999999999.AAAA",
		"AAAAAAAAAAAAAAAAAAAAAA.1.AAAA", // expired
	} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/dashboard/", nil)
		req.AddCookie(&http.Cookie{Name: "zfb_dashboard", Value: forged})
		wantRedirectToLogin(t, "forged cookie "+forged, e.do(anon, req))
	}
	if n := e.store.ledgerChecks.Load(); n != 0 {
		t.Errorf("unauthenticated requests ran %d ledger checks", n)
	}
}

func TestDashboardSignIn(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	form := e.get(c, "/dashboard/login")
	if form.status != http.StatusOK || !strings.Contains(form.body, `name="token"`) || !strings.Contains(form.body, `type="password"`) {
		t.Fatalf("login form: %d\n%s", form.status, form.body)
	}
	csrf := e.csrf(form.body)
	for _, wrong := range []string{"", "nope", e.token + "x", strings.ToUpper(e.token)} {
		a := e.post(c, "/dashboard/login", url.Values{"token": {wrong}, "csrf": {csrf}})
		if a.status != http.StatusUnauthorized || a.cookie("zfb_dashboard") != nil {
			t.Errorf("token %q: %d, cookies %v; want 401 and no session", wrong, a.status, a.resp.Cookies())
		}
		if !strings.Contains(a.body, "not the admin token") {
			t.Errorf("token %q: the form does not say why:\n%s", wrong, a.body)
		}
	}
	wantRedirectToLogin(t, "after wrong tokens", e.get(c, "/dashboard/"))

	a := e.signIn(c)
	s := a.cookie("zfb_dashboard")
	if !s.HttpOnly || s.SameSite != http.SameSiteStrictMode || s.Path != "/dashboard/" || s.Secure || s.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/dashboard/, not Secure over plain HTTP, a Max-Age", s)
	}
	if strings.Contains(s.Value, e.token) {
		t.Error("the session cookie holds the admin token")
	}
	if page := e.get(c, "/dashboard/"); page.status != http.StatusOK || !strings.Contains(page.body, sandbox.FirstAppID) {
		t.Fatalf("page with the session: %d\n%s", page.status, page.body)
	}
	// Signed in already: the form sends you on.
	if a := e.get(c, "/dashboard/login"); a.status != http.StatusSeeOther || a.resp.Header.Get("Location") != "/dashboard/" {
		t.Errorf("login form when signed in: %d %q", a.status, a.resp.Header.Get("Location"))
	}
	if a := e.get(c, "/dashboard/nothing-here"); a.status != http.StatusNotFound {
		t.Errorf("unknown page when signed in: %d", a.status)
	}
}

func TestDashboardSessionCookieSecureOverTLS(t *testing.T) {
	e := newDashboard(t, true)
	c := e.browser()
	s := e.signIn(c).cookie("zfb_dashboard")
	if !s.Secure || !s.HttpOnly || s.SameSite != http.SameSiteStrictMode || s.Path != "/dashboard/" {
		t.Errorf("session cookie over TLS %+v: want Secure, HttpOnly, SameSite=Strict, Path=/dashboard/", s)
	}
	if page := e.get(c, "/dashboard/"); page.status != http.StatusOK {
		t.Fatalf("page over TLS: %d", page.status)
	}
}

func TestDashboardCSRF(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	csrf := e.csrf(e.get(c, "/dashboard/login").body)
	for _, tt := range []struct {
		name   string
		client *http.Client
		form   url.Values
		header []string
	}{
		{"no CSRF field", c, url.Values{"token": {e.token}}, nil},
		{"wrong CSRF field", c, url.Values{"token": {e.token}, "csrf": {csrf + "x"}}, nil},
		{"no CSRF cookie", e.browser(), url.Values{"token": {e.token}, "csrf": {csrf}}, nil},
		{"cross-site", c, url.Values{"token": {e.token}, "csrf": {csrf}}, []string{"Sec-Fetch-Site", "cross-site"}},
		{"other origin", c, url.Values{"token": {e.token}, "csrf": {csrf}}, []string{"Origin", "https://evil.example"}},
	} {
		a := e.post(tt.client, "/dashboard/login", tt.form, tt.header...)
		if a.status != http.StatusForbidden || a.cookie("zfb_dashboard") != nil {
			t.Errorf("login, %s: %d, cookies %v; want 403 and no session", tt.name, a.status, a.resp.Cookies())
		}
	}

	e.signIn(c)
	page := e.get(c, "/dashboard/")
	pageCSRF := e.csrf(page.body)
	for _, tt := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no CSRF field", url.Values{}, nil},
		{"wrong CSRF field", url.Values{"csrf": {pageCSRF[1:]}}, nil},
		{"the sign-in form's token", url.Values{"csrf": {csrf}}, nil},
		{"cross-site", url.Values{"csrf": {pageCSRF}}, []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		a := e.post(c, "/dashboard/logout", tt.form, tt.header...)
		if a.status != http.StatusForbidden {
			t.Errorf("logout, %s: %d; want 403", tt.name, a.status)
		}
		if s := a.cookie("zfb_dashboard"); s != nil {
			t.Errorf("logout, %s: touched the session cookie %+v", tt.name, s)
		}
	}
	if a := e.get(c, "/dashboard/"); a.status != http.StatusOK {
		t.Fatalf("refused logouts ended the session: %d", a.status)
	}
}

func TestDashboardLogout(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	session := e.signIn(c).cookie("zfb_dashboard")
	page := e.get(c, "/dashboard/")
	a := e.post(c, "/dashboard/logout", url.Values{"csrf": {e.csrf(page.body)}})
	if a.status != http.StatusSeeOther || a.resp.Header.Get("Location") != "/dashboard/login" {
		t.Fatalf("logout: %d %q", a.status, a.resp.Header.Get("Location"))
	}
	cleared := a.cookie("zfb_dashboard")
	if cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" || cleared.Path != "/dashboard/" {
		t.Fatalf("logout does not clear the cookie: %+v", cleared)
	}
	wantRedirectToLogin(t, "after logout", e.get(c, "/dashboard/"))
	// A copy of the cookie kept from before is no good either.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/dashboard/", nil)
	req.AddCookie(&http.Cookie{Name: "zfb_dashboard", Value: session.Value})
	wantRedirectToLogin(t, "the signed-out cookie replayed", e.do(e.browser(), req))
}

// TestDashboardTokenRotation: sessions are signed with a key derived from
// the admin token, so rotating it signs everyone out.
func TestDashboardTokenRotation(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	e.signIn(c)
	if a := e.get(c, "/dashboard/"); a.status != http.StatusOK {
		t.Fatalf("page: %d", a.status)
	}
	old := e.token
	e.token = "rotated-" + old
	if err := e.store.PutSetting(context.Background(), zfb.SettingAdminToken, e.token); err != nil {
		t.Fatal(err)
	}
	wantRedirectToLogin(t, "after rotation", e.get(c, "/dashboard/"))
	csrf := e.csrf(e.get(c, "/dashboard/login").body)
	if a := e.post(c, "/dashboard/login", url.Values{"token": {old}, "csrf": {csrf}}); a.status != http.StatusUnauthorized {
		t.Fatalf("the old token signs in: %d", a.status)
	}
	e.signIn(c)
}

func TestDashboardMasksPaymentCodes(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	e.signIn(c)
	page := e.get(c, "/dashboard/")
	if page.status != http.StatusOK {
		t.Fatalf("page: %d", page.status)
	}
	for _, h := range []string{"Cache-Control", "Content-Security-Policy", "X-Frame-Options"} {
		if page.resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	masked := func(code string) string {
		return code[:2] + strings.Repeat("*", len(code)-6) + code[len(code)-4:]
	}
	for _, b := range e.buyers {
		if strings.Contains(page.body, b.PaymentCode) {
			t.Errorf("the page shows buyer %s's payment code %s unmasked", b.UserID, b.PaymentCode)
		}
		if !strings.Contains(page.body, masked(b.PaymentCode)) {
			t.Errorf("the page does not show buyer %s's code masked as %s", b.UserID, masked(b.PaymentCode))
		}
		if !strings.Contains(page.body, `href="/dashboard/?reveal=`+b.UserID) {
			t.Errorf("no reveal link for buyer %s", b.UserID)
		}
	}

	shown, hidden := e.buyers[0], e.buyers[1:]
	page = e.get(c, "/dashboard/?reveal="+shown.UserID)
	if page.status != http.StatusOK || !strings.Contains(page.body, "<code>"+shown.PaymentCode+"</code>") {
		t.Fatalf("reveal %s: %d, code %s not shown\n%s", shown.UserID, page.status, shown.PaymentCode, page.body)
	}
	for _, b := range hidden {
		if strings.Contains(page.body, b.PaymentCode) {
			t.Errorf("revealing %s shows %s's code too", shown.UserID, b.UserID)
		}
	}
	page = e.get(c, "/dashboard/?reveal=2088000000000000")
	for _, b := range e.buyers {
		if page.status != http.StatusOK || strings.Contains(page.body, b.PaymentCode) {
			t.Errorf("revealing an unknown buyer: %d, shows %s's code", page.status, b.UserID)
		}
	}
}

// TestDashboardLedgerCheckCached: the ledger check scans the whole ledger;
// 50 page views, a burst of them at once, run it once.
func TestDashboardLedgerCheckCached(t *testing.T) {
	e := newDashboard(t, false)
	c := e.browser()
	e.signIn(c)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			for range 10 {
				resp, err := c.Get(e.srv.URL + "/dashboard/")
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "balanced") || !strings.Contains(string(body), "Checked at") {
					t.Errorf("page: %d\n%s", resp.StatusCode, body)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := e.store.ledgerChecks.Load(); n != 1 {
		t.Fatalf("50 page views ran %d ledger checks, want 1", n)
	}
}

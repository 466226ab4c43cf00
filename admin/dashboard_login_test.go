package admin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb/admin"
)

// testClock is a wall clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newDashboardWith(t *testing.T, opts ...admin.DashboardOption) *dashEnv {
	t.Helper()
	svc, store, token := dashboardService(t)
	return serveDashboard(t, false, svc, store, token, admin.Dashboard(svc, svc.Logger, opts...))
}

// TestDashboardLoginRateLimit: five wrong tokens a minute per remote
// address; then every attempt, the right token too, waits, while other
// addresses sign in as usual.
func TestDashboardLoginRateLimit(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	svc, _, token := dashboardService(t)
	h := admin.Dashboard(svc, svc.Logger, admin.WithDashboardClock(clock))

	// login posts token from addr with a fresh sign-in form.
	login := func(addr, tok string) *httptest.ResponseRecorder {
		t.Helper()
		form := httptest.NewRecorder()
		h.ServeHTTP(form, httptest.NewRequest(http.MethodGet, "/dashboard/login", nil))
		var csrf *http.Cookie
		for _, c := range form.Result().Cookies() {
			if c.Name == "zfb_dashboard_login" {
				csrf = c
			}
		}
		if csrf == nil {
			t.Fatal("the sign-in form sets no CSRF cookie")
		}
		r := httptest.NewRequest(http.MethodPost, "/dashboard/login", strings.NewReader(url.Values{"token": {tok}, "csrf": {csrf.Value}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(csrf)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	const attacker, attacker6, other = "192.0.2.7:40000", "[2001:db8::1]:40000", "192.0.2.8:40000"
	for i := range 5 {
		if w := login(attacker, "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong token #%d: %d", i+1, w.Code)
		}
		clock.advance(time.Second)
	}
	for _, tok := range []string{"wrong", token} {
		w := login(attacker, tok)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Fatalf("attempt past the limit: %d, Retry-After %q; want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
		}
		if strings.Contains(w.Header().Get("Set-Cookie"), "zfb_dashboard=") {
			t.Fatal("a limited attempt got a session")
		}
	}
	if w := login(other, token); w.Code != http.StatusSeeOther {
		t.Fatalf("another address: %d", w.Code)
	}
	// IPv6 counts per /64.
	for range 5 {
		login(attacker6, "wrong")
	}
	if w := login("[2001:db8::2]:1", token); w.Code != http.StatusTooManyRequests {
		t.Fatalf("same /64: %d, want 429", w.Code)
	}
	// A minute after the first failures, the window has room again.
	clock.advance(56 * time.Second)
	if w := login(attacker, token); w.Code != http.StatusSeeOther {
		t.Fatalf("after a minute: %d, want 303", w.Code)
	}
}

func TestDashboardSessionExpires(t *testing.T) {
	clock := &testClock{now: time.Now()}
	e := newDashboardWith(t, admin.WithDashboardClock(clock))
	c := e.browser()
	e.signIn(c)
	clock.advance(11 * time.Hour)
	if a := e.get(c, "/dashboard/"); a.status != http.StatusOK {
		t.Fatalf("after 11h: %d", a.status)
	}
	clock.advance(time.Hour)
	wantRedirectToLogin(t, "after 12h", e.get(c, "/dashboard/"))
}

// TestDashboardLedgerCheckInterval: page views within the interval show
// the last check and its time; the first after it runs a new one.
func TestDashboardLedgerCheckInterval(t *testing.T) {
	clock := &testClock{now: time.Now()}
	e := newDashboardWith(t, admin.WithDashboardClock(clock), admin.WithLedgerCheckEvery(10*time.Second))
	c := e.browser()
	e.signIn(c)
	first := e.get(c, "/dashboard/")
	if !strings.Contains(first.body, "0s ago") || !strings.Contains(first.body, "at most once every 10s") {
		t.Fatalf("page does not say when the check ran:\n%s", first.body)
	}
	clock.advance(9 * time.Second)
	if a := e.get(c, "/dashboard/"); !strings.Contains(a.body, "9s ago") {
		t.Fatalf("after 9s the page does not show the cached check's age:\n%s", a.body)
	}
	if n := e.store.ledgerChecks.Load(); n != 1 {
		t.Fatalf("%d checks within the interval, want 1", n)
	}
	clock.advance(time.Second)
	if a := e.get(c, "/dashboard/"); !strings.Contains(a.body, "0s ago") {
		t.Fatalf("after 10s the page shows an old check:\n%s", a.body)
	}
	if n := e.store.ledgerChecks.Load(); n != 2 {
		t.Fatalf("%d checks after the interval, want 2", n)
	}
}

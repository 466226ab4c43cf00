package interop

// The walkthrough's steps without a command: what a newcomer reads in the dashboard, read here
// over plain HTTP with the session a browser would hold (the browser tests do it in Chromium).

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var (
	loginCSRFRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	requestLinkRE = regexp.MustCompile(`href="/dashboard/requests/(\d+)"`)
)

// signIn signs in at the dashboard with sandbox.json's admin_token, as step 3 says, and returns
// a client holding the session cookie.
func (w *walk) signIn() *http.Client {
	t := w.t
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	page := w.dashboardPage(hc, "login")
	m := loginCSRFRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the dashboard's sign-in page has no csrf field:\n%s", page)
	}
	resp, err := hc.PostForm(w.sb.DashboardURL+"login", url.Values{"csrf": {m[1]}, "token": {w.sb.AdminToken}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/dashboard/" {
		t.Fatalf("signing in with admin_token: status %d at %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	return hc
}

// dashboardPage GETs the dashboard's path (relative to /dashboard/), following redirects, and
// returns the page with its HTML entities decoded.
func (w *walk) dashboardPage(hc *http.Client, path string) string {
	t := w.t
	resp, err := hc.Get(w.sb.DashboardURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard %s: status %d:\n%s", path, resp.StatusCode, body)
	}
	return html.UnescapeString(string(body))
}

// checkDashboardTrade is step 3: the search box finds the trade, whose page shows it paid, its
// ledger transfers and its delivered notification.
func (w *walk) checkDashboardTrade() {
	t := w.t
	hc := w.signIn()
	page := w.dashboardPage(hc, "search?q="+url.QueryEscape(w.tradeNo))
	_, transfers, _ := strings.Cut(page, "Ledger transfers")
	transfers, notifications, _ := strings.Cut(transfers, "Notifications")
	for _, want := range []string{w.tradeNo, w.outTradeNo, "TRADE_SUCCESS", "88.88"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard's page for a search of %s does not show %q:\n%s", w.tradeNo, want, page)
		}
	}
	if transfers == "" || strings.Contains(transfers, "No money moved.") || !strings.Contains(transfers, "88.88") {
		t.Errorf("the trade's page shows no ledger transfer of 88.88: %q", transfers)
	}
	if !strings.Contains(notifications, "trade_status_sync") || !strings.Contains(notifications, "delivered") {
		t.Errorf("the trade's page shows no delivered trade_status_sync notification: %q", notifications)
	}
}

// checkDashboardDiagnosis is step 4's reading: the Requests page lists the call that named
// outTradeNo, and its page holds the diagnosis.
func (w *walk) checkDashboardDiagnosis(outTradeNo, diagnosis string) {
	t := w.t
	hc := w.signIn()
	list := w.dashboardPage(hc, "requests?q="+url.QueryEscape(outTradeNo))
	m := requestLinkRE.FindStringSubmatch(list)
	if m == nil || !strings.Contains(list, "isv.invalid-signature") {
		t.Fatalf("the dashboard's Requests page for %s lists no failed call:\n%s", outTradeNo, list)
	}
	page := w.dashboardPage(hc, "requests/"+m[1])
	if !strings.Contains(page, diagnosis) {
		t.Errorf("the dashboard's page of request %s does not hold the diagnosis %q:\n%s", m[1], diagnosis, page)
	}
}

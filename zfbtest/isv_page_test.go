package zfbtest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/zfbtest"
)

// TestAppToAppAuthPage: the browser flow of spec §1.1, the tester playing
// the merchant.
func TestAppToAppAuthPage(t *testing.T) {
	srv := zfbtest.NewServer(t)
	e := newISVEnv(t, srv)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := srv.URL + "/oauth2/appToAppAuth.htm"

	q := url.Values{"app_id": {e.isv.AppID}, "redirect_uri": {"https://isv.example/callback?shop=1"}, "state": {"c3RhdGU="}}
	resp, err := http.Get(page + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), e.merchant.AppID) || strings.Contains(string(body), `value="`+e.isv.AppID+`" required`) {
		t.Fatalf("page: HTTP %d\n%s", resp.StatusCode, body)
	}

	form := url.Values{"app_id": {e.isv.AppID}, "redirect_uri": q["redirect_uri"], "state": q["state"], "merchant_app_id": {e.merchant.AppID}}
	resp, err = noRedirect.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Host != "isv.example" || loc.Path != "/callback" {
		t.Fatalf("authorize: HTTP %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got := loc.Query()
	if got.Get("shop") != "1" || got.Get("app_id") != e.isv.AppID || got.Get("source") != "alipay_app_auth" || got.Get("state") != "c3RhdGU=" {
		t.Fatalf("callback query %v", got)
	}
	e.mustExchange(got.Get("app_auth_code"))

	for name, bad := range map[string]url.Values{
		"not an ISV app":  {"app_id": {e.merchant.AppID}, "redirect_uri": q["redirect_uri"]},
		"no redirect_uri": {"app_id": {e.isv.AppID}},
		"javascript: URI": {"app_id": {e.isv.AppID}, "redirect_uri": {"javascript:alert(1)"}},
		"unknown app":     {"app_id": {"2021000000000000"}, "redirect_uri": q["redirect_uri"]},
	} {
		resp, err := http.Get(page + "?" + bad.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", name, resp.StatusCode)
		}
	}
	// The ISV app cannot authorize itself.
	form.Set("merchant_app_id", e.isv.AppID)
	resp, err = noRedirect.PostForm(page, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("self-authorization: HTTP %d, want 400", resp.StatusCode)
	}
}

package admin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sandbox"
)

func TestAuthorizations(t *testing.T) {
	h, _, token := newAdmin(t)
	auths := admin.Prefix + "/apps/" + sandbox.ISVAppID + "/authorizations"

	// Bad input changes nothing.
	for _, tc := range []struct {
		name, path, body string
		status           int
		errCode          string
	}{
		{"no merchant", auths, `{}`, 400, "invalid_request"},
		{"unknown field", auths, `{"merchant":"x"}`, 400, "invalid_json"},
		{"unknown merchant", auths, `{"merchant_app_id":"2021000000000404"}`, 404, "not_found"},
		{"unknown ISV", admin.Prefix + "/apps/2021000000000404/authorizations", `{"merchant_app_id":"` + sandbox.FirstAppID + `"}`, 404, "not_found"},
		{"not an ISV app", admin.Prefix + "/apps/" + sandbox.FirstAppID + "/authorizations", `{"merchant_app_id":"` + sandbox.ISVAppID + `"}`, 400, "APP_NOT_ISV"},
		{"itself", auths, `{"merchant_app_id":"` + sandbox.ISVAppID + `"}`, 400, "APP_NOT_ISV"},
	} {
		status, out := do(t, h, token, "POST", tc.path, tc.body)
		if e, _ := out["error"].(map[string]any); status != tc.status || e["code"] != tc.errCode {
			t.Errorf("%s: HTTP %d %v, want %d %s", tc.name, status, out, tc.status, tc.errCode)
		}
	}
	status, out := do(t, h, token, "GET", auths, "")
	list, _ := out["authorizations"].([]any)
	if status != 200 || len(list) != 1 {
		t.Fatalf("the sandbox's authorization only: HTTP %d %v", status, out)
	}
	first := list[0].(map[string]any)
	if first["auth_app_id"] != sandbox.FirstAppID || first["status"] != "valid" {
		t.Fatalf("authorization %v", first)
	}

	status, out = do(t, h, token, "POST", auths, `{"merchant_app_id":"`+sandbox.FirstAppID+`"}`)
	if code, _ := out["app_auth_code"].(string); status != 201 || len(code) != 32 || code[0] != 'P' || out["expires_at"] != "2026-11-24T16:00:00+08:00" {
		t.Fatalf("authorize: HTTP %d %v", status, out)
	}

	revoke := func(tok string) int {
		r := httptest.NewRequest("DELETE", auths+"/"+tok, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	tok := first["app_auth_token"].(string)
	if code := revoke("201611BB0072dd1af77d4b46a1e8f98ab3e2fX14"); code != http.StatusNotFound {
		t.Fatalf("revoking an unknown token: HTTP %d", code)
	}
	if code := revoke(tok); code != http.StatusNoContent {
		t.Fatalf("revoke: HTTP %d", code)
	}
	if code := revoke(tok); code != http.StatusNotFound {
		t.Fatalf("revoking twice: HTTP %d", code)
	}
	_, out = do(t, h, token, "GET", auths, "")
	if a := out["authorizations"].([]any)[0].(map[string]any); a["status"] != string(zfb.AppAuthRevoked) || a["revoked_at"] == nil {
		t.Fatalf("after revoking: %v", a)
	}
}

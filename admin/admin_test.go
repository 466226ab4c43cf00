package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// frozen is a wall clock that stands still, so clock answers are exact.
var frozen = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func newAdmin(t *testing.T) (http.Handler, *zfb.Service, string) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, zfb.ClockFunc(func() time.Time { return frozen }), nil)
	if _, err := sandbox.Ensure(ctx, svc); err != nil {
		t.Fatal(err)
	}
	token, err := store.Setting(ctx, zfb.SettingAdminToken)
	if err != nil {
		t.Fatal(err)
	}
	return admin.New(svc, token, svc.Logger), svc, token
}

func do(t *testing.T, h http.Handler, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	raw, _ := io.ReadAll(w.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return w.Code, out
}

func TestClock(t *testing.T) {
	h, _, token := newAdmin(t)
	clock := admin.Prefix + "/apps/" + sandbox.FirstAppID + "/clock"
	tests := []struct {
		name, method, path, body string
		status                   int
		now                      string // gateway_time expected, "" to skip
		errCode                  string
	}{
		{"read", "GET", clock, "", 200, "2026-11-23 16:00:00", ""},
		{"advance 25h", "POST", clock, `{"advance":"25h"}`, 200, "2026-11-24 17:00:00", ""},
		{"advance 2d", "POST", clock, `{"advance":"2d"}`, 200, "2026-11-26 17:00:00", ""},
		{"set forward", "POST", clock, `{"set":"2026-12-01T10:00:00+08:00"}`, 200, "2026-12-01 10:00:00", ""},
		{"set backward", "POST", clock, `{"set":"2026-11-30T10:00:00+08:00"}`, 409, "", "clock_backwards"},
		{"advance negative", "POST", clock, `{"advance":"-1h"}`, 409, "", "clock_backwards"},
		{"both", "POST", clock, `{"advance":"1h","set":"2027-01-01T00:00:00Z"}`, 400, "", "invalid_request"},
		{"neither", "POST", clock, `{}`, 400, "", "invalid_request"},
		{"bad duration", "POST", clock, `{"advance":"soon"}`, 400, "", "invalid_request"},
		{"bad time", "POST", clock, `{"set":"tomorrow"}`, 400, "", "invalid_request"},
		{"unknown field", "POST", clock, `{"advanse":"1h"}`, 400, "", "invalid_json"},
		{"unknown app", "GET", admin.Prefix + "/apps/2021000000000404/clock", "", 404, "", "not_found"},
		{"after the refusals, unchanged", "GET", clock, "", 200, "2026-12-01 10:00:00", ""},
	}
	for _, tt := range tests {
		status, out := do(t, h, token, tt.method, tt.path, tt.body)
		if status != tt.status {
			t.Fatalf("%s: HTTP %d, want %d: %v", tt.name, status, tt.status, out)
		}
		if tt.now != "" && out["gateway_time"] != tt.now {
			t.Fatalf("%s: gateway_time %v, want %s", tt.name, out["gateway_time"], tt.now)
		}
		if tt.errCode != "" {
			e, _ := out["error"].(map[string]any)
			if e["code"] != tt.errCode {
				t.Fatalf("%s: error %v, want %s", tt.name, out, tt.errCode)
			}
		}
	}
}

func TestAuth(t *testing.T) {
	h, _, token := newAdmin(t)
	for _, bad := range []string{"", "wrong", token + "x"} {
		if status, _ := do(t, h, bad, "GET", admin.Prefix+"/apps", ""); status != http.StatusUnauthorized {
			t.Fatalf("token %q: HTTP %d", bad, status)
		}
	}
}

func TestListings(t *testing.T) {
	h, _, token := newAdmin(t)
	status, out := do(t, h, token, "GET", admin.Prefix+"/apps", "")
	if status != 200 || !strings.Contains(toJSON(out), sandbox.FirstAppID) || strings.Contains(toJSON(out), "PRIVATE KEY") {
		t.Fatalf("apps: %d %v", status, out)
	}
	status, out = do(t, h, token, "GET", admin.Prefix+"/buyers", "")
	if status != 200 || len(out["buyers"].([]any)) != 3 || !strings.Contains(toJSON(out), `"balance":"100000.00"`) {
		t.Fatalf("buyers: %d %v", status, out)
	}
	status, out = do(t, h, token, "GET", admin.Prefix+"/ledger/check", "")
	if status != 200 || out["ok"] != true {
		t.Fatalf("ledger: %d %v", status, out)
	}
	// The sandbox issued 100000.00 + 100000.00 + 1.00 from the funding account.
	if totals := out["totals"].(map[string]any); totals["CNY"] != float64(0) {
		t.Fatalf("totals %v", totals)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

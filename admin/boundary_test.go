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

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
	"github.com/zfbpay/zfb/storetest"
)

// TestInputBoundary: a path, query or JSON body that is not UTF-8 or holds
// a control character is refused 400 invalid_request before any handler
// runs — on SQLite, which would store or miss it, and on PostgreSQL, whose
// TEXT refuses NUL (a 500 before) — and nothing is stored.
func TestInputBoundary(t *testing.T) {
	for _, backend := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "zfb.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresURL(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) {
			ctx := context.Background()
			store, err := sqlstore.Open(ctx, backend.db(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			svc := zfb.NewService(store, nil, nil)
			if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
				t.Fatal(err)
			}
			token, err := store.Setting(ctx, zfb.SettingAdminToken)
			if err != nil {
				t.Fatal(err)
			}
			h := admin.New(svc, token, svc.Logger)
			apps, err := svc.Apps(ctx)
			if err != nil {
				t.Fatal(err)
			}
			app := apps[0].ID
			send := func(method, target, body string) (int, map[string]any, string) {
				r := httptest.NewRequest(method, "/", strings.NewReader(body))
				r.URL.Path, r.URL.RawQuery, _ = strings.Cut(target, "?")
				r.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				raw, _ := io.ReadAll(w.Body)
				var out map[string]any
				_ = json.Unmarshal(raw, &out)
				return w.Code, out, string(raw)
			}
			stored := func() string {
				buyers, err := svc.Buyers(ctx)
				if err != nil {
					t.Fatal(err)
				}
				faults, err := svc.Faults(ctx, app)
				if err != nil {
					t.Fatal(err)
				}
				a, err := svc.App(ctx, app)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal([]any{len(buyers), len(faults), a.NotifyURL})
				return string(b)
			}
			for _, tt := range []struct {
				name, method, path, body string
			}{
				{"NUL in an app id", "GET", "/admin/v1/apps/\x00", ""},
				{"NUL in an app id, clock", "GET", "/admin/v1/apps/a\x00b/clock", ""},
				{"control in an app id, POST", "POST", "/admin/v1/apps/a\x1bb/clock", `{"advance":"1h"}`},
				{"invalid UTF-8 in a trade number", "GET", "/admin/v1/trades/\xff", ""},
				{"NUL in an out_trade_no", "GET", "/admin/v1/apps/" + app + "/trades/T\x00", ""},
				{"NUL in an auth number", "GET", "/admin/v1/fund-auth/orders/\x00", ""},
				{"NUL in an out_order_no", "GET", "/admin/v1/apps/" + app + "/fund-auth/orders/\x00", ""},
				{"NUL in an acquirement id", "GET", "/admin/v1/intl/payments/\x00", ""},
				{"NUL in a merchantTransId", "GET", "/admin/v1/apps/" + app + "/intl/payments/\x00", ""},
				{"NUL in a buyer id", "POST", "/admin/v1/buyers/\x00", `{"restricted":true}`},
				{"NUL in the query", "GET", "/admin/v1/apps/" + app + "/notifications?limit=%00", ""},
				{"NUL in a body value", "POST", "/admin/v1/buyers", `{"behaviour":"pays","balance":"1.00","logon_id":"a\u0000b"}`},
				{"control in a body value", "POST", "/admin/v1/apps/" + app + "/faults", `{"method":"alipay.trade.pay","out_trade_no":"T\u0007","effect":"error_before","sub_code":"ACQ.SYSTEM_ERROR"}`},
				{"NUL in a notify URL", "POST", "/admin/v1/apps/" + app, `{"notify_url":"http://127.0.0.1/\u0000"}`},
				{"NUL in a body key", "POST", "/admin/v1/buyers", `{"behaviour":"pays","balance":"1.00","x\u0000":1}`},
				{"body not UTF-8", "POST", "/admin/v1/buyers", "{\"behaviour\":\"pays\",\"balance\":\"1.00\",\"logon_id\":\"\xff\"}"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := stored()
					status, out, raw := send(tt.method, tt.path, tt.body)
					e, _ := out["error"].(map[string]any)
					if status != http.StatusBadRequest || e["code"] != "invalid_request" {
						t.Fatalf("HTTP %d %s, want 400 invalid_request", status, raw)
					}
					if after := stored(); after != before {
						t.Fatalf("stored something: before %s, after %s", before, after)
					}
				})
			}
			t.Run("clean input still reaches the handlers", func(t *testing.T) {
				if status, _, raw := send("GET", "/admin/v1/apps/"+app, ""); status != http.StatusOK {
					t.Fatalf("HTTP %d %s", status, raw)
				}
				if status, _, raw := send("GET", "/admin/v1/trades/nothing", ""); status != http.StatusNotFound {
					t.Fatalf("HTTP %d %s", status, raw)
				}
				// A tab and a line break in a string value are text.
				if status, _, raw := send("POST", "/admin/v1/buyers", "{\"behaviour\":\"pays\",\"balance\":\"1.00\",\"logon_id\":\"tab\\tbuyer@example.com\"}"); status != http.StatusOK && status != http.StatusCreated {
					t.Fatalf("HTTP %d %s", status, raw)
				}
				// A body the handler refuses as before.
				if status, out, raw := send("POST", "/admin/v1/buyers", `{"behaviour":`); status != http.StatusBadRequest || out["error"].(map[string]any)["code"] != "invalid_json" {
					t.Fatalf("HTTP %d %s", status, raw)
				}
				big := `{"behaviour":"pays","balance":"1.00","logon_id":"` + strings.Repeat("a", 1<<20) + `"}`
				if status, out, raw := send("POST", "/admin/v1/buyers", big); status != http.StatusBadRequest || out["error"].(map[string]any)["code"] != "invalid_json" {
					t.Fatalf("HTTP %d %.200s", status, raw)
				}
			})
			t.Run("unauthorised requests are still 401", func(t *testing.T) {
				r := httptest.NewRequest("GET", "/admin/v1/apps", nil)
				r.URL.Path = "/admin/v1/apps/\x00"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusUnauthorized {
					t.Fatalf("HTTP %d", w.Code)
				}
			})
		})
	}
}

package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/internal/testkeys"
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
	if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
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
		// Beyond a century ahead: refused, where the offset used to
		// overflow and run the clock backwards (advance 2562047h twice) or
		// answer a time it did not hold (set 9999-12-31).
		{"advance past the range", "POST", clock, `{"advance":"2562047h"}`, 400, "", "clock_range"},
		{"advance days past the range", "POST", clock, `{"advance":"99999999999d"}`, 400, "", "invalid_request"},
		{"set past the range", "POST", clock, `{"set":"9999-12-31T23:59:59+08:00"}`, 400, "", "clock_range"},
		{"after the refusals, unchanged", "GET", clock, "", 200, "2026-12-01 10:00:00", ""},
		// Near the range, advances saturate: the clock never goes back.
		{"advance 800000h", "POST", clock, `{"advance":"800000h"}`, 200, "2118-03-07 18:00:00", ""},
		{"advance 800000h again", "POST", clock, `{"advance":"800000h"}`, 200, "2126-10-30 16:00:00", ""},
		{"at the limit", "POST", clock, `{"advance":"1h"}`, 200, "2126-10-30 16:00:00", ""},
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
	if status != 200 || !strings.Contains(toJSON(out), sandbox.FirstAppID) || strings.Contains(toJSON(out), "PRIVATE KEY") ||
		strings.Contains(toJSON(out), "app_private_key") {
		t.Fatalf("apps: %d %v (the admin API must hand out no private key, in any form)", status, out)
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

func TestBuyersTradesAndFaults(t *testing.T) {
	h, svc, token := newAdmin(t)
	ctx := context.Background()
	status, out := do(t, h, token, "POST", admin.Prefix+"/buyers", `{"behaviour":"password","balance":"12.34","logon_id":"138****0001@x"}`)
	if status != http.StatusCreated || out["balance"] != "12.34" || out["behaviour"] != "password" || out["payment_code"] == "" {
		t.Fatalf("create buyer: %d %v", status, out)
	}
	for _, bad := range []string{`{"behaviour":"rich","balance":"1.00"}`, `{"behaviour":"pays","balance":"-1"}`, `{"behaviour":"pays"}`} {
		if status, _ := do(t, h, token, "POST", admin.Prefix+"/buyers", bad); status != http.StatusBadRequest {
			t.Fatalf("%s: HTTP %d", bad, status)
		}
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/buyers", `{"behaviour":"pays","balance":"1.00","payment_code":"`+out["payment_code"].(string)+`"}`); status != http.StatusConflict {
		t.Fatalf("duplicate payment code: %d %v", status, out)
	}

	app, err := svc.App(ctx, sandbox.FirstAppID)
	if err != nil {
		t.Fatal(err)
	}
	buyers, err := svc.Buyers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var password *zfb.Buyer
	for _, b := range buyers {
		if b.Behaviour == zfb.BehaviourPassword {
			password = b
		}
	}
	res, err := svc.Pay(ctx, app, frozen, zfb.PayCommand{OutTradeNo: "A1", TotalAmount: "5.00", Subject: "x", AuthCode: password.PaymentCode})
	if err != nil || !res.InProgress {
		t.Fatalf("pay: %v %+v", err, res)
	}
	tradeNo := res.Trade.TradeNo
	if status, out := do(t, h, token, "GET", admin.Prefix+"/apps/"+app.ID+"/trades/A1", ""); status != 200 || out["trade_no"] != tradeNo || out["trade_status"] != "WAIT_BUYER_PAY" {
		t.Fatalf("trade by out_trade_no: %d %v", status, out)
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/trades/"+tradeNo+"/buyer", `{"action":"dance"}`); status != http.StatusConflict {
		t.Fatalf("unknown action: %d %v", status, out)
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/trades/"+tradeNo+"/buyer", `{"action":"pay"}`); status != 200 || out["trade_status"] != "TRADE_SUCCESS" || out["paid_at"] == nil {
		t.Fatalf("buyer pays: %d %v", status, out)
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/trades/"+tradeNo+"/buyer", `{"action":"pay"}`); status != http.StatusConflict {
		t.Fatalf("paying twice: %d %v", status, out)
	}
	if status, _ := do(t, h, token, "GET", admin.Prefix+"/trades/2026000000000000", ""); status != http.StatusNotFound {
		t.Fatalf("unknown trade: %d", status)
	}
	// A poor buyer cannot pay a big precreated trade: refused, nothing moves.
	pre, err := svc.Precreate(ctx, app, frozen, zfb.CreateCommand{OutTradeNo: "Q1", TotalAmount: "50.00", Subject: "qr"})
	if err != nil {
		t.Fatal(err)
	}
	// Its qr_code is the one precreate answered: zfb's page on the caller's host.
	if status, out := do(t, h, token, "GET", admin.Prefix+"/trades/"+pre.TradeNo, ""); status != 200 || out["qr_code"] != "http://example.com/cashier/qr/"+zfb.QRCodeName(pre.QRCode) {
		t.Errorf("precreated trade: %d %v", status, out["qr_code"])
	}
	var poor *zfb.Buyer
	for _, b := range buyers {
		if b.Behaviour == zfb.BehaviourPoor {
			poor = b
		}
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/trades/"+pre.TradeNo+"/buyer", `{"action":"pay","buyer_id":"`+poor.UserID+`"}`); status != http.StatusConflict || out["error"].(map[string]any)["code"] != "ACQ.BUYER_BALANCE_NOT_ENOUGH" {
		t.Fatalf("poor buyer: %d %v", status, out)
	}

	faults := admin.Prefix + "/apps/" + app.ID + "/faults"
	status, out = do(t, h, token, "POST", faults, `{"method":"alipay.trade.pay","out_trade_no":"T-*","effect":"error_after"}`)
	if status != http.StatusCreated || out["sub_code"] != "isp.unknow-error" || out["id"] == nil {
		t.Fatalf("create fault: %d %v", status, out)
	}
	id := strconv.FormatFloat(out["id"].(float64), 'f', 0, 64)
	for _, bad := range []string{`{"method":"alipay.trade.pay","effect":"explode"}`, `{"effect":"error_before"}`, `{"method":"m","effect":"delay"}`, `{"method":"m","effect":"error_before","sub_code":"nope"}`, `{"method":"m","effect":"error_before","out_trade_no":"["}`} {
		if status, out := do(t, h, token, "POST", faults, bad); status != http.StatusBadRequest {
			t.Fatalf("%s: %d %v", bad, status, out)
		}
	}
	if status, out := do(t, h, token, "GET", faults, ""); status != 200 || len(out["faults"].([]any)) != 1 {
		t.Fatalf("list faults: %d %v", status, out)
	}
	if status, _ := do(t, h, token, "POST", admin.Prefix+"/apps/2021000000000404/faults", `{"method":"m","effect":"error_before"}`); status != http.StatusNotFound {
		t.Fatalf("fault for an unknown app: %d", status)
	}
	r := httptest.NewRequest("DELETE", faults+"/"+id, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("delete fault: %d", w.Code)
	}
	if status, _ := do(t, h, token, "DELETE", faults+"/"+id, ""); status != http.StatusNotFound {
		t.Fatalf("delete twice: %d", status)
	}
	if status, out := do(t, h, token, "DELETE", faults, ""); status != 200 || len(out["faults"].([]any)) != 0 {
		t.Fatalf("clear faults: %d %v", status, out)
	}
	if status, out := do(t, h, token, "GET", admin.Prefix+"/ledger/check", ""); status != 200 || out["ok"] != true {
		t.Fatalf("ledger: %d %v", status, out)
	}
}

// TestUpdateAppModes: the admin API changes an app's AES key, identity
// mode and ISV flag, and refuses settings that would leave the app
// unusable, changing nothing.
func TestUpdateAppModes(t *testing.T) {
	h, svc, token := newAdmin(t)
	path := admin.Prefix + "/apps/" + sandbox.FirstAppID
	status, out := do(t, h, token, "POST", path, `{"aes_key":"cW8mcZgoMGUVp5g7uv7bHw==","identity_mode":"both","isv":true}`)
	if status != 200 || out["aes_key"] != "cW8mcZgoMGUVp5g7uv7bHw==" || out["identity_mode"] != "both" || out["isv"] != true {
		t.Fatalf("update: %d %v", status, out)
	}
	for _, body := range []string{
		`{"aes_key":"not base64!"}`,
		`{"aes_key":"c2hvcnQ="}`, // 5 bytes
		`{"identity_mode":"email"}`,
		`{}`,
	} {
		if status, out := do(t, h, token, "POST", path, body); status != http.StatusBadRequest || !strings.Contains(toJSON(out), `"code":"invalid_request"`) {
			t.Errorf("%s: %d %v, want 400 invalid_request", body, status, out)
		}
	}
	// The sandbox's apps have certificates and switch to certificate mode
	// and back; an app registered without certificates cannot.
	for _, mode := range []string{"true", "false"} {
		if status, out := do(t, h, token, "POST", path, `{"cert_mode":`+mode+`}`); status != 200 || toJSON(out["cert_mode"] == true) != mode {
			t.Fatalf("cert_mode %s: %d %v", mode, status, out)
		}
	}
	bare, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateApp(t.Context(), bare); err != nil {
		t.Fatal(err)
	}
	if status, out := do(t, h, token, "POST", admin.Prefix+"/apps/"+bare.ID, `{"cert_mode":true,"identity_mode":"openid"}`); status != http.StatusBadRequest || !strings.Contains(toJSON(out), `"code":"invalid_request"`) {
		t.Errorf("cert_mode without certificates: %d %v, want 400 invalid_request", status, out)
	}
	if app, err := svc.App(t.Context(), bare.ID); err != nil || app.CertMode || app.IdentityMode != zfb.IdentityUserID {
		t.Errorf("a refused update changed the app: %+v, %v", app, err)
	}
	app, err := svc.App(t.Context(), sandbox.FirstAppID)
	if err != nil {
		t.Fatal(err)
	}
	if app.AESKey != "cW8mcZgoMGUVp5g7uv7bHw==" || app.IdentityMode != zfb.IdentityBoth || app.CertMode || !app.ISV {
		t.Errorf("a refused update changed the app: %+v", app)
	}
}

// TestBuyerOpenIDs: the admin API shows a buyer's open_id in every app,
// the same each time, and different per app (spec isv-and-identity §2.1).
func TestBuyerOpenIDs(t *testing.T) {
	h, svc, token := newAdmin(t)
	ctx := context.Background()
	other, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateApp(ctx, other); err != nil {
		t.Fatal(err)
	}
	buyers, err := svc.Buyers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := admin.Prefix + "/buyers/" + buyers[0].UserID
	status, first := do(t, h, token, "GET", path, "")
	ids, _ := first["open_ids"].(map[string]any)
	apps, err := svc.Apps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || len(ids) != len(apps) || ids[sandbox.FirstAppID] == ids[other.ID] || first["open_id"] != ids[sandbox.FirstAppID] {
		t.Fatalf("buyer: %d %v", status, first)
	}
	for _, id := range ids {
		if s, _ := id.(string); len(s) != 47 || s[0] != '0' {
			t.Errorf("open_id %q", s)
		}
	}
	if _, again := do(t, h, token, "GET", path, ""); toJSON(again) != toJSON(first) {
		t.Errorf("second read %v, first %v", again, first)
	}
	_, list := do(t, h, token, "GET", admin.Prefix+"/buyers", "")
	if !strings.Contains(toJSON(list), toJSON(ids)) {
		t.Errorf("the list does not show the open_ids %v: %v", ids, list)
	}
	if status, _ := do(t, h, token, "GET", admin.Prefix+"/buyers/2088000000000000", ""); status != http.StatusNotFound {
		t.Errorf("unknown buyer: %d", status)
	}
}

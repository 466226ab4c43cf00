package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/admin/client"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// buyerOf is the sandbox buyer with the behaviour.
func buyerOf(t *testing.T, f *sandbox.File, behaviour string) sandbox.Buyer {
	t.Helper()
	for _, b := range f.Buyers {
		if b.Behaviour == behaviour {
			return b
		}
	}
	t.Fatalf("no %s buyer", behaviour)
	return sandbox.Buyer{}
}

// decode unmarshals a command's --json output.
func decode[T any](t *testing.T, out string, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if jerr := json.Unmarshal([]byte(out), &v); jerr != nil {
		t.Fatalf("not JSON: %v\n%s", jerr, out)
	}
	return v
}

// hasLine tells whether text has a line of these fields.
func hasLine(text string, fields ...string) bool {
	for line := range strings.Lines(text) {
		if slices.Equal(strings.Fields(line), fields) {
			return true
		}
	}
	return false
}

// jsonCLI runs a zfb command that prints JSON and decodes it.
func jsonCLI[T any](t *testing.T, args ...string) T {
	t.Helper()
	out, err := zfbCLI(t, args...)
	return decode[T](t, out, err)
}

// TestCallAndTrade: zfb call signs as the sandbox's first app and prints
// the verified answer; an error answer and a signature that does not
// verify exit non-zero; zfb trade shows the trade and acts as its buyer.
func TestCallAndTrade(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file, stop := startServe(t, "--data", data)
	defer stop()
	d := []string{"--data", data}
	receiver := zfbtest.NewReceiver(t)

	pays := buyerOf(t, file, "pays")
	out, err := zfbCLI(t, append([]string{"call", "alipay.trade.pay", "--notify-url", receiver.URL, "--biz",
		`{"out_trade_no":"CLI-1","scene":"bar_code","auth_code":"` + pays.PaymentCode + `","total_amount":"8.88","subject":"tea"}`}, d...)...)
	paid := decode[map[string]any](t, out, err)
	if paid["code"] != "10000" || paid["out_trade_no"] != "CLI-1" || paid["trade_no"] == "" {
		t.Fatalf("zfb call alipay.trade.pay printed %s", out)
	}

	out, err = zfbCLI(t, append([]string{"call", "alipay.trade.query", "--biz", `{"out_trade_no":"NONE"}`}, d...)...)
	if err == nil || !strings.Contains(err.Error(), "ACQ.TRADE_NOT_EXIST") || !strings.Contains(err.Error(), "40004") || !strings.Contains(out, `"sub_code": "ACQ.TRADE_NOT_EXIST"`) {
		t.Fatalf("querying an unknown trade: %v\n%s", err, out)
	}

	// The app's own public key is not the gateway's: the answer's
	// signature does not verify.
	wrongKey := filepath.Join(t.TempDir(), "wrong.pem")
	if err := os.WriteFile(wrongKey, []byte(file.Apps[0].AppPublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = zfbCLI(t, append([]string{"call", "alipay.trade.query", "--alipay-public-key", wrongKey, "--biz", `{"out_trade_no":"CLI-1"}`}, d...)...)
	if err == nil || !strings.Contains(err.Error(), "signature") || out != "" {
		t.Fatalf("an answer that does not verify: %v, printed %q", err, out)
	}
	// All keys given: no sandbox.json needed.
	key := filepath.Join(t.TempDir(), "app.pem")
	alipayKey := filepath.Join(t.TempDir(), "alipay.pem")
	os.WriteFile(key, []byte(file.Apps[0].AppPrivateKey), 0o600)
	os.WriteFile(alipayKey, []byte(file.Apps[0].AlipayPublicKey), 0o600)
	out, err = zfbCLI(t, "call", "alipay.trade.query", "--data", filepath.Join(t.TempDir(), "none"), "--app-id", file.Apps[0].AppID,
		"--private-key", key, "--alipay-public-key", alipayKey, "--gateway", file.GatewayURL, "--biz", `{"out_trade_no":"CLI-1"}`)
	if q := decode[map[string]any](t, out, err); q["trade_status"] != "TRADE_SUCCESS" {
		t.Fatalf("query with the keys given: %s", out)
	}
	// The certificate-mode app of the sandbox, by --app-id.
	out, err = zfbCLI(t, append([]string{"call", "alipay.trade.query", "--app-id", sandbox.CertAppID, "--biz", `{"out_trade_no":"NONE"}`}, d...)...)
	if err == nil || !strings.Contains(err.Error(), "ACQ.TRADE_NOT_EXIST") {
		t.Fatalf("a call as the certificate-mode app: %v\n%s", err, out)
	}
	if _, err := zfbCLI(t, append([]string{"call", "alipay.trade.query", "--biz", `{out_trade_no}`}, d...)...); err == nil || !strings.Contains(err.Error(), "--biz") {
		t.Fatalf("--biz that is not JSON: %v", err)
	}

	out, err = zfbCLI(t, append([]string{"trade", "show", "--out-trade-no", "CLI-1"}, d...)...)
	if err != nil || !strings.Contains(out, "TRADE_SUCCESS") || !strings.Contains(out, "8.88") {
		t.Fatalf("trade show --out-trade-no: %v\n%s", err, out)
	}
	shown := jsonCLI[client.Trade](t, append([]string{"trade", "show", paid["trade_no"].(string), "--json"}, d...)...)
	if shown.OutTradeNo != "CLI-1" || shown.BuyerID != pays.UserID {
		t.Fatalf("trade show --json: %+v", shown)
	}

	// A password buyer's payment waits (10003) until the buyer pays.
	password := buyerOf(t, file, "password")
	out, err = zfbCLI(t, append([]string{"call", "alipay.trade.pay", "--biz",
		`{"out_trade_no":"CLI-2","scene":"bar_code","auth_code":"` + password.PaymentCode + `","total_amount":"1.00","subject":"tea"}`}, d...)...)
	waiting := decode[map[string]any](t, out, err)
	if waiting["code"] != "10003" {
		t.Fatalf("a password buyer's pay: %s", out)
	}
	done := jsonCLI[client.Trade](t, append([]string{"trade", "pay", waiting["trade_no"].(string), "--json"}, d...)...)
	if done.TradeStatus != "TRADE_SUCCESS" {
		t.Fatalf("trade pay: %+v", done)
	}
	if _, err := zfbCLI(t, append([]string{"trade", "decline", done.TradeNo}, d...)...); err == nil || !strings.Contains(err.Error(), "invalid_action") {
		t.Fatalf("declining a paid trade: %v", err)
	}

	// The notification of CLI-1, and its replay.
	receiver.Wait(t, 10*time.Second, func(r zfbtest.Received) bool { return r.Form.Get("out_trade_no") == "CLI-1" })
	list := jsonCLI[struct{ Notifications []client.Notification }](t, append([]string{"notify", "list", "--json"}, d...)...)
	if len(list.Notifications) == 0 || list.Notifications[0].URL != receiver.URL {
		t.Fatalf("notify list: %+v", list)
	}
	id := strconv.FormatInt(list.Notifications[0].ID, 10)
	out, err = zfbCLI(t, append([]string{"notify", "replay", id}, d...)...)
	if err != nil || !strings.Contains(out, "sent again") || !strings.Contains(out, "acknowledged: true") {
		t.Fatalf("notify replay: %v\n%s", err, out)
	}
	out, err = zfbCLI(t, append([]string{"notify", "show", id}, d...)...)
	if err != nil || !strings.Contains(out, "field out_trade_no") || !strings.Contains(out, "replay=true") {
		t.Fatalf("notify show: %v\n%s", err, out)
	}
	out, err = zfbCLI(t, append([]string{"notify", "list"}, d...)...)
	if err != nil || !strings.Contains(out, "trade_status_sync") || !strings.Contains(out, "delivered") {
		t.Fatalf("notify list: %v\n%s", err, out)
	}
}

// TestAdminCommands: buyer, clock and fault over the admin API, with
// sandbox.json found in the data directory, by --sandbox, or replaced by
// --admin-url and --admin-token.
func TestAdminCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file, stop := startServe(t, "--data", data)
	defer stop()
	d := []string{"--data", data}

	buyers := jsonCLI[struct{ Buyers []client.Buyer }](t, append([]string{"buyer", "list", "--json"}, d...)...)
	if len(buyers.Buyers) != 3 {
		t.Fatalf("buyer list: %+v", buyers)
	}
	created := jsonCLI[client.Buyer](t, append([]string{"buyer", "create", "--behaviour", "poor", "--balance", "1.50", "--json"}, d...)...)
	if created.Behaviour != "poor" || created.Balance != "1.50" || created.UserID == "" {
		t.Fatalf("buyer create: %+v", created)
	}
	out, err := zfbCLI(t, append([]string{"buyer", "restrict", created.UserID}, d...)...)
	if err != nil || !hasLine(out, "restricted", "true") {
		t.Fatalf("buyer restrict: %v\n%s", err, out)
	}
	if b := jsonCLI[client.Buyer](t, append([]string{"buyer", "unrestrict", created.UserID, "--json"}, d...)...); b.Restricted {
		t.Fatalf("buyer unrestrict: %+v", b)
	}
	out, err = zfbCLI(t, append([]string{"buyer", "list"}, d...)...)
	if err != nil || !strings.Contains(out, created.UserID) || !strings.Contains(out, "USER_ID") {
		t.Fatalf("buyer list: %v\n%s", err, out)
	}
	if _, err := zfbCLI(t, append([]string{"buyer", "show", "2088000000000404"}, d...)...); err == nil || !strings.Contains(err.Error(), "404 not_found") {
		t.Fatalf("buyer show of nobody: %v", err)
	}

	// --sandbox names the file; the data directory is not needed.
	s := []string{"--sandbox", filepath.Join(data, "sandbox.json"), "--data", filepath.Join(t.TempDir(), "none")}
	before := jsonCLI[client.Clock](t, append([]string{"clock", "show", "--json"}, s...)...)
	if before.AppID != file.Apps[0].AppID {
		t.Fatalf("clock show: %+v", before)
	}
	out, err = zfbCLI(t, append([]string{"clock", "advance", "25h"}, s...)...)
	if err != nil || !strings.Contains(out, "app "+file.Apps[0].AppID) || !strings.Contains(out, "25h0m0s ahead") {
		t.Fatalf("clock advance: %v\n%s", err, out)
	}
	if _, err := zfbCLI(t, append([]string{"clock", "set", before.GatewayTime}, s...)...); err == nil || !strings.Contains(err.Error(), "clock_backwards") {
		t.Fatalf("clock set into the past: %v", err)
	}
	later := before.Now.Add(72 * time.Hour).Format(time.RFC3339)
	moved := jsonCLI[client.Clock](t, append([]string{"clock", "set", later, "--json", "--app-id", sandbox.CertAppID}, s...)...)
	if moved.AppID != sandbox.CertAppID || moved.Offset < "71h" {
		t.Fatalf("clock set --app-id: %+v", moved)
	}

	// --admin-url and --admin-token: no sandbox.json at all.
	a := []string{"--admin-url", file.AdminURL, "--admin-token", file.AdminToken, "--data", filepath.Join(t.TempDir(), "none")}
	f := jsonCLI[client.Fault](t, append([]string{"fault", "add", "--method", "alipay.trade.query", "--out-trade-no", "X-*", "--effect", "error_after", "--sub-code", "ACQ.SYSTEM_ERROR", "--json"}, a...)...)
	if f.ID == 0 || f.AppID != file.Apps[0].AppID || f.Effect != "error_after" {
		t.Fatalf("fault add: %+v", f)
	}
	out, err = zfbCLI(t, append([]string{"fault", "list"}, a...)...)
	if err != nil || !strings.Contains(out, "alipay.trade.query") || !strings.Contains(out, "X-*") || !strings.Contains(out, "ACQ.SYSTEM_ERROR") {
		t.Fatalf("fault list: %v\n%s", err, out)
	}
	// The rule works: a query of X-1 answers the system error.
	if _, err := zfbCLI(t, append([]string{"call", "alipay.trade.query", "--biz", `{"out_trade_no":"X-1"}`}, d...)...); err == nil || !strings.Contains(err.Error(), "ACQ.SYSTEM_ERROR") {
		t.Fatalf("a call the fault matches: %v", err)
	}
	if _, err := zfbCLI(t, append([]string{"fault", "delete", strconv.FormatInt(f.ID, 10)}, a...)...); err != nil {
		t.Fatal(err)
	}
	if _, err := zfbCLI(t, append([]string{"fault", "delete", strconv.FormatInt(f.ID, 10)}, a...)...); err == nil || !strings.Contains(err.Error(), "not_found") {
		t.Fatalf("deleting twice: %v", err)
	}
	zfbCLI(t, append([]string{"fault", "add", "--method", "alipay.trade.pay"}, a...)...)
	if out, err := zfbCLI(t, append([]string{"fault", "clear"}, a...)...); err != nil || !strings.Contains(out, "every fault rule") {
		t.Fatalf("fault clear: %v\n%s", err, out)
	}
	if l := jsonCLI[struct{ Faults []client.Fault }](t, append([]string{"fault", "list", "--json"}, a...)...); len(l.Faults) != 0 {
		t.Fatalf("after clear: %+v", l)
	}
	wrong := []string{"--admin-url", file.AdminURL, "--admin-token", "wrong"}
	if _, err := zfbCLI(t, append([]string{"buyer", "list"}, wrong...)...); err == nil || !strings.Contains(err.Error(), "401 unauthorized") {
		t.Fatalf("a wrong token: %v", err)
	}
}

// TestBuyerTopUp drives POST /admin/v1/buyers/{user_id}/top-up, built
// separately: it skips while the server has no such route.
func TestBuyerTopUp(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file, stop := startServe(t, "--data", data)
	defer stop()
	b := buyerOf(t, file, "pays")
	out, err := zfbCLI(t, "buyer", "top-up", b.UserID, "50.00", "--json", "--data", data)
	if err != nil && (strings.Contains(err.Error(), "http_404") || strings.Contains(err.Error(), "http_405")) {
		t.Skipf("the server has no top-up route yet: %v", err)
	}
	got := decode[client.Buyer](t, out, err)
	if got.UserID != b.UserID || got.Balance == b.Balance {
		t.Fatalf("top-up of 50.00: balance %s → %s", b.Balance, got.Balance)
	}
}

func TestVersion(t *testing.T) {
	out, err := zfbCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "zfb ") || !strings.Contains(out, "github.com/zfbpay/zfb") || !strings.Contains(out, "go1.") {
		t.Fatalf("zfb version: %v\n%s", err, out)
	}
	v := jsonCLI[versionInfo](t, "version", "--json")
	if v.Module != "github.com/zfbpay/zfb" || !strings.HasPrefix(v.GoVersion, "go1.") || v.Version == "" {
		t.Fatalf("zfb version --json: %+v", v)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/storetest"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

// testRun is run with the test binary's keys for a new sandbox
// (internal/testkeys): fresh ones would be most of these tests' time.
func testRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runIn(ctx, args, environment{getenv: getenv, stdout: stdout, stderr: stderr,
		sandboxOptions: []sandbox.Option{sandbox.WithKeys(testkeys.Sequence())}})
}

// startServe runs `zfb serve` on a free port until the test ends and
// returns the sandbox.json it wrote.
func startServe(t *testing.T, args ...string) (*sandbox.File, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- testRun(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), noEnv, &stdout, &stderr)
	}()
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15s of its context ending")
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "zfb is ready") {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready after 30s\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var dataDir string
	for i, a := range args {
		if a == "--data" {
			dataDir = args[i+1]
		}
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file sandbox.File
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{file.GatewayURL, file.DashboardURL, file.AdminURL} {
		if !strings.Contains(stdout.String(), u) {
			t.Errorf("stdout does not print %s:\n%s", u, stdout.String())
		}
	}
	return &file, stop
}

func TestServeCreatesSandboxAndKeepsIt(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file, stop := startServe(t, "--data", data)

	info, err := os.Stat(filepath.Join(data, "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("sandbox.json mode %v: it holds private keys, want 0600", info.Mode().Perm())
	}
	// The merchant app, the app in certificate mode, and the ISV app the
	// first has authorized.
	if len(file.Apps) != 3 || len(file.Buyers) != 3 || file.AdminToken == "" {
		t.Fatalf("sandbox: %d apps, %d buyers, token %q", len(file.Apps), len(file.Buyers), file.AdminToken)
	}
	if isv := file.ISV; isv == nil || !isv.ISV || isv.AppID != file.Apps[2].AppID || isv.AuthAppID != file.Apps[0].AppID ||
		len(isv.AppAuthToken) != 40 || len(file.Apps[2].Authorizations) != 1 || file.Apps[2].Authorizations[0].AppAuthToken != isv.AppAuthToken {
		t.Fatalf("sandbox isv: %+v; apps[2]: %+v", file.ISV, file.Apps[2])
	}
	app := file.Apps[0]
	if app.SignType != "RSA2" || !strings.HasPrefix(app.SellerID, "2088") || !strings.HasPrefix(app.IntlPartnerID, "2188") || app.IntlClientID == "" {
		t.Fatalf("app %+v", app)
	}
	if !strings.HasPrefix(app.AppPrivateKey, "-----BEGIN RSA PRIVATE KEY-----") ||
		!strings.HasPrefix(app.AppPublicKey, "-----BEGIN PUBLIC KEY-----") ||
		!strings.HasPrefix(app.AlipayPublicKey, "-----BEGIN PUBLIC KEY-----") {
		t.Fatal("keys are not in the PEM forms DESIGN.md names")
	}
	priv, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sign.ParsePublicKey(app.AppPublicKey)
	if err != nil || !priv.PublicKey.Equal(pub) {
		t.Fatalf("app_public_key is not the public half of app_private_key (%v)", err)
	}
	behaviours := map[string]bool{}
	for _, b := range file.Buyers {
		behaviours[b.Behaviour] = true
		if !strings.HasPrefix(b.UserID, "2088") || len(b.PaymentCode) != 18 || !strings.HasPrefix(b.PaymentCode, "28") {
			t.Errorf("buyer %+v", b)
		}
	}
	if !behaviours["pays"] || !behaviours["password"] || !behaviours["poor"] {
		t.Errorf("behaviours %v", behaviours)
	}

	get := func(url string, auth bool) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+file.AdminToken)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// The dashboard asks for the admin token first (GET follows the 303).
	if code, body := get(file.DashboardURL, false); code != 200 || !strings.Contains(body, `name="token"`) || strings.Contains(body, app.AppID) {
		t.Errorf("dashboard without a session: %d %s", code, body)
	}
	if code, _ := get(file.AdminURL+"/apps", false); code != http.StatusUnauthorized {
		t.Errorf("admin without token: %d", code)
	}
	if code, body := get(file.AdminURL+"/ledger/check", true); code != 200 || !strings.Contains(body, `"ok": true`) {
		t.Errorf("ledger check: %d %s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, file.AdminURL+"/apps/"+app.AppID+"/clock", strings.NewReader(`{"advance":"25h"}`))
	req.Header.Set("Authorization", "Bearer "+file.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("advance clock: %d", resp.StatusCode)
	}
	stop()

	// A second start keeps the sandbox, its keys and the moved clock.
	again, stop := startServe(t, "--data", data)
	defer stop()
	if again.Apps[0].AppID != app.AppID || again.Apps[0].AppPrivateKey != app.AppPrivateKey || again.AdminToken != file.AdminToken {
		t.Fatal("restart made a new sandbox")
	}
	code, body := get(again.AdminURL+"/apps/"+app.AppID+"/clock", true)
	var clock struct{ Offset string }
	if err := json.Unmarshal([]byte(body), &clock); code != 200 || err != nil {
		t.Fatalf("clock: %d %s", code, body)
	}
	if d, _ := time.ParseDuration(clock.Offset); d < 25*time.Hour || d > 25*time.Hour+time.Minute {
		t.Fatalf("clock offset after restart %q, want about 25h", clock.Offset)
	}
}

func TestAppCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zfb.db")
	var out, errOut bytes.Buffer
	ctx := context.Background()
	if err := testRun(ctx, []string{"app", "create", "--db", db, "--sign-type", "RSA", "--methods", "alipay.trade.query", "--name", "pos"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var created sandbox.App
	if err := json.Unmarshal(out.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if created.SignType != "RSA" || created.AppID == "" || created.AppPrivateKey == "" {
		t.Fatalf("created %+v", created)
	}
	// New apps name buyers by open_id, as new Alipay apps do.
	if created.IdentityMode != "openid" {
		t.Errorf("identity_mode of a new app = %q, want openid", created.IdentityMode)
	}
	out.Reset()
	if err := testRun(ctx, []string{"app", "list", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), created.AppID+"\t") || !strings.Contains(out.String(), "\tpos") {
		t.Fatalf("list: %s", out.String())
	}
	out.Reset()
	if err := testRun(ctx, []string{"app", "show", "--db", db, created.AppID}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"alipay.trade.query"`) {
		t.Fatalf("show: %s", out.String())
	}
	if err := testRun(ctx, []string{"app", "show", "--db", db, "2021000000000000"}, noEnv, &out, &errOut); err == nil {
		t.Fatal("show of an unknown app succeeded")
	}
	if err := testRun(ctx, []string{"app", "create", "--db", db, "--sign-type", "MD5"}, noEnv, &out, &errOut); err == nil {
		t.Fatal("create with sign type MD5 succeeded")
	}
}

func TestKeys(t *testing.T) {
	var out bytes.Buffer
	if err := testRun(context.Background(), []string{"keys"}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var keys map[string]string
	if err := json.Unmarshal(out.Bytes(), &keys); err != nil {
		t.Fatal(err)
	}
	pub, err := sign.ParsePublicKey(keys["public_key_bare"])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"private_key_pkcs1", "private_key_pkcs8", "private_key_pkcs1_bare", "private_key_pkcs8_bare"} {
		k, err := sign.ParsePrivateKey(keys[name])
		if err != nil || !k.PublicKey.Equal(pub) {
			t.Errorf("%s does not parse to the printed pair: %v", name, err)
		}
	}
}

func TestUsage(t *testing.T) {
	var errOut bytes.Buffer
	if err := testRun(context.Background(), nil, noEnv, io.Discard, &errOut); err != errUsage || !strings.Contains(errOut.String(), "zfb serve") {
		t.Fatalf("%v %s", err, errOut.String())
	}
	if err := testRun(context.Background(), []string{"frobnicate"}, noEnv, io.Discard, &errOut); err != errUsage {
		t.Fatal(err)
	}
}

func TestEnvironmentConfiguresServe(t *testing.T) {
	env := environment{getenv: func(k string) string {
		return map[string]string{"ZFB_ADDR": "127.0.0.1:9999", "ZFB_DB": "postgres://u:secret@h/db"}[k]
	}, stderr: io.Discard}
	c := env.flags(newFlagSet())
	if c.addr != "127.0.0.1:9999" || c.database() != "postgres://u:secret@h/db" {
		t.Fatalf("%+v", c)
	}
	if strings.Contains(redactDB(c.db), "secret") {
		t.Fatal("password not redacted")
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }

// TestPostgres runs `zfb serve --db postgres://…` and `zfb sandbox --db …`
// against the same database: one sandbox, printed alike by both.
func TestPostgres(t *testing.T) {
	db := storetest.PostgresURL(t)
	data := t.TempDir()
	file, stop := startServe(t, "--data", data, "--db", db)
	stop()
	var out bytes.Buffer
	if err := testRun(context.Background(), []string{"sandbox", "--db", db, "--addr", strings.TrimPrefix(strings.TrimSuffix(file.GatewayURL, "/gateway.do"), "http://")}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var printed sandbox.File
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil {
		t.Fatal(err)
	}
	if printed.AdminToken != file.AdminToken || printed.Apps[0].AppPrivateKey != file.Apps[0].AppPrivateKey || printed.GatewayURL != file.GatewayURL || len(printed.Buyers) != 3 {
		t.Fatalf("zfb sandbox printed another sandbox than serve wrote:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(data, "zfb.db")); !os.IsNotExist(err) {
		t.Fatalf("serve --db postgres:// made a SQLite file too (%v)", err)
	}
}

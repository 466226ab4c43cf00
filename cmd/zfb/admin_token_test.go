package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/storetest"
)

// adminGet is the status of GET <admin>/apps with token.
func adminGet(t *testing.T, file *sandbox.File, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, file.AdminURL+"/apps", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func readSandbox(t *testing.T, path string) *sandbox.File {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f sandbox.File
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// `zfb admin-token rotate` while `zfb serve` runs on the same database:
// it prints a new token and rewrites sandbox.json with it, keeping its URLs;
// the running server refuses the old token within about a second and
// takes the new one; apps, buyers and trades are as they were; a restart
// keeps the new token.
func TestAdminTokenRotate(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testAdminTokenRotate(t) })
	t.Run("postgres", func(t *testing.T) { testAdminTokenRotate(t, "--db", storetest.PostgresURL(t)) })
}

func testAdminTokenRotate(t *testing.T, dbArgs ...string) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	args := append([]string{"--data", data}, dbArgs...)
	before, stop := startServe(t, args...)
	defer func() { stop() }()

	// A trade, so that there is something besides the sandbox to keep.
	app := before.Apps[0]
	client, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, alipay.WithGateway(before.GatewayURL))
	if err != nil {
		t.Fatal(err)
	}
	var payer sandbox.Buyer
	for _, b := range before.Buyers {
		if b.Behaviour == zfb.BehaviourPays {
			payer = b
		}
	}
	paid, err := client.TradePay(ctx, alipay.TradePay{OutTradeNo: "rotate-1", Scene: "bar_code", AuthCode: payer.PaymentCode, Subject: "tea", TotalAmount: "12.34"})
	if err != nil {
		t.Fatalf("trade.pay: %v", err)
	}

	var out, errOut bytes.Buffer
	if err := testRun(ctx, append([]string{"admin-token", "rotate"}, args...), noEnv, &out, &errOut); err != nil {
		t.Fatalf("rotate: %v\n%s", err, errOut.String())
	}
	token := strings.TrimSuffix(out.String(), "\n")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(token) || token == before.AdminToken {
		t.Fatalf("rotate printed %q: want the new token alone, 64 hex digits", out.String())
	}
	if strings.Contains(errOut.String(), token) || strings.Contains(errOut.String(), before.AdminToken) {
		t.Errorf("rotate's log names a token:\n%s", errOut.String())
	}

	sandboxPath := filepath.Join(data, "sandbox.json")
	after := readSandbox(t, sandboxPath)
	if info, err := os.Stat(sandboxPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("sandbox.json after the rotation: %v, %v; want mode 0600", info.Mode().Perm(), err)
	}
	if after.AdminToken != token {
		t.Errorf("sandbox.json has token %q, want the new %q", after.AdminToken, token)
	}
	if after.GatewayURL != before.GatewayURL || after.AdminURL != before.AdminURL || after.IntlURL != before.IntlURL || after.DashboardURL != before.DashboardURL {
		t.Errorf("sandbox.json's URLs changed: %s, want %s", after.GatewayURL, before.GatewayURL)
	}
	// Everything else is as it was: the same apps with the same keys, the
	// same buyers, the payer's balance less the trade.
	wantFile := *before
	wantFile.AdminToken = token
	for i, b := range wantFile.Buyers {
		if b.UserID == payer.UserID {
			wantFile.Buyers = append([]sandbox.Buyer(nil), wantFile.Buyers...)
			bal, err := zfb.ParseAmount(b.Balance)
			if err != nil {
				t.Fatal(err)
			}
			wantFile.Buyers[i].Balance = zfb.FormatAmount(bal - 12_34)
		}
	}
	if got, want := after.JSON(), wantFile.JSON(); !bytes.Equal(got, want) {
		t.Errorf("sandbox.json after the rotation:\n%s\nwant:\n%s", got, want)
	}

	// The running server: the old token stops, the new one works.
	deadline := time.Now().Add(1500 * time.Millisecond)
	for adminGet(t, before, before.AdminToken) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("the running server still takes the old token 1.5 s after the rotation")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := adminGet(t, before, token); code != http.StatusOK {
		t.Fatalf("the new token answers %d", code)
	}
	q, err := client.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "rotate-1"})
	if err != nil || q.TradeNo != paid.TradeNo || q.TradeStatus != alipay.TradeStatusSuccess || q.TotalAmount != "12.34" {
		t.Fatalf("the trade after the rotation: %+v, %v", q, err)
	}

	stop()
	again, stopAgain := startServe(t, args...)
	stop = stopAgain
	if again.AdminToken != token || again.Apps[0].AppPrivateKey != app.AppPrivateKey {
		t.Fatal("a restart after the rotation has another token or other keys")
	}
	if code := adminGet(t, again, token); code != http.StatusOK {
		t.Fatalf("the new token after a restart answers %d", code)
	}
}

func TestAdminTokenRotateWithoutSandbox(t *testing.T) {
	data := t.TempDir() // exists: only serve creates a data directory

	var out, errOut bytes.Buffer
	err := testRun(context.Background(), []string{"admin-token", "rotate", "--data", data}, noEnv, &out, &errOut)
	if !errors.Is(err, zfb.ErrNoAdminToken) || out.Len() != 0 {
		t.Fatalf("rotate on an empty database: %v, printed %q; want ErrNoAdminToken and nothing", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(data, "sandbox.json")); !os.IsNotExist(err) {
		t.Fatalf("rotate on an empty database made sandbox.json (%v)", err)
	}
	for _, args := range [][]string{{"admin-token"}, {"admin-token", "show"}, {"admin-token", "rotate", "extra"}} {
		if err := testRun(context.Background(), args, noEnv, &out, &errOut); err != errUsage {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

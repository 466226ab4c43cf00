package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
)

// serveLogged runs `zfb serve` with args until stop, like startServe, and
// also returns what it printed: stdout and its log (stderr).
func serveLogged(t *testing.T, args ...string) (file *sandbox.File, stdout, logs *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, logs = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- testRun(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), noEnv, stdout, logs)
	}()
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15s of its context ending")
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "zfb is ready") {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready after 30s\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var data string
	for i, a := range args {
		if a == "--data" {
			data = args[i+1]
		}
	}
	return readSandbox(t, filepath.Join(data, "sandbox.json")), stdout, logs, stop
}

// secretsOf collects what must never be logged from sandbox.json as JSON:
// every string under a name with "key" or "token" in it (the admin token,
// PEM and Base64 keys in each form, AES keys, app_auth_tokens), wherever it
// is in the file.
func secretsOf(t *testing.T, raw []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(name string, v any)
	walk = func(name string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(k, e)
			}
		case []any:
			for _, e := range v {
				walk(name, e)
			}
		case string:
			n := strings.ToLower(name)
			if (strings.Contains(n, "key") || strings.Contains(n, "token")) && len(v) >= 16 {
				out = append(out, v)
			}
		}
	}
	walk("", v)
	return out
}

// needles are the pieces of secret that would show a leak in a log however
// it was written: the whole text, and each line of a PEM body or each
// 48-character run of bare Base64, since a JSON log escapes a PEM's line
// breaks and a text log quotes them.
func needles(secret string) []string {
	out := []string{secret}
	body := secret
	if strings.HasPrefix(secret, "-----BEGIN") {
		var lines []string
		for _, l := range strings.Split(secret, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "-----") {
				lines = append(lines, l)
			}
		}
		body = strings.Join(lines, "")
	}
	for i := 0; i+48 <= len(body); i += 48 {
		out = append(out, body[i:i+48])
	}
	return out
}

// Neither the admin token nor any key reaches zfb's log, at debug level, in
// either format, through a session of gateway.do, intl, notification,
// admin and dashboard calls, right and wrong, and a token rotation.
func TestLogsHoldNoSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) { testLogsHoldNoSecrets(t, format) })
	}
}

func testLogsHoldNoSecrets(t *testing.T, format string) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	file, stdout, logs, stop := serveLogged(t, "--data", data, "--log-level", "debug", "--log-format", format)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	raw, err := os.ReadFile(filepath.Join(data, "sandbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := secretsOf(t, raw)
	if len(secrets) < 4 { // the token and at least the app's three keys
		t.Fatalf("found only %d secrets in sandbox.json:\n%s", len(secrets), raw)
	}
	app := file.Apps[0]
	var payer sandbox.Buyer
	for _, b := range file.Buyers {
		if b.Behaviour == zfb.BehaviourPays {
			payer = b
		}
	}

	// gateway.do: a payment with a notification, a query, a wrong
	// signature, an unknown app.
	var notified atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		notified.Add(1)
		_, _ = io.WriteString(w, "success")
	}))
	defer receiver.Close()
	client, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, alipay.WithGateway(file.GatewayURL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.TradePay(ctx, alipay.TradePay{NotifyURL: receiver.URL, OutTradeNo: "log-1", Scene: "bar_code", AuthCode: payer.PaymentCode, Subject: "tea", TotalAmount: "1.00"}); err != nil {
		t.Fatalf("trade.pay: %v", err)
	}
	if _, err := client.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "log-1"}); err != nil {
		t.Fatalf("trade.query: %v", err)
	}
	otherKey, err := sign.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := alipay.New(app.AppID, sign.PrivateKeyPKCS1PEM(otherKey), app.AlipayPublicKey, alipay.WithGateway(file.GatewayURL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forged.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "log-1"}); !alipay.IsCode(err, "isv.invalid-signature") {
		t.Fatalf("a forged call: %v", err)
	}
	unknown, err := alipay.New("2021000000000404", app.AppPrivateKey, app.AlipayPublicKey, alipay.WithGateway(file.GatewayURL))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = unknown.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "log-1"})

	// intl: a payment and a wrong signature.
	ic, err := intl.New(app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey, intl.WithBaseURL(file.IntlURL), intl.WithPartnerID(app.IntlPartnerID))
	if err != nil {
		t.Fatal(err)
	}
	ip, err := ic.Pay(ctx, intl.PayRequest{MerchantTransID: "log_intl_1", IdentityCode: payer.PaymentCode,
		Order: intl.Order{OrderTitle: "tea", OrderAmount: intl.NewMoney("USD", 100)}})
	if err != nil || ip.ResultInfo.ResultCode != intl.CodeSuccess {
		t.Fatalf("intl pay: %+v, %v", ip, err)
	}
	icForged, err := intl.New(app.IntlClientID, sign.PrivateKeyPKCS1PEM(otherKey), app.AlipayPublicKey, intl.WithBaseURL(file.IntlURL), intl.WithPartnerID(app.IntlPartnerID))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = icForged.PayQuery(ctx, intl.PayQueryRequest{MerchantTransID: "log_intl_1"})

	// The admin API: right and wrong tokens, a clock move, a 404.
	admin := func(method, path, token, body string) int {
		req, _ := http.NewRequest(method, file.AdminURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := admin("GET", "/apps", file.AdminToken, ""); code != 200 {
		t.Fatalf("admin apps: %d", code)
	}
	admin("GET", "/apps", file.AdminToken+"x", "")
	admin("GET", "/apps/2021000000000404", file.AdminToken, "")
	admin("POST", "/apps/"+app.AppID+"/clock", file.AdminToken, `{"advance":"1h"}`)

	// The dashboard's sign-in: a wrong token, then the right one.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	loginURL := strings.TrimSuffix(file.DashboardURL, "/") + "/login"
	if resp, err := browser.Get(loginURL); err == nil {
		resp.Body.Close()
		u, _ := url.Parse(loginURL)
		var csrf string
		for _, c := range jar.Cookies(u) {
			if c.Name == "zfb_dashboard_login" {
				csrf = c.Value
			}
		}
		for _, token := range []string{"not-" + file.AdminToken, file.AdminToken} {
			resp, err := browser.PostForm(loginURL, url.Values{"csrf": {csrf}, "token": {token}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}

	// A rotation, its log (stderr) read with the server's.
	var rotated, rotateLog bytes.Buffer
	if err := testRun(ctx, []string{"admin-token", "rotate", "--data", data, "--log-level", "debug", "--log-format", format}, noEnv, &rotated, &rotateLog); err != nil {
		t.Fatalf("rotate: %v\n%s", err, rotateLog.String())
	}
	newToken := strings.TrimSpace(rotated.String())
	secrets = append(secrets, newToken)
	deadline := time.Now().Add(2 * time.Second)
	for admin("GET", "/apps", newToken, "") != 200 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	admin("GET", "/apps", file.AdminToken, "") // the old one, refused now

	for notified.Load() == 0 && time.Now().Before(deadline.Add(3*time.Second)) {
		time.Sleep(20 * time.Millisecond)
	}
	if notified.Load() == 0 {
		t.Error("no notification arrived: the dispatcher's log is not covered")
	}
	stop()
	stopped = true

	// The gateway's private keys are in the database only.
	store, err := sqlstore.Open(ctx, filepath.Join(data, "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := zfb.NewService(store, nil, nil).Apps(ctx)
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		secrets = append(secrets, a.GatewayPrivateKey, a.AppPrivateKey)
	}

	out := logs.String() + rotateLog.String() + stdout.String()
	for _, want := range []string{"gateway.do", "intl", "notify: sent", "admin token rotated"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log has no %q: the test does not see what it means to", want)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, n := range needles(s) {
			if i := strings.Index(out, n); i >= 0 {
				t.Errorf("the log holds secret text %.20q… (from %.30q…):\n%s", n, s, out[max(0, i-300):min(len(out), i+300)])
				break
			}
		}
	}
	if t.Failed() {
		t.Logf("the whole log:\n%s", out)
	}
}

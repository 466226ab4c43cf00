package interop

// Asynchronous notifications verified by the official Node SDK (alipay-sdk 4.14.0): zfb pays (or
// freezes) with notify_url set to a zfbtest.Receiver, the receiver records the form zfb POSTs,
// and node/notify.mjs hands that form, decoded, to sdk.checkNotifySignV2 and sdk.checkNotifySign
// — what a merchant's Node server does with the body of the POST (see the comment at the top of
// notify.mjs for how 4.14.0 verifies). The calls that trigger the notifications go through zfb's
// own Go SDK (package alipay), which sends notify_url as the common parameter Alipay's SDKs send.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// notifyWait bounds the wait for a notification: the dispatcher is kicked when the outbox gets
// one, so it normally comes within milliseconds.
const notifyWait = 15 * time.Second

// notifyInput is the stdin of notify.mjs.
type notifyInput struct {
	AppID           string        `json:"appId"`
	PrivateKey      string        `json:"privateKey"`
	AlipayPublicKey string        `json:"alipayPublicKey"`
	SignType        string        `json:"signType"`
	Checks          []notifyCheck `json:"checks"`
}

// notifyCheck is one form for the SDK to verify, with the alipayPublicKey to verify it with when
// not the app's.
type notifyCheck struct {
	PostData        map[string]string `json:"postData"`
	AlipayPublicKey string            `json:"alipayPublicKey,omitempty"`

	name string // what the case is, for messages
	want bool   // what both checks must answer
}

// notifyVerdict is what notify.mjs printed for one check: each method's answer, nil when it
// threw (its Error then says what).
type notifyVerdict struct {
	V2      *bool  `json:"checkNotifySignV2"`
	V2Error string `json:"checkNotifySignV2Error"`
	V1      *bool  `json:"checkNotifySign"`
	V1Error string `json:"checkNotifySignError"`
}

func (v notifyVerdict) String() string {
	show := func(b *bool, err string) string {
		if b == nil {
			return "threw " + err
		}
		if *b {
			return "true"
		}
		return "false"
	}
	return "checkNotifySignV2 " + show(v.V2, v.V2Error) + ", checkNotifySign " + show(v.V1, v.V1Error)
}

// runNodeNotify runs notify.mjs once for every check of in and returns one verdict per check, and
// node's raw output for messages. It fails the test unless node exits 0 with one JSON array line.
func runNodeNotify(t *testing.T, node string, in notifyInput) ([]notifyVerdict, string) {
	t.Helper()
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "notify.mjs")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "NODE_DEBUG=alipay-sdk")
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	raw := "node stdout: " + strings.TrimSpace(stdout.String()) + "\nnode stderr: " + strings.TrimSpace(stderr.String())
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node notify.mjs did not finish within %v\n%s", callTimeout, raw)
	}
	if err != nil {
		t.Fatalf("node notify.mjs: %v\n%s", err, raw)
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("node notify.mjs printed %d lines, want 1\n%s", len(lines), raw)
	}
	var out []notifyVerdict
	if err := json.Unmarshal([]byte(lines[0]), &out); err != nil {
		t.Fatalf("node notify.mjs output is not a JSON array: %v\n%s", err, raw)
	}
	if len(out) != len(in.Checks) {
		t.Fatalf("node notify.mjs printed %d verdicts for %d checks\n%s", len(out), len(in.Checks), raw)
	}
	return out, raw
}

// verifyWithNode has the SDK, configured as app, verify each check, and fails the test unless
// both checkNotifySignV2 and checkNotifySign answered (not threw) check.want.
func verifyWithNode(t *testing.T, node string, app sandbox.App, checks ...notifyCheck) {
	t.Helper()
	verdicts, raw := runNodeNotify(t, node, notifyInput{
		AppID: app.AppID, PrivateKey: app.AppPrivateKey, AlipayPublicKey: app.AlipayPublicKey,
		SignType: app.SignType, Checks: checks,
	})
	for i, c := range checks {
		v := verdicts[i]
		if v.V2 == nil || *v.V2 != c.want || v.V1 == nil || *v.V1 != c.want {
			t.Errorf("%s: %s; want both %v\nform: %v\n%s", c.name, v, c.want, c.PostData, raw)
		} else {
			t.Logf("alipay-sdk %s, %s: %s", nodeSDKVersion, c.name, v)
		}
	}
}

// formFields returns the received notification as the map a web framework hands a Node server
// (each field once, decoded), failing the test unless zfb sent a form with every field once.
func formFields(t *testing.T, got zfbtest.Received) map[string]string {
	t.Helper()
	if got.Form == nil {
		t.Fatalf("the notification is not an application/x-www-form-urlencoded form: %q", got.Body)
	}
	out := make(map[string]string, len(got.Form))
	for k, vs := range got.Form {
		if len(vs) != 1 {
			t.Fatalf("the notification has %d values for %s, want 1: %q", len(vs), k, got.Body)
		}
		out[k] = vs[0]
	}
	return out
}

// waitNotification waits for the notification of kind whose key field is value.
func waitNotification(t *testing.T, r *zfbtest.Receiver, kind, key, value string) map[string]string {
	t.Helper()
	got := r.Wait(t, notifyWait, func(n zfbtest.Received) bool {
		return n.Form.Get("notify_type") == kind && n.Form.Get(key) == value
	})
	return formFields(t, got)
}

// wantFields checks fields the merchant's code reads, so that a form verified by the SDK is
// also the notification it should be.
func wantFields(t *testing.T, form map[string]string, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if form[k] != want[k] {
			t.Errorf("notification %s = %q, want %q\nform: %v", k, form[k], want[k], form)
		}
	}
	for _, k := range []string{"notify_id", "notify_time", "sign"} {
		if form[k] == "" {
			t.Errorf("notification has no %s\nform: %v", k, form)
		}
	}
}

// formWith returns a copy of form with key set to value.
func formWith(form map[string]string, key, value string) map[string]string {
	out := maps.Clone(form)
	out[key] = value
	return out
}

// formWithout returns a copy of form without key.
func formWithout(form map[string]string, key string) map[string]string {
	out := maps.Clone(form)
	delete(out, key)
	return out
}

func goSDKClient(t *testing.T, srv *zfbtest.Server, app sandbox.App) *alipay.Client {
	t.Helper()
	c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey,
		alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// payWithNotify pays amount from the pays buyer with notify_url = r's URL, and returns the trade
// status notification zfb sent for it.
func payWithNotify(t *testing.T, srv *zfbtest.Server, app sandbox.App, r *zfbtest.Receiver, tag, subject, amount string) (map[string]string, *alipay.TradePayResponse) {
	t.Helper()
	out := newOutTradeNo(t, tag)
	paid, err := goSDKClient(t, srv, app).TradePay(t.Context(), alipay.TradePay{
		NotifyURL: r.URL, OutTradeNo: out, Scene: "bar_code", AuthCode: sandboxBuyer(t, srv, buyerPays).PaymentCode,
		Subject: subject, TotalAmount: amount,
	})
	if err != nil {
		t.Fatalf("alipay.trade.pay: %v", err)
	}
	if paid.InProgress() {
		t.Fatalf("alipay.trade.pay answered 10003; the pays buyer pays at once: %+v", paid)
	}
	return waitNotification(t, r, zfb.NotifyTradeStatusSync, "out_trade_no", out), paid
}

// tamperedChecks are a verified form's forgeries: each must fail both checks.
func tamperedChecks(form map[string]string, amountKey string, otherPub string) []notifyCheck {
	return []notifyCheck{
		{name: "tampered " + amountKey, PostData: formWith(form, amountKey, "99999.00")},
		{name: "tampered notify_id", PostData: formWith(form, "notify_id", strings.Repeat("0", len(form["notify_id"])))},
		{name: "field added", PostData: formWith(form, "passback_params", "x")},
		// 4.14.0 signs an empty value as "key=": zfb leaves empty fields out of its forms.
		{name: "empty field added", PostData: formWith(form, "passback_params", "")},
		{name: "field removed (notify_time)", PostData: formWithout(form, "notify_time")},
		{name: "sign removed", PostData: formWithout(form, "sign")},
		{name: "verified with another alipay public key", PostData: form, AlipayPublicKey: otherPub},
	}
}

// TestNodeSDKNotify proves that the official Node SDK verifies the notifications zfb delivers:
// trade_status_sync of RSA2 and RSA apps and fund_auth_freeze, with both checkNotifySignV2 and
// checkNotifySign, and that the verification is real — a tampered field, an added or removed
// one, a missing sign or another public key all fail.
func TestNodeSDKNotify(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	_, otherPub := newKeyPair(t)

	t.Run("trade_status_sync, RSA2 app", func(t *testing.T) {
		app := srv.App()
		r := zfbtest.NewReceiver(t)
		// '+' and '(' have meaning in URL encoding; the non-ASCII is signed as UTF-8.
		subject := "互通测试 notify a+b (1:1)"
		form, paid := payWithNotify(t, srv, app, r, "node_notify_rsa2", subject, "0.01")
		wantFields(t, form, map[string]string{
			"notify_type": "trade_status_sync", "app_id": app.AppID, "charset": "utf-8", "version": "1.0",
			"sign_type": "RSA2", "trade_no": paid.TradeNo, "trade_status": "TRADE_SUCCESS",
			"total_amount": "0.01", "subject": subject,
		})
		checks := []notifyCheck{
			{name: "as received", PostData: form, want: true},
			// checkNotifySign puts sign_type back (as config.signType) when it is missing, and
			// verifies without it anyway.
			{name: "sign_type removed", PostData: formWithout(form, "sign_type"), want: true},
			{name: "tampered trade_status", PostData: formWith(form, "trade_status", "TRADE_CLOSED")},
		}
		verifyWithNode(t, node, app, append(checks, tamperedChecks(form, "total_amount", otherPub)...)...)
	})

	t.Run("trade_status_sync, RSA app", func(t *testing.T) {
		app := srv.NewApp(t, zfb.SignTypeRSA)
		r := zfbtest.NewReceiver(t)
		form, paid := payWithNotify(t, srv, app, r, "node_notify_rsa", interopSubject, "0.02")
		wantFields(t, form, map[string]string{
			"notify_type": "trade_status_sync", "app_id": app.AppID, "sign_type": "RSA",
			"trade_no": paid.TradeNo, "trade_status": "TRADE_SUCCESS", "total_amount": "0.02",
		})
		checks := []notifyCheck{{name: "as received", PostData: form, want: true}}
		verifyWithNode(t, node, app, append(checks, tamperedChecks(form, "total_amount", otherPub)...)...)
	})

	t.Run("fund_auth_freeze", func(t *testing.T) {
		app := srv.App()
		r := zfbtest.NewReceiver(t)
		out := newOutTradeNo(t, "node_notify_freeze")
		frozen, err := goSDKClient(t, srv, app).FundAuthOrderFreeze(t.Context(), alipay.FundAuthOrderFreeze{
			NotifyURL: r.URL, AuthCode: sandboxBuyer(t, srv, buyerPays).PaymentCode, AuthCodeType: alipay.AuthCodeTypeBarCode,
			OutOrderNo: out, OutRequestNo: out + "_f", OrderTitle: interopSubject, Amount: "1.00",
			ProductCode: alipay.ProductCodePreAuth,
		})
		if err != nil {
			t.Fatalf("alipay.fund.auth.order.freeze: %v", err)
		}
		if frozen.Status != alipay.AuthOperationStatusSuccess {
			t.Fatalf("freeze status %q, want SUCCESS (the pays buyer confirms at once): %+v", frozen.Status, frozen)
		}
		form := waitNotification(t, r, zfb.NotifyFundAuthFreeze, "out_order_no", out)
		wantFields(t, form, map[string]string{
			"notify_type": "fund_auth_freeze", "app_id": app.AppID, "sign_type": "RSA2",
			"auth_no": frozen.AuthNo, "operation_id": frozen.OperationID, "out_request_no": out + "_f",
			"operation_type": "FREEZE", "status": "SUCCESS", "amount": "1.00", "rest_amount": "1.00",
		})
		checks := []notifyCheck{
			{name: "as received", PostData: form, want: true},
			{name: "tampered status", PostData: formWith(form, "status", "CLOSED")},
			{name: "tampered rest_amount", PostData: formWith(form, "rest_amount", "0.01")},
		}
		verifyWithNode(t, node, app, append(checks, tamperedChecks(form, "amount", otherPub)...)...)
	})

	t.Run("a percent sign in a value: V2 verifies, V1 decodes and fails", func(t *testing.T) {
		// alipay-sdk issue #45, the reason checkNotifySignV2 exists: checkNotifySign
		// decodeURIComponent()s every value of the already decoded form. A '%' that starts no
		// escape makes it throw URIError; one that does ("%41") changes the value, and the
		// signature no longer matches. zfb signs the value as sent, as Alipay does, so V2 (raw)
		// verifies. This records 4.14.0's behaviour; merchants' Node code should call V2.
		app := srv.App()
		r := zfbtest.NewReceiver(t)
		bare, _ := payWithNotify(t, srv, app, r, "node_notify_pct", "满意度 100% 互通", "0.03")
		escape, _ := payWithNotify(t, srv, app, r, "node_notify_pct41", "折扣码 %41 互通", "0.04")
		verdicts, raw := runNodeNotify(t, node, notifyInput{
			AppID: app.AppID, PrivateKey: app.AppPrivateKey, AlipayPublicKey: app.AlipayPublicKey,
			SignType: app.SignType,
			Checks:   []notifyCheck{{PostData: bare}, {PostData: escape}},
		})
		for i, v := range verdicts {
			if v.V2 == nil || !*v.V2 {
				t.Errorf("form %d: %s; want checkNotifySignV2 true\n%s", i+1, v, raw)
			}
		}
		if v := verdicts[0]; v.V1 != nil || !strings.HasPrefix(v.V1Error, "URIError") {
			t.Errorf("subject with a bare '%%': %s; want checkNotifySign to throw URIError (4.14.0)\n%s", v, raw)
		}
		if v := verdicts[1]; v.V1 == nil || *v.V1 {
			t.Errorf("subject with %%41: %s; want checkNotifySign false (4.14.0 verifies \"A\")\n%s", v, raw)
		}
		if !t.Failed() {
			t.Logf("alipay-sdk %s: '100%%': %s; '%%41': %s", nodeSDKVersion, verdicts[0], verdicts[1])
		}
	})
}

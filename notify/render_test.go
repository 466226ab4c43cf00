package notify

import (
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

var (
	testAppOnce sync.Once
	testAppVal  *zfb.App
	testAppErr  error
)

// testApp is one RSA2 app with fresh keys, made once for the package's
// unit tests.
func testApp(t *testing.T) *zfb.App {
	t.Helper()
	testAppOnce.Do(func() { testAppVal, testAppErr = sandbox.NewApp("2021000000000042", zfb.SignTypeRSA2, nil) })
	if testAppErr != nil {
		t.Fatal(testAppErr)
	}
	app := *testAppVal
	return &app
}

func mustKeys(t *testing.T, app *zfb.App) *appkeys.Keys {
	t.Helper()
	var k appkeys.Ring
	keys, err := k.Get(app)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestRenderGateway(t *testing.T) {
	app := testApp(t)
	now := time.Date(2025, 3, 14, 7, 9, 26, 0, time.UTC) // 15:09:26 in Beijing
	m := &zfb.OutboxMessage{ID: 7, AppID: app.ID, Kind: zfb.NotifyFundAuthFreeze, Payload: `{
		"auth_no":"2025031410002001","out_order_no":"O1","operation_id":"2025031410002001001",
		"out_request_no":"R1","operation_type":"FREEZE","amount":"0.01","status":"SUCCESS",
		"payer_user_id":"2088102000000001","payer_logon_id":"test@example.com","remark":"",
		"sign":"forged","alipay_cert_sn":"x","notify_id":"forged","extra":{"a":[1, 2]},"gone":null}`}
	p, err := parsePayload(m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := renderGateway(app, mustKeys(t, app), m, p, now)
	if err != nil {
		t.Fatal(err)
	}
	if out.contentType != "application/x-www-form-urlencoded; charset=utf-8" {
		t.Errorf("content type %q", out.contentType)
	}
	form, err := url.ParseQuery(string(out.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"notify_time": "2025-03-14 15:09:26", "notify_type": "fund_auth_freeze", "notify_id": m.NotifyID(),
		"app_id": app.ID, "auth_app_id": app.ID, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2",
		"payer_logon_id": "tes***@example.com", "auth_no": "2025031410002001", "amount": "0.01",
		"extra": `{"a":[1,2]}`,
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"remark", "alipay_cert_sn", "gone"} {
		if _, ok := form[k]; ok {
			t.Errorf("%s is in the form: %q", k, form.Get(k))
		}
	}
	for k, vs := range form {
		if len(vs) != 1 || vs[0] == "" {
			t.Errorf("field %s = %q", k, vs)
		}
	}
	client, err := alipay.New(app.ID, app.AppPrivateKey, app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyNotification(form); err != nil {
		t.Errorf("the SDK does not verify it: %v", err)
	}
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	pub, _ := sign.ParsePublicKey(app.GatewayPublicKey)
	if err := sign.Verify(pub, sign.RSA2, []byte(sign.NotifyContent(params)), params["sign"]); err != nil {
		t.Errorf("by hand: %v", err)
	}
	if strings.Contains(sign.NotifyContent(params), "sign_type=") {
		t.Error("sign_type is signed")
	}
}

func TestGatewayAck(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, "success", true},
		{200, "  success\n", true},
		{204, "success", true},
		{200, "\r\n\tsuccess \r\n", true},
		{200, "SUCCESS", false},
		{200, "success.", false},
		{200, "\ufeffsuccess", false},
		{200, `{"code":"success"}`, false},
		{200, "fail", false},
		{200, "", false},
		{500, "success", false},
		{302, "success", false},
	} {
		ok, why := gatewayAck(tc.status, []byte(tc.body))
		if ok != tc.ok || ok != (why == "") {
			t.Errorf("gatewayAck(%d, %q) = %v, %q; want %v", tc.status, tc.body, ok, why, tc.ok)
		}
	}
}

// intlAnswer is a response envelope with resultStatus status, signed with
// key (PEM) unless key is "".
func intlAnswer(t *testing.T, status, key string) []byte {
	t.Helper()
	value := []byte(`{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.notify.pay","clientId":"C","respTime":"2025-03-14T15:09:26+08:00","reqMsgId":"x"},"body":{"resultInfo":{"resultStatus":"` + status + `","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"}}}`)
	if key == "" {
		return sign.EnvelopeJSON(sign.NodeResponse, value, "")
	}
	priv, err := sign.ParsePrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := sign.SignEnvelopeValue(priv, sign.RSA2, value)
	if err != nil {
		t.Fatal(err)
	}
	return sign.EnvelopeJSON(sign.NodeResponse, value, sig)
}

func TestRenderIntl(t *testing.T) {
	app := testApp(t)
	now := time.Date(2025, 3, 14, 7, 9, 26, 0, time.UTC)
	m := &zfb.OutboxMessage{ID: 9, AppID: app.ID, Kind: zfb.NotifyIntlPay, Payload: `{"acquirementId":"2025031421001003","merchantTransId":"M<1>&","currency":"HKD","value":"10000","paidTime":"2025-03-14T15:09:20+08:00","storeId":"","zeta":"z","alpha":"a"}`}
	p, err := parsePayload(m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	keys := mustKeys(t, app)
	out, err := renderIntl(app, keys, m, p, now)
	if err != nil {
		t.Fatal(err)
	}
	env, err := sign.ExtractEnvelope(out.body, sign.NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := sign.ParsePublicKey(app.GatewayPublicKey)
	if err := sign.VerifyEnvelope(pub, sign.RSA2, env); err != nil {
		t.Errorf("signature: %v", err)
	}
	want := `{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.notify.pay","clientId":"` + app.IntlClientID +
		`","reqTime":"2025-03-14T15:09:26+08:00","reqMsgId":"` + m.NotifyID() + `"},"body":{"resultInfo":{"resultStatus":"S","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"},` +
		`"acquirementId":"2025031421001003","merchantTransId":"M<1>&","orderAmount":{"currency":"HKD","value":"10000"},"paidTime":"2025-03-14T15:09:20+08:00","alpha":"a","zeta":"z"}}`
	if string(env.Value) != want {
		t.Errorf("request value\n got %s\nwant %s", env.Value, want)
	}
	if !json.Valid(out.body) || out.contentType != "application/json; charset=utf-8" {
		t.Errorf("body %s, content type %q", out.body, out.contentType)
	}

	other := testApp(t)
	other.AppPublicKey = app.GatewayPublicKey // a key the answers below are not signed with
	for _, tc := range []struct {
		name   string
		keys   *appkeys.Keys
		status int
		body   []byte
		ok     bool
	}{
		{"signed S", keys, 200, intlAnswer(t, "S", app.AppPrivateKey), true},
		{"unsigned S", keys, 200, intlAnswer(t, "S", ""), true},
		{"S signed with another key", mustKeys(t, other), 200, intlAnswer(t, "S", app.AppPrivateKey), false},
		{"signed F", keys, 200, intlAnswer(t, "F", app.AppPrivateKey), false},
		{"U", keys, 200, intlAnswer(t, "U", ""), false},
		{"signed S, HTTP 500", keys, 500, intlAnswer(t, "S", app.AppPrivateKey), false},
		{"plain success", keys, 200, []byte("success"), false},
		{"a request envelope", keys, 200, []byte(`{"request":{"body":{"resultInfo":{"resultStatus":"S"}}}}`), false},
		{"empty", keys, 200, nil, false},
	} {
		ok, why := intlAck(tc.keys, sign.RSA2)(tc.status, tc.body)
		if ok != tc.ok || ok != (why == "") {
			t.Errorf("%s: ack = %v, %q; want %v", tc.name, ok, why, tc.ok)
		}
	}
}

func TestNextNotifyAttempt(t *testing.T) {
	at := time.Date(2025, 3, 14, 0, 0, 0, 0, zfb.Beijing)
	want := []time.Duration{4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
	for n := 1; n < zfb.MaxNotifyAttempts; n++ {
		next, ok := zfb.NextNotifyAttempt(n, at)
		if !ok || !next.Equal(at.Add(want[n-1])) {
			t.Errorf("after send %d: %v, %v; want %v", n, next, ok, at.Add(want[n-1]))
		}
	}
	if _, ok := zfb.NextNotifyAttempt(zfb.MaxNotifyAttempts, at); ok {
		t.Error("a send after the 8th")
	}
	if next, ok := zfb.NextNotifyAttempt(0, at); !ok || !next.Equal(at) {
		t.Errorf("before any send: %v, %v", next, ok)
	}
	var total time.Duration
	for _, d := range want {
		total += d
	}
	if total != 24*time.Hour+24*time.Minute { // "25小时以内完成8次通知"
		t.Errorf("the schedule spans %v", total)
	}
}

package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// httpDo calls a running zfb's admin API over HTTP; token "" sends none.
func httpDo(t *testing.T, srv *zfbtest.Server, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// errorCode is the code of an error answer.
func errorCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// notifyEnv is a running zfb (its dispatcher replays for the admin API), a
// client of its sandbox app and a merchant's notify URL.
type notifyEnv struct {
	t     *testing.T
	srv   *zfbtest.Server
	c     *alipay.Client
	rc    *zfbtest.Receiver
	token string
	app   string
	n     int
}

func newNotifyEnv(t *testing.T) *notifyEnv {
	t.Helper()
	srv := zfbtest.NewServer(t)
	app := srv.App()
	c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey,
		alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType)))
	if err != nil {
		t.Fatal(err)
	}
	return &notifyEnv{t: t, srv: srv, c: c, rc: zfbtest.NewReceiver(t), token: srv.Sandbox.AdminToken, app: app.AppID}
}

func (e *notifyEnv) do(method, path, body string) (int, map[string]any) {
	e.t.Helper()
	return httpDo(e.t, e.srv, e.token, method, admin.Prefix+path, body)
}

// pay pays 1.00 with no notify_url: the notification goes to the app's
// default. It returns the out_trade_no.
func (e *notifyEnv) pay() string {
	e.t.Helper()
	e.n++
	no := "N" + strconv.Itoa(e.n)
	r, err := e.c.TradePay(context.Background(), alipay.TradePay{
		OutTradeNo: no, Scene: "bar_code", AuthCode: e.srv.Buyer(e.t, zfb.BehaviourPays).PaymentCode,
		Subject: "x", TotalAmount: "1.00",
	})
	if err != nil || r.Code != "10000" {
		e.t.Fatalf("pay %s: %v %+v", no, err, r)
	}
	return no
}

// received waits for the n-th notification (from 1) the receiver gets.
func (e *notifyEnv) received(n int) zfbtest.Received {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := e.rc.All(); len(got) >= n {
			return got[n-1]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("notification %d did not arrive", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// show reads a notification, waiting until it has sends scheduled sends.
func (e *notifyEnv) show(id string, sends int) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, out := e.do("GET", "/notifications/"+id, "")
		if status != 200 {
			e.t.Fatalf("show %s: %d %v", id, status, out)
		}
		if out["attempts"] == float64(sends) {
			return out
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("notification %s: %v sends, want %d: %v", id, out["attempts"], sends, out)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestNotifications(t *testing.T) {
	e := newNotifyEnv(t)

	// The app's default notify URL.
	status, out := e.do("POST", "/apps/"+e.app, `{"notify_url":"`+e.rc.URL+`"}`)
	if status != 200 || out["notify_url"] != e.rc.URL || out["app_id"] != e.app || strings.Contains(toJSON(out), "PRIVATE KEY") {
		t.Fatalf("set notify_url: %d %v", status, out)
	}
	if status, out := e.do("GET", "/apps/"+e.app, ""); status != 200 || out["notify_url"] != e.rc.URL {
		t.Fatalf("app after setting notify_url: %d %v", status, out)
	}

	// An acknowledged notification: listed, shown with its fields and send.
	no := e.pay()
	got := e.received(1)
	notifyID := got.Form.Get("notify_id")
	status, out = e.do("GET", "/apps/"+e.app+"/notifications", "")
	list, _ := out["notifications"].([]any)
	if status != 200 || len(list) != 1 {
		t.Fatalf("list: %d %v", status, out)
	}
	item := list[0].(map[string]any)
	id := strconv.FormatFloat(item["id"].(float64), 'f', 0, 64)
	if item["app_id"] != e.app || item["notify_type"] != "trade_status_sync" || item["notify_id"] != notifyID ||
		item["url"] != e.rc.URL || item["created_at"] == nil || item["fields"] != nil || item["sends"] != nil {
		t.Fatalf("list item %v", item)
	}
	v := e.show(id, 1)
	fields, _ := v["fields"].(map[string]any)
	sends, _ := v["sends"].([]any)
	if v["notify_id"] != notifyID || v["delivered_at"] == nil || v["next_attempt"] != nil || v["last_error"] != nil ||
		fields["out_trade_no"] != no || fields["trade_status"] != "TRADE_SUCCESS" || fields["total_amount"] != "1.00" || len(sends) != 1 {
		t.Fatalf("show: %v", v)
	}
	s := sends[0].(map[string]any)
	if s["n"] != float64(1) || s["status_code"] != float64(200) || s["body"] != "success" || s["acknowledged"] != true ||
		s["replay"] != nil || s["error"] != nil || s["at"] == nil || s["latency_ms"] == nil {
		t.Fatalf("send: %v", s)
	}

	// Replay: sent again now with the same notify_id, recorded as a replay,
	// the schedule left alone.
	status, out = e.do("POST", "/notifications/"+id+"/replay", "")
	send, _ := out["send"].(map[string]any)
	n, _ := out["notification"].(map[string]any)
	if status != 200 || send["replay"] != true || send["acknowledged"] != true || send["n"] != float64(2) ||
		n["attempts"] != float64(1) || len(n["sends"].([]any)) != 2 {
		t.Fatalf("replay: %d %v", status, out)
	}
	if again := e.received(2); again.Form.Get("notify_id") != notifyID || again.Form.Get("out_trade_no") != no {
		t.Fatalf("replayed notification %v", again.Form)
	}
	v = e.show(id, 1)
	sends = v["sends"].([]any)
	if len(sends) != 2 || sends[1].(map[string]any)["replay"] != true || sends[0].(map[string]any)["replay"] != nil {
		t.Fatalf("show after the replay: %v", v)
	}

	// A merchant that does not acknowledge: retried later; a replay it
	// acknowledges delivers the message and ends the schedule.
	e.rc.Answer("fail")
	e.pay()
	failing := e.received(3)
	status, out = e.do("GET", "/apps/"+e.app+"/notifications", "")
	list, _ = out["notifications"].([]any)
	if status != 200 || len(list) != 2 {
		t.Fatalf("list: %d %v", status, out)
	}
	item = list[1].(map[string]any) // oldest first
	id2 := strconv.FormatFloat(item["id"].(float64), 'f', 0, 64)
	if item["notify_id"] != failing.Form.Get("notify_id") || item["notify_id"] == notifyID {
		t.Fatalf("second notification %v", item)
	}
	v = e.show(id2, 1)
	sends = v["sends"].([]any)
	if v["delivered_at"] != nil || v["next_attempt"] == nil || !strings.Contains(toJSON(v["last_error"]), "fail") ||
		len(sends) != 1 || sends[0].(map[string]any)["acknowledged"] != false || sends[0].(map[string]any)["body"] != "fail" {
		t.Fatalf("unacknowledged: %v", v)
	}
	next, err := time.Parse(time.RFC3339Nano, v["next_attempt"].(string))
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, sends[0].(map[string]any)["at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	// 4m after the send (counted from when its answer came).
	if d := next.Sub(at); d < 4*time.Minute || d > 4*time.Minute+10*time.Second {
		t.Errorf("next_attempt %v after the first send, want 4m", d)
	}
	// Replayed to a merchant still failing: answered, not delivered.
	status, out = e.do("POST", "/notifications/"+id2+"/replay", "")
	send, _ = out["send"].(map[string]any)
	if status != 200 || send["acknowledged"] != false || send["body"] != "fail" || send["error"] == nil ||
		out["notification"].(map[string]any)["delivered_at"] != nil {
		t.Fatalf("replay to a failing merchant: %d %v", status, out)
	}
	e.rc.Answer("success")
	status, out = e.do("POST", "/notifications/"+id2+"/replay", "")
	n, _ = out["notification"].(map[string]any)
	if status != 200 || out["send"].(map[string]any)["acknowledged"] != true || n["delivered_at"] == nil ||
		n["next_attempt"] != nil || n["attempts"] != float64(1) || len(n["sends"].([]any)) != 3 {
		t.Fatalf("acknowledged replay: %d %v", status, out)
	}
	if got := e.rc.All(); len(got) != 5 || got[4].Form.Get("notify_id") != failing.Form.Get("notify_id") {
		t.Fatalf("%d notifications received", len(got))
	}

	// Clearing the default URL: the next pay notifies nobody.
	status, out = e.do("POST", "/apps/"+e.app, `{"notify_url":""}`)
	if status != 200 || out["notify_url"] != nil {
		t.Fatalf("clear notify_url: %d %v", status, out)
	}
	e.pay()
	if status, out := e.do("GET", "/apps/"+e.app+"/notifications", ""); status != 200 || len(out["notifications"].([]any)) != 2 {
		t.Fatalf("list after clearing: %d %v", status, out)
	}
}

func TestNotificationRefusals(t *testing.T) {
	e := newNotifyEnv(t)
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"ftp URL", "POST", "/apps/" + e.app, `{"notify_url":"ftp://x"}`, 400, "invalid_request"},
		{"URL without host", "POST", "/apps/" + e.app, `{"notify_url":"http://"}`, 400, "invalid_request"},
		{"relative URL", "POST", "/apps/" + e.app, `{"notify_url":"/notify"}`, 400, "invalid_request"},
		{"no notify_url", "POST", "/apps/" + e.app, `{}`, 400, "invalid_request"},
		{"unknown field", "POST", "/apps/" + e.app, `{"notify_url":"http://x","name":"y"}`, 400, "invalid_json"},
		{"not JSON", "POST", "/apps/" + e.app, `notify_url=http://x`, 400, "invalid_json"},
		{"unknown app", "POST", "/apps/2021000000000404", `{"notify_url":"http://127.0.0.1:1/n"}`, 404, "not_found"},
		{"unknown notification", "GET", "/notifications/999999", "", 404, "not_found"},
		{"non-numeric id", "GET", "/notifications/abc", "", 404, "not_found"},
		{"negative id", "GET", "/notifications/-1", "", 404, "not_found"},
		{"huge id", "GET", "/notifications/99999999999999999999", "", 404, "not_found"},
		{"replay of an unknown notification", "POST", "/notifications/999999/replay", "", 404, "not_found"},
		{"replay of a non-numeric id", "POST", "/notifications/abc/replay", "", 404, "not_found"},
	} {
		status, out := e.do(tt.method, tt.path, tt.body)
		if status != tt.status || errorCode(out) != tt.code {
			t.Errorf("%s: %d %v, want %d %s", tt.name, status, out, tt.status, tt.code)
		}
	}
	// The refusals changed nothing.
	if status, out := e.do("GET", "/apps/"+e.app, ""); status != 200 || out["notify_url"] != nil {
		t.Errorf("app after the refusals: %d %v", status, out)
	}

	// Every endpoint wants the token.
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/apps/" + e.app + "/notifications", ""},
		{"GET", "/notifications/1", ""},
		{"POST", "/notifications/1/replay", ""},
		{"POST", "/apps/" + e.app, `{"notify_url":"http://127.0.0.1:1/n"}`},
	} {
		for _, bad := range []string{"", "wrong", e.token + "x"} {
			status, out := httpDo(t, e.srv, bad, tt.method, admin.Prefix+tt.path, tt.body)
			if status != http.StatusUnauthorized || errorCode(out) != "unauthorized" {
				t.Errorf("%s %s with token %q: %d %v", tt.method, tt.path, bad, status, out)
			}
		}
	}
	app, err := e.srv.Service.App(context.Background(), e.app)
	if err != nil || app.NotifyURL != "" {
		t.Errorf("the app's notify URL is %q after unauthorised calls (%v)", app.NotifyURL, err)
	}
}

// TestNotificationsOfUnknownApp: like the app's other lists (fund-auth
// orders, intl payments), the notifications of an app that does not exist
// are 404, not an empty list.
func TestNotificationsOfUnknownApp(t *testing.T) {
	e := newNotifyEnv(t)
	status, out := e.do("GET", "/apps/2021000000000404/notifications", "")
	if status != http.StatusNotFound || errorCode(out) != "not_found" {
		t.Errorf("notifications of an unknown app: %d %v, want 404 not_found", status, out)
	}
}

// TestReplayWithoutDispatcher: an admin API with no dispatcher says so.
func TestReplayWithoutDispatcher(t *testing.T) {
	h, _, token := newAdmin(t)
	status, out := do(t, h, token, "POST", admin.Prefix+"/notifications/1/replay", "")
	if status != http.StatusServiceUnavailable || errorCode(out) != "no_dispatcher" {
		t.Fatalf("replay without a dispatcher: %d %v", status, out)
	}
}

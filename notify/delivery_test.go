package notify_test

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/sign"
)

// tradePayload is what a paid trade's trade_status_sync carries.
func tradePayload(app *zfb.App) map[string]string {
	return map[string]string{
		"trade_no": "2025031422001400000001", "out_trade_no": "T20250314-1", "trade_status": "TRADE_SUCCESS",
		"total_amount": "88.88", "receipt_amount": "88.88", "invoice_amount": "88.88", "buyer_pay_amount": "88.88",
		"point_amount": "0.00", "subject": "测试 & <订单> 100%", "body": "", "out_biz_no": "",
		"buyer_id": "2088102000000001", "buyer_logon_id": "13812345678", "seller_id": app.SellerID,
		"gmt_create": "2025-03-14 15:09:20", "gmt_payment": "2025-03-14 15:09:26",
		"fund_bill_list": `[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]`, "passback_params": "a%3Db+c",
	}
}

func TestTradeStatusSyncDelivered(t *testing.T) {
	e := newEnv(t, "")
	sdk, err := alipay.New(e.app.ID, e.app.AppPrivateKey, e.app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var sdkErr atomic.Value
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if _, err := sdk.ParseNotification(r); err != nil {
			sdkErr.Store(err.Error())
			w.Write([]byte("fail"))
			return
		}
		w.Write([]byte("success"))
	})
	m := e.enqueue("trade_status_sync", rc.URL+"/notify?shop=1", tradePayload(e.app))
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))

	got, as := e.waitAttempts(m.ID, 1)
	if err := sdkErr.Load(); err != nil {
		t.Fatalf("the Go SDK does not verify the notification: %v", err)
	}
	if got.DeliveredAt == nil || got.LastError != "" || len(as) != 1 {
		t.Fatalf("message %+v, %d attempts", got, len(as))
	}
	a := as[0]
	if a.N != 1 || a.StatusCode != 200 || a.Body != "success" || !a.Acknowledged || a.Replay || a.Error != "" ||
		!a.At.Equal(e.clock.Now()) || a.Latency <= 0 {
		t.Errorf("attempt %+v", a)
	}

	req := rc.requests()[0]
	if ct := req.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if ua := req.header.Get("User-Agent"); ua != "zfb-notify/1.0" {
		t.Errorf("User-Agent %q", ua)
	}
	form := req.form
	for k, want := range map[string]string{
		"notify_time": "2025-03-14 15:09:26", "notify_type": "trade_status_sync", "notify_id": m.NotifyID(),
		"app_id": e.app.ID, "auth_app_id": e.app.ID, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2",
		"buyer_logon_id": "138****5678", "subject": "测试 & <订单> 100%", "passback_params": "a%3Db+c",
		"fund_bill_list": `[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]`, "total_amount": "88.88",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"body", "out_biz_no", "alipay_cert_sn"} {
		if _, ok := form[k]; ok {
			t.Errorf("%s is in the form", k)
		}
	}
	// By hand: every field but sign and sign_type, sorted, k=v joined by &.
	params := map[string]string{}
	for k, vs := range form {
		if len(vs) != 1 || vs[0] == "" {
			t.Errorf("field %s = %q", k, vs)
		}
		params[k] = vs[0]
	}
	pub, err := sign.ParsePublicKey(e.app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Verify(pub, sign.RSA2, []byte(sign.NotifyContent(params)), params["sign"]); err != nil {
		t.Errorf("by hand: %v", err)
	}

	// Delivered: never sent again.
	e.clock.Advance(48 * time.Hour)
	time.Sleep(quiet)
	if n := rc.count(); n != 1 {
		t.Errorf("%d requests after delivery", n)
	}
	// The log has the send, and neither the signature nor the URL.
	logs := e.logs.String()
	if !strings.Contains(logs, "notify: sent") || !strings.Contains(logs, "acknowledged=true") {
		t.Errorf("no send logged:\n%s", logs)
	}
	if strings.Contains(logs, params["sign"][:20]) || strings.Contains(logs, "shop=1") || strings.Contains(logs, "PRIVATE KEY") {
		t.Errorf("the log shows what it should not:\n%s", logs)
	}
}

func TestAcknowledgement(t *testing.T) {
	e := newEnv(t, "")
	for _, tc := range []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request, int)
		ack    bool
		status int
	}{
		{"whitespace around success", answering("  success\n"), true, 200},
		{"fail", answering("fail"), false, 200},
		{"SUCCESS", answering("SUCCESS"), false, 200},
		{"success with HTTP 500", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(500)
			w.Write([]byte("success"))
		}, false, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, tc.answer)
			m := e.enqueue(zfb.NotifyFundAuthFreeze, rc.URL, map[string]string{"auth_no": "A1", "payer_logon_id": "test@example.com"})
			d := notify.New(e.svc, nil)
			a, err := d.Replay(t.Context(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.Acknowledged != tc.ack || a.StatusCode != tc.status || (a.Error == "") != tc.ack {
				t.Errorf("attempt %+v", a)
			}
			if got := rc.requests()[0].form.Get("payer_logon_id"); got != "tes***@example.com" {
				t.Errorf("payer_logon_id %q", got)
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	e := newEnv(t, "")
	elsewhere := newReceiver(t, answering("success"))
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, elsewhere.URL+"/notify", http.StatusFound)
	})
	m := e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app))
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	got, as := e.waitAttempts(m.ID, 1)
	if a := as[0]; a.StatusCode != http.StatusFound || a.Acknowledged || !strings.Contains(a.Error, "redirect") {
		t.Errorf("attempt %+v", a)
	}
	if got.DeliveredAt != nil || got.LastError == "" {
		t.Errorf("message %+v", got)
	}
	if n := elsewhere.count(); n != 0 {
		t.Errorf("the redirect was followed: %d requests", n)
	}
}

func TestSendTimeout(t *testing.T) {
	e := newEnv(t, "")
	release := make(chan struct{})
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // before rc closes
	m := e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app))
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond), notify.WithSendTimeout(200*time.Millisecond))
	got, as := e.waitAttempts(m.ID, 1)
	a := as[0]
	if a.StatusCode != 0 || a.Acknowledged || !strings.Contains(a.Error, "timed out") ||
		a.Latency < 200*time.Millisecond || a.Latency > 5*time.Second {
		t.Errorf("attempt %+v", a)
	}
	if want := e.clock.Now().Add(4 * time.Minute); !got.NextAttempt.Equal(want) || got.DeliveredAt != nil {
		t.Errorf("next send at %v, want %v", got.NextAttempt, want)
	}
}

// listener counts the TCP connections made to it, and answers none.
func listener(t *testing.T, network, addr string) (net.Listener, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return l, &n
}

func TestRefused(t *testing.T) {
	e := newEnv(t, "")
	l4, conns4 := listener(t, "tcp4", "127.0.0.1:0")
	port := l4.Addr().(*net.TCPAddr).Port
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, target string
		opts         []notify.Option
		why          string
	}{
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", nil, "169.254.169.254: a cloud metadata address"},
		{"Alibaba Cloud metadata", "http://100.100.100.200/latest/meta-data/", nil, "a cloud metadata address"},
		{"link-local", "http://169.254.10.1:8080/notify", nil, "a link-local address"},
		{"unspecified", "http://0.0.0.0:" + strconv.Itoa(port) + "/notify", nil, "an unspecified address"},
		{"denied loopback", "http://127.0.0.1:" + strconv.Itoa(port) + "/notify", []notify.Option{notify.WithDeny(loopback...)}, "denied by 127.0.0.0/8"},
		{"a name resolving to a denied address", "http://localhost:" + strconv.Itoa(port) + "/notify", []notify.Option{notify.WithDeny(loopback...)}, "denied by"},
		{"outside the allowed ranges", "http://127.0.0.1:" + strconv.Itoa(port) + "/notify", []notify.Option{notify.WithAllow(netip.MustParsePrefix("10.0.0.0/8"))}, "not in the allowed ranges"},
		{"deny wins over allow", "http://127.0.0.1:" + strconv.Itoa(port) + "/notify", []notify.Option{notify.WithAllow(loopback...), notify.WithDeny(netip.MustParsePrefix("127.0.0.1/32"))}, "denied by 127.0.0.1/32"},
		{"ftp", "ftp://127.0.0.1:" + strconv.Itoa(port) + "/notify", nil, `scheme "ftp" is not http or https`},
		{"file", "file:///etc/passwd", nil, `scheme "file"`},
		{"no host", "http:///notify", nil, "no host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.enqueue("trade_status_sync", tc.target, tradePayload(e.app))
			a, err := notify.New(e.svc, nil, tc.opts...).Replay(t.Context(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.StatusCode != 0 || a.Acknowledged || !strings.Contains(a.Error, "refused") || !strings.Contains(a.Error, tc.why) {
				t.Errorf("attempt %+v, want an error with %q", a, tc.why)
			}
			_, as := e.message(m.ID)
			if len(as) != 1 || as[0].Error != a.Error || !as[0].Replay {
				t.Errorf("recorded %+v", as)
			}
		})
	}
	if n := conns4.Load(); n != 0 {
		t.Errorf("%d connections were made to a refused address", n)
	}

	// The scheduled path refuses the metadata address as well.
	m := e.enqueue("trade_status_sync", "http://169.254.169.254/latest/meta-data/", tradePayload(e.app))
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	got, as := e.waitAttempts(m.ID, 1)
	if !strings.Contains(as[0].Error, "cloud metadata") || !strings.Contains(got.LastError, "cloud metadata") {
		t.Errorf("message %+v, attempt %+v", got, as[0])
	}
}

// A message that cannot be rendered is recorded as a failed send, without
// a request, and retried on schedule like any other.
func TestUnrenderable(t *testing.T) {
	e := newEnv(t, "")
	rc := newReceiver(t, answering("success"))
	ctx := t.Context()
	m := &zfb.OutboxMessage{AppID: e.app.ID, Kind: "trade_status_sync", Target: rc.URL, Payload: `["not", "an object"]`,
		NextAttempt: e.clock.Now(), CreatedAt: e.clock.Now()}
	if err := e.store.InTx(ctx, func(q zfb.Queries) error { return q.EnqueueOutbox(ctx, m) }); err != nil {
		t.Fatal(err)
	}
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	got, as := e.waitAttempts(m.ID, 1)
	if a := as[0]; a.StatusCode != 0 || a.Acknowledged || !strings.Contains(a.Error, "not a JSON object") {
		t.Errorf("attempt %+v", a)
	}
	if want := e.clock.Now().Add(4 * time.Minute); !got.NextAttempt.Equal(want) {
		t.Errorf("next send at %v, want %v", got.NextAttempt, want)
	}
	if n := rc.count(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

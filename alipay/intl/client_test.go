package intl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/sign"
)

func TestFunctionPath(t *testing.T) {
	for fn, want := range map[string]string{
		FunctionPay:       "/api/alipay/intl/acquiring/offline/pay.htm",
		FunctionPayQuery:  "/api/alipay/intl/acquiring/offline/payquery.htm",
		FunctionPayCancel: "/api/alipay/intl/acquiring/common/paycancel.htm",
		FunctionRefund:    "/api/alipay/intl/acquiring/common/grefund.htm",
		"alipay.intl.acquiring.offline.preCreate": "/api/alipay/intl/acquiring/offline/precreate.htm",
		"alipay.intl.fund.topup.create":           "/api/alipay/intl/fund/topup/create.htm",
		"a.B_c":                                   "/api/a/b_c.htm",
	} {
		got, err := FunctionPath(fn)
		if err != nil || got != want {
			t.Errorf("FunctionPath(%q) = %q, %v; want %q", fn, got, err, want)
		}
	}
	for _, bad := range []string{"", "pay", "a..b", ".a.b", "a.b.", "a.b/c", "a.b?x", "a.b c", "a.ü"} {
		if got, err := FunctionPath(bad); err == nil {
			t.Errorf("FunctionPath(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNew(t *testing.T) {
	m, a, _ := testKeys(t)
	priv, pub := sign.PrivateKeyPKCS8PEM(m), sign.Bare(sign.PublicKeyPEM(&a.PublicKey))
	c, err := New(testClientID, priv, pub)
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != DefaultBaseURL || c.signType != sign.RSA2 || c.version != "2.0.2" || c.timeout != DefaultTimeout {
		t.Errorf("defaults: %s", c)
	}
	if c.ClientID() != testClientID {
		t.Errorf("ClientID %q", c.ClientID())
	}
	keyText := sign.Bare(sign.PrivateKeyPKCS1PEM(m))[:40]
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%+v %#v %v", c, c, *c)} {
		if strings.Contains(s, keyText) || strings.Contains(s, m.D.String()[:20]) || !strings.Contains(s, "[redacted]") {
			t.Errorf("String leaks or lacks redaction: %s", s)
		}
	}

	for _, tt := range []struct {
		name          string
		id, priv, pub string
		opts          []Option
		want          string
	}{
		{"empty clientId", "", priv, pub, nil, "empty clientId"},
		{"bad private key", testClientID, "nope", pub, nil, "private key"},
		{"public key as private", testClientID, pub, pub, nil, "private key"},
		{"bad public key", testClientID, priv, "", nil, "alipay public key"},
		{"relative base URL", testClientID, priv, pub, []Option{WithBaseURL("open-na.alipay.com")}, "base URL"},
		{"ftp base URL", testClientID, priv, pub, []Option{WithBaseURL("ftp://h")}, "base URL"},
		{"base URL with query", testClientID, priv, pub, []Option{WithBaseURL("https://h/?a=b")}, "query"},
		{"sign type", testClientID, priv, pub, []Option{WithSignType("SHA256")}, "sign type"},
		{"empty version", testClientID, priv, pub, []Option{WithVersion("")}, "version"},
		{"long version", testClientID, priv, pub, []Option{WithVersion("2.0.2.0.0.1")}, "version"},
		{"nil http client", testClientID, priv, pub, []Option{WithHTTPClient(nil)}, "http.Client"},
		{"nil clock", testClientID, priv, pub, []Option{WithClock(nil)}, "clock"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.id, tt.priv, tt.pub, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || c != nil {
				t.Fatalf("New = %v, %v; want an error containing %q", c, err, tt.want)
			}
		})
	}
}

func TestDoRequestShape(t *testing.T) {
	f := newFake(t, func(seen) answer { return answer{} })
	c := f.client(WithBaseURL(f.srv.URL + "/"))
	ri, err := c.Do(context.Background(), FunctionPayCancel,
		map[string]string{"partnerId": testPartnerID, "merchantTransId": "<&>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *ri != (ResultInfo{StatusSuccess, CodeIDSuccess, CodeSuccess, "success"}) {
		t.Errorf("resultInfo %+v", ri)
	}
	s := f.last()
	if s.ContentType != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", s.ContentType)
	}
	if s.Path != "/api/alipay/intl/acquiring/common/paycancel.htm" {
		t.Errorf("path %s", s.Path)
	}
	// The wire is the compact value spliced verbatim, HTML left unescaped.
	want := `{"request":` + string(s.Value) + `,"signature":"`
	if !strings.HasPrefix(string(s.Raw), want) {
		t.Errorf("wire %s", s.Raw)
	}
	wantValue := `{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.common.payCancel","clientId":"` + testClientID +
		`","reqTime":"` + testClockReqTime + `","reqMsgId":"` + s.Head["reqMsgId"] + `","signType":"RSA2"},"body":{"merchantTransId":"<&>","partnerId":"` + testPartnerID + `"}}`
	if string(s.Value) != wantValue {
		t.Errorf("request value\n%s\nwant\n%s", s.Value, wantValue)
	}
	if !uuidPattern.MatchString(s.Head["reqMsgId"]) {
		t.Errorf("reqMsgId %q is not a random UUID", s.Head["reqMsgId"])
	}
	if _, err := time.Parse(time.RFC3339, s.Head["reqTime"]); err != nil {
		t.Errorf("reqTime: %v", err)
	}

	// A fresh reqMsgId per call; version, sign type and a UTC clock.
	c2 := f.client(WithVersion("2.0.4"), WithClock(func() time.Time { return testClock.UTC() }))
	if _, err := c2.Do(context.Background(), FunctionPayCancel, json.RawMessage(" {\n\"partnerId\" : \"p\"} "), nil); err != nil {
		t.Fatal(err)
	}
	s2 := f.last()
	if s2.Head["reqMsgId"] == s.Head["reqMsgId"] || s2.Head["version"] != "2.0.4" || s2.Head["reqTime"] != "2024-05-13T09:49:20+00:00" {
		t.Errorf("second head %v", s2.Head)
	}
	if !strings.HasSuffix(string(s2.Value), `,"body":{"partnerId":"p"}}`) {
		t.Errorf("raw body not compacted: %s", s2.Value)
	}
	if _, err := c2.Do(context.Background(), FunctionPayCancel, nil, nil); err != nil || !strings.HasSuffix(string(f.last().Value), `"body":{}}`) {
		t.Errorf("nil body: %v %s", err, f.last().Value)
	}

	for _, body := range []any{"[1]", []int{1}, "{", 42} {
		if _, err := c.Do(context.Background(), FunctionPayCancel, body, nil); err == nil {
			t.Errorf("body %v sent", body)
		}
	}
	if _, err := c.Do(context.Background(), "not a function", nil, nil); err == nil {
		t.Error("bad function sent")
	}
}

func TestDoResponseForms(t *testing.T) {
	body := resultBody("S", "00000000", "SUCCESS", "success", `"acquirementId":"2015747","merchantTransId":"510002","cancelTime":"2024-05-13T17:49:21+08:00"`)
	for _, tt := range []struct {
		name string
		a    answer
	}{
		{"compact, head first", answer{}},
		{"body before head, alphabetical", answer{bodyFirst: true}},
		{"pretty-printed", answer{pretty: true}},
		{"pretty, body first, signature first", answer{pretty: true, bodyFirst: true, sigFirst: true}},
		{"signature first", answer{sigFirst: true}},
		{"extra head fields and another version", answer{head: map[string]string{"reserve": "{}", "version": "2.1.1"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.body = body
			f := newFake(t, func(seen) answer { return tt.a })
			r, err := f.client().PayCancel(context.Background(), PayCancelRequest{MerchantTransID: "510002"})
			if err != nil {
				t.Fatal(err)
			}
			if r.AcquirementID != "2015747" || r.MerchantTransID != "510002" || r.CancelTime != "2024-05-13T17:49:21+08:00" || r.ResultInfo.ResultCode != CodeSuccess {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestDoRefusals(t *testing.T) {
	_, _, stranger := testKeys(t)
	success := resultBody("S", "00000000", "SUCCESS", "success", `"acquirementId":"A1"`)
	failure := resultBody("F", "12014155", "UNKNOWN_CLIENT", "Unknown client", "")
	for _, tt := range []struct {
		name string
		a    answer
		is   error  // errors.Is target, or nil
		want string // in the message
	}{
		{"tampered value", answer{body: success, tamper: [2]string{`"A1"`, `"A2"`}}, ErrSignature, "does not match"},
		{"tampered pretty value", answer{body: success, pretty: true, tamper: [2]string{`"A1"`, `"A2"`}}, ErrSignature, "does not match"},
		{"signed by another key", answer{body: success, signer: stranger}, ErrSignature, "does not match"},
		{"signed failure, bad signature", answer{body: failure, tamper: [2]string{"Unknown", "Known"}}, ErrSignature, "does not match"},
		{"unsigned success", answer{body: success, unsigned: true}, ErrSignature, "resultStatus S without a signature"},
		{"unsigned unknown", answer{body: resultBody("U", "00000901", "UNKNOWN_EXCEPTION", "", ""), unsigned: true}, ErrSignature, "resultStatus U"},
		{"reqMsgId mismatch", answer{body: success, head: map[string]string{"reqMsgId": "someone-else"}}, ErrMismatch, "reqMsgId"},
		{"reqMsgId missing", answer{body: success, head: map[string]string{"reqMsgId": ""}}, ErrMismatch, "reqMsgId"},
		{"function mismatch", answer{body: success, head: map[string]string{"function": FunctionPay}}, ErrMismatch, "function"},
		{"clientId mismatch", answer{body: success, head: map[string]string{"clientId": "211999"}}, ErrMismatch, "clientId"},
		{"unsigned failure, wrong reqMsgId", answer{body: failure, unsigned: true, head: map[string]string{"reqMsgId": "x"}}, ErrMismatch, "reqMsgId"},
		{"no resultInfo", answer{body: `{"acquirementId":"A1"}`}, nil, "no resultInfo"},
		{"body not an object", answer{body: `"x"`}, nil, "no body object"},
		{"not JSON", answer{raw: `<html>oops</html>`}, nil, "malformed response"},
		{"trailing garbage", answer{raw: `{"response":{"head":{},"body":{}},"signature":"x"}x`}, nil, "malformed response"},
		{"duplicate response", answer{raw: `{"response":{},"response":{},"signature":"x"}`}, nil, "duplicate"},
		{"HTTP 502", answer{status: http.StatusBadGateway}, nil, "HTTP status 502"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(seen) answer { return tt.a })
			ri, err := f.client().Do(context.Background(), FunctionPayCancel, PayCancelRequest{PartnerID: "p", AcquirementID: "A1"}, nil)
			if err == nil {
				t.Fatalf("accepted, resultInfo %+v", ri)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if errors.Is(err, ErrSignature) && !errors.Is(err, sign.ErrVerification) {
				t.Errorf("err = %v does not wrap sign.ErrVerification", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q in it", err, tt.want)
			}
			var e *Error
			if errors.As(err, &e) {
				t.Errorf("refusal reported as a gateway result: %v", e)
			}
			if ri != nil {
				t.Errorf("resultInfo %+v returned with a refusal", ri)
			}
			var he *HTTPError
			if tt.a.status != 0 && (!errors.As(err, &he) || he.StatusCode != tt.a.status || he.Function != FunctionPayCancel) {
				t.Errorf("err = %#v, want *HTTPError", err)
			}
		})
	}
}

func TestDoTimeouts(t *testing.T) {
	f := newFake(t, func(seen) answer { return answer{sleep: 5 * time.Second} })

	start := time.Now()
	_, err := f.client(WithTimeout(100*time.Millisecond)).Pay(context.Background(), PayRequest{MerchantTransID: "T1"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client timeout: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}

	// The ctx's deadline wins over the client's.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := f.client(WithTimeout(time.Hour)).Pay(ctx, PayRequest{MerchantTransID: "T2"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx deadline: %v", err)
	}

	// The http.Client's own timeout applies too.
	hc := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := f.client(WithHTTPClient(hc), WithTimeout(0)).Pay(context.Background(), PayRequest{MerchantTransID: "T3"}); err == nil {
		t.Fatal("http.Client timeout ignored")
	}
}

func TestDoUnreachable(t *testing.T) {
	f := newFake(t, func(seen) answer { return answer{} })
	c := f.client()
	f.srv.Close()
	if _, err := c.Do(context.Background(), FunctionPayQuery, PayQueryRequest{AcquirementID: "A"}, nil); err == nil || !strings.Contains(err.Error(), FunctionPayQuery) {
		t.Fatalf("err = %v", err)
	}
}

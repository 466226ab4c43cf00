package intl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

const fnQuery = "alipay.intl.acquiring.offline.payQuery"

// TestChecks drives every check of the order documented on Handler.serve
// with the code, id and status it answers, and whether the answer is signed.
func TestChecks(t *testing.T) {
	srv, c := harness(t)
	other, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil) // a key the gateway does not know for c's app
	if err != nil {
		t.Fatal(err)
	}
	stranger := newClient(t, srv.URL, sandbox.AppCredentials(other))
	queryBody := c.body(kv{"merchantTransId", "nothing"})
	signed := func(v string) []byte { return c.envelope(v, sign.RSA2) }

	for _, tt := range []struct {
		name               string
		path               string
		body               []byte
		code, id, status   string
		alg                sign.Algorithm // "" unsigned
		wantMsgID, wantMsg string
	}{
		// 1. the envelope
		{name: "not JSON", body: []byte(`{"request":`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "not UTF-8", body: []byte("{\"request\":{\"head\":{\"clientId\":\"\xff\"}}}"), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "empty body", body: nil, code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "no request", body: []byte(`{"response":{}}`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "request not an object", body: []byte(`{"request":"{}","signature":"x"}`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "top level array", body: []byte(`[]`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "too large", body: bytes.Repeat([]byte(" "), 2<<20), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		// 2. the client
		{name: "no head", body: signed(`{"body":` + queryBody + `}`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "head not an object", body: signed(`{"head":[],"body":` + queryBody + `}`), code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "clientId missing", body: signed(value(c.head(fnQuery, kv{"clientId", nil}, kv{"reqMsgId", "m-1"}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", wantMsgID: "m-1"},
		{name: "clientId an object", body: signed(value(c.head(fnQuery, kv{"clientId", raw(`{}`)}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F"},
		{name: "unknown clientId", body: signed(value(c.head(fnQuery, kv{"clientId", "SANDBOX_0"}, kv{"reqMsgId", "m-2"}), queryBody)),
			code: "UNKNOWN_CLIENT", id: "12014155", status: "F", wantMsgID: "m-2"},
		// 4. signType
		{name: "signType SHA256 is RSA2", body: signed(value(c.head(fnQuery, kv{"signType", "SHA256"}), queryBody)),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2},
		{name: "signType RSA256 is RSA2", body: signed(value(c.head(fnQuery, kv{"signType", "RSA256"}), queryBody)),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2},
		{name: "signType empty is RSA2", body: signed(value(c.head(fnQuery, kv{"signType", ""}), queryBody)),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2},
		{name: "signType ECC", body: signed(value(c.head(fnQuery, kv{"signType", "ECC"}), queryBody)),
			code: "SIGN_TYPE_NOT_SUPPORT", id: "12005135", status: "F", alg: sign.RSA2},
		{name: "signType SM2", body: signed(value(c.head(fnQuery, kv{"signType", "SM2"}), queryBody)),
			code: "SIGN_TYPE_NOT_SUPPORT", id: "12005135", status: "F", alg: sign.RSA2},
		{name: "signType unknown", body: signed(value(c.head(fnQuery, kv{"signType", "rsa2"}), queryBody)),
			code: "SIGN_TYPE_INVALID", id: "12005134", status: "F", alg: sign.RSA2},
		{name: "signType an object", body: signed(value(c.head(fnQuery, kv{"signType", raw(`{"a":1}`)}), queryBody)),
			code: "SIGN_TYPE_INVALID", id: "12005134", status: "F", alg: sign.RSA2},
		{name: "signType RSA for an RSA2 client", body: c.envelope(value(c.head(fnQuery, kv{"signType", "RSA"}), queryBody), sign.RSA),
			code: "KEY_NO_FOUND", id: "00000008", status: "F", alg: sign.RSA},
		// 5. the signature
		{name: "no signature", body: sign.EnvelopeJSON(sign.NodeRequest, []byte(value(c.head(fnQuery), queryBody)), ""),
			code: "INVALID_SIGNATURE", id: "00000007", status: "F", alg: sign.RSA2},
		{name: "signature of another key", body: stranger.envelope(value(c.head(fnQuery), queryBody), sign.RSA2),
			code: "INVALID_SIGNATURE", id: "00000007", status: "F", alg: sign.RSA2},
		{name: "signature under SHA1", body: c.envelope(value(c.head(fnQuery), queryBody), sign.RSA),
			code: "INVALID_SIGNATURE", id: "00000007", status: "F", alg: sign.RSA2},
		{name: "value changed after signing", body: reformat(t, signed(value(c.head(fnQuery), queryBody))),
			code: "INVALID_SIGNATURE", id: "00000007", status: "F", alg: sign.RSA2},
		{name: "signature not Base64", body: sign.EnvelopeJSON(sign.NodeRequest, []byte(value(c.head(fnQuery), queryBody)), "%%%"),
			code: "INVALID_SIGNATURE", id: "00000007", status: "F", alg: sign.RSA2},
		// 6. the head
		{name: "version 1.0", body: signed(value(c.head(fnQuery, kv{"version", "1.0"}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "version missing", body: signed(value(c.head(fnQuery, kv{"version", nil}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "function missing", body: signed(value(c.head(fnQuery, kv{"function", nil}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "function of another path", body: signed(value(c.head("alipay.intl.acquiring.common.payCancel"), queryBody)),
			code: "FUNCTION_NOT_MATCH", id: "00000017", status: "F", alg: sign.RSA2},
		{name: "function unknown", body: signed(value(c.head("alipay.intl.acquiring.offline.preCreate"), queryBody)),
			code: "FUNCTION_NOT_MATCH", id: "00000017", status: "F", alg: sign.RSA2},
		{name: "reqTime not RFC 3339", body: signed(value(c.head(fnQuery, kv{"reqTime", "2001-07-04 12:08:56"}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "reqTime without offset", body: signed(value(c.head(fnQuery, kv{"reqTime", "2001-07-04T12:08:56"}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "reqTime missing", body: signed(value(c.head(fnQuery, kv{"reqTime", nil}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "reqMsgId missing", body: signed(value(c.head(fnQuery, kv{"reqMsgId", nil}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "reqMsgId of 65", body: signed(value(c.head(fnQuery, kv{"reqMsgId", strings.Repeat("m", 65)}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsgID: strings.Repeat("m", 65)},
		{name: "reqMsgId of 64", body: signed(value(c.head(fnQuery, kv{"reqMsgId", strings.Repeat("m", 64)}), queryBody)),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2, wantMsgID: strings.Repeat("m", 64)},
		// 7. the body's settlement id
		{name: "body missing", body: signed(`{"head":` + c.head(fnQuery) + `}`),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "body not an object", body: signed(value(c.head(fnQuery), `"x"`)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
		{name: "partnerId missing", body: signed(value(c.head(fnQuery), obj(kv{"merchantTransId", "x"}))),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsg: "partnerId is required"},
		{name: "partnerId of another", body: signed(value(c.head(fnQuery), c.body(kv{"partnerId", "2188000000000000"}, kv{"merchantTransId", "x"}))),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsg: "partnerId is not the client's"},
		{name: "partnerId an object", body: signed(value(c.head(fnQuery), c.body(kv{"partnerId", raw(`{}`)}))),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsg: "partnerId must be a string"},
		{name: "2.0.4 takes merchantId", body: signed(value(c.head(fnQuery, kv{"version", "2.0.4"}), obj(kv{"merchantId", c.app.IntlPartnerID}, kv{"merchantTransId", "x"}))),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2},
		{name: "2.0.0 takes merchantId", body: signed(value(c.head(fnQuery, kv{"version", "2.0.0"}), obj(kv{"merchantId", c.app.IntlPartnerID}, kv{"merchantTransId", "x"}))),
			code: "ORDER_NOT_EXIST", id: "12005004", status: "F", alg: sign.RSA2},
		{name: "2.0.4 with partnerId", body: signed(value(c.head(fnQuery, kv{"version", "2.0.4"}), queryBody)),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsg: "merchantId is required"},
		{name: "body field of the wrong shape", body: signed(value(c.head(fnQuery), c.body(kv{"merchantTransId", raw(`["x"]`)}))),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2, wantMsg: "merchantTransId must be a string"},
		{name: "neither id", body: signed(value(c.head(fnQuery), c.body())),
			code: "PARAM_ILLEGAL", id: "00000004", status: "F", alg: sign.RSA2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = pathPayQuery
			}
			a := c.post(path, tt.body)
			want(t, c, a, tt.code, tt.id, tt.status, tt.alg)
			if tt.wantMsgID != "" && a.Resp.Head["reqMsgId"] != tt.wantMsgID {
				t.Errorf("reqMsgId = %v, want %s", a.Resp.Head["reqMsgId"], tt.wantMsgID)
			}
			if msg, _ := a.info()["resultMsg"].(string); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("resultMsg %q, want it to say %q", msg, tt.wantMsg)
			}
		})
	}
}

// reformat re-indents the request value of a signed envelope: the same
// JSON, other bytes, so the signature no longer matches.
func reformat(t *testing.T, envelope []byte) []byte {
	t.Helper()
	env, err := sign.ExtractEnvelope(envelope, sign.NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, env.Value, "", " "); err != nil {
		t.Fatal(err)
	}
	return sign.EnvelopeJSON(sign.NodeRequest, buf.Bytes(), env.Signature)
}

// TestPrettyBodyFirst: a pretty-printed request value with body before head,
// signed over exactly its bytes, and a pretty-printed outer envelope, with
// the signature before the request.
func TestPrettyBodyFirst(t *testing.T) {
	_, c := harness(t)
	var pretty bytes.Buffer
	compact := `{"body":` + c.body(kv{"merchantTransId", "nothing"}) + `,"head":` + c.head(fnQuery, kv{"reqMsgId", "pretty-1"}, kv{"reserve", raw(`"{\"k\":\"<&>\"}"`)}) + `}`
	if err := json.Indent(&pretty, []byte(compact), "    ", "    "); err != nil {
		t.Fatal(err)
	}
	sig, err := sign.SignEnvelopeValue(c.key, sign.RSA2, pretty.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	body := "{ \n    \"signature\" : \"" + sig + "\",\n    \"request\" : " + pretty.String() + " \n}\n"
	a := c.post(pathPayQuery, []byte(body))
	want(t, c, a, "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	if a.Resp.Head["reqMsgId"] != "pretty-1" || a.Resp.Head["reserve"] != `{"k":"<&>"}` || !bytes.Contains(a.raw, []byte(`"reserve":"{\"k\":\"<&>\"}"`)) || a.Resp.Head["function"] != fnQuery ||
		a.Resp.Head["clientId"] != c.app.IntlClientID || a.Resp.Head["version"] != "2.0.2" {
		t.Errorf("head %v does not echo the request's", a.Resp.Head)
	}
}

// TestRSAClient: a client whose key is RSA (SHA1withRSA) must say so; the
// default, RSA2, finds no key of that type.
func TestRSAClient(t *testing.T) {
	srv, _ := harness(t)
	c := newClient(t, srv.URL, srv.NewApp(t, zfb.SignTypeRSA))
	body := c.body(kv{"merchantTransId", "nothing"})
	want(t, c, c.call(pathPayQuery, value(c.head(fnQuery), body)), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA)
	want(t, c, c.post(pathPayQuery, c.envelope(value(c.head(fnQuery, kv{"signType", nil}), body), sign.RSA2)),
		"KEY_NO_FOUND", "00000008", "F", sign.RSA2)
}

// TestForbiddenFunction: an app not granted the function.
func TestForbiddenFunction(t *testing.T) {
	srv, _ := harness(t)
	app, err := sandbox.NewApp("", zfb.SignTypeRSA2, []string{"alipay.trade.query", fnQuery})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Service.CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL, sandbox.AppCredentials(app))
	want(t, c, c.call(pathPayCancel, value(c.head("alipay.intl.acquiring.common.payCancel"), c.body(kv{"merchantTransId", "x"}))),
		"CLIENT_FORBIDDEN_ACCESS_API", "12014152", "F", sign.RSA2)
	want(t, c, c.call(pathPayQuery, value(c.head(fnQuery), c.body(kv{"merchantTransId", "x"}))),
		"ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
}

// TestNoInterfaceDef: any other path under the prefix, whatever the method,
// answers NO_INTERFACE_DEF in an envelope with HTTP 200 — signed when the
// body names a known client.
func TestNoInterfaceDef(t *testing.T) {
	_, c := harness(t)
	req := c.envelope(value(c.head("alipay.intl.acquiring.offline.preCreate", kv{"reqMsgId", "nid"}), c.body()), sign.RSA2)
	for _, path := range []string{
		intl.Prefix, intl.Prefix + "acquiring/offline/precreate.htm", intl.Prefix + "acquiring/common/refund.htm",
		intl.Prefix + "acquiring/offline/PAY.htm", intl.Prefix + "acquiring/offline/pay.htm/x", intl.Prefix + "x?y=1",
	} {
		a := c.post(path, req)
		want(t, c, a, "NO_INTERFACE_DEF", "00000013", "F", sign.RSA2)
		if a.Resp.Head["reqMsgId"] != "nid" || a.Resp.Head["function"] != "alipay.intl.acquiring.offline.preCreate" {
			t.Errorf("%s: head %v", path, a.Resp.Head)
		}
		want(t, c, c.post(path, []byte("garbage")), "NO_INTERFACE_DEF", "00000013", "F", "")
		want(t, c, c.send(http.MethodGet, path, nil), "NO_INTERFACE_DEF", "00000013", "F", "")
	}
}

// TestMethodNotAllowed: a served path takes only POST.
func TestMethodNotAllowed(t *testing.T) {
	_, c := harness(t)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		a := c.send(m, pathPay, nil)
		if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST" {
			t.Fatalf("%s: status %d Allow %q", m, a.status, a.header.Get("Allow"))
		}
		if a.code() != "PARAM_ILLEGAL" || a.Signature != nil || a.Resp.Head["function"] != "alipay.intl.acquiring.offline.pay" {
			t.Fatalf("%s: %s", m, a.raw)
		}
	}
}

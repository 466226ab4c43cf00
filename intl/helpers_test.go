package intl_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// Paths of the four APIs.
const (
	pathPay       = intl.Prefix + "acquiring/offline/pay.htm"
	pathPayQuery  = intl.Prefix + "acquiring/offline/payquery.htm"
	pathPayCancel = intl.Prefix + "acquiring/common/paycancel.htm"
	pathRefund    = intl.Prefix + "acquiring/common/grefund.htm"
)

// client plays a merchant: it builds requests by hand, signs them with the
// app's private key and checks the answers with the gateway's public key.
type client struct {
	t    testing.TB
	base string // the server's root URL
	app  sandbox.App
	key  *rsa.PrivateKey
	gw   *rsa.PublicKey
}

func newClient(t testing.TB, base string, app sandbox.App) *client {
	t.Helper()
	key, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := sign.ParsePublicKey(app.AlipayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, app: app, key: key, gw: gw}
}

// kv is one member of a hand-built object, in order; a value of type raw
// is spliced as is, any other is marshalled.
type kv struct {
	k string
	v any
}

type raw string

// obj renders members compactly in the order given; a nil value leaves the
// member out (so that a test can drop a default).
func obj(members ...kv) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for _, m := range members {
		if m.v == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteByte(':')
		if r, ok := m.v.(raw); ok {
			b.WriteString(string(r))
		} else {
			v, _ := json.Marshal(m.v)
			b.Write(v)
		}
	}
	b.WriteByte('}')
	return b.String()
}

var msgSeq atomic.Int64

// head is a request head for function; over replaces or (with a nil value)
// removes members, or adds new ones at the end.
func (c *client) head(function string, over ...kv) string {
	members := []kv{
		{"version", "2.0.2"}, {"function", function}, {"clientId", c.app.IntlClientID},
		{"reqTime", time.Now().Format(time.RFC3339)},
		{"reqMsgId", fmt.Sprintf("msg%d", msgSeq.Add(1))},
	}
	if c.app.SignType == "RSA" {
		members = append(members, kv{"signType", "RSA"})
	}
	return obj(override(members, over)...)
}

func override(members, over []kv) []kv {
	for _, o := range over {
		found := false
		for i := range members {
			if members[i].k == o.k {
				members[i].v, found = o.v, true
			}
		}
		if !found {
			members = append(members, o)
		}
	}
	return members
}

// body is a request body with the app's partnerId first.
func (c *client) body(members ...kv) string {
	return obj(override([]kv{{"partnerId", c.app.IntlPartnerID}}, members)...)
}

// value is a request value, head first.
func value(head, body string) string { return `{"head":` + head + `,"body":` + body + `}` }

// envelope signs v with the app's key under alg and splices it.
func (c *client) envelope(v string, alg sign.Algorithm) []byte {
	c.t.Helper()
	sig, err := sign.SignEnvelopeValue(c.key, alg, []byte(v))
	if err != nil {
		c.t.Fatal(err)
	}
	return sign.EnvelopeJSON(sign.NodeRequest, []byte(v), sig)
}

// answer is a response, raw and decoded.
type answer struct {
	status int
	header http.Header
	raw    []byte
	Resp   struct {
		Head map[string]any `json:"head"`
		Body map[string]any `json:"body"`
	} `json:"response"`
	Signature *string `json:"signature"`
}

func (a *answer) info() map[string]any {
	m, _ := a.Resp.Body["resultInfo"].(map[string]any)
	return m
}

func (a *answer) code() string { s, _ := a.info()["resultCode"].(string); return s }

func (a *answer) str(key string) string { s, _ := a.Resp.Body[key].(string); return s }

func (a *answer) money(key string) string {
	m, _ := a.Resp.Body[key].(map[string]any)
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%v %v", m["currency"], m["value"])
}

// post sends body to path and decodes the answer.
func (c *client) post(path string, body []byte) *answer {
	c.t.Helper()
	return c.send(http.MethodPost, path, body)
}

func (c *client) send(method, path string, body []byte) *answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	a := &answer{status: resp.StatusCode, header: resp.Header, raw: b}
	if err := json.Unmarshal(b, a); err != nil {
		c.t.Fatalf("%s %s answered %d %q: %v", method, path, resp.StatusCode, b, err)
	}
	return a
}

// call signs a request value with the app's algorithm and posts it.
func (c *client) call(path, v string) *answer {
	c.t.Helper()
	return c.post(path, c.envelope(v, sign.Algorithm(c.app.SignType)))
}

// want checks an answer's resultInfo; a signed answer must verify with alg
// over the raw response slice, an unsigned one ("" alg) must have no
// signature.
func want(t testing.TB, c *client, a *answer, code, codeID, status string, alg sign.Algorithm) {
	t.Helper()
	info := a.info()
	if info["resultCode"] != code || info["resultCodeId"] != codeID || info["resultStatus"] != status {
		t.Fatalf("resultInfo = %v, want %s %s %s; answer %s", info, code, codeID, status, a.raw)
	}
	if msg, _ := info["resultMsg"].(string); msg == "" {
		t.Errorf("resultInfo has no resultMsg: %s", a.raw)
	}
	if a.status != http.StatusOK {
		t.Errorf("HTTP status %d, want 200", a.status)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	verifyAnswer(t, c, a, alg)
}

func verifyAnswer(t testing.TB, c *client, a *answer, alg sign.Algorithm) {
	t.Helper()
	if alg == "" {
		if a.Signature != nil {
			t.Errorf("answer is signed, want unsigned: %s", a.raw)
		}
		return
	}
	env, err := sign.ExtractEnvelope(a.raw, sign.NodeResponse)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.VerifyEnvelope(c.gw, alg, env); err != nil {
		t.Fatalf("answer does not verify with %s: %v\n%s", alg, err, a.raw)
	}
	if rt, _ := a.Resp.Head["respTime"].(string); !strings.HasSuffix(rt, "+08:00") {
		t.Errorf("respTime %q, want RFC 3339 in +08:00", rt)
	} else if _, err := time.Parse(time.RFC3339, rt); err != nil {
		t.Errorf("respTime %q: %v", rt, err)
	}
}

// harness is a zfbtest server and a client of its sandbox app.
func harness(t *testing.T) (*zfbtest.Server, *client) {
	t.Helper()
	srv := zfbtest.NewServer(t)
	return srv, newClient(t, srv.URL, srv.App())
}

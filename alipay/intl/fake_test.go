package intl

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb/sign"
)

const (
	testClientID  = "2112345678901234044"
	testPartnerID = "2188200000000000023"
)

var (
	keysOnce                sync.Once
	merchantKey, alipayKey  *rsa.PrivateKey
	strangerKey             *rsa.PrivateKey // signs nothing legitimate
	uuidPattern             = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	testClock               = time.Date(2024, 5, 13, 17, 49, 20, 0, time.FixedZone("", 8*60*60))
	testClockReqTime        = "2024-05-13T17:49:20+08:00"
	defaultFakeResponseBody = `{"resultInfo":{"resultStatus":"S","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"}}`
)

func testKeys(tb testing.TB) (merchant, alipay, stranger *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		for _, k := range []**rsa.PrivateKey{&merchantKey, &alipayKey, &strangerKey} {
			if *k, err = sign.GenerateKey(2048); err != nil {
				panic(err)
			}
		}
	})
	return merchantKey, alipayKey, strangerKey
}

// seen is what the fake gateway received.
type seen struct {
	Path        string
	ContentType string
	Raw         []byte // the whole envelope, as sent
	Value       []byte // the request value, as signed
	Head        map[string]string
	Body        map[string]any
}

// answer is how the fake gateway replies.
type answer struct {
	status    int               // default 200
	body      string            // response.body; default a bare SUCCESS resultInfo
	head      map[string]string // overrides of the echoed head ("" deletes)
	bodyFirst bool              // {"body":…,"head":…} with alphabetical head keys, as Alipay's live answer
	pretty    bool              // indent the value (signed as indented) and the envelope
	sigFirst  bool              // put "signature" before "response"
	unsigned  bool
	signer    *rsa.PrivateKey // default Alipay's key
	tamper    [2]string       // replace tamper[0] by tamper[1] in the body after signing
	raw       string          // send this instead of an envelope
	sleep     time.Duration
}

// fakeAlipay plays Alipay's intl gateway on loopback: it verifies the
// client's signature over the exact request text and answers signed
// envelopes.
type fakeAlipay struct {
	t     testing.TB
	srv   *httptest.Server
	reply func(seen) answer

	mu     sync.Mutex
	calls  []seen
	prefix string // the base URL's path prefix
}

func newFake(t testing.TB, reply func(seen) answer) *fakeAlipay {
	f := &fakeAlipay{t: t, reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAlipay) client(opts ...Option) *Client {
	f.t.Helper()
	m, a, _ := testKeys(f.t)
	opts = append([]Option{WithBaseURL(f.srv.URL), WithPartnerID(testPartnerID), WithClock(func() time.Time { return testClock })}, opts...)
	c, err := New(testClientID, sign.PrivateKeyPKCS1PEM(m), sign.PublicKeyPEM(&a.PublicKey), opts...)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fakeAlipay) last() seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		f.t.Fatal("the gateway saw no call")
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeAlipay) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	m, a, _ := testKeys(t)
	raw, _ := io.ReadAll(r.Body)
	s := seen{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Raw: raw}
	if r.Method != http.MethodPost {
		t.Errorf("method %s", r.Method)
	}
	env, err := sign.ExtractEnvelope(raw, sign.NodeRequest)
	if err != nil {
		t.Errorf("gateway: %v in %s", err, raw)
		http.Error(w, "bad envelope", http.StatusBadRequest)
		return
	}
	s.Value = env.Value
	if err := sign.VerifyEnvelope(&m.PublicKey, sign.RSA2, env); err != nil {
		t.Errorf("gateway: request signature over the exact request text: %v", err)
	}
	var v struct {
		Head map[string]string `json:"head"`
		Body map[string]any    `json:"body"`
	}
	if err := json.Unmarshal(env.Value, &v); err != nil {
		t.Errorf("gateway: request value: %v", err)
	}
	s.Head, s.Body = v.Head, v.Body
	f.mu.Lock()
	if want, _ := FunctionPath(v.Head["function"]); r.URL.Path != f.prefix+want {
		t.Errorf("gateway: path %s for function %s, want %s", r.URL.Path, v.Head["function"], f.prefix+want)
	}
	f.calls = append(f.calls, s)
	f.mu.Unlock()

	ans := f.reply(s)
	if ans.sleep > 0 {
		select {
		case <-time.After(ans.sleep):
		case <-r.Context().Done():
			return
		}
	}
	if ans.status != 0 && ans.status != http.StatusOK {
		http.Error(w, "bad gateway", ans.status)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if ans.raw != "" {
		_, _ = io.WriteString(w, ans.raw)
		return
	}
	_, _ = w.Write(f.render(s, ans, a))
}

// render builds the response envelope of ans to the request s.
func (f *fakeAlipay) render(s seen, ans answer, alipay *rsa.PrivateKey) []byte {
	t := f.t
	head := map[string]string{
		"version":  s.Head["version"],
		"function": s.Head["function"],
		"clientId": s.Head["clientId"],
		"respTime": "2024-05-13T17:49:21+08:00",
		"reqMsgId": s.Head["reqMsgId"],
	}
	for k, v := range ans.head {
		if v == "" {
			delete(head, k)
		} else {
			head[k] = v
		}
	}
	order := []string{"version", "function", "clientId", "respTime", "reqMsgId"} // the pages' order
	if ans.bodyFirst {
		order = []string{"clientId", "function", "reqMsgId", "respTime", "version"} // alphabetical, live
	}
	var h bytes.Buffer
	h.WriteByte('{')
	for _, k := range order {
		if v, ok := head[k]; ok {
			if h.Len() > 1 {
				h.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(v)
			h.Write(kb)
			h.WriteByte(':')
			h.Write(vb)
		}
	}
	h.WriteByte('}')
	body := ans.body
	if body == "" {
		body = defaultFakeResponseBody
	}
	value := `{"head":` + h.String() + `,"body":` + body + `}`
	if ans.bodyFirst {
		value = `{"body":` + body + `,"head":` + h.String() + `}`
	}
	if ans.pretty {
		var ind bytes.Buffer
		if err := json.Indent(&ind, []byte(value), "  ", "  "); err != nil {
			t.Errorf("fake: indenting %s: %v", value, err)
		}
		value = ind.String()
	}
	sig := ""
	if !ans.unsigned {
		signer := ans.signer
		if signer == nil {
			signer = alipay
		}
		var err error
		if sig, err = sign.SignEnvelopeValue(signer, sign.RSA2, []byte(value)); err != nil {
			t.Errorf("fake: signing: %v", err)
		}
	}
	var out string
	switch {
	case ans.pretty && ans.sigFirst:
		out = "{\n  \"signature\": \"" + sig + "\",\n  \"response\": " + value + "\n}\n"
	case ans.pretty:
		out = "{\n  \"response\": " + value + ",\n  \"signature\": \"" + sig + "\"\n}\n"
	case ans.sigFirst:
		out = `{"signature":"` + sig + `","response":` + value + `}`
	default:
		out = string(sign.EnvelopeJSON(sign.NodeResponse, []byte(value), sig))
	}
	if ans.tamper[0] != "" {
		if !strings.Contains(out, ans.tamper[0]) {
			t.Errorf("fake: nothing to tamper with: %q not in %s", ans.tamper[0], out)
		}
		out = strings.Replace(out, ans.tamper[0], ans.tamper[1], 1)
	}
	return []byte(out)
}

// resultBody is a response body holding resultInfo and the given members
// (a JSON object's inside, without braces, or "").
func resultBody(status, codeID, code, msg, members string) string {
	ri := `{"resultInfo":{"resultStatus":"` + status + `","resultCodeId":"` + codeID + `","resultCode":"` + code + `","resultMsg":"` + msg + `"}`
	if members != "" {
		ri += "," + members
	}
	return ri + "}"
}

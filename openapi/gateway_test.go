package openapi_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
)

// testGateway is a gateway over a real SQLite file with a sandbox app and
// two test methods: zfb.test.echo answers the biz_content's fields back,
// zfb.test.fail fails with an internal error.
type testGateway struct {
	t          testing.TB
	handler    http.Handler
	app        *zfb.App
	appKey     *rsa.PrivateKey
	gatewayPub *rsa.PublicKey
	svc        *zfb.Service
}

// testNow is the test gateway's clock: the timestamp of params.
var testNow = time.Date(2026, 11, 23, 10, 0, 0, 0, zfb.Beijing)

func newTestGateway(t testing.TB, opts ...openapi.Option) *testGateway {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	// The clock stands at the requests' timestamp (params), which the
	// default timestamp window checks.
	svc := zfb.NewService(store, zfb.ClockFunc(func() time.Time { return testNow }), nil)
	sb, err := sandbox.Generate(sandbox.WithKeys(testkeys.Sequence()))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateSandbox(ctx, sb); err != nil {
		t.Fatal(err)
	}
	g := openapi.New(svc, svc.Logger, opts...)
	g.Register("zfb.test.echo", openapi.Method{Handle: func(_ context.Context, c *openapi.Call) (any, error) {
		var fields map[string]any
		if err := json.Unmarshal(c.BizContent, &fields); err != nil {
			return nil, err
		}
		return fields, nil
	}})
	g.Register("zfb.test.fail", openapi.Method{OptionalBizContent: true, Handle: func(context.Context, *openapi.Call) (any, error) {
		return nil, errors.New("secret internal detail")
	}})
	app := sb.Apps[0]
	appKey, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	gatewayPub, err := sign.ParsePublicKey(app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testGateway{t: t, handler: g, app: app, appKey: appKey, gatewayPub: gatewayPub, svc: svc}
}

// params are a valid, unsigned set of common parameters for method.
func (g *testGateway) params(method, biz string) map[string]string {
	return map[string]string{
		"app_id": g.app.ID, "method": method, "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "timestamp": "2026-11-23 10:00:00", "version": "1.0",
		"biz_content": biz,
	}
}

func (g *testGateway) signed(p map[string]string) map[string]string {
	g.t.Helper()
	if err := sign.SignRequest(g.appKey, sign.RSA2, p); err != nil {
		g.t.Fatal(err)
	}
	return p
}

// post sends p as the Java SDK does: biz_content in the body, the rest in
// the query string. It returns the response.
func (g *testGateway) post(p map[string]string) *httptest.ResponseRecorder {
	query, body := url.Values{}, url.Values{}
	for k, v := range p {
		if k == "biz_content" {
			body.Set(k, v)
		} else {
			query.Set(k, v)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/gateway.do?"+query.Encode(), strings.NewReader(body.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	w := httptest.NewRecorder()
	g.handler.ServeHTTP(w, r)
	return w
}

type node struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

// answer checks the envelope and returns the decoded node. signed says
// whether the answer must carry a valid gateway signature.
func (g *testGateway) answer(w *httptest.ResponseRecorder, nodeName string, signed bool) node {
	g.t.Helper()
	if w.Code != http.StatusOK {
		g.t.Fatalf("HTTP %d, want 200 for every gateway answer", w.Code)
	}
	body := w.Body.Bytes()
	if !bytes.HasPrefix(body, []byte(`{"`+nodeName+`":{"code":"`)) {
		g.t.Fatalf("body does not start with the compact %s node: %s", nodeName, body)
	}
	var sr *sign.SignedResponse
	var err error
	if signed {
		sr, err = sign.VerifyResponse(g.gatewayPub, sign.RSA2, body, nodeName)
		if err != nil {
			g.t.Fatalf("response signature: %v\n%s", err, body)
		}
	} else {
		sr, err = sign.ExtractResponse(body, nodeName)
		if err != nil {
			g.t.Fatal(err)
		}
		if sr.Sign != "" {
			g.t.Fatalf("answer is signed, want unsigned: %s", body)
		}
	}
	if sr.Node != nodeName {
		g.t.Fatalf("node %q, want %q", sr.Node, nodeName)
	}
	var n node
	if err := json.Unmarshal(sr.Value, &n); err != nil {
		g.t.Fatal(err)
	}
	return n
}

func TestCommonParameterErrors(t *testing.T) {
	g := newTestGateway(t)
	const node = "alipay_zfb_no_such_method_response"
	tests := []struct {
		name    string
		edit    func(p map[string]string) // applied to a valid, signed request
		resign  bool                      // sign again after edit
		node    string
		signed  bool
		code    string
		subCode string
	}{
		{"unknown method", func(map[string]string) {}, false, node, true, "40002", "isv.invalid-method"},
		{"missing method", func(p map[string]string) { delete(p, "method") }, true, "error_response", true, "40001", "isv.missing-method"},
		{"missing app_id", func(p map[string]string) { delete(p, "app_id") }, true, node, false, "40001", "isv.missing-app-id"},
		{"unknown app_id", func(p map[string]string) { p["app_id"] = "2021009999999999" }, true, node, false, "40002", "isv.invalid-app-id"},
		{"missing sign", func(p map[string]string) { delete(p, "sign") }, false, node, true, "40001", "isv.missing-signature"},
		{"missing sign_type", func(p map[string]string) { delete(p, "sign_type") }, true, node, true, "40001", "isv.missing-signature-type"},
		{"unknown sign_type", func(p map[string]string) { p["sign_type"] = "MD5" }, true, node, true, "40002", "isv.invalid-signature-type"},
		{"missing timestamp", func(p map[string]string) { delete(p, "timestamp") }, true, node, true, "40001", "isv.missing-timestamp"},
		{"malformed timestamp", func(p map[string]string) { p["timestamp"] = "2026-13-01 10:00:00" }, true, node, true, "40002", "isv.invalid-timestamp"},
		{"timestamp without seconds", func(p map[string]string) { p["timestamp"] = "2026-11-23 10:00" }, true, node, true, "40002", "isv.invalid-timestamp"},
		{"missing version", func(p map[string]string) { delete(p, "version") }, true, node, true, "40001", "isv.missing-version"},
		{"wrong version", func(p map[string]string) { p["version"] = "2.0" }, true, node, true, "40002", "isv.invalid-parameter"},
		{"tampered value", func(p map[string]string) { p["biz_content"] = `{"a":"2"}` }, false, node, true, "40002", "isv.invalid-signature"},
		{"unsupported charset", func(p map[string]string) { p["charset"] = "latin1" }, true, node, true, "40002", "isv.invalid-charset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := g.signed(g.params("alipay.zfb.no.such.method", `{"a":"1"}`))
			tt.edit(p)
			if tt.resign {
				delete(p, "sign")
				g.signed(p)
			}
			n := g.answer(g.post(p), tt.node, tt.signed)
			if n.Code != tt.code || n.SubCode != tt.subCode {
				t.Fatalf("got %s %s (%s), want %s %s", n.Code, n.SubCode, n.SubMsg, tt.code, tt.subCode)
			}
			if n.Msg != zfb.CodeMsg(tt.code) {
				t.Fatalf("msg %q, want %q", n.Msg, zfb.CodeMsg(tt.code))
			}
		})
	}
}

func TestInvalidSignatureEchoesSignString(t *testing.T) {
	g := newTestGateway(t)
	p := g.signed(g.params("zfb.test.echo", `{"x":"1"}`))
	p["timestamp"] = "2026-11-23 10:00:01" // changed after signing
	n := g.answer(g.post(p), "zfb_test_echo_response", true)
	if n.SubCode != "isv.invalid-signature" {
		t.Fatalf("sub_code %s", n.SubCode)
	}
	want := `app_id=` + g.app.ID + `&amp;biz_content={"x":"1"}&amp;charset=utf-8&amp;format=JSON&amp;method=zfb.test.echo&amp;sign_type=RSA2&amp;timestamp=2026-11-23 10:00:01&amp;version=1.0`
	if !strings.HasSuffix(n.SubMsg, want) {
		t.Fatalf("sub_msg does not end with the gateway's sign string\n got: %s\nwant: …%s", n.SubMsg, want)
	}
}

func TestSignTypeOfAnotherAlgorithm(t *testing.T) {
	g := newTestGateway(t)
	p := g.params("zfb.test.echo", `{"x":"1"}`)
	p["sign_type"] = "RSA"
	if err := sign.SignRequest(g.appKey, sign.RSA, p); err != nil {
		t.Fatal(err)
	}
	w := g.post(p)
	// Answered with the request's algorithm, so an RSA client can read it.
	sr, err := sign.VerifyResponse(g.gatewayPub, sign.RSA, w.Body.Bytes(), "zfb_test_echo_response")
	if err != nil {
		t.Fatalf("%v\n%s", err, w.Body)
	}
	if !bytes.Contains(sr.Value, []byte(`"sub_code":"isv.missing-signature-config"`)) {
		t.Fatalf("got %s", sr.Value)
	}
}

func TestMethodLevelChecks(t *testing.T) {
	g := newTestGateway(t)
	tests := []struct {
		name, method, biz string
		edit              func(map[string]string)
		code, subCode     string
	}{
		{"echo", "zfb.test.echo", `{"out_trade_no":"T1","subject":"<&>"}`, nil, "10000", ""},
		{"missing biz_content", "zfb.test.echo", "", nil, "40001", "isv.missing-parameter"},
		{"biz_content not JSON", "zfb.test.echo", `{"a":`, nil, "40002", "isv.invalid-parameter"},
		{"biz_content not an object", "zfb.test.echo", `[1]`, nil, "40002", "isv.invalid-parameter"},
		{"format xml", "zfb.test.echo", `{}`, func(p map[string]string) { p["format"] = "xml" }, "40002", "isv.invalid-format"},
		{"format lower case json", "zfb.test.echo", `{}`, func(p map[string]string) { p["format"] = "json" }, "10000", ""},
		{"no format (Node SDK)", "zfb.test.echo", `{}`, func(p map[string]string) { delete(p, "format") }, "10000", ""},
		{"internal failure", "zfb.test.fail", "", nil, "20000", "isp.unknow-error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := g.params(tt.method, tt.biz)
			if tt.edit != nil {
				tt.edit(p)
			}
			w := g.post(g.signed(p))
			n := g.answer(w, sign.ResponseNode(tt.method), true)
			if n.Code != tt.code || n.SubCode != tt.subCode {
				t.Fatalf("got %s %s (%s), want %s %s\n%s", n.Code, n.SubCode, n.SubMsg, tt.code, tt.subCode, w.Body)
			}
			if strings.Contains(w.Body.String(), "secret internal detail") {
				t.Fatal("internal error text reached the wire")
			}
		})
	}
	t.Run("echo renders code and msg first, HTML characters raw", func(t *testing.T) {
		w := g.post(g.signed(g.params("zfb.test.echo", `{"subject":"<&>","out_trade_no":"T1"}`)))
		want := `{"zfb_test_echo_response":{"code":"10000","msg":"Success","out_trade_no":"T1","subject":"<&>"},"sign":"`
		if !strings.HasPrefix(w.Body.String(), want) || !strings.HasSuffix(w.Body.String(), `"}`) {
			t.Fatalf("got  %s\nwant %s…\"}", w.Body, want)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
	})
}

func TestPermissions(t *testing.T) {
	g := newTestGateway(t)
	app, err := sandbox.NewApp("", zfb.SignTypeRSA2, []string{"zfb.test.fail"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.svc.CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	g.app = app
	if g.appKey, err = sign.ParsePrivateKey(app.AppPrivateKey); err != nil {
		t.Fatal(err)
	}
	if g.gatewayPub, err = sign.ParsePublicKey(app.GatewayPublicKey); err != nil {
		t.Fatal(err)
	}
	n := g.answer(g.post(g.signed(g.params("zfb.test.echo", `{}`))), "zfb_test_echo_response", true)
	if n.Code != "40006" || n.SubCode != "isv.insufficient-isv-permissions" {
		t.Fatalf("got %+v", n)
	}
}

func TestTransports(t *testing.T) {
	g := newTestGateway(t)
	t.Run("GET", func(t *testing.T) {
		q := url.Values{}
		for k, v := range g.signed(g.params("zfb.test.echo", `{"a":"1"}`)) {
			q.Set(k, v)
		}
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/gateway.do?"+q.Encode(), nil))
		if n := g.answer(w, "zfb_test_echo_response", true); n.Code != "10000" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("everything in the body, charset twice (gopay)", func(t *testing.T) {
		p := g.signed(g.params("zfb.test.echo", `{"a":"1"}`))
		body := url.Values{}
		for k, v := range p {
			body.Set(k, v)
		}
		r := httptest.NewRequest(http.MethodPost, "/gateway.do?charset=utf-8", strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, r)
		if n := g.answer(w, "zfb_test_echo_response", true); n.Code != "10000" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("a parameter twice with different values", func(t *testing.T) {
		p := g.signed(g.params("zfb.test.echo", `{"a":"1"}`))
		r := httptest.NewRequest(http.MethodPost, "/gateway.do?version=1.1", strings.NewReader(form(p).Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, r)
		if n := g.answer(w, "zfb_test_echo_response", true); n.SubCode != "isv.invalid-parameter" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("Node SDK signs empty values", func(t *testing.T) {
		p := g.params("zfb.test.echo", `{"a":"1"}`)
		p["app_auth_token"] = ""
		content := sign.RequestContentWithEmpty(p)
		s, err := sign.Sign(g.appKey, sign.RSA2, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		p["sign"] = s
		if n := g.answer(g.post(p), "zfb_test_echo_response", true); n.Code != "10000" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("PUT is not a gateway call", func(t *testing.T) {
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/gateway.do", nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("HTTP %d", w.Code)
		}
	})
}

func form(p map[string]string) url.Values {
	v := url.Values{}
	for k, s := range p {
		v.Set(k, s)
	}
	return v
}

// TestGBK is the path of Java's SDK with charset=GBK: the values are
// percent-encoded GBK bytes, the signature is over GBK bytes, and the answer
// is GBK-encoded, declared so, and signed over its GBK bytes.
func TestGBK(t *testing.T) {
	g := newTestGateway(t)
	enc := simplifiedchinese.GBK.NewEncoder()
	biz, err := enc.String(`{"subject":"测试商品 咖啡","emoji":"☕"}`)
	if err == nil {
		t.Fatal("expected ☕ to be outside GBK; pick another character")
	}
	biz, err = enc.String(`{"subject":"测试商品 咖啡","store":"杭州"}`)
	if err != nil {
		t.Fatal(err)
	}
	p := g.params("zfb.test.echo", biz)
	p["charset"] = "GBK"
	g.signed(p) // over the GBK bytes
	w := g.post(p)
	if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=GBK" {
		t.Fatalf("Content-Type %q", ct)
	}
	// Verify as Java does: decode the body, extract the node from the
	// text, encode it back to GBK and verify those bytes. (Scanning raw GBK
	// would trip over trail bytes that equal '\\'.)
	text, err := simplifiedchinese.GBK.NewDecoder().Bytes(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sr, err := sign.ExtractResponse(text, "zfb_test_echo_response")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := simplifiedchinese.GBK.NewEncoder().Bytes(sr.Value)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.Verify(g.gatewayPub, sign.RSA2, signed, sr.Sign); err != nil {
		t.Fatalf("signature over the GBK bytes: %v", err)
	}
	if !bytes.Contains(text, []byte(`"subject":"测试商品 咖啡"`)) || !bytes.Contains(text, []byte(`"store":"杭州"`)) {
		t.Fatalf("decoded answer lost the text: %s", text)
	}

	t.Run("invalid signature echo is readable text", func(t *testing.T) {
		p := g.params("zfb.test.echo", biz)
		p["charset"] = "GBK"
		g.signed(p)
		p["timestamp"] = "2026-11-23 10:00:02"
		w := g.post(p)
		text, _ := simplifiedchinese.GBK.NewDecoder().Bytes(w.Body.Bytes())
		if !bytes.Contains(text, []byte(`测试商品 咖啡`)) || !bytes.Contains(text, []byte("isv.invalid-signature")) {
			t.Fatalf("got %s", text)
		}
	})
	t.Run("bytes that are not GBK", func(t *testing.T) {
		p := g.params("zfb.test.echo", "{\"subject\":\"\xff\xff\"}")
		p["charset"] = "GBK"
		n := g.answer(g.post(g.signed(p)), "zfb_test_echo_response", true)
		if n.SubCode != "isv.invalid-charset" {
			t.Fatalf("got %+v", n)
		}
	})
}

func TestCharsetFromContentType(t *testing.T) {
	g := newTestGateway(t)
	biz, _ := simplifiedchinese.GBK.NewEncoder().String(`{"subject":"咖啡"}`)
	p := g.params("zfb.test.echo", biz)
	p["charset"] = "GBK"
	g.signed(p)
	delete(p, "charset") // so only the Content-Type names it; the signature must now fail...
	r := httptest.NewRequest(http.MethodPost, "/gateway.do", strings.NewReader(form(p).Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=GBK")
	w := httptest.NewRecorder()
	g.handler.ServeHTTP(w, r)
	// ...but the answer is still GBK, as the Content-Type said.
	if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=GBK" {
		t.Fatalf("Content-Type %q", ct)
	}
	text, _ := simplifiedchinese.GBK.NewDecoder().Bytes(w.Body.Bytes())
	if !bytes.Contains(text, []byte("isv.invalid-signature")) || !bytes.Contains(text, []byte("咖啡")) {
		t.Fatalf("got %s", text)
	}
}

func TestOversizedBody(t *testing.T) {
	g := newTestGateway(t)
	r := httptest.NewRequest(http.MethodPost, "/gateway.do", io.MultiReader(strings.NewReader("a="), bytes.NewReader(make([]byte, 3<<20))))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	g.handler.ServeHTTP(w, r)
	// In the envelope, as Alipay answers (more in TestBoundary).
	if n := g.answer(w, "error_response", false); n.SubCode != "isv.invalid-parameter" {
		t.Fatalf("got %+v", n)
	}
}

// BenchmarkGateway is one whole gateway.do call in process: parse the form,
// read the app, verify the RSA2 request signature, run a method, render,
// sign and write the answer. Every answer is signed afresh (the signature
// cache is off), so the RSA signature dominates.
func BenchmarkGateway(b *testing.B) {
	benchmarkGateway(b, newTestGateway(b, openapi.WithSignatureCache(0)))
}

// BenchmarkGatewayRepeatedAnswer is the same call answered identically each
// time (a till polling an unchanged trade): its signature is reused.
func BenchmarkGatewayRepeatedAnswer(b *testing.B) {
	benchmarkGateway(b, newTestGateway(b))
}

func benchmarkGateway(b *testing.B, g *testGateway) {
	p := g.signed(g.params("zfb.test.echo", `{"out_trade_no":"20150320010101001","total_amount":"88.88","subject":"Iphone6 16G"}`))
	query, body := url.Values{}, url.Values{}
	for k, v := range p {
		if k == "biz_content" {
			body.Set(k, v)
		} else {
			query.Set(k, v)
		}
	}
	target, payload := "/gateway.do?"+query.Encode(), body.Encode()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(payload))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, r)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"code":"10000"`)) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// TestRepeatedAnswersShareASignature: with the cache on or off, identical
// answers carry the same, valid signature (PKCS#1 v1.5 is deterministic),
// so reusing it changes nothing on the wire.
func TestRepeatedAnswersShareASignature(t *testing.T) {
	for _, size := range []int{0, 1024} {
		g := newTestGateway(t, openapi.WithSignatureCache(size))
		p := g.signed(g.params("zfb.test.echo", `{"a":"1"}`))
		first, second := g.post(p).Body.String(), g.post(p).Body.String()
		if first != second {
			t.Fatalf("cache %d: identical calls answered differently:\n%s\n%s", size, first, second)
		}
		g.answer(g.post(p), "zfb_test_echo_response", true)
		other := g.post(g.signed(g.params("zfb.test.echo", `{"a":"2"}`))).Body.String()
		if other[strings.LastIndex(other, `"sign":`):] == first[strings.LastIndex(first, `"sign":`):] {
			t.Fatalf("cache %d: different answers share a signature", size)
		}
	}
}

package alipay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/zfbpay/zfb/sign"
)

const testAppID = "2021000000000001"

var (
	keysOnce       sync.Once
	appKey, aliKey *rsa.PrivateKey // the app's key pair; Alipay's key pair
)

func testKeys(tb testing.TB) (app, ali *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		if appKey, err = sign.GenerateKey(2048); err != nil {
			panic(err)
		}
		if aliKey, err = sign.GenerateKey(2048); err != nil {
			panic(err)
		}
	})
	return appKey, aliKey
}

// gwCall is what the fake gateway saw.
type gwCall struct {
	HTTPMethod  string
	ContentType string
	Query       url.Values        // raw bytes, as sent
	Form        url.Values        // raw bytes, as sent
	Params      map[string]string // query and body merged, raw bytes
	Biz         string            // biz_content as UTF-8
}

// answer is how the fake gateway replies.
type answer struct {
	status   int    // default 200
	node     string // default the method's response node
	value    string // node value, UTF-8 JSON
	unsigned bool
	tamper   [2]string // replace tamper[0] by tamper[1] in the body after signing
	signOver string    // sign this text instead of value
	sleep    time.Duration
}

// fakeGateway plays Alipay's gateway on loopback: it checks the request's
// shape and signature with package sign and answers signed responses.
type fakeGateway struct {
	t       testing.TB
	srv     *httptest.Server
	appPub  *rsa.PublicKey
	aliPriv *rsa.PrivateKey
	reply   func(gwCall) answer

	mu    sync.Mutex
	calls []gwCall
}

func newFakeGateway(t testing.TB, reply func(gwCall) answer) *fakeGateway {
	app, ali := testKeys(t)
	g := &fakeGateway{t: t, appPub: &app.PublicKey, aliPriv: ali, reply: reply}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) last() gwCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.calls) == 0 {
		g.t.Fatal("the gateway saw no call")
	}
	return g.calls[len(g.calls)-1]
}

func (g *fakeGateway) client(opts ...Option) *Client {
	g.t.Helper()
	app, ali := testKeys(g.t)
	opts = append([]Option{WithGateway(g.srv.URL + "/gateway.do")}, opts...)
	c, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey), opts...)
	if err != nil {
		g.t.Fatal(err)
	}
	return c
}

func (g *fakeGateway) serve(w http.ResponseWriter, r *http.Request) {
	t := g.t
	if r.URL.Path != "/gateway.do" {
		t.Errorf("path %q", r.URL.Path)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		t.Errorf("query: %v", err)
	}
	raw, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		t.Errorf("body: %v", err)
	}
	call := gwCall{HTTPMethod: r.Method, ContentType: r.Header.Get("Content-Type"),
		Query: query, Form: form, Params: map[string]string{}}
	for _, vs := range []url.Values{query, form} {
		for k, v := range vs {
			if len(v) != 1 {
				t.Errorf("param %s sent %d times", k, len(v))
			}
			if _, dup := call.Params[k]; dup {
				t.Errorf("param %s both in the query and the body", k)
			}
			call.Params[k] = v[0]
		}
	}
	// Java's split: the common params in the URL, biz_content in the body.
	for _, k := range []string{"app_id", "method", "format", "charset", "sign_type", "sign", "timestamp", "version"} {
		if query.Get(k) == "" {
			t.Errorf("query lacks %s: %s", k, r.URL.RawQuery)
		}
	}
	if query.Has("biz_content") || query.Has("app_auth_token") {
		t.Errorf("biz_content or app_auth_token in the query: %s", r.URL.RawQuery)
	}
	alg := sign.Algorithm(call.Params["sign_type"])
	if _, err := sign.VerifyRequest(g.appPub, alg, call.Params); err != nil {
		t.Errorf("gateway: request signature: %v", err)
	}
	charset := call.Params["charset"]
	call.Biz = call.Params["biz_content"]
	if strings.EqualFold(charset, "gbk") {
		call.Biz = fromGBKTest(t, call.Biz)
	}
	g.mu.Lock()
	g.calls = append(g.calls, call)
	g.mu.Unlock()

	a := g.reply(call)
	if a.sleep > 0 {
		select {
		case <-time.After(a.sleep):
		case <-r.Context().Done():
			return
		}
	}
	if a.status != 0 && a.status != http.StatusOK {
		http.Error(w, "bad gateway", a.status)
		return
	}
	node := a.node
	if node == "" {
		node = sign.ResponseNode(call.Params["method"])
	}
	value, over := []byte(a.value), []byte(a.value)
	if a.signOver != "" {
		over = []byte(a.signOver)
	}
	if strings.EqualFold(charset, "gbk") {
		value, over = toGBKTest(t, value), toGBKTest(t, over)
	}
	var body []byte
	if a.unsigned {
		body = []byte(`{"` + node + `":` + string(value) + `}`)
	} else {
		sig, err := sign.Sign(g.aliPriv, alg, over)
		if err != nil {
			t.Errorf("gateway: signing: %v", err)
		}
		body = sign.Envelope(node, value, "", sig)
	}
	if a.tamper[0] != "" {
		if !bytes.Contains(body, []byte(a.tamper[0])) {
			t.Errorf("nothing to tamper with: %q not in %s", a.tamper[0], body)
		}
		body = bytes.Replace(body, []byte(a.tamper[0]), []byte(a.tamper[1]), 1)
	}
	w.Header().Set("Content-Type", "text/html;charset="+charset)
	_, _ = w.Write(body)
}

func toGBKTest(t testing.TB, b []byte) []byte {
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
	if err != nil {
		t.Errorf("to GBK: %v", err)
	}
	return out
}

func fromGBKTest(t testing.TB, s string) string {
	out, err := simplifiedchinese.GBK.NewDecoder().String(s)
	if err != nil {
		t.Errorf("from GBK: %v", err)
	}
	return out
}

func reply(value string) func(gwCall) answer {
	return func(gwCall) answer { return answer{value: value} }
}

type tradePay struct {
	OutTradeNo  string `json:"out_trade_no"`
	TotalAmount string `json:"total_amount"`
	Subject     string `json:"subject"`
	AuthCode    string `json:"auth_code,omitempty"`
}

type tradePayResponse struct {
	Response
	TradeNo      string `json:"trade_no"`
	OutTradeNo   string `json:"out_trade_no"`
	BuyerLogonID string `json:"buyer_logon_id"`
	TotalAmount  string `json:"total_amount"`
	GmtPayment   string `json:"gmt_payment"`
	Subject      string `json:"subject"`
}

const paidValue = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","gmt_payment":"2024-01-02 00:30:07","out_trade_no":"T1","total_amount":"88.88","trade_no":"2024010222001400001234567890"}`

func TestDoSuccess(t *testing.T) {
	g := newFakeGateway(t, reply(paidValue))
	c := g.client()
	var out tradePayResponse
	err := c.Do(context.Background(), Request{
		Method:       "alipay.trade.pay",
		BizContent:   tradePay{OutTradeNo: "T1", TotalAmount: "88.88", Subject: "a<b>&c d", AuthCode: "28763443825664394"},
		NotifyURL:    "https://merchant.example/notify?x=1",
		AppAuthToken: "202401BBcd",
		Params:       map[string]string{"alipay_sdk": "zfb-go", "prod_code": ""},
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := tradePayResponse{Response: Response{Code: "10000", Msg: "Success"}, TradeNo: "2024010222001400001234567890",
		OutTradeNo: "T1", BuyerLogonID: "159****5620", TotalAmount: "88.88", GmtPayment: "2024-01-02 00:30:07"}
	if out != want {
		t.Errorf("got %+v\nwant %+v", out, want)
	}
	if out.InProgress() {
		t.Error("10000 reported in progress")
	}

	call := g.last()
	if call.HTTPMethod != http.MethodPost {
		t.Errorf("HTTP method %s", call.HTTPMethod)
	}
	if call.ContentType != "application/x-www-form-urlencoded;charset=utf-8" {
		t.Errorf("Content-Type %q", call.ContentType)
	}
	for k, v := range map[string]string{
		"app_id": testAppID, "method": "alipay.trade.pay", "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "version": "1.0", "notify_url": "https://merchant.example/notify?x=1",
		"alipay_sdk": "zfb-go",
	} {
		if got := call.Query.Get(k); got != v {
			t.Errorf("query %s = %q, want %q", k, got, v)
		}
	}
	if call.Query.Has("prod_code") {
		t.Error("empty extra param sent")
	}
	if got, want := call.Form.Get("biz_content"), `{"out_trade_no":"T1","total_amount":"88.88","subject":"a<b>&c d","auth_code":"28763443825664394"}`; got != want {
		t.Errorf("biz_content in body = %s, want %s", got, want)
	}
	if got := call.Form.Get("app_auth_token"); got != "202401BBcd" {
		t.Errorf("app_auth_token in body = %q", got)
	}
	if len(call.Form) != 2 {
		t.Errorf("body holds %v, want only biz_content and app_auth_token", call.Form)
	}
	if _, err := time.Parse(timestampLayout, call.Query.Get("timestamp")); err != nil {
		t.Errorf("timestamp: %v", err)
	}
}

func TestDoBizContentKinds(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success"}`))
	c := g.client()
	for _, tc := range []struct {
		biz  any
		want string
	}{
		{map[string]any{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{json.RawMessage("{ \"out_trade_no\" : \"T1\" }"), `{"out_trade_no":"T1"}`},
		{[]byte(` {"x":"a\u003cb"}`), `{"x":"a\u003cb"}`},
		{`{"a": [1, 2]}`, `{"a":[1,2]}`},
		{nil, ""},
	} {
		if err := c.Do(context.Background(), Request{Method: "alipay.trade.query", BizContent: tc.biz}, nil); err != nil {
			t.Fatal(err)
		}
		call := g.last()
		if call.Biz != tc.want || call.Form.Has("biz_content") != (tc.want != "") {
			t.Errorf("BizContent %#v sent as %q, want %q", tc.biz, call.Biz, tc.want)
		}
	}
	err := c.Do(context.Background(), Request{Method: "alipay.trade.query", BizContent: json.RawMessage("{oops")}, nil)
	if err == nil {
		t.Error("invalid raw JSON accepted")
	}
	err = c.Do(context.Background(), Request{Method: "alipay.trade.query", Params: map[string]string{"sign_type": "RSA"}}, nil)
	if err == nil {
		t.Error("Params overriding sign_type accepted")
	}
}

func TestDoInProgress(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"10003","msg":" order success pay inprocess","out_trade_no":"T2","trade_no":"2024010222001400001234567891","total_amount":"10.00"}`))
	var out tradePayResponse
	if err := g.client().Do(context.Background(), Request{Method: "alipay.trade.pay", BizContent: tradePay{OutTradeNo: "T2"}}, &out); err != nil {
		t.Fatalf("10003 is not an error: %v", err)
	}
	if !out.InProgress() || out.TradeNo != "2024010222001400001234567891" || out.TotalAmount != "10.00" {
		t.Errorf("got %+v", out)
	}
}

func TestDoBusinessError(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL","sub_msg":"撤销或退款金额与订单金额不一致","out_trade_no":"T3","refund_fee":"0.00"}`))
	out := tradePayResponse{TradeNo: "untouched"}
	err := g.client().Do(context.Background(), Request{Method: "alipay.trade.refund", BizContent: map[string]string{"out_trade_no": "T3"}}, &out)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Code != "40004" || e.Msg != "Business Failed" || e.SubCode != "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" ||
		e.SubMsg != "撤销或退款金额与订单金额不一致" || e.Method != "alipay.trade.refund" {
		t.Errorf("got %+v", e)
	}
	if !bytes.Contains(e.Body, []byte(`"refund_fee":"0.00"`)) {
		t.Errorf("Body %s lacks the business fields", e.Body)
	}
	if !IsCode(err, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL") || !IsCode(err, "40004") || IsCode(err, "ACQ.SYSTEM_ERROR") {
		t.Error("IsCode")
	}
	if e.UnknownResult() {
		t.Error("a business failure is a known result")
	}
	if out.TradeNo != "untouched" {
		t.Error("out written on error")
	}
	if msg := err.Error(); !strings.Contains(msg, "alipay.trade.refund") || !strings.Contains(msg, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL") {
		t.Errorf("message %q", msg)
	}
}

func TestDoErrorResponseUnsigned(t *testing.T) {
	g := newFakeGateway(t, func(gwCall) answer {
		return answer{node: "error_response", unsigned: true,
			value: `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}`}
	})
	err := g.client().Do(context.Background(), Request{Method: "alipay.system.oauth.token"}, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != "40002" || e.SubCode != "isv.code-invalid" || e.SubMsg != "授权码code无效" {
		t.Fatalf("got %T %v", err, err)
	}
	if errors.Is(err, ErrSignature) {
		t.Error("an unsigned error is not a signature failure")
	}
}

func TestDoSignedErrorMustVerify(t *testing.T) {
	g := newFakeGateway(t, func(gwCall) answer {
		return answer{value: `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}`,
			tamper: [2]string{"NOT_EXIST", "NOT_EXISX"}}
	})
	err := g.client().Do(context.Background(), Request{Method: "alipay.trade.query"}, nil)
	if !errors.Is(err, ErrSignature) {
		t.Fatalf("signed error with a bad sign: got %v", err)
	}
}

func TestDoTamperedSuccess(t *testing.T) {
	g := newFakeGateway(t, func(gwCall) answer {
		return answer{value: paidValue, tamper: [2]string{"88.88", "98.88"}}
	})
	var out tradePayResponse
	err := g.client().Do(context.Background(), Request{Method: "alipay.trade.pay"}, &out)
	if !errors.Is(err, ErrSignature) || !errors.Is(err, sign.ErrVerification) {
		t.Fatalf("tampered response: got %v", err)
	}
	if !strings.Contains(err.Error(), "alipay.trade.pay") {
		t.Errorf("message lacks the method: %v", err)
	}
	if out.TotalAmount != "" {
		t.Error("out written from a forged response")
	}
}

func TestDoSuccessWithoutSign(t *testing.T) {
	for _, code := range []string{"10000", "10003"} {
		g := newFakeGateway(t, func(gwCall) answer {
			return answer{unsigned: true, value: `{"code":"` + code + `","msg":"Success","total_amount":"1.00"}`}
		})
		var out tradePayResponse
		err := g.client().Do(context.Background(), Request{Method: "alipay.trade.pay"}, &out)
		if !errors.Is(err, ErrSignature) || !errors.Is(err, sign.ErrVerification) {
			t.Errorf("%s without sign: got %v", code, err)
		}
		if out.TotalAmount != "" {
			t.Error("out written from an unsigned response")
		}
	}
}

func TestDoWrongAlipayKey(t *testing.T) {
	g := newFakeGateway(t, reply(paidValue))
	other, err := sign.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	app, _ := testKeys(t)
	c, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&other.PublicKey), WithGateway(g.srv.URL+"/gateway.do"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Do(context.Background(), Request{Method: "alipay.trade.pay"}, nil); !errors.Is(err, ErrSignature) {
		t.Fatalf("got %v", err)
	}
}

func TestDoEscapedSlash(t *testing.T) {
	// Java retries verification with `\/` unescaped (spec §2.2).
	g := newFakeGateway(t, func(gwCall) answer {
		return answer{value: `{"code":"10000","msg":"Success","qr_code":"https:\/\/qr.alipay.com\/bax1"}`,
			signOver: `{"code":"10000","msg":"Success","qr_code":"https://qr.alipay.com/bax1"}`}
	})
	var out struct {
		Response
		QRCode string `json:"qr_code"`
	}
	if err := g.client().Do(context.Background(), Request{Method: "alipay.trade.precreate"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.QRCode != "https://qr.alipay.com/bax1" {
		t.Errorf("qr_code %q", out.QRCode)
	}
}

func TestDoNon200(t *testing.T) {
	g := newFakeGateway(t, func(gwCall) answer { return answer{status: http.StatusBadGateway} })
	err := g.client().Do(context.Background(), Request{Method: "alipay.trade.pay"}, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusBadGateway || he.Method != "alipay.trade.pay" {
		t.Fatalf("got %T %v", err, err)
	}
	if !strings.Contains(string(he.Body), "bad gateway") {
		t.Errorf("body %q", he.Body)
	}
}

func TestDoGBK(t *testing.T) {
	const subject = "测试商品：中文 Ω"
	g := newFakeGateway(t, func(call gwCall) answer {
		// echo the subject the gateway decoded from the GBK request
		var biz tradePay
		if err := json.Unmarshal([]byte(call.Biz), &biz); err != nil {
			t.Errorf("gateway: biz_content %q: %v", call.Biz, err)
		}
		return answer{value: fmt.Sprintf(`{"code":"10000","msg":"Success","out_trade_no":"T4","subject":%q,"total_amount":"1.00"}`, biz.Subject)}
	})
	c := g.client(WithCharset("GBK"))
	var out tradePayResponse
	if err := c.Do(context.Background(), Request{Method: "alipay.trade.pay",
		BizContent: tradePay{OutTradeNo: "T4", TotalAmount: "1.00", Subject: subject}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Subject != subject {
		t.Errorf("subject %q, want %q", out.Subject, subject)
	}

	call := g.last()
	if call.ContentType != "application/x-www-form-urlencoded;charset=gbk" || call.Query.Get("charset") != "gbk" {
		t.Errorf("Content-Type %q, charset %q", call.ContentType, call.Query.Get("charset"))
	}
	rawBiz := call.Form.Get("biz_content")
	if utf8.ValidString(rawBiz) || !strings.Contains(rawBiz, string(toGBKTest(t, []byte(subject)))) {
		t.Errorf("biz_content not sent as GBK bytes: %q", rawBiz)
	}
	if call.Biz != `{"out_trade_no":"T4","total_amount":"1.00","subject":"`+subject+`"}` {
		t.Errorf("gateway decoded biz_content %s", call.Biz)
	}
	// The signature covers the GBK bytes, not the UTF-8 text.
	app, _ := testKeys(t)
	utf8Params := map[string]string{}
	for k, v := range call.Params {
		utf8Params[k] = fromGBKTest(t, v)
	}
	if _, err := sign.VerifyRequest(&app.PublicKey, sign.RSA2, utf8Params); err == nil {
		t.Error("request verifies over UTF-8 bytes; want GBK")
	}
}

func TestDoGBKUnrepresentable(t *testing.T) {
	g := newFakeGateway(t, reply(paidValue))
	err := g.client(WithCharset("gbk")).Do(context.Background(), Request{Method: "alipay.trade.pay",
		BizContent: tradePay{Subject: "emoji 😀"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "GBK") {
		t.Fatalf("got %v", err)
	}
}

func TestDoRSA(t *testing.T) {
	g := newFakeGateway(t, reply(paidValue))
	c := g.client(WithSignType(sign.RSA))
	var out tradePayResponse
	if err := c.Do(context.Background(), Request{Method: "alipay.trade.pay", BizContent: tradePay{OutTradeNo: "T1"}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.TotalAmount != "88.88" {
		t.Errorf("got %+v", out)
	}
	call := g.last()
	if call.Query.Get("sign_type") != "RSA" {
		t.Errorf("sign_type %q", call.Query.Get("sign_type"))
	}
	app, _ := testKeys(t)
	if _, err := sign.VerifyRequest(&app.PublicKey, sign.RSA2, call.Params); err == nil {
		t.Error("an RSA (SHA1) signature verified as RSA2")
	}
}

func TestTimestampUTC8(t *testing.T) {
	g := newFakeGateway(t, reply(paidValue))
	clock := func() time.Time { return time.Date(2024, 1, 1, 16, 30, 5, 0, time.UTC) }
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{[]Option{WithClock(clock)}, "2024-01-02 00:30:05"},
		{[]Option{WithClock(clock), WithLocation(time.UTC)}, "2024-01-01 16:30:05"},
	} {
		if err := g.client(tc.opts...).Do(context.Background(), Request{Method: "alipay.trade.pay"}, nil); err != nil {
			t.Fatal(err)
		}
		if got := g.last().Query.Get("timestamp"); got != tc.want {
			t.Errorf("timestamp %q, want %q", got, tc.want)
		}
	}
}

func TestDoTimeout(t *testing.T) {
	g := newFakeGateway(t, func(gwCall) answer { return answer{value: paidValue, sleep: 300 * time.Millisecond} })
	c := g.client(WithTimeout(30 * time.Millisecond))

	start := time.Now()
	err := c.Do(context.Background(), Request{Method: "alipay.trade.pay"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("took %v", d)
	}
	if strings.Contains(err.Error(), "sign=") {
		t.Errorf("error leaks the signed query: %v", err)
	}

	// A ctx deadline of its own wins over the client's timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Do(ctx, Request{Method: "alipay.trade.pay"}, nil); err != nil {
		t.Fatalf("with the ctx's own deadline: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	app, ali := testKeys(t)
	priv, pub := sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey)
	for name, f := range map[string]func() (*Client, error){
		"empty app_id":  func() (*Client, error) { return New("", priv, pub) },
		"bad private":   func() (*Client, error) { return New(testAppID, "nope", pub) },
		"bad public":    func() (*Client, error) { return New(testAppID, priv, "") },
		"charset":       func() (*Client, error) { return New(testAppID, priv, pub, WithCharset("latin1")) },
		"sign type":     func() (*Client, error) { return New(testAppID, priv, pub, WithSignType("SM2")) },
		"gateway":       func() (*Client, error) { return New(testAppID, priv, pub, WithGateway("gateway.do")) },
		"nil location":  func() (*Client, error) { return New(testAppID, priv, pub, WithLocation(nil)) },
		"nil http":      func() (*Client, error) { return New(testAppID, priv, pub, WithHTTPClient(nil)) },
		"nil clock fun": func() (*Client, error) { return New(testAppID, priv, pub, WithClock(nil)) },
	} {
		if c, err := f(); err == nil || c != nil {
			t.Errorf("%s: got %v, %v", name, c, err)
		}
	}
	c, err := New(testAppID, priv, pub)
	if err != nil {
		t.Fatal(err)
	}
	if c.gateway != ProductionGateway || c.signType != sign.RSA2 || c.charset != "utf-8" || c.loc.String() != "GMT+8" {
		t.Errorf("defaults: %v", c)
	}
	if c.AppID() != testAppID {
		t.Error("AppID")
	}
}

func TestClientStringRedacts(t *testing.T) {
	app, ali := testKeys(t)
	c, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	d := app.D.String()
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		for _, v := range []any{c, *c} {
			s := fmt.Sprintf(f, v)
			if strings.Contains(s, d) || strings.Contains(s, app.D.Text(16)) || strings.Contains(s, "PRIVATE") {
				t.Errorf("%s leaks the private key", f)
			}
			if !strings.Contains(s, "redacted") {
				t.Errorf("%s: %q", f, s)
			}
		}
	}
}

func TestUnknownResult(t *testing.T) {
	for _, tc := range []struct {
		code, sub string
		want      bool
	}{
		{"20000", "isp.unknow-error", true},
		{"20000", "aop.unknow-error", true},
		{"20000", "", true},
		{"20000", "aop.ACQ.SYSTEM_ERROR", true},
		{"40004", "ACQ.SYSTEM_ERROR", true},
		{"40004", "ACQ.TRADE_HAS_SUCCESS", false},
		{"20001", "aop.invalid-app-auth-token", false},
		{"40002", "isv.invalid-signature", false},
	} {
		e := &Error{Code: tc.code, SubCode: tc.sub}
		if e.UnknownResult() != tc.want {
			t.Errorf("%s/%s: UnknownResult %v", tc.code, tc.sub, !tc.want)
		}
	}
	if IsCode(errors.New("x"), "40004") || IsCode(nil, "") {
		t.Error("IsCode on a non-*Error")
	}
	wrapped := fmt.Errorf("pay: %w", &Error{Code: "40004", SubCode: "ACQ.TRADE_HAS_SUCCESS"})
	if !IsCode(wrapped, "ACQ.TRADE_HAS_SUCCESS") {
		t.Error("IsCode does not unwrap")
	}
}

func TestContentTypeCharset(t *testing.T) {
	for ct, want := range map[string]string{
		"text/html;charset=GBK":               "GBK",
		"application/json; charset=\"utf-8\"": "utf-8",
		"text/plain":                          "",
		"":                                    "",
		"text/html; boundary=x; Charset = gb18030 ": "gb18030",
	} {
		if got := contentTypeCharset(ct); got != want {
			t.Errorf("%q: %q, want %q", ct, got, want)
		}
	}
	if got := string(appendQueryEscape(nil, "a b&c=d/é~")); got != url.QueryEscape("a b&c=d/é~") {
		t.Errorf("escape %q", got)
	}
}

func BenchmarkDo(b *testing.B) {
	app, ali := testKeys(b)
	value := []byte(paidValue)
	sig, err := sign.Sign(ali, sign.RSA2, value)
	if err != nil {
		b.Fatal(err)
	}
	resp := sign.Envelope(sign.ResponseNode("alipay.trade.pay"), value, "", sig)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		_, _ = w.Write(resp)
	}))
	defer srv.Close()
	c, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey), WithGateway(srv.URL+"/gateway.do"))
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Method: "alipay.trade.pay", NotifyURL: "https://merchant.example/notify",
		BizContent: tradePay{OutTradeNo: "T1", TotalAmount: "88.88", Subject: "bench", AuthCode: "28763443825664394"}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var out tradePayResponse
		if err := c.Do(ctx, req, &out); err != nil {
			b.Fatal(err)
		}
	}
}

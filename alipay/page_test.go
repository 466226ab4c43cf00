package alipay

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/sign"
)

const pageGateway = "https://gw.example.com/gateway.do"

// pageClock is 2024-01-02 00:30:05 in Beijing.
func pageClock() time.Time { return time.Date(2024, 1, 1, 16, 30, 5, 0, time.UTC) }

func pageClient(tb testing.TB, opts ...Option) *Client {
	tb.Helper()
	return notifyClient(tb, append([]Option{WithGateway(pageGateway), WithClock(pageClock)}, opts...)...)
}

// A subject that breaks naive encoders: space, '&', '=', '+', '"', '<', Chinese.
const trickySubject = `测试 商品 a&b=c+d "q" <x> 'y'`

// verifyAppSigned checks params (raw bytes, in the request charset) against
// their sign with the app's public key, over sign.RequestContent, and
// returns that content.
func verifyAppSigned(t *testing.T, params map[string]string) string {
	t.Helper()
	app, _ := testKeys(t)
	content := sign.RequestContent(params)
	alg := sign.Algorithm(params["sign_type"])
	if err := sign.Verify(&app.PublicKey, alg, []byte(content), params["sign"]); err != nil {
		t.Errorf("the sign does not verify over %q: %v", content, err)
	}
	return content
}

func flatten(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) != 1 {
			panic("param " + k + " repeated")
		}
		out[k] = vs[0]
	}
	return out
}

// bizOf decodes biz_content (raw bytes in charset) into a map.
func bizOf(t *testing.T, params map[string]string, gbk bool) map[string]any {
	t.Helper()
	raw := params["biz_content"]
	if gbk {
		raw = fromGBKTest(t, raw)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("biz_content %q: %v", raw, err)
	}
	return m
}

func TestPageURL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		build   func(c *Client) (string, error)
		method  string
		product string
		gbk     bool
		alg     sign.Algorithm
	}{
		{"page utf-8", nil, func(c *Client) (string, error) {
			return c.TradePagePayURL(TradePagePay{OutTradeNo: "P1", TotalAmount: "88.88", Subject: trickySubject,
				ReturnURL: "https://m.example.com/return", NotifyURL: "https://m.example.com/notify", QRPayMode: "4", QRCodeWidth: 200})
		}, MethodTradePagePay, ProductCodePagePay, false, sign.RSA2},
		{"wap gbk", []Option{WithCharset("GBK")}, func(c *Client) (string, error) {
			return c.TradeWapPayURL(TradeWapPay{OutTradeNo: "W1", TotalAmount: "0.01", Subject: trickySubject,
				ReturnURL: "https://m.example.com/return", QuitURL: "https://m.example.com/quit?a=1&b=2"})
		}, MethodTradeWapPay, ProductCodeWapPay, true, sign.RSA2},
		{"wap rsa", []Option{WithSignType(sign.RSA)}, func(c *Client) (string, error) {
			return c.TradeWapPayURL(TradeWapPay{OutTradeNo: "W2", TotalAmount: "1.00", Subject: trickySubject, ProductCode: "QUICK_WAP_PAY"})
		}, MethodTradeWapPay, "QUICK_WAP_PAY", false, sign.RSA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.build(pageClient(t, tc.opts...))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, pageGateway+"?") {
				t.Fatalf("URL %q does not start with the gateway", got)
			}
			if strings.ContainsAny(got[len(pageGateway)+1:], " \"<>'") {
				t.Errorf("URL %q holds characters that must be escaped", got)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q, err := url.ParseQuery(u.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			p := flatten(q)
			charset := "utf-8"
			if tc.gbk {
				charset = "gbk"
			}
			for k, want := range map[string]string{
				"app_id": testAppID, "method": tc.method, "format": "JSON", "charset": charset,
				"sign_type": string(tc.alg), "timestamp": "2024-01-02 00:30:05", "version": "1.0",
			} {
				if p[k] != want {
					t.Errorf("%s = %q, want %q", k, p[k], want)
				}
			}
			verifyAppSigned(t, p)
			biz := bizOf(t, p, tc.gbk)
			if biz["subject"] != trickySubject || biz["product_code"] != tc.product {
				t.Errorf("biz_content %v: subject or product_code changed", biz)
			}
			if tc.gbk && !strings.Contains(got, "%B2%E2%CA%D4") { // 测试 in GBK
				t.Errorf("GBK URL does not carry the subject's GBK bytes: %s", got)
			}
		})
	}
}

// TestPageURLSignString pins the sign string of one page.pay URL: every param
// but sign, sorted, raw, sign_type and return_url included (spec
// web-and-app-pay.md §2.3 item 5).
func TestPageURLSignString(t *testing.T) {
	got, err := pageClient(t).TradePagePayURL(TradePagePay{OutTradeNo: "T1", TotalAmount: "1.00", Subject: "a b+c",
		ReturnURL: "https://m.example.com/r", NotifyURL: "https://m.example.com/n"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q, _ := url.ParseQuery(u.RawQuery)
	want := `app_id=` + testAppID + `&biz_content={"out_trade_no":"T1","total_amount":"1.00","subject":"a b+c","product_code":"FAST_INSTANT_TRADE_PAY"}` +
		`&charset=utf-8&format=JSON&method=alipay.trade.page.pay&notify_url=https://m.example.com/n` +
		`&return_url=https://m.example.com/r&sign_type=RSA2&timestamp=2024-01-02 00:30:05&version=1.0`
	if content := verifyAppSigned(t, flatten(q)); content != want {
		t.Errorf("sign string\n got %s\nwant %s", content, want)
	}
	if !strings.Contains(got, "a+b%2Bc") {
		t.Errorf("space must be '+' and '+' %%2B in %s", got)
	}
}

var (
	formActionRE = regexp.MustCompile(`<form name="punchout_form" method="post" action="([^"]*)"( accept-charset="gbk")?>\n`)
	formInputRE  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">\n`)
)

// parseForm reads PageForm's HTML the way a browser would: the action's
// query and the hidden fields, HTML-unescaped.
func parseForm(t *testing.T, form string) (action string, query url.Values, fields map[string]string, acceptGBK bool) {
	t.Helper()
	m := formActionRE.FindStringSubmatch(form)
	if m == nil || !strings.HasPrefix(form, m[0]) {
		t.Fatalf("no form element at the start of %q", form)
	}
	action = html.UnescapeString(m[1])
	u, err := url.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	if query, err = url.ParseQuery(u.RawQuery); err != nil {
		t.Fatal(err)
	}
	fields = map[string]string{}
	for _, in := range formInputRE.FindAllStringSubmatch(form, -1) {
		fields[in[1]] = html.UnescapeString(in[2])
	}
	wantEnd := "<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n</form>\n<script>document.forms[\"punchout_form\"].submit();</script>"
	if !strings.HasSuffix(form, wantEnd) {
		t.Errorf("form does not end with the submit button and script: %q", form)
	}
	return action, query, fields, m[2] != ""
}

func TestPageForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		gbk  bool
	}{
		{"utf-8", nil, false},
		{"gbk", []Option{WithCharset("gbk")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := pageClient(t, tc.opts...)
			form, err := c.TradePagePayForm(TradePagePay{OutTradeNo: "F1", TotalAmount: "88.88", Subject: trickySubject,
				ReturnURL: "https://m.example.com/return?x=1", AppAuthToken: "tok&en"})
			if err != nil {
				t.Fatal(err)
			}
			// Escaped: nothing of the subject appears raw in the markup.
			for _, raw := range []string{`"q"`, `<x>`, `'y'`, `a&b`, `?x=1&`} {
				if strings.Contains(form, raw) {
					t.Errorf("form holds %q unescaped:\n%s", raw, form)
				}
			}
			action, query, fields, acceptGBK := parseForm(t, form)
			if !strings.HasPrefix(action, pageGateway+"?") || acceptGBK != tc.gbk {
				t.Errorf("action %q, accept-charset gbk %v", action, acceptGBK)
			}
			if len(fields) != 2 || fields["biz_content"] == "" || fields["app_auth_token"] != "tok&en" {
				t.Errorf("hidden fields %v, want biz_content and app_auth_token", fields)
			}
			if query.Has("biz_content") || query.Has("app_auth_token") || !query.Has("sign") || !query.Has("return_url") {
				t.Errorf("action query %v: want every param but the body ones", query)
			}
			// What the browser posts: the fields in the form's charset.
			p := flatten(query)
			for k, v := range fields {
				if tc.gbk {
					v = string(toGBKTest(t, []byte(v)))
				}
				p[k] = v
			}
			verifyAppSigned(t, p)
			if biz := bizOf(t, p, tc.gbk); biz["subject"] != trickySubject {
				t.Errorf("subject %q, want %q", biz["subject"], trickySubject)
			}
		})
	}
}

func TestTradeAppPay(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		gbk  bool
	}{
		{"utf-8", nil, false},
		{"gbk", []Option{WithCharset("gbk")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pageClient(t, tc.opts...).TradeAppPay(TradeAppPay{OutTradeNo: "A1", TotalAmount: "1.00",
				Subject: trickySubject, NotifyURL: "https://m.example.com/notify"})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, pair := range strings.Split(got, "&") {
				k, v, ok := strings.Cut(pair, "=")
				if !ok || v == "" {
					t.Errorf("pair %q: want k=v with a value", pair)
				}
				keys = append(keys, k)
			}
			want := []string{"app_id", "biz_content", "charset", "format", "method", "notify_url", "sign", "sign_type", "timestamp", "version"}
			if !slices.Equal(keys, want) {
				t.Errorf("keys %v, want exactly and in this order %v", keys, want)
			}
			q, err := url.ParseQuery(got)
			if err != nil {
				t.Fatal(err)
			}
			p := flatten(q)
			verifyAppSigned(t, p)
			if p["method"] != MethodTradeAppPay || p["timestamp"] != "2024-01-02 00:30:05" {
				t.Errorf("method %q timestamp %q", p["method"], p["timestamp"])
			}
			biz := bizOf(t, p, tc.gbk)
			if biz["subject"] != trickySubject {
				t.Errorf("subject %q", biz["subject"])
			}
			if _, ok := biz["product_code"]; ok {
				t.Errorf("product_code sent though empty: %v", biz)
			}
		})
	}
}

func TestBuildersCommonParams(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	c := pageClient(t, WithAESKey(key))
	got, err := c.PageURL(Request{Method: MethodTradePagePay, BizContent: map[string]string{"out_trade_no": "E1"},
		Params: map[string]string{"alipay_sdk": "my-sdk", "empty": ""}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q, _ := url.ParseQuery(u.RawQuery)
	p := flatten(q)
	verifyAppSigned(t, p)
	if p["encrypt_type"] != "AES" || p["alipay_sdk"] != "my-sdk" || q.Has("empty") {
		t.Errorf("params %v: want encrypt_type=AES, alipay_sdk, no empty param", p)
	}
	plain, err := sign.DecryptAES([]byte("0123456789abcdef"), p["biz_content"])
	if err != nil || string(plain) != `{"out_trade_no":"E1"}` {
		t.Errorf("biz_content decrypts to %q, %v", plain, err)
	}

	// Certificate mode: the SNs are sent and signed, in the order string too.
	cc := pageClient(t)
	cc.cert = &certMode{appSN: "app-sn", rootSN: "root-sn_2", alipaySN: "alipay-sn"}
	order, err := cc.TradeAppPay(TradeAppPay{OutTradeNo: "C1", TotalAmount: "1.00", Subject: "s"})
	if err != nil {
		t.Fatal(err)
	}
	oq, _ := url.ParseQuery(order)
	op := flatten(oq)
	verifyAppSigned(t, op)
	if op["app_cert_sn"] != "app-sn" || op["alipay_root_cert_sn"] != "root-sn_2" {
		t.Errorf("certificate mode order string %v: want app_cert_sn and alipay_root_cert_sn", op)
	}

	if _, err := c.PageURL(Request{}); err == nil {
		t.Error("no method: want an error")
	}
	if _, err := c.OrderString(Request{Method: MethodTradeAppPay, Params: map[string]string{"sign": "x"}}); err == nil {
		t.Error("Params setting sign: want an error")
	}
	if _, err := pageClient(t, WithCharset("gbk")).TradePagePayForm(TradePagePay{Subject: "😀"}); err == nil {
		t.Error("GBK client, emoji subject: want an error")
	}
}

package interop

// Page, wap and app payments built by the official Node SDK (alipay-sdk 4.14.0: pageExec GET and
// POST, sdkExec) and by zfb's Go SDK (package alipay: PageURL, PageForm, OrderString and the typed
// TradePagePay/TradeWapPay/TradeAppPay builders), for the same inputs at the same fixed time:
// node/page.mjs pins the SDK's clock (see its header), so both must produce the same parameters
// and, PKCS#1 v1.5 being deterministic, the same signature. And the Node SDK's checkNotifySign /
// checkNotifySignV2 accept return_url parameters signed the way spec/web-and-app-pay.md §4.3 says
// zfb signs them, which the Go SDK's VerifyReturn accepts too.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sign"
)

const (
	pageGateway = "https://gw.example.com/gateway.do"
	// nodeSDKID is what 4.14.0's pageExec sends, and signs, as alipay_sdk.
	nodeSDKID = "alipay-sdk-nodejs-4.0.0"
)

// pageFixedTime is 2024-01-02 00:30:05 in Beijing.
var pageFixedTime = time.UnixMilli(1704126605000)

type pageBuild struct {
	Kind           string            `json:"kind"` // pageGet, pagePost, sdk
	Method         string            `json:"method"`
	BizContentJSON string            `json:"bizContentJSON"`
	Params         map[string]string `json:"params"`
}

type pageInput struct {
	Gateway     string      `json:"gateway"`
	AppID       string      `json:"appId"`
	PrivateKey  string      `json:"privateKey"`
	SignType    string      `json:"signType"`
	FixedTimeMs int64       `json:"fixedTimeMs"`
	Builds      []pageBuild `json:"builds"`
}

// runNodePage runs page.mjs and returns what the SDK built, one string per build.
func runNodePage(t *testing.T, node string, in pageInput) []string {
	t.Helper()
	stdout, raw := runNodeScript(t, node, "page.mjs", in, "TZ=Asia/Shanghai")
	var out struct {
		OK      bool     `json:"ok"`
		Error   string   `json:"error"`
		Results []string `json:"results"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil || !out.OK || len(out.Results) != len(in.Builds) {
		t.Fatalf("node page.mjs: %v %s\n%s", err, out.Error, raw)
	}
	return out.Results
}

// runNodeScript runs the script of interop/node with in as JSON on stdin and env added to the
// environment. It fails the test unless node exits 0 within callTimeout, and returns its stdout
// (with both outputs, for failure messages).
func runNodeScript(t *testing.T, node, script string, in any, env ...string) (stdout []byte, raw string) {
	t.Helper()
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	raw = "node stdout: " + strings.TrimSpace(out.String()) + "\nnode stderr: " + strings.TrimSpace(errOut.String())
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node %s did not finish within %v\n%s", script, callTimeout, raw)
	}
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, raw)
	}
	return out.Bytes(), raw
}

var (
	goFormRE   = regexp.MustCompile(`action="([^"]*)"`)
	nodeFormRE = regexp.MustCompile(`<form action="([^"]*)" method="post"`)
	inputRE    = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

// builtParams reads what a builder produced as the gateway will receive it: a GET URL's query, a
// form's action query plus its fields (as a browser decodes the attribute), or an order string.
func builtParams(t *testing.T, kind, built string, nodeHTML bool) map[string]string {
	t.Helper()
	unescape := func(s string) string {
		if nodeHTML {
			return strings.ReplaceAll(s, "&quot;", `"`) // the only escape 4.14.0 makes
		}
		return htmlUnescape(s)
	}
	var query string
	fields := map[string]string{}
	switch kind {
	case "pageGet":
		var ok bool
		if query, ok = strings.CutPrefix(built, pageGateway+"?"); !ok {
			t.Fatalf("URL %q does not start with the gateway", built)
		}
	case "pagePost":
		re := goFormRE
		if nodeHTML {
			re = nodeFormRE
		}
		m := re.FindStringSubmatch(built)
		if m == nil {
			t.Fatalf("no form action in %q", built)
		}
		action, ok := strings.CutPrefix(unescape(m[1]), pageGateway+"?")
		if !ok {
			t.Fatalf("action %q does not start with the gateway", m[1])
		}
		query = action
		for _, in := range inputRE.FindAllStringSubmatch(built, -1) {
			fields[in[1]] = unescape(in[2])
		}
	case "sdk":
		query = built
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	out := map[string]string{}
	for k, vs := range q {
		if len(vs) != 1 {
			t.Fatalf("%s: param %s %d times", kind, k, len(vs))
		}
		out[k] = vs[0]
	}
	for k, v := range fields {
		if _, dup := out[k]; dup {
			t.Fatalf("%s: %s both in the query and the form", kind, k)
		}
		out[k] = v
	}
	return out
}

// htmlUnescape undoes html.EscapeString, which is all the Go SDK's PageForm applies.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&").Replace(s)
}

func without(p map[string]string, keys ...string) map[string]string {
	out := maps.Clone(p)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// TestNodeSDKPageBuilders compares, parameter by parameter, what the two SDKs build.
func TestNodeSDKPageBuilders(t *testing.T) {
	node := requireNode(t)
	appPriv, _ := newKeyPair(t)
	_, aliPub := newKeyPair(t)
	appKey, err := sign.ParsePrivateKey(appPriv)
	if err != nil {
		t.Fatal(err)
	}
	const appID = "2021000000000001"
	subject := `测试 商品 a&b=c+d "q" <x> 'y' (1)!*~`

	for _, alg := range []sign.Algorithm{sign.RSA2, sign.RSA} {
		t.Run(string(alg), func(t *testing.T) {
			c, err := alipay.New(appID, appPriv, aliPub, alipay.WithGateway(pageGateway), alipay.WithSignType(alg),
				alipay.WithClock(func() time.Time { return pageFixedTime }))
			if err != nil {
				t.Fatal(err)
			}
			page := alipay.TradePagePay{OutTradeNo: "P1", TotalAmount: "88.88", Subject: subject, QRPayMode: "4", QRCodeWidth: 200,
				ReturnURL: "https://m.example.com/return", NotifyURL: "https://m.example.com/notify"}
			wap := alipay.TradeWapPay{OutTradeNo: "W1", TotalAmount: "0.01", Subject: subject, QuitURL: "https://m.example.com/quit",
				ReturnURL: "https://m.example.com/return"}
			app := alipay.TradeAppPay{OutTradeNo: "A1", TotalAmount: "1.00", Subject: subject, ProductCode: alipay.ProductCodeAppPay,
				NotifyURL: "https://m.example.com/notify"}
			type typedCase struct {
				name, kind, method string
				build              func() (string, error)
				returnURL, notify  string
			}
			cases := []typedCase{
				{"page GET", "pageGet", alipay.MethodTradePagePay, func() (string, error) { return c.TradePagePayURL(page) }, page.ReturnURL, page.NotifyURL},
				{"page POST", "pagePost", alipay.MethodTradePagePay, func() (string, error) { return c.TradePagePayForm(page) }, page.ReturnURL, page.NotifyURL},
				{"wap GET", "pageGet", alipay.MethodTradeWapPay, func() (string, error) { return c.TradeWapPayURL(wap) }, wap.ReturnURL, ""},
				{"wap POST", "pagePost", alipay.MethodTradeWapPay, func() (string, error) { return c.TradeWapPayForm(wap) }, wap.ReturnURL, ""},
				{"app", "sdk", alipay.MethodTradeAppPay, func() (string, error) { return c.TradeAppPay(app) }, "", app.NotifyURL},
			}
			var builds []pageBuild
			typed := make([]map[string]string, len(cases))
			for i, tc := range cases {
				got, err := tc.build()
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				typed[i] = builtParams(t, tc.kind, got, false)
				params := map[string]string{"format": "JSON"} // what Go (and Java) send beside Node's params
				if tc.returnURL != "" {
					params["returnUrl"] = tc.returnURL
				}
				if tc.notify != "" {
					params["notifyUrl"] = tc.notify
				}
				builds = append(builds, pageBuild{Kind: tc.kind, Method: tc.method, BizContentJSON: typed[i]["biz_content"], Params: params})
			}
			nodeOut := runNodePage(t, node, pageInput{Gateway: pageGateway, AppID: appID, PrivateKey: appPriv,
				SignType: string(alg), FixedTimeMs: pageFixedTime.UnixMilli(), Builds: builds})

			for i, tc := range cases {
				fromNode := builtParams(t, tc.kind, nodeOut[i], true)
				if fromNode["timestamp"] != "2024-01-02 00:30:05" {
					t.Errorf("%s: Node's timestamp %q is not the pinned time", tc.name, fromNode["timestamp"])
				}
				// Both signatures verify as the gateway checks them (spec openapi.md §1.4).
				for who, p := range map[string]map[string]string{"Go": typed[i], "Node": fromNode} {
					if _, err := sign.VerifyRequest(&appKey.PublicKey, alg, p); err != nil {
						t.Errorf("%s: %s's sign does not verify: %v", tc.name, who, err)
					}
				}
				if tc.kind == "sdk" {
					// sdkExec adds nothing: the same params, sign included.
					if !maps.Equal(typed[i], fromNode) {
						t.Errorf("%s: params differ\n  Go: %v\nNode: %v", tc.name, typed[i], fromNode)
					}
					continue
				}
				// pageExec adds alipay_sdk (signed): the rest must match.
				if !maps.Equal(without(typed[i], "sign"), without(fromNode, "sign", "alipay_sdk")) || fromNode["alipay_sdk"] != nodeSDKID {
					t.Errorf("%s: params differ beyond alipay_sdk\n  Go: %v\nNode: %v", tc.name, typed[i], fromNode)
				}
				// The Go SDK's generic builder sending Node's alipay_sdk signs exactly what Node signs.
				req := alipay.Request{Method: tc.method, BizContent: json.RawMessage(typed[i]["biz_content"]),
					ReturnURL: tc.returnURL, NotifyURL: tc.notify, Params: map[string]string{"alipay_sdk": nodeSDKID}}
				var built string
				if tc.kind == "pageGet" {
					built, err = c.PageURL(req)
				} else {
					built, err = c.PageForm(req)
				}
				if err != nil {
					t.Fatal(err)
				}
				if goSame := builtParams(t, tc.kind, built, false); !maps.Equal(goSame, fromNode) {
					t.Errorf("%s: with alipay_sdk, params differ\n  Go: %v\nNode: %v", tc.name, goSame, fromNode)
				} else {
					t.Logf("alipay-sdk %s %s, %s: same %d params and sign", nodeSDKVersion, tc.kind, tc.name, len(goSame))
				}
			}
		})
	}
}

// TestNodeSDKCheckReturn: return_url parameters signed as zfb signs them (every key but sign and
// sign_type, sorted, raw, with the gateway's key) pass the Node SDK's checkNotifySign and
// checkNotifySignV2 and the Go SDK's VerifyReturn; a changed amount fails all three.
func TestNodeSDKCheckReturn(t *testing.T) {
	node := requireNode(t)
	appPriv, _ := newKeyPair(t)
	aliPriv, aliPub := newKeyPair(t)
	aliKey, err := sign.ParsePrivateKey(aliPriv)
	if err != nil {
		t.Fatal(err)
	}
	const appID = "2021000000000001"
	c, err := alipay.New(appID, appPriv, aliPub)
	if err != nil {
		t.Fatal(err)
	}
	signed := func(method string, alg sign.Algorithm) map[string]string {
		p := map[string]string{
			"charset": "utf-8", "out_trade_no": "P 1+2", "method": method, "total_amount": "88.88",
			"trade_no": "2025060222001429231418105298", "auth_app_id": appID, "version": "1.0", "app_id": appID,
			"seller_id": "2088102168712921", "timestamp": "2025-06-02 12:09:10",
		}
		sig, err := sign.Sign(aliKey, alg, []byte(sign.NotifyContent(p)))
		if err != nil {
			t.Fatal(err)
		}
		p["sign"], p["sign_type"] = sig, string(alg)
		return p
	}
	page := signed(alipay.MethodTradePagePayReturn, sign.RSA2)
	wap := signed(alipay.MethodTradeWapPayReturn, sign.RSA2)
	rsa := signed(alipay.MethodTradePagePayReturn, sign.RSA)
	changed := maps.Clone(page)
	changed["total_amount"] = "0.01"
	checks := []notifyCheck{
		{PostData: page, name: "page.pay return", want: true},
		{PostData: wap, name: "wap.pay return", want: true},
		{PostData: rsa, name: "RSA page.pay return", want: true},
		{PostData: changed, name: "page.pay return, amount changed", want: false},
	}
	verdicts, raw := runNodeNotify(t, node, notifyInput{AppID: appID, PrivateKey: appPriv, AlipayPublicKey: aliPub,
		SignType: "RSA2", Checks: checks})
	for i, ch := range checks {
		v := verdicts[i]
		if v.V2 == nil || *v.V2 != ch.want || v.V1 == nil || *v.V1 != ch.want {
			t.Errorf("%s: %s; want both %v\n%s", ch.name, v, ch.want, raw)
		}
		form := url.Values{}
		for k, s := range ch.PostData {
			form.Set(k, s)
		}
		_, err := c.VerifyReturn(form)
		if (err == nil) != ch.want {
			t.Errorf("%s: Go VerifyReturn: %v, want ok=%v", ch.name, err, ch.want)
		}
	}
}

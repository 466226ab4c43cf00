package sign

import (
	"crypto/rand"
	"crypto/rsa"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// gbk gives the GBK bytes of the test strings (x/text stays out of sign/).
func gbk(s string) (string, bool) {
	return strings.ReplaceAll(s, "测试", "\xb2\xe2\xca\xd4"), true
}

func diagnosisParams() map[string]string {
	return map[string]string{
		"app_id": "2021000000000001", "method": "alipay.trade.pay", "charset": "utf-8", "sign_type": "RSA2",
		"timestamp": "2026-11-29 12:00:00", "version": "1.0", "notify_url": "https://example.com/notify?a=1 b",
		"biz_content": `{"out_trade_no":"T1","subject":"测试 & more","total_amount":"0.01"}`,
	}
}

func mustSign(t *testing.T, key *rsa.PrivateKey, alg Algorithm, content string) string {
	t.Helper()
	sig, err := Sign(key, alg, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestDiagnoseRequest(t *testing.T) {
	app, other := appKey(t), otherKey(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		// sign sets params["sign"] the wrong way (params hold sign_type).
		sign  func(t *testing.T, p map[string]string)
		found bool
		want  []string // in the text
	}{
		{"sign_type left out", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, app, RSA2, NotifyContent(p))
		}, true, []string{"without sign_type"}},
		{"values URL-encoded", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, app, RSA2, encodedContent(p, false))
		}, true, []string{"URL-encoded the values"}},
		{"signed in the other charset", func(t *testing.T, p map[string]string) {
			g, _ := gbk(RequestContent(p))
			p["sign"] = mustSign(t, app, RSA2, g)
		}, true, []string{"GBK bytes", "charset=utf-8"}},
		{"a parameter added after signing", func(t *testing.T, p map[string]string) {
			without := maps.Clone(p)
			delete(without, "notify_url")
			p["sign"] = mustSign(t, app, RSA2, RequestContent(without))
		}, true, []string{"without the parameter notify_url"}},
		{"RSA against RSA2", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, app, RSA, RequestContent(p))
		}, true, []string{"SHA1withRSA (RSA)", "sign_type RSA2"}},
		{"sign_type left out and SHA1", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, app, RSA, NotifyContent(p))
		}, true, []string{"without sign_type", "SHA1withRSA"}},
		{"another app's key", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, other, RSA2, RequestContent(p))
		}, true, []string{"the private key of app 2021000000000002"}},
		{"'+' sent as a space", func(t *testing.T, p map[string]string) {
			for i := 0; ; i++ { // find a signature holding a '+'
				p["nonce"] = strconv.Itoa(i)
				if sig := mustSign(t, app, RSA2, RequestContent(p)); strings.Contains(sig, "+") {
					p["sign"] = strings.ReplaceAll(sig, "+", " ")
					return
				}
			}
		}, true, []string{"spaces where its Base64 has '+'"}},
		{"URL-safe Base64", func(t *testing.T, p map[string]string) {
			for i := 0; ; i++ {
				p["nonce"] = strconv.Itoa(i)
				if sig := mustSign(t, app, RSA2, RequestContent(p)); strings.ContainsAny(sig, "+/") {
					p["sign"] = strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(sig), "=")
					return
				}
			}
		}, true, []string{"URL-safe Base64"}},
		{"URL-encoded twice", func(t *testing.T, p map[string]string) {
			p["sign"] = url.QueryEscape(mustSign(t, app, RSA2, RequestContent(p)))
		}, true, []string{"URL-encoded twice"}},
		{"right string, unknown key", func(t *testing.T, p map[string]string) {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			p["sign"] = mustSign(t, k, RSA2, RequestContent(p))
		}, false, []string{"None of the usual mistakes reproduces", "does not belong to the app public key", "PKCS#8"}},
		{"a 1024-bit key", func(t *testing.T, p map[string]string) {
			p["sign"] = mustSign(t, small, RSA2, RequestContent(p))
		}, false, []string{"None of the usual mistakes", "1024 bits long, the app's key 2048"}},
		{"a hexadecimal sign", func(t *testing.T, p map[string]string) {
			p["sign"] = strings.Repeat("0a", 256)
		}, false, []string{"hexadecimal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := diagnosisParams()
			tc.sign(t, p)
			if _, err := VerifyRequest(&app.PublicKey, RSA2, p); err == nil {
				t.Fatal("the mistaken signature verifies as it is")
			}
			d := DiagnoseRequest(RequestCase{
				Params: p, Key: &app.PublicKey, Alg: RSA2,
				Charset: "utf-8", OtherCharset: "GBK", Recode: gbk,
				Others: []NamedKey{{"the private key of app 2021000000000002", &other.PublicKey}},
			})
			if d.Found != tc.found {
				t.Errorf("Found = %v, want %v: %s", d.Found, tc.found, d.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Text, w) {
					t.Errorf("diagnosis lacks %q:\n%s", w, d.Text)
				}
			}
		})
	}
}

func TestDiagnoseEnvelope(t *testing.T) {
	app, other := appKey(t), otherKey(t)
	const path = "/api/alipay/intl/acquiring/common/paycancel.htm"
	pretty := `{
  "head": {"version": "2.0.2", "function": "alipay.intl.acquiring.common.payCancel", "clientId": "C1", "reqTime": "2026-11-29T12:00:00+08:00", "reqMsgId": "m1"},
  "body": {"partnerId": "2188000000000001", "merchantTransId": "M1"}
}`
	envelope := func(sig string) []byte {
		return []byte(`{"request":` + pretty + `,"signature":"` + sig + `"}`)
	}
	compact := strings.Join(strings.Fields(pretty), "")
	for _, tc := range []struct {
		name  string
		sig   func(t *testing.T) string
		found bool
		want  string
	}{
		{"the envelope", func(t *testing.T) string { return mustSign(t, app, RSA2, `{"request":`+pretty+`}`) }, true, `the envelope {"request":…}`},
		{"an unknown key", func(t *testing.T) string {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return mustSign(t, k, RSA2, pretty)
		}, false, "None of the usual mistakes"},
		{"compact JSON", func(t *testing.T) string { return mustSign(t, app, RSA2, compact) }, true, "re-formatted"},
		{"the AMS sign string", func(t *testing.T) string {
			return mustSign(t, app, RSA2, "POST "+path+"\nC1.2026-11-29T12:00:00+08:00."+pretty)
		}, true, "AMS (Antom)"},
		{"RSA", func(t *testing.T) string { return mustSign(t, app, RSA, pretty) }, true, "SHA1withRSA"},
		{"another app's key", func(t *testing.T) string { return mustSign(t, other, RSA2, pretty) }, true, "the private key of app X"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := envelope(tc.sig(t))
			env, err := ExtractEnvelope(body, NodeRequest)
			if err != nil {
				t.Fatal(err)
			}
			if VerifyEnvelope(&app.PublicKey, RSA2, env) == nil {
				t.Fatal("the mistaken signature verifies as it is")
			}
			d := DiagnoseEnvelope(EnvelopeCase{
				Body: body, Envelope: env, Path: path, ClientID: "C1", ReqTime: "2026-11-29T12:00:00+08:00",
				Key: &app.PublicKey, Alg: RSA2, Others: []NamedKey{{"the private key of app X", &other.PublicKey}},
			})
			if d.Found != tc.found || !strings.Contains(d.Text, tc.want) {
				t.Errorf("Found = %v, want %v, and the text should hold %q:\n%s", d.Found, tc.found, tc.want, d.Text)
			}
		})
	}
}

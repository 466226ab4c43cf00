package sign

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Seed corpora beyond these f.Add seeds are in testdata/fuzz/<FuzzName>/.

func FuzzParsePrivateKey(f *testing.F) {
	pkcs1 := readTestdata(f, "app_private_pkcs1.pem")
	f.Add(pkcs1)
	f.Add(readTestdata(f, "app_private_pkcs8.pem"))
	f.Add(Bare(pkcs1))
	f.Add(readTestdata(f, "app_public_pkix.pem"))
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nMIIB\n-----END RSA PRIVATE KEY-----")
	f.Add("-----BEGIN PRIVATE KEY-----MIIB-----END PRIVATE KEY-----")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Bare(s)
		k, err := ParsePrivateKey(s)
		if err != nil {
			if k != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if k == nil {
			t.Fatal("nil key without an error")
		}
		for _, form := range []string{PrivateKeyPKCS1PEM(k), PrivateKeyPKCS8PEM(k), Bare(PrivateKeyPKCS8PEM(k))} {
			k2, err := ParsePrivateKey(form)
			if err != nil || !k2.Equal(k) {
				t.Fatalf("re-encoded key does not round-trip: %v", err)
			}
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	pkix := readTestdata(f, "app_public_pkix.pem")
	f.Add(pkix)
	f.Add(readTestdata(f, "app_public_pkcs1.pem"))
	f.Add(Bare(pkix))
	f.Add(selfSignedPEM(f, &appKey(f).PublicKey, appKey(f)))
	f.Add(readTestdata(f, "app_private_pkcs1.pem"))
	f.Add("-----BEGIN PUBLIC KEY-----\r\nMIIB\r\n-----END PUBLIC KEY-----\r\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			if k != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if k == nil {
			t.Fatal("nil key without an error")
		}
		k2, err := ParsePublicKey(PublicKeyPEM(k))
		if err != nil || !k2.Equal(k) {
			t.Fatalf("re-encoded key does not round-trip: %v", err)
		}
	})
}

func FuzzExtractResponse(f *testing.F) {
	const node = "alipay_trade_pay_response"
	f.Add([]byte(`{"alipay_trade_pay_response":{"code":"10000","msg":"Success"},"sign":"c2ln"}`), node)
	f.Add([]byte(`{"alipay_trade_pay_response":{"code":"10000"},"alipay_cert_sn":"4538e7d736df316c15435d5f9d3a8a1f","sign":"c2ln"}`), node)
	f.Add([]byte(`{"error_response":{"code":"40002","msg":"Invalid Arguments"}}`), node)
	f.Add([]byte(`{"alipay_open_auth_app_aes_set_response":"4AOY+/==","sign":"YWJj"}`), "alipay_open_auth_app_aes_set_response")
	f.Add([]byte(`{"alipay_trade_pay_response":{"a":"}\"{","b":[{"c":"\\"}]},"sign":"s"}`), node)
	f.Add([]byte(`{"alipay_trade_pay_response":{},"alipay_trade_pay_response":{},"sign":"s"}`), node)
	f.Add([]byte(`{"alipay_trade_pay_response":{"code":{"x":1},"sign":"s"`), node)
	f.Add([]byte(`{"a_response":{}}`), "")
	f.Fuzz(func(t *testing.T, body []byte, node string) {
		r, err := ExtractResponse(body, node)
		if err != nil {
			if r != nil {
				t.Fatal("response returned with an error")
			}
			return
		}
		if r.Node != node && r.Node != errorNode {
			t.Fatalf("Node = %q for node %q", r.Node, node)
		}
		// Value is a sub-slice of body, capped at its end.
		if len(r.Value) == 0 {
			t.Fatal("empty Value")
		}
		off := -1
		for i := range body {
			if &body[i] == &r.Value[0] {
				off = i
				break
			}
		}
		if off < 0 || off+len(r.Value) > len(body) || cap(r.Value) != len(r.Value) {
			t.Fatalf("Value %q is not a capped sub-slice of body", r.Value)
		}
		// ExtractResponse accepts valid JSON only, and the value is a whole
		// member value, so it is valid JSON itself: an object or a string.
		if !json.Valid(body) || !json.Valid(r.Value) {
			t.Fatalf("invalid JSON accepted: body %q value %q", body, r.Value)
		}
		first, last := r.Value[0], r.Value[len(r.Value)-1]
		if !(first == '{' && last == '}') && !(first == '"' && last == '"' && len(r.Value) >= 2) {
			t.Fatalf("Value %q is neither an object nor a string", r.Value)
		}
		// Re-enveloping what was extracted gives it back, unless the node
		// needs escaping or the sign or SN contains the node name (which the
		// duplicate-node check rightly refuses after the value).
		if quotedLen(r.Node) != len(r.Node)+2 || strings.Contains(r.Sign+r.CertSN, r.Node) {
			return
		}
		env := Envelope(r.Node, r.Value, r.CertSN, r.Sign)
		r2, err := ExtractResponse(env, r.Node)
		if err != nil {
			t.Fatalf("re-enveloped %q: %v", env, err)
		}
		if r2.Node != r.Node || !bytes.Equal(r2.Value, r.Value) || r2.Sign != r.Sign || r2.CertSN != r.CertSN {
			t.Fatalf("re-enveloped %q gives %+v, want %+v", env, r2, r)
		}
	})
}

func FuzzDecryptAES(f *testing.F) {
	key := []byte("0123456789abcdef")
	f.Add(key, "zRa5qqNL/xRfETswpsgJbQ==")
	f.Add(key, "")
	f.Add([]byte("0123456789abcdef01234567"), "AAAAAAAAAAAAAAAAAAAAAA==")
	f.Add([]byte("short"), "AAAAAAAAAAAAAAAAAAAAAA==")
	f.Fuzz(func(t *testing.T, key []byte, b64 string) {
		plain, err := DecryptAES(key, b64)
		if err != nil {
			if plain != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		if n := len(key); n != 16 && n != 24 && n != 32 {
			t.Fatalf("decrypted with a %d-byte key", n)
		}
		enc, err := EncryptAES(key, plain)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := DecryptAES(key, enc); err != nil || !bytes.Equal(again, plain) {
			t.Fatalf("round trip: %q, %v", again, err)
		}
	})
}

// paramsFromLines turns "key\tvalue" lines into a parameter map; a line
// without a tab is a key with an empty value.
func paramsFromLines(s string) map[string]string {
	m := map[string]string{}
	for line := range strings.SplitSeq(s, "\n") {
		k, v, _ := strings.Cut(line, "\t")
		m[k] = v
	}
	return m
}

func FuzzRequestContent(f *testing.F) {
	f.Add("app_id\t2021\nsign\tabc\nsign_type\tRSA2\nbiz_content\t{\"a\":\"b&c=d\"}")
	f.Add("sign\t\nb\t\na\t1")
	f.Add("\tx\n=\t=\n&\t&")
	f.Fuzz(func(t *testing.T, raw string) {
		params := paramsFromLines(raw)
		for _, c := range []struct {
			name      string
			got       string
			keepEmpty bool
			drop      []string
		}{
			{"RequestContent", RequestContent(params), false, []string{"sign"}},
			{"RequestContentWithEmpty", RequestContentWithEmpty(params), true, []string{"sign"}},
			{"NotifyContent", NotifyContent(params), false, []string{"sign", "sign_type"}},
		} {
			var keys []string
			size := -1
			for k, v := range params {
				if k != "" && !slices.Contains(c.drop, k) && (v != "" || c.keepEmpty) {
					keys = append(keys, k)
					size += len(k) + len(v) + 2
				}
			}
			if len(keys) == 0 {
				if c.got != "" {
					t.Fatalf("%s = %q, want empty", c.name, c.got)
				}
				continue
			}
			if len(c.got) != size {
				t.Fatalf("%s = %q: length %d, want %d", c.name, c.got, len(c.got), size)
			}
			if strings.ContainsAny(raw, "&=") {
				continue // raw values may hold anything; only the length is checked
			}
			// Without '&' and '=' in keys and values the pairs can be split
			// back: no "sign" pair, keys strictly ascending, values raw.
			pairs := strings.Split(c.got, "&")
			if len(pairs) != len(keys) {
				t.Fatalf("%s = %q: %d pairs, want %d", c.name, c.got, len(pairs), len(keys))
			}
			prev := ""
			for i, p := range pairs {
				k, v, ok := strings.Cut(p, "=")
				if !ok || slices.Contains(c.drop, k) || (i > 0 && k <= prev) || params[k] != v {
					t.Fatalf("%s = %q: bad pair %q", c.name, c.got, p)
				}
				prev = k
			}
		}
	})
}

package openapi_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// aesKey is the test app's content key, decoded.
func (g *testGateway) aesKey() []byte {
	g.t.Helper()
	key, err := g.app.AESKeyBytes()
	if err != nil || key == nil {
		g.t.Fatalf("the sandbox app has no AES key (%v)", err)
	}
	return key
}

// encrypted returns signed params whose biz_content is plaintext
// encrypted with the app's key, encrypt_type=AES: encrypted first, then
// signed, as every SDK does (spec §1.6).
func (g *testGateway) encrypted(method string, plaintext []byte) map[string]string {
	g.t.Helper()
	ciphertext, err := sign.EncryptAES(g.aesKey(), plaintext)
	if err != nil {
		g.t.Fatal(err)
	}
	p := g.params(method, ciphertext)
	p["encrypt_type"] = "AES"
	return g.signed(p)
}

// encryptedAnswer checks that w is an encrypted answer: the node value is a
// JSON string, signed as the string literal with both quotes (cut the way
// Java's and Python's extractors cut it), and it returns the decrypted
// value: bytes in the request charset.
func (g *testGateway) encryptedAnswer(w *httptest.ResponseRecorder, nodeName string) []byte {
	g.t.Helper()
	body := w.Body.Bytes()
	prefix := []byte(`{"` + nodeName + `":"`)
	if !bytes.HasPrefix(body, prefix) {
		g.t.Fatalf("body does not start with the encrypted %s node: %s", nodeName, body)
	}
	sr, err := sign.VerifyResponse(g.gatewayPub, sign.RSA2, body, nodeName)
	if err != nil {
		g.t.Fatalf("response signature: %v\n%s", err, body)
	}
	// Python's PATTERN_RESPONSE_ENCRYPT_BEGIN / SIGN_ENCRYPT_BEGIN: from
	// the opening quote after `_response":` to the closing one before
	// `,"sign"`.
	end := bytes.LastIndex(body, []byte(`,"sign":"`))
	if quoted := body[len(prefix)-1 : end]; !bytes.Equal(quoted, sr.Value) {
		g.t.Fatalf("signed value %s, want the quoted string %s", sr.Value, quoted)
	}
	var ciphertext string
	if err := json.Unmarshal(sr.Value, &ciphertext); err != nil {
		g.t.Fatal(err)
	}
	plain, err := sign.DecryptAES(g.aesKey(), ciphertext)
	if err != nil {
		g.t.Fatalf("decrypting the answer: %v\n%s", err, body)
	}
	return plain
}

// plainValue returns the signed node value of a plain answer.
func (g *testGateway) plainValue(w *httptest.ResponseRecorder, nodeName string) []byte {
	g.t.Helper()
	g.answer(w, nodeName, true)
	sr, err := sign.ExtractResponse(w.Body.Bytes(), nodeName)
	if err != nil {
		g.t.Fatal(err)
	}
	return sr.Value
}

// TestEncryptedRequests: a request with encrypt_type=AES from an app with
// a key is verified as sent, decrypted and served as the same request in
// plaintext would be; its answer is that plain answer, encrypted.
func TestEncryptedRequests(t *testing.T) {
	g := newTestGateway(t)
	const node = "zfb_test_echo_response"
	for _, tt := range []struct{ name, method, biz string }{
		{"success", "zfb.test.echo", `{"out_trade_no":"T1","subject":"咖啡 <&>"}`},
		{"boundary check on the plaintext", "zfb.test.echo", `{"out_trade_no":"T1","auth_code":"` + strings.Repeat("1", 33) + `"}`},
		{"internal failure", "zfb.test.fail", `{"a":"1"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := sign.ResponseNode(tt.method)
			plain := g.plainValue(g.post(g.signed(g.params(tt.method, tt.biz))), name)
			got := g.encryptedAnswer(g.post(g.encrypted(tt.method, []byte(tt.biz))), name)
			if !bytes.Equal(got, plain) {
				t.Fatalf("decrypted answer\n %s\nwant the plain request's\n %s", got, plain)
			}
		})
	}

	t.Run("GBK: plaintext and answer are GBK bytes", func(t *testing.T) {
		biz, err := simplifiedchinese.GBK.NewEncoder().String(`{"subject":"测试商品 咖啡","store":"杭州"}`)
		if err != nil {
			t.Fatal(err)
		}
		ciphertext, err := sign.EncryptAES(g.aesKey(), []byte(biz))
		if err != nil {
			t.Fatal(err)
		}
		p := g.params("zfb.test.echo", ciphertext)
		p["charset"], p["encrypt_type"] = "GBK", "AES"
		w := g.post(g.signed(p))
		if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=GBK" {
			t.Fatalf("Content-Type %q", ct)
		}
		got := g.encryptedAnswer(w, node)
		text, err := simplifiedchinese.GBK.NewDecoder().Bytes(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(text, []byte(`"subject":"测试商品 咖啡"`)) || !bytes.Contains(text, []byte(`"code":"10000"`)) {
			t.Fatalf("decrypted GBK answer: %s", text)
		}
	})

	t.Run("signature over the ciphertext, not the plaintext", func(t *testing.T) {
		biz := `{"a":"1"}`
		p := g.signed(g.params("zfb.test.echo", biz)) // signed before encryption
		ciphertext, _ := sign.EncryptAES(g.aesKey(), []byte(biz))
		p["biz_content"], p["encrypt_type"] = ciphertext, "AES"
		n := g.answer(g.post(p), node, true)
		if n.SubCode != "isv.invalid-signature" {
			t.Fatalf("got %+v", n)
		}
	})

	t.Run("encrypt_type is signed", func(t *testing.T) {
		p := g.encrypted("zfb.test.echo", []byte(`{"a":"1"}`))
		delete(p, "encrypt_type")
		n := g.answer(g.post(p), node, true)
		if n.SubCode != "isv.invalid-signature" {
			t.Fatalf("got %+v", n)
		}
	})

	t.Run("plain and encrypted answers never share a signature", func(t *testing.T) {
		// The same result, plain and encrypted, through the signature
		// cache: each must verify as what it is.
		for range 2 {
			g.plainValue(g.post(g.signed(g.params("zfb.test.echo", `{"a":"2"}`))), node)
			g.encryptedAnswer(g.post(g.encrypted("zfb.test.echo", []byte(`{"a":"2"}`))), node)
		}
	})
}

// TestEncryptionErrors: what cannot be decrypted is answered in plaintext,
// signed, with Alipay's decryption codes, and nothing is served.
func TestEncryptionErrors(t *testing.T) {
	g := newTestGateway(t)
	const node = "zfb_test_echo_response"
	key := g.aesKey()
	good, _ := sign.EncryptAES(key, []byte(`{"a":"1"}`))
	otherKey := bytes.Repeat([]byte{7}, 16)
	withOtherKey, _ := sign.EncryptAES(otherKey, []byte(`{"a":"1"}`))
	badPadding := func() string {
		// One block whose last byte, 0x00, is no PKCS#7 padding.
		block, _ := aes.NewCipher(key)
		buf := []byte("{\"a\":\"12345678\"\x00")
		cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(buf, buf)
		return base64.StdEncoding.EncodeToString(buf)
	}()
	encrypt := func(plain string) string {
		s, _ := sign.EncryptAES(key, []byte(plain))
		return s
	}
	tests := []struct {
		name, encryptType, biz string
		code, subCode          string
	}{
		{"another algorithm", "SM4", good, "40002", "isv.decryption-error-not-valid-encrypt-type"},
		{"lower case aes", "aes", good, "40002", "isv.decryption-error-not-valid-encrypt-type"},
		{"encrypt_type fails its boundary", "AES-256-CBC-X", good, "40002", "isv.invalid-encrypt-type"},
		{"not Base64", "AES", "not*base64!", "40003", "isv.decryption-error-unknown"},
		{"not whole blocks", "AES", base64.StdEncoding.EncodeToString([]byte("0123456789")), "40003", "isv.decryption-error-unknown"},
		{"bad padding", "AES", badPadding, "40003", "isv.decryption-error-unknown"},
		{"another key", "AES", withOtherKey, "40003", "isv.decryption-error-unknown"},
		{"plaintext not JSON", "AES", encrypt(`out_trade_no=1`), "40003", "isv.decryption-error-unknown"},
		{"plaintext not an object", "AES", encrypt(`[{"a":"1"}]`), "40003", "isv.decryption-error-unknown"},
		{"plaintext not UTF-8", "AES", encrypt("{\"a\":\"\xff\"}"), "40003", "isv.decryption-error-unknown"},
		{"plaintext (not ciphertext) sent as AES", "AES", `{"a":"1"}`, "40003", "isv.decryption-error-unknown"},
		// Nothing to decrypt: a plain request, answered in plaintext.
		{"no biz_content", "AES", "", "40001", "isv.missing-parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := g.params("zfb.test.echo", tt.biz)
			p["encrypt_type"] = tt.encryptType
			n := g.answer(g.post(g.signed(p)), node, true)
			if n.Code != tt.code || n.SubCode != tt.subCode {
				t.Fatalf("got %s %s (%s), want %s %s", n.Code, n.SubCode, n.SubMsg, tt.code, tt.subCode)
			}
		})
	}
	t.Run("the live sample's message", func(t *testing.T) {
		p := g.params("zfb.test.echo", "not*base64!")
		p["encrypt_type"] = "AES"
		n := g.answer(g.post(g.signed(p)), node, true)
		if n.Msg != "Insufficient Conditions" || n.SubMsg != "解密出错, 未知错误" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("optional biz_content absent: served plain", func(t *testing.T) {
		p := g.params("zfb.test.fail", "")
		p["encrypt_type"] = "AES"
		n := g.answer(g.post(g.signed(p)), "zfb_test_fail_response", true)
		if n.SubCode != "isp.unknow-error" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("a bad signature is answered before decryption, in plaintext", func(t *testing.T) {
		p := g.encrypted("zfb.test.echo", []byte(`{"a":"1"}`))
		p["timestamp"] = "2026-11-23 10:00:01"
		n := g.answer(g.post(p), node, true)
		if n.SubCode != "isv.invalid-signature" {
			t.Fatalf("got %+v", n)
		}
	})
	t.Run("app without a key", func(t *testing.T) {
		if _, err := g.svc.UpdateApp(context.Background(), g.app.ID, func(a *zfb.App) error { a.AESKey = ""; return nil }); err != nil {
			t.Fatal(err)
		}
		for _, biz := range []string{good, ""} {
			p := g.params("zfb.test.echo", biz)
			p["encrypt_type"] = "AES"
			n := g.answer(g.post(g.signed(p)), node, true)
			if n.Code != "40002" || n.SubCode != "isv.decryption-error-not-valid-encrypt-key" {
				t.Fatalf("biz_content %q: got %+v", biz, n)
			}
		}
	})
}

// FuzzEncryptedBizContent encrypts arbitrary plaintext for a signed
// request, in UTF-8 or GBK. Whatever it holds, the answer is HTTP 200 and
// signed: an encrypted node that decrypts to a JSON object with a code, or
// the plaintext decryption error.
func FuzzEncryptedBizContent(f *testing.F) {
	g := newTestGateway(f)
	f.Add([]byte(`{"a":"1"}`), false)
	f.Add([]byte(`{"subject":"\xb2\xe2\xca\xd4"}`), true)
	f.Add([]byte("{\"a\":\"\xff\"}"), false)
	f.Add([]byte(`[]`), false)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, plaintext []byte, gbk bool) {
		g := *g // its helpers report to t, not f
		g.t = t
		ciphertext, err := sign.EncryptAES(g.aesKey(), plaintext)
		if err != nil {
			t.Fatal(err)
		}
		p := g.params("zfb.test.echo", ciphertext)
		p["encrypt_type"] = "AES"
		if gbk {
			p["charset"] = "GBK"
		}
		w := g.post(g.signed(p))
		const node = "zfb_test_echo_response"
		if bytes.HasPrefix(w.Body.Bytes(), []byte(`{"`+node+`":"`)) {
			value := g.encryptedAnswer(w, node)
			if gbk {
				if value, err = simplifiedchinese.GBK.NewDecoder().Bytes(value); err != nil {
					t.Fatal(err)
				}
			}
			var n struct{ Code string }
			if err := json.Unmarshal(value, &n); err != nil || n.Code == "" {
				t.Fatalf("decrypted answer %q: %v", value, err)
			}
			return
		}
		if n := g.answer(w, node, true); n.SubCode != "isv.decryption-error-unknown" {
			t.Fatalf("plaintext answer %+v to plaintext %q", n, plaintext)
		}
	})
}

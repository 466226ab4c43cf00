package alipay

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/zfbpay/zfb/sign"
)

// Content encryption (接口内容加密, encrypt_type=AES; spec/openapi.md §1.6).
// With an AES key the client encrypts biz_content before signing and sends
// encrypt_type=AES, signed like every param. The gateway then answers with
// the node value as a JSON string, the Base64 ciphertext of the usual
// object; its signature covers that string literal, quotes included, and
// is verified before anything is decrypted. Answers the gateway could not
// encrypt (a decryption error, a bad signature) come as plain objects and
// are read as before.

// encryptTypeAES is the encrypt_type param Alipay's SDKs send.
const encryptTypeAES = "AES"

// WithAESKey makes the client encrypt every biz_content it sends with the
// app's content key (接口内容加密方式): standard Base64 of 16, 24 or 32
// bytes, as the Alipay console and zfb's sandbox.json (aes_key) show it.
// The key must be the one configured for the app, or the gateway answers
// 40003 isv.decryption-error-unknown.
func WithAESKey(base64Key string) Option {
	return func(c *Client) error {
		key, err := base64.StdEncoding.DecodeString(base64Key)
		if err != nil || (len(key) != 16 && len(key) != 24 && len(key) != 32) {
			return fmt.Errorf("AES key: want standard Base64 of 16, 24 or 32 bytes")
		}
		c.aesKey = key
		return nil
	}
}

// encryptBizContent encrypts biz (UTF-8 JSON) as bytes in the request
// charset, as Java's SDK does (bizContent.getBytes(charset)).
func (c *Client) encryptBizContent(biz string) (string, error) {
	plain := biz
	if c.gbk {
		var err error
		if plain, err = toGBK(biz); err != nil {
			return "", fmt.Errorf("biz_content: not representable in GBK: %w", err)
		}
	}
	return sign.EncryptAES(c.aesKey, []byte(plain))
}

// isEncrypted reports whether a response node value is an encrypted one:
// a JSON string rather than an object.
func isEncrypted(value []byte) bool { return len(value) > 0 && value[0] == '"' }

// openEncrypted verifies the signature over the encrypted node value (the
// quoted string, quotes included) when the answer is signed, then decrypts
// it and returns the node as UTF-8 JSON. An unsigned answer is decrypted
// unverified; decode refuses it unless it is an error.
func (c *Client) openEncrypted(method string, sr *sign.SignedResponse) ([]byte, error) {
	if c.aesKey == nil {
		return nil, fmt.Errorf("alipay: %s: the answer is encrypted, and the client has no AES key (WithAESKey)", method)
	}
	if sr.Sign != "" {
		if err := c.verifyValue(sr.Value, sr.Sign); err != nil {
			return nil, &signatureError{what: method + " response", err: err}
		}
	}
	var ciphertext string
	if err := json.Unmarshal(sr.Value, &ciphertext); err != nil {
		return nil, fmt.Errorf("alipay: %s: malformed encrypted response node %s: %w", method, sr.Node, err)
	}
	plain, err := sign.DecryptAES(c.aesKey, ciphertext)
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: decrypting the response: %w", method, err)
	}
	// The plaintext is in the request charset.
	if dec, _ := charsetDecoder(c.charset); dec != nil && !isASCIIBytes(plain) {
		if plain, err = dec.Bytes(plain); err != nil {
			return nil, fmt.Errorf("alipay: %s: decoding the decrypted %s response: %w", method, c.charset, err)
		}
	}
	if !json.Valid(plain) {
		return nil, fmt.Errorf("alipay: %s: the decrypted response is not JSON", method)
	}
	return plain, nil
}

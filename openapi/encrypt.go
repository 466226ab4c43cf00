package openapi

import (
	"encoding/json"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// Content encryption (接口内容加密, encrypt_type=AES; spec/openapi.md §1.6).
// The client encrypts biz_content with the app's AES key and then signs the
// request, ciphertext and encrypt_type included, so the signature is
// verified over the request as sent (serve) before anything is decrypted.
// The answer to a request that was decrypted is encrypted with the same key
// and its node value becomes a JSON string; the signature covers that
// string literal, quotes included (spec §2.2). Notifications are never
// encrypted: spec §5 describes them as signed form fields and no SDK
// decrypts a notification.

// encryptTypeAES is the only encrypt_type Alipay's OpenAPI v2 SDKs send
// (Java AlipayConstants.ENCRYPT_TYPE_AES, Node and Python "AES", smartwalle
// "AES"). It is matched exactly: every SDK sends it in upper case, and
// what the real gateway makes of "aes" is UNCONFIRMED.
const encryptTypeAES = "AES"

var (
	// errEncryptType answers an encrypt_type zfb cannot decrypt. Spec §3
	// lists two candidates: isv.invalid-encrypt-type (无效的加密类型) and
	// isv.decryption-error-not-valid-encrypt-type (解密出错，不支持的加密
	// 算法). A well-formed name of another algorithm (SM4, say) is not
	// invalid but unsupported, and it fails in decryption as the other
	// isv.decryption-error-* answers do, so it gets the second. A value
	// that fails its boundary (too long, not an identifier) already got the
	// first (checkParams).
	errEncryptType = zfb.NewError(zfb.CodeInvalidArguments, "isv.decryption-error-not-valid-encrypt-type", "解密出错，不支持的加密算法")
	// errEncryptKey answers an encrypted request from an app without a key.
	errEncryptKey = zfb.NewError(zfb.CodeInvalidArguments, "isv.decryption-error-not-valid-encrypt-key", "解密出错, 未配置加密密钥或加密密钥格式错误")
	// errDecryption answers ciphertext that does not decrypt to a JSON
	// object. Spec §3's table puts isv.decryption-error-unknown under 40002,
	// but the real gateway's answer (spec §1.6, the Node SDK's test) is
	// 40003 with this sub_msg: zfb follows the live sample.
	errDecryption = zfb.NewError(zfb.CodeInsufficientCondition, "isv.decryption-error-unknown", "解密出错, 未知错误")
)

// decryptBizContent decrypts the biz_content of a request that names an
// encrypt_type, after its signature was verified. On success it replaces
// the business text of biz_content with the plaintext (as UTF-8, like
// every parameter in params) and keeps the key in req.aesKey, so that the
// answer is encrypted too. A request without encrypt_type is left alone.
//
// A request with encrypt_type=AES but no biz_content has nothing to
// decrypt: it goes on as a plain request (a method that needs biz_content
// then answers that it is missing) and its answer is not encrypted, since
// nothing was decrypted. The SDKs never send that: Java refuses to encrypt
// a request without biz_content, and Node, Python and smartwalle add
// encrypt_type only when they encrypt one. The type and the key are still
// checked first, so an app without a key hears that it has none.
func decryptBizContent(app *zfb.App, req *request) *zfb.Error {
	p := req.params
	switch p["encrypt_type"] {
	case "":
		// Absent, or empty as the Node SDK may send unset params; empty
		// values are not signed either (spec §1.4).
		return nil
	case encryptTypeAES:
	default:
		return errEncryptType
	}
	key, err := app.AESKeyBytes()
	if err != nil || key == nil {
		return errEncryptKey
	}
	ciphertext := req.raw["biz_content"] // Base64: the same bytes in every charset
	if ciphertext == "" {
		return nil
	}
	plain, err := sign.DecryptAES(key, ciphertext)
	if err != nil {
		return errDecryption
	}
	// The plaintext is bytes in the request charset (Java encrypts
	// bizContent.getBytes(charset)); a GBK request's is GBK.
	text, ok := req.charset.decode(string(plain))
	if !ok || !json.Valid([]byte(text)) || !isObject([]byte(text)) {
		return errDecryption
	}
	// From here on the request was decrypted, and every answer is
	// encrypted, errors included (spec §1.6: UNCONFIRMED for business
	// errors; the suggested rule is "encrypt whenever the request was
	// decrypted").
	req.aesKey = key
	// The boundary of biz_content holds for the plaintext as it did for
	// the ciphertext (checkParams ran before decryption).
	if detail := checkParam("biz_content", text); detail != "" {
		return commonParamError("biz_content", detail)
	}
	req.setParam("biz_content", text)
	return nil
}

// encryptValue encrypts a rendered node value (bytes in the request
// charset) with key and returns it as the JSON string literal that takes
// the object's place: `"<Base64>"`. Base64 needs no escaping. The
// ciphertext is deterministic (zero IV), so a repeated encrypted answer
// may reuse its signature like a plain one; the signature cache keys on
// the bytes signed, and a quoted string never equals an object, so plain
// and encrypted answers never share an entry.
func encryptValue(key, value []byte) ([]byte, error) {
	ciphertext, err := sign.EncryptAES(key, value)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(ciphertext)+2)
	out = append(out, '"')
	out = append(out, ciphertext...)
	return append(out, '"'), nil
}

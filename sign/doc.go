// Package sign implements the wire cryptography of the Alipay OpenAPI gateway
// (gateway.do, version 1.0) and of the international acquiring dialect,
// shared by the zfb server and its Go SDKs:
//
//   - RSA keys in every form the official SDKs and the Alipay console use
//     (keys.go);
//   - SHA1withRSA ("RSA") and SHA256withRSA ("RSA2") PKCS#1 v1.5 signatures
//     in standard Base64 (rsa.go);
//   - the request and notification sign strings (content.go);
//   - the signed response envelope and the Java SDK's way of locating the
//     signed bytes in it (response.go);
//   - the optional AES body encryption, encrypt_type=AES (aes.go);
//   - certificate SNs for public-key-certificate mode, app_cert_sn,
//     alipay_root_cert_sn and alipay_cert_sn (cert.go);
//   - the international acquiring envelope, {"request"|"response":…,
//     "signature":…}, and its signed value, located by scanning the
//     top-level members (intl.go).
//
// Every function works on bytes: content is signed in the request charset's
// bytes, and nothing here transcodes. The package uses the standard library
// only, keeps no state and never panics on malformed input; built with the
// tag openssl, NewSigner signs with OpenSSL's libcrypto through cgo
// (signer_openssl.go) instead of crypto/rsa (signer.go).
package sign

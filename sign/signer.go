package sign

import (
	"crypto/rsa"
	"errors"
)

// Signer signs content with one private key, parsed once: SHA1withRSA
// ("RSA") or SHA256withRSA ("RSA2"), PKCS#1 v1.5, the signature in standard
// padded Base64, byte for byte what Sign gives for the same key. A Signer is
// safe for concurrent use.
type Signer interface {
	Sign(alg Algorithm, content []byte) (string, error)
}

// NewSigner returns the Signer of key that this build uses: crypto/rsa
// (RSASigner) by default, OpenSSL's libcrypto when built with the tag
// openssl (signer_openssl.go). SignerName names it.
func NewSigner(key *rsa.PrivateKey) (Signer, error) {
	if key == nil {
		return nil, errors.New("sign: nil private key")
	}
	return newSigner(key)
}

// RSASigner signs with Go's crypto/rsa: Sign(Key, alg, content).
type RSASigner struct {
	Key *rsa.PrivateKey
}

// Sign signs content with s.Key under alg.
func (s RSASigner) Sign(alg Algorithm, content []byte) (string, error) {
	return Sign(s.Key, alg, content)
}

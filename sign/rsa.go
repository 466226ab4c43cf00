package sign

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Algorithm is an OpenAPI sign_type.
type Algorithm string

// The sign_type values the gateway accepts. Both use PKCS#1 v1.5 padding.
const (
	RSA  Algorithm = "RSA"  // SHA1withRSA, PKCS#1 v1.5
	RSA2 Algorithm = "RSA2" // SHA256withRSA, PKCS#1 v1.5
)

// Valid reports whether a is a sign_type this package implements. The
// comparison is exact: the SDKs send the upper-case names.
func (a Algorithm) Valid() bool {
	return a == RSA || a == RSA2
}

// ErrVerification reports that a signature does not verify: it is malformed,
// missing, or does not match the content and key. Every such error wraps it,
// so test with errors.Is.
var ErrVerification = errors.New("sign: signature verification failed")

// ErrMissingSign reports an absent or empty signature. It wraps
// ErrVerification.
var ErrMissingSign = fmt.Errorf("%w: sign is missing", ErrVerification)

// ErrUnsupportedAlgorithm reports a sign_type other than RSA and RSA2.
var ErrUnsupportedAlgorithm = errors.New("sign: unsupported sign_type")

// digest hashes content with the hash function of alg.
func digest(alg Algorithm, content []byte) (crypto.Hash, []byte, error) {
	switch alg {
	case RSA2:
		d := sha256.Sum256(content)
		return crypto.SHA256, d[:], nil
	case RSA:
		d := sha1.Sum(content)
		return crypto.SHA1, d[:], nil
	}
	return 0, nil, fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, string(alg))
}

// Sign signs content (already in the request charset's bytes) with key using
// alg, and returns the signature in standard padded Base64. PKCS#1 v1.5 is
// deterministic: the same key, algorithm and content give the same signature.
func Sign(key *rsa.PrivateKey, alg Algorithm, content []byte) (string, error) {
	if key == nil {
		return "", errors.New("sign: nil private key")
	}
	h, d, err := digest(alg, content)
	if err != nil {
		return "", err
	}
	// The random source is ignored by PKCS#1 v1.5 signing.
	sig, err := rsa.SignPKCS1v15(nil, key, h, d)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Verify checks that signature (standard padded Base64) is key's signature
// of content under alg. A signature that is empty, not Base64 or does not
// match gives an error wrapping ErrVerification; a nil key or an unsupported
// algorithm gives an error that does not.
func Verify(key *rsa.PublicKey, alg Algorithm, content []byte, signature string) error {
	if key == nil {
		return errors.New("sign: nil public key")
	}
	h, d, err := digest(alg, content)
	if err != nil {
		return err
	}
	if signature == "" {
		return ErrMissingSign
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("%w: sign is not standard Base64: %v", ErrVerification, err)
	}
	if err := rsa.VerifyPKCS1v15(key, h, d, sig); err != nil {
		if errors.Is(err, rsa.ErrVerification) {
			return fmt.Errorf("%w: %s signature does not match the content", ErrVerification, alg)
		}
		return fmt.Errorf("sign: %w", err) // e.g. a key below the 1024-bit minimum
	}
	return nil
}

package sign

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// PEM labels this package reads and writes.
const (
	labelPKCS1Private = "RSA PRIVATE KEY"
	labelPKCS8Private = "PRIVATE KEY"
	labelPKIXPublic   = "PUBLIC KEY"
	labelPKCS1Public  = "RSA PUBLIC KEY"
	labelCertificate  = "CERTIFICATE"

	pemBegin  = "-----BEGIN "
	pemEnd    = "-----END "
	pemDashes = "-----"
)

// ParsePrivateKey parses an RSA private key given as PEM (PKCS#1
// "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY") or as the bare one-line Base64
// of the DER that the Alipay console shows. Surrounding whitespace, line
// breaks (also \r\n, or the two characters \n as found in environment
// files) inside the Base64, missing padding and a PEM whose body lines were
// joined are tolerated. The DER is tried as PKCS#1 and as PKCS#8 whatever
// the PEM label says, since keys are often re-wrapped by hand. Encrypted
// keys, public keys and non-RSA keys are rejected with a clear error.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	label, der, err := decodeKeyText(s)
	if err != nil {
		return nil, err
	}
	switch label {
	case "", labelPKCS1Private, labelPKCS8Private:
	case labelPKIXPublic, labelPKCS1Public, labelCertificate:
		return nil, fmt.Errorf("sign: got a %s where a private key is expected", label)
	default:
		return nil, fmt.Errorf("sign: PEM type %q is not an RSA private key", label)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("sign: private key is %s, only RSA is supported", keyKind(k))
	}
	if _, ecErr := x509.ParseECPrivateKey(der); ecErr == nil {
		return nil, errors.New("sign: private key is ECDSA, only RSA is supported")
	}
	if _, pubErr := parsePublicDER(der); pubErr == nil {
		return nil, errors.New("sign: got a public key where a private key is expected")
	}
	return nil, fmt.Errorf("sign: private key is neither PKCS#1 nor PKCS#8 DER: %w", err)
}

// ParsePublicKey parses an RSA public key given as PEM (PKIX "PUBLIC KEY",
// PKCS#1 "RSA PUBLIC KEY", or a "CERTIFICATE" whose key is RSA) or as the
// bare one-line Base64 of any of those DER forms, with the same tolerance as
// ParsePrivateKey. Only the first PEM block is read. Private keys and
// non-RSA keys are rejected with a clear error.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	label, der, err := decodeKeyText(s)
	if err != nil {
		return nil, err
	}
	switch label {
	case "", labelPKIXPublic, labelPKCS1Public, labelCertificate:
	case labelPKCS1Private, labelPKCS8Private:
		return nil, fmt.Errorf("sign: got a %s where a public key is expected", label)
	default:
		return nil, fmt.Errorf("sign: PEM type %q is not an RSA public key or certificate", label)
	}
	k, err := parsePublicDER(der)
	if err == nil {
		return k, nil
	}
	if _, privErr := x509.ParsePKCS1PrivateKey(der); privErr == nil {
		return nil, errors.New("sign: got a private key where a public key is expected")
	}
	if _, privErr := x509.ParsePKCS8PrivateKey(der); privErr == nil {
		return nil, errors.New("sign: got a private key where a public key is expected")
	}
	return nil, err
}

// parsePublicDER tries der as PKIX, PKCS#1 and X.509 certificate, in that
// order, and requires the key to be RSA.
func parsePublicDER(der []byte) (*rsa.PublicKey, error) {
	var k any
	if pk, err := x509.ParsePKIXPublicKey(der); err == nil {
		k = pk
	} else if rk, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return rk, nil
	} else if cert, certErr := x509.ParseCertificate(der); certErr == nil {
		if cert.PublicKey == nil {
			return nil, fmt.Errorf("sign: certificate key algorithm %v is not supported, only RSA is", cert.PublicKeyAlgorithm)
		}
		k = cert.PublicKey
	} else {
		return nil, fmt.Errorf("sign: public key is neither PKIX, PKCS#1 nor an X.509 certificate: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("sign: public key is %s, only RSA is supported", keyKind(k))
	}
	return rk, nil
}

// keyKind names the algorithm of a parsed key for error messages.
func keyKind(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "Ed25519"
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return "ECDH"
	}
	return fmt.Sprintf("%T", k)
}

// GenerateKey generates an RSA private key of the given size from
// crypto/rand. Alipay keys are 2048 bits; sizes below 1024 are refused.
func GenerateKey(bits int) (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return k, nil
}

// PrivateKeyPKCS1PEM encodes k as a PKCS#1 "RSA PRIVATE KEY" PEM block, the
// form the Node SDK (by default), PHP and Python read. It returns "" for a
// nil or invalid key.
func PrivateKeyPKCS1PEM(k *rsa.PrivateKey) string {
	if k == nil || k.Validate() != nil {
		return ""
	}
	return encodePEM(labelPKCS1Private, x509.MarshalPKCS1PrivateKey(k))
}

// PrivateKeyPKCS8PEM encodes k as a PKCS#8 "PRIVATE KEY" PEM block, the form
// the Java SDK reads. It returns "" for a nil or invalid key.
func PrivateKeyPKCS8PEM(k *rsa.PrivateKey) string {
	if k == nil || k.Validate() != nil {
		return ""
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return ""
	}
	return encodePEM(labelPKCS8Private, der)
}

// PublicKeyPEM encodes k as a PKIX "PUBLIC KEY" PEM block. It returns "" for
// a nil or incomplete key.
func PublicKeyPEM(k *rsa.PublicKey) string {
	if k == nil || k.N == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return ""
	}
	return encodePEM(labelPKIXPublic, der)
}

func encodePEM(label string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
}

// Bare returns the Base64 body of the first PEM block in pemText on one line,
// as the Alipay console shows keys. Text without PEM armour is returned with
// its whitespace removed, so Bare is idempotent. It returns "" for an
// encrypted or malformed PEM block.
func Bare(pemText string) string {
	_, body, err := unarmor(pemText)
	if err != nil {
		return ""
	}
	return body
}

// decodeKeyText turns key text into its PEM label ("" for bare Base64) and
// DER bytes.
func decodeKeyText(s string) (label string, der []byte, err error) {
	label, body, err := unarmor(s)
	if err != nil {
		return "", nil, err
	}
	if body == "" {
		return "", nil, errors.New("sign: empty key")
	}
	if label == "ENCRYPTED PRIVATE KEY" {
		return "", nil, errEncryptedKey
	}
	// Accept padded and unpadded Base64 alike.
	der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(body, "="))
	if err != nil {
		return "", nil, fmt.Errorf("sign: key is not Base64 DER: %w", err)
	}
	return label, der, nil
}

var errEncryptedKey = errors.New("sign: encrypted private keys are not supported; export the key unencrypted")

// unarmor returns the label and the whitespace-free Base64 body of the first
// PEM block in s. Text without a BEGIN line is taken as bare Base64 and
// returned with label "". RFC 1421 header lines ("Name: value") are dropped;
// an encrypted block is an error.
func unarmor(s string) (label, body string, err error) {
	if strings.Contains(s, `\n`) || strings.Contains(s, `\r`) {
		// Escaped line breaks, as in a PEM pasted into an environment file.
		// Base64 never contains a backslash, so this cannot corrupt a key.
		s = strings.NewReplacer(`\r`, "\n", `\n`, "\n").Replace(s)
	}
	begin := strings.Index(s, pemBegin)
	if begin < 0 {
		return "", stripSpace(s), nil
	}
	rest := s[begin+len(pemBegin):]
	i := strings.Index(rest, pemDashes)
	if i < 0 {
		return "", "", errors.New("sign: malformed PEM: unterminated BEGIN line")
	}
	label = strings.TrimSpace(rest[:i])
	rest = rest[i+len(pemDashes):]
	i = strings.Index(rest, pemEnd)
	if i < 0 {
		return "", "", fmt.Errorf("sign: malformed PEM: no END line for %q", label)
	}
	body = rest[:i]
	if strings.Contains(body, ":") { // Base64 never contains ':'
		if strings.Contains(body, "ENCRYPTED") {
			return "", "", errEncryptedKey
		}
		var b strings.Builder
		for line := range strings.Lines(body) {
			if !strings.Contains(line, ":") {
				b.WriteString(line)
			}
		}
		body = b.String()
	}
	return label, stripSpace(body), nil
}

// stripSpace removes ASCII whitespace and byte-order marks from s.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f', '\ufeff':
			return -1
		}
		return r
	}, s)
}

package sign

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The fixed test keys in testdata were made with OpenSSL 3.0:
//
//	openssl genrsa -traditional -out app_private_pkcs1.pem 2048
//	openssl pkcs8 -topk8 -nocrypt -in app_private_pkcs1.pem -out app_private_pkcs8.pem
//	openssl rsa -in app_private_pkcs1.pem -pubout -out app_public_pkix.pem
//	openssl rsa -in app_private_pkcs1.pem -RSAPublicKey_out -out app_public_pkcs1.pem
//	openssl genrsa -traditional -out other_private_pkcs1.pem 2048
//
// They are test keys only and sign nothing real.

func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// appKey is the fixed key of the known-answer tests.
func appKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := ParsePrivateKey(readTestdata(tb, "app_private_pkcs1.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// otherKey is a second fixed key, for wrong-key cases.
func otherKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := ParsePrivateKey(readTestdata(tb, "other_private_pkcs1.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// selfSignedPEM returns a self-signed certificate for pub, signed by priv.
func selfSignedPEM(tb testing.TB, pub, priv any) string {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(20240513),
		Subject:      pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb test"}, CommonName: "zfb test cert"},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

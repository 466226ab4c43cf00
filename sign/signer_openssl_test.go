//go:build openssl

package sign

import "testing"

// TestOpenSSLSignerInUse checks that the openssl build's NewSigner is
// OpenSSL's, so the tests beside it compare OpenSSL with crypto/rsa.
func TestOpenSSLSignerInUse(t *testing.T) {
	s, err := NewSigner(appKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*OpenSSLSigner); !ok || SignerName != "openssl" {
		t.Fatalf("NewSigner = %T (%s), want *OpenSSLSigner", s, SignerName)
	}
}

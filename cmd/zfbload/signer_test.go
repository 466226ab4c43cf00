package main

import (
	"os"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

func TestSignerOfTags(t *testing.T) {
	for tags, want := range map[string]string{"": signerGo, "netgo": signerGo, "openssl": signerOpenSSL, "netgo,openssl": signerOpenSSL, "opensslx": signerGo} {
		if got := signerOfTags(tags); got != want {
			t.Errorf("signerOfTags(%q) = %s, want %s", tags, got, want)
		}
	}
}

// TestBinarySigner reads the signer of this test binary from the tags it
// records: it must be the one compiled into it.
func TestBinarySigner(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if got := binarySigner(exe); got != sign.SignerName {
		t.Errorf("binarySigner of this test = %s, it signs with %s", got, sign.SignerName)
	}
	if got := binarySigner(os.DevNull); got != signerUnknown {
		t.Errorf("binarySigner(%s) = %s", os.DevNull, got)
	}
	if got := signerOfTags(ownTags()); got != sign.SignerName {
		t.Errorf("ownTags %q give %s, this build signs with %s", ownTags(), got, sign.SignerName)
	}
}

// TestCeilingSigner: the ceiling is measured with crypto/rsa for a zfb that
// uses it, whatever zfbload was built with.
func TestCeilingSigner(t *testing.T) {
	key, err := sign.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	s, name, err := ceilingSigner(signerGo, key)
	if _, ok := s.(sign.RSASigner); !ok || name != signerGo || err != nil {
		t.Errorf("ceilingSigner(crypto/rsa) = %T %s %v", s, name, err)
	}
	if _, name, err := ceilingSigner(signerOpenSSL, key); name != sign.SignerName || err != nil {
		t.Errorf("ceilingSigner(openssl) = %s %v, this build has %s", name, err, sign.SignerName)
	}
}

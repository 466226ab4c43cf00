package openapi

import (
	"testing"

	"github.com/zfbpay/zfb/sign"
)

func TestSignatureCacheIsBounded(t *testing.T) {
	c := newSignatureCache(3)
	for i := range 10 {
		c.put(cacheKey(sign.RSA2, []byte{byte(i)}), "s")
		if len(c.entries) > 3 {
			t.Fatalf("%d entries, bound is 3", len(c.entries))
		}
	}
	if _, ok := c.get(cacheKey(sign.RSA, []byte{9})); ok {
		t.Fatal("a signature of RSA2 served for RSA")
	}
	if s, ok := c.get(cacheKey(sign.RSA2, []byte{9})); !ok || s != "s" {
		t.Fatal("the latest entry is gone")
	}
	var off *signatureCache = newSignatureCache(0)
	off.put(cacheKey(sign.RSA2, nil), "s")
	if _, ok := off.get(cacheKey(sign.RSA2, nil)); ok {
		t.Fatal("a disabled cache served a signature")
	}
}

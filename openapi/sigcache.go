package openapi

import (
	"crypto/sha256"
	"sync"

	"github.com/zfbpay/zfb/sign"
)

// signatureCache remembers the signatures of recent answers of one gateway
// key. RSA PKCS#1 v1.5 signatures are deterministic: the same key over the
// same bytes always gives the same signature, so an identical answer (a
// till polling alipay.trade.query on an unchanged trade) is signed once,
// not every time — a lookup of about a microsecond instead of about a
// millisecond of RSA. It is bounded: when full it starts over.
type signatureCache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]string
}

func newSignatureCache(max int) *signatureCache {
	if max <= 0 {
		return nil
	}
	return &signatureCache{max: max, entries: make(map[[sha256.Size]byte]string)}
}

func cacheKey(alg sign.Algorithm, value []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(alg))
	h.Write([]byte{0})
	h.Write(value)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// get returns the cached signature of value, if any. A nil cache has none.
func (c *signatureCache) get(k [sha256.Size]byte) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.entries[k]
	return s, ok
}

func (c *signatureCache) put(k [sha256.Size]byte, signature string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = signature
}

package intl

import (
	"sync"
	"time"
)

// limiter is a token bucket per client, in memory: each holds up to burst
// tokens, refilled at rate per second; a request takes one. Buckets are
// kept per app, and only known clients reach the limiter, so there are as
// many as apps. Several zfb instances on one database limit separately.
type limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time // the wall clock; tests replace it

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter returns a limiter, or nil (no limit) when rate is not positive.
// A burst below 1 is 1.
func newLimiter(rate float64, burst int) *limiter {
	if !(rate > 0) {
		return nil
	}
	return &limiter{rate: rate, burst: float64(max(burst, 1)), now: time.Now, buckets: make(map[string]*bucket)}
}

// allow takes a token from key's bucket, reporting whether there was one.
// A nil limiter allows everything.
func (l *limiter) allow(key string) bool {
	if l == nil {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

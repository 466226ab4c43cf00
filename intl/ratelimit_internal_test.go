package intl

import (
	"testing"
	"time"
)

func TestLimiterRefills(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(2, 3)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if !l.allow("a") {
			t.Fatalf("request %d within the burst refused", i)
		}
	}
	if l.allow("a") {
		t.Fatal("request over the burst allowed")
	}
	if !l.allow("b") {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(499 * time.Millisecond) // 0.998 tokens
	if l.allow("a") {
		t.Fatal("allowed before a token refilled")
	}
	now = now.Add(time.Millisecond)
	if !l.allow("a") {
		t.Fatal("refused after a token refilled")
	}
	now = now.Add(time.Hour) // refills up to the burst only
	for i := 0; i < 3; i++ {
		if !l.allow("a") {
			t.Fatalf("request %d after an hour refused", i)
		}
	}
	if l.allow("a") {
		t.Fatal("the bucket grew past its burst")
	}
	if newLimiter(0, 10) != nil || !(*limiter)(nil).allow("a") {
		t.Fatal("rate 0 must disable the limit")
	}
}

package zfb

import (
	"strings"
	"testing"
	"time"
)

// TestRandomString: every character comes from the alphabet, and each of
// the alphabet's characters comes about equally often.
func TestRandomString(t *testing.T) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	const n = 360_000
	s := randomString(alphabet, n)
	if len(s) != n {
		t.Fatalf("len = %d, want %d", len(s), n)
	}
	counts := map[rune]int{}
	for _, c := range s {
		if !strings.ContainsRune(alphabet, c) {
			t.Fatalf("%q is not in the alphabet", c)
		}
		counts[c]++
	}
	// Each character is expected 10,000 times (σ ≈ 99).
	for _, c := range alphabet {
		if got := counts[c]; got < 9_600 || got > 10_400 {
			t.Errorf("%q came %d times, want about 10,000", c, got)
		}
	}
	if d := randomDigits(15); len(d) != 15 || strings.Trim(d, "0123456789") != "" {
		t.Errorf("randomDigits(15) = %q", d)
	}
}

// TestTradeNoSortsByTime: trade numbers are 28 digits, the Beijing date,
// "22001" and the millisecond of the day, so that a later one sorts later.
func TestTradeNoSortsByTime(t *testing.T) {
	at := time.Date(2026, 11, 30, 23, 59, 59, 999_000_000, Beijing)
	no := newTradeNo(at)
	if len(no) != 28 || strings.Trim(no, "0123456789") != "" || !strings.HasPrefix(no, "20261130"+"22001"+"86399999") {
		t.Errorf("newTradeNo(%v) = %q", at, no)
	}
	prev := newTradeNo(at.Add(-time.Hour))
	for _, d := range []time.Duration{time.Millisecond, time.Second, time.Hour, 24 * time.Hour} {
		next := newTradeNo(at.Add(-time.Hour + d))
		if next <= prev {
			t.Errorf("a trade number made %v later, %s, sorts before %s", d, next, prev)
		}
	}
	if utc := newTradeNo(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)); !strings.HasPrefix(utc, "20261201"+"22001"+"00000000") {
		t.Errorf("midnight in Beijing: %s", utc)
	}
}

package zfb

import (
	"strings"
	"testing"
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

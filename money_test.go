package zfb_test

import (
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0.01", 1, true},
		{"88.88", 8888, true},
		{"1", 100, true},
		{"1.5", 150, true},
		{"0", 0, true},
		{"100000000.00", 100_000_000_00, true},
		{"100000000.01", 0, false},
		{"1.001", 0, false},
		{"-1.00", 0, false},
		{"+1.00", 0, false},
		{"1e2", 0, false},
		{" 1.00", 0, false},
		{"1.00 ", 0, false},
		{".5", 0, false},
		{"5.", 0, false},
		{"1..0", 0, false},
		{"1.0.0", 0, false},
		{"", 0, false},
		{"９", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := zfb.ParseAmount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for v, want := range map[int64]string{0: "0.00", 1: "0.01", 10: "0.10", 8888: "88.88", 100: "1.00", -150: "-1.50", 100_000_000_00: "100000000.00"} {
		if got := zfb.FormatAmount(v); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", v, got, want)
		}
	}
}

// FuzzParseAmount: whatever parses is within range and survives a round
// trip through FormatAmount; whatever does not parse is refused cleanly.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0.01", "88.88", "1", "1.5", "100000000.00", "1e2", "-1", ".5", "1.001", "007.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := zfb.ParseAmount(s)
		if err != nil {
			return
		}
		if v < 0 || v > zfb.MaxAmount {
			t.Fatalf("ParseAmount(%q) = %d: out of range", s, v)
		}
		if strings.ContainsAny(s, "+-eE ") {
			t.Fatalf("ParseAmount(%q) accepted a sign, exponent or space", s)
		}
		back, err := zfb.ParseAmount(zfb.FormatAmount(v))
		if err != nil || back != v {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, v, zfb.FormatAmount(v), back, err)
		}
	})
}

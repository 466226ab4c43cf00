package textcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		s     string
		class Class
		want  Problem
	}{
		{"T-2026_01.x", Identifier, OK},
		{"咖啡 two", FreeText, OK},
		{"line\none\ttab\r", FreeText, OK},
		{"line\none", Identifier, Control},
		{"nul\x00", FreeText, Control},
		{"del\x7f", Identifier, Control},
		{"c1\u0085", FreeText, Control},
		{"bad\xff", FreeText, InvalidUTF8},
		{"", Identifier, OK},
	} {
		if got := Check(tc.s, tc.class); got != tc.want {
			t.Errorf("Check(%q, %d) = %d, want %d", tc.s, tc.class, got, tc.want)
		}
	}
}

func TestLengths(t *testing.T) {
	if Longer(strings.Repeat("押", 64), 64) || !Longer(strings.Repeat("押", 65), 64) {
		t.Error("Longer counts characters, not bytes")
	}
	if Width(strings.Repeat("押", 50)) != 100 || Width("ab押") != 4 {
		t.Error("Width counts a character outside ASCII as two")
	}
}

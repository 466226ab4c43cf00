// Package textcheck is the character rules of zfb's input boundary, shared
// by both dialects: valid UTF-8, and which control characters a kind of
// field may hold. Each adapter words and codes the refusal its own way.
package textcheck

import (
	"unicode"
	"unicode/utf8"
)

// Class is what a string may contain besides printable characters.
type Class uint8

const (
	// Identifier: ids, codes, numbers, times, URLs — no control character.
	Identifier Class = iota
	// FreeText: titles, descriptions, remarks — tab, line feed and
	// carriage return (which a merchant may paste into a description), no
	// other control character.
	FreeText
)

// Problem is what is wrong with a string.
type Problem uint8

const (
	OK          Problem = iota
	InvalidUTF8         // not valid UTF-8
	Control             // a control character (C0, DEL, C1) its class refuses
)

// Check reports the first problem of s for class.
func Check(s string, class Class) Problem {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c >= 0x20 && c != 0x7f {
				continue
			}
			if class == FreeText && (c == '\t' || c == '\n' || c == '\r') {
				continue
			}
			return Control
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return InvalidUTF8
		}
		if unicode.IsControl(r) {
			return Control
		}
		i += size
	}
	return OK
}

// Longer reports whether s has more than max characters.
func Longer(s string, max int) bool {
	return len(s) > max && utf8.RuneCountInString(s) > max
}

// Width is the length of s in Alipay's "letters": a character outside
// ASCII counts as two ("n letters or n/2 Chinese characters", the length
// of the text in GBK).
func Width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= utf8.RuneSelf {
			n++
		}
	}
	return n
}

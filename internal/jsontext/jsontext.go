// Package jsontext reads and writes JSON text by hand where encoding/json's
// reflection is too slow for a hot path: the gateway's answers, the
// request log's rows, and the checks of a request's plain members.
package jsontext

import (
	"strings"
	"unicode/utf8"
)

// SkipSpace is the index of the first byte of s from i on that is not
// JSON whitespace.
func SkipSpace[T string | []byte](s T, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// PlainString reads the JSON string literal at s[i:] when it decodes to
// its bytes as they stand: no escape, valid UTF-8 (encoding/json turns an
// invalid byte into U+FFFD). It returns the text and the index after the
// closing quote; ok is false for anything else.
func PlainString(s string, i int) (text string, next int, ok bool) {
	if i == len(s) || s[i] != '"' {
		return "", 0, false
	}
	n := strings.IndexByte(s[i+1:], '"')
	if n < 0 {
		return "", 0, false
	}
	text = s[i+1 : i+1+n]
	if strings.IndexByte(text, '\\') >= 0 || !utf8.ValidString(text) {
		return "", 0, false
	}
	return text, i + n + 2, true
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string literal exactly as
// encoding/json does with SetEscapeHTML(false): '"', '\\' and control
// characters escaped (\b \f \n \r \t short, the rest \u00XX), invalid UTF-8
// as \ufffd, U+2028 and U+2029 as \u2028 and \u2029; '<', '>' and '&' kept.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

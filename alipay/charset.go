package alipay

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Alipay's gateway speaks UTF-8 or GBK (spec/openapi.md §1.5). Go strings
// carry the bytes of either: a GBK value is kept as its raw GBK bytes in a
// string, exactly what goes on the wire and under the signature.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// toGBK encodes UTF-8 text as GBK. It fails on invalid UTF-8 and on runes GBK
// lacks (emoji, rare CJK): Alipay could not have signed those either.
func toGBK(s string) (string, error) {
	if isASCII(s) {
		return s, nil
	}
	return simplifiedchinese.GBK.NewEncoder().String(s)
}

func toGBKBytes(b []byte) ([]byte, error) {
	if isASCIIBytes(b) {
		return b, nil
	}
	return simplifiedchinese.GBK.NewEncoder().Bytes(b)
}

// charsetDecoder returns the decoder to UTF-8 for a charset label, nil for
// UTF-8 (and ASCII), and ok=false for a charset this package does not read.
func charsetDecoder(label string) (dec *encoding.Decoder, ok bool) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil, true
	case "gbk", "gb2312", "cp936", "x-gbk":
		return simplifiedchinese.GBK.NewDecoder(), true
	case "gb18030":
		return simplifiedchinese.GB18030.NewDecoder(), true
	}
	return nil, false
}

func isGBKLabel(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "gbk", "gb2312", "cp936", "x-gbk", "gb18030":
		return true
	}
	return false
}

// contentTypeCharset returns the charset parameter of a Content-Type header,
// or "" (without mime.ParseMediaType's map allocation).
func contentTypeCharset(ct string) string {
	for ct != "" {
		var part string
		part, ct, _ = strings.Cut(ct, ";")
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

const upperhex = "0123456789ABCDEF"

// appendQueryEscape appends s escaped as url.QueryEscape does (space as '+',
// every byte but [A-Za-z0-9-_.~] as %XX), so a GBK value is sent as its
// percent-encoded GBK bytes, like Java's URLEncoder.encode(v, "GBK").
func appendQueryEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return dst
}

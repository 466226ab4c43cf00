package openapi

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// charset is a request charset zfb speaks. The zero value is UTF-8.
type charset struct {
	name string // as the client wrote it, echoed in Content-Type
	gbk  bool   // GBK or GB2312 (decoded as GBK, its superset)
}

var utf8Charset = charset{name: "utf-8"}

// lookupCharset maps a charset label to a charset. Alipay documents UTF-8 and
// GBK; GB2312 is a subset of GBK and is read as GBK.
func lookupCharset(label string) (charset, bool) {
	label = strings.TrimSpace(label)
	switch strings.ToLower(label) {
	case "utf-8", "utf8":
		return charset{name: label}, true
	case "gbk", "gb2312", "cp936":
		return charset{name: label, gbk: true}, true
	}
	return charset{}, false
}

// findCharset finds the label of the request charset in the order the spec
// gives (spec/openapi.md §1.5): the charset query parameter, the charset of
// the Content-Type, then an ASCII scan of the form body. "" means none.
func findCharset(queryCharset, contentTypeCharset string, body []byte) string {
	if queryCharset != "" {
		return queryCharset
	}
	if contentTypeCharset != "" {
		return contentTypeCharset
	}
	for rest := body; len(rest) > 0; {
		i := bytes.Index(rest, []byte("charset="))
		if i < 0 {
			break
		}
		if i == 0 || rest[i-1] == '&' {
			v := rest[i+len("charset="):]
			if j := bytes.IndexByte(v, '&'); j >= 0 {
				v = v[:j]
			}
			return string(v)
		}
		rest = rest[i+1:]
	}
	return ""
}

// decode turns raw request bytes into UTF-8 text for business use.
func (c charset) decode(raw string) (string, bool) {
	if !c.gbk {
		return raw, utf8.ValidString(raw)
	}
	if isASCII(raw) {
		return raw, true
	}
	// x/text replaces bytes that are not GBK with U+FFFD, which GBK itself
	// cannot encode: its presence means the input was not GBK.
	s, err := simplifiedchinese.GBK.NewDecoder().String(raw)
	return s, err == nil && !strings.ContainsRune(s, utf8.RuneError)
}

// encode turns UTF-8 JSON into the charset's bytes. A character GBK cannot
// hold (an emoji, say) is written as a JSON \u escape: still the same JSON
// text, and still the same bytes when a client re-encodes what it decoded.
func (c charset) encode(b []byte) []byte {
	if !c.gbk || isASCII(string(b)) {
		return b
	}
	if out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b); err == nil {
		return out
	}
	enc := simplifiedchinese.GBK.NewEncoder()
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r < utf8.RuneSelf {
			out = append(out, b[0])
		} else if g, err := enc.Bytes(b[:n]); err == nil {
			out = append(out, g...)
		} else {
			out = appendJSONEscape(out, r)
		}
		b = b[n:]
	}
	return out
}

func appendJSONEscape(out []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	u := func(v rune) {
		out = append(out, '\\', 'u', hex[v>>12&0xf], hex[v>>8&0xf], hex[v>>4&0xf], hex[v&0xf])
	}
	if r > 0xffff {
		r -= 0x10000
		u(0xd800 + r>>10)
		u(0xdc00 + r&0x3ff)
		return out
	}
	u(r)
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

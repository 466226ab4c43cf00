package reqlog

import (
	"encoding/json"

	"github.com/zfbpay/zfb/internal/jsontext"
)

// maxDepth bounds how deeply eachString follows nested objects and
// arrays, as encoding/json does: a hostile biz_content of a million
// brackets must not take the recorder's stack with it.
const maxDepth = 10_000

// eachString calls visit for every object member, at any depth of the JSON
// text s, whose value is a string, with the member's name and the value
// unescaped. It reads s once, in place: a name or value without escapes is
// a slice of s, so a record costs no allocations beyond its escaped
// strings, where decoding into map[string]any cost some seventy.
//
// Bytes that are not UTF-8 are kept as they are (encoding/json makes
// them U+FFFD): a secret is masked by finding it in the record's text.
//
// It stops at the first syntax error and reports false, having visited
// what came before: masking what can be found in a malformed biz_content
// is safer than masking nothing.
func eachString(s string, visit func(name, value string)) bool {
	sc := jsonScanner{s: s, visit: visit}
	if !sc.value(0) {
		return false
	}
	sc.space()
	return sc.i == len(s)
}

type jsonScanner struct {
	s     string
	i     int
	visit func(name, value string)
}

// space moves past JSON whitespace.
func (sc *jsonScanner) space() { sc.i = jsontext.SkipSpace(sc.s, sc.i) }

// value reads one value of any kind at depth.
func (sc *jsonScanner) value(depth int) bool {
	sc.space()
	if sc.i >= len(sc.s) || depth > maxDepth {
		return false
	}
	switch sc.s[sc.i] {
	case '{':
		return sc.object(depth + 1)
	case '[':
		return sc.array(depth + 1)
	case '"':
		_, ok := sc.str()
		return ok
	}
	// A number, true, false or null: up to the next delimiter. Their
	// spelling is not checked: no string is in them.
	start := sc.i
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return sc.i > start
		case '{', '[', '"', ':':
			return false
		}
		sc.i++
	}
	return sc.i > start
}

func (sc *jsonScanner) object(depth int) bool {
	sc.i++ // {
	sc.space()
	if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
		sc.i++
		return true
	}
	for {
		sc.space()
		if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
			return false
		}
		name, ok := sc.str()
		if !ok {
			return false
		}
		sc.space()
		if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
			return false
		}
		sc.i++
		sc.space()
		if sc.i < len(sc.s) && sc.s[sc.i] == '"' {
			v, ok := sc.str()
			if !ok {
				return false
			}
			sc.visit(name, v)
		} else if !sc.value(depth) {
			return false
		}
		if !sc.next('}') {
			return false
		}
		if sc.s[sc.i-1] == '}' {
			return true
		}
	}
}

func (sc *jsonScanner) array(depth int) bool {
	sc.i++ // [
	sc.space()
	if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
		sc.i++
		return true
	}
	for {
		if !sc.value(depth) || !sc.next(']') {
			return false
		}
		if sc.s[sc.i-1] == ']' {
			return true
		}
	}
}

// next reads the comma or the closing bracket after a member or element.
func (sc *jsonScanner) next(closing byte) bool {
	sc.space()
	if sc.i < len(sc.s) && (sc.s[sc.i] == ',' || sc.s[sc.i] == closing) {
		sc.i++
		return true
	}
	return false
}

// str reads the string at sc.i, its opening quote, and returns it
// unescaped.
func (sc *jsonScanner) str() (string, bool) {
	start := sc.i
	sc.i++
	escaped := false
	for sc.i < len(sc.s) {
		switch c := sc.s[sc.i]; {
		case c == '"':
			sc.i++
			if !escaped {
				return sc.s[start+1 : sc.i-1], true
			}
			// Rare: let encoding/json apply JSON's escapes (\/, \u
			// with surrogate pairs), which are not Go's.
			var v string
			if json.Unmarshal([]byte(sc.s[start:sc.i]), &v) != nil {
				return "", false
			}
			return v, true
		case c == '\\':
			escaped = true
			sc.i += 2
		case c < 0x20:
			return "", false // a control character must be escaped
		default:
			sc.i++
		}
	}
	return "", false
}

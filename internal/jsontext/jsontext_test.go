package jsontext

import (
	"bytes"
	"encoding/json"
	"testing"
)

// marshal is encoding/json without HTML escaping, which AppendString
// matches.
func marshal(t testing.TB, s string) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// FuzzAppendString: every string, valid UTF-8 or not, is written byte for
// byte as encoding/json writes it. The seeds exercise every escaping rule:
// Chinese, quotes, backslashes, '<', '>', '&', control characters, DEL,
// U+2028/U+2029, invalid UTF-8 and a lone surrogate's bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{
		"", "plain", "中文 商品", `say "hi"`, `back\slash`, "<b>&amp;</b>", "a\u2028b\u2029c",
		"\x7f", "\xff\xfe", "ok\xe4\xb8", "\xed\xa0\x80", "emoji 😀", "tab\tnl\ncr\rbs\bff\f",
		"/slash/", "'single'", "混合\"<中>&\\\n文\u2028", "x\x00y", "x\x1fy",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendString([]byte("prefix"), s), append([]byte("prefix"), marshal(t, s)...); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, encoding/json: %s", s, got, want)
		}
	})
}

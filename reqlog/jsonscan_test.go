package reqlog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
)

type member struct{ name, value string }

func stringMembers(s string) ([]member, bool) {
	var got []member
	ok := eachString(s, func(name, value string) { got = append(got, member{name, value}) })
	return got, ok
}

func TestEachString(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []member
		ok   bool
	}{
		{`{"a":"1","b":2,"c":{"d":"x","e":[{"f":"y"},"z",null,true,-1.5e3]}}`, []member{{"a", "1"}, {"d", "x"}, {"f", "y"}}, true},
		{` [ {"a" : "" } , { } , [ ] ] `, []member{{"a", ""}}, true},
		{`{"out_\u0074rade_no":"T\"1\u00e9\/"}`, []member{{"out_trade_no", `T"1é/`}}, true},
		{`{"emoji":"\ud83d\ude00"}`, []member{{"emoji", "😀"}}, true},
		{`{"a":"1"`, []member{{"a", "1"}}, false},       // cut short: what came before is visited
		{`{"a":"1","b":}`, []member{{"a", "1"}}, false}, // no value
		{`{"a":"1"} x`, []member{{"a", "1"}}, false},    // trailing text
		{`{"a":"x` + "\n" + `"}`, nil, false},           // raw control character
		{`{"a":"\x"}`, nil, false},                      // unknown escape
		{`{"a" "1"}`, nil, false},                       // no colon
		{`{"a":"1",}`, []member{{"a", "1"}}, false},     // trailing comma
		{`"just a string"`, nil, true},
		{``, nil, false},
		{strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), nil, false},
	} {
		got, ok := stringMembers(c.in)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("%.60q: visited %q, ok %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestPrepareMasksMalformedJSON: a biz_content that is not quite JSON
// still has its payment code masked, as far as it can be read.
func TestPrepareMasksMalformedJSON(t *testing.T) {
	const code = "281234567890123456"
	rec := &zfb.RequestRecord{Params: map[string]string{"biz_content": `{"auth_code":"` + code + `","out_trade_no":"T1",`}}
	prepare(rec)
	if strings.Contains(rec.Params["biz_content"], code) || !slices.Equal(rec.Refs, []string{"T1"}) {
		t.Errorf("biz_content %s, refs %v", rec.Params["biz_content"], rec.Refs)
	}
}

// FuzzEachString: on every text encoding/json accepts, eachString reads
// to the end and visits every string member that decoding finds.
func FuzzEachString(f *testing.F) {
	for _, s := range []string{`{"a":"1","b":{"c":["d",{"e":"f"}]}}`, `[1,2,{"x":"\u00e9"}]`, `{"a":"\ud83d\ude00"}`, `{}`, `"s"`, `{"a":"1","a":"2"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := stringMembers(s) // never panics, on any input
		if !json.Valid([]byte(s)) {
			return
		}
		if !ok {
			t.Fatalf("valid JSON %q refused", s)
		}
		var v any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber() // 1E700 is valid JSON but no float64
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		var want []member
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					if s, ok := e.(string); ok {
						want = append(want, member{k, s})
					} else {
						walk(e)
					}
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(v)
		// eachString keeps bytes that are not UTF-8 as they are, where
		// decoding makes each one U+FFFD, as a range over the string does.
		for i, m := range got {
			got[i] = member{string([]rune(m.name)), string([]rune(m.value))}
		}
		for _, m := range want { // a repeated name: decoding keeps the last, eachString visits all
			if !slices.Contains(got, m) {
				t.Fatalf("%q: %q not visited; visited %q", s, m, got)
			}
		}
	})
}

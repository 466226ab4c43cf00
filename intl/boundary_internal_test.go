package intl

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var requestSamples = []string{
	`{}`,
	`{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.payQuery","clientId":"C1","reqTime":"2026-11-30T10:00:00+08:00","reqMsgId":"m1"},"body":{"partnerId":"2188","merchantTransId":"T1"}}`,
	"{ \"body\" : {\"order\":{\"orderTitle\":\"Tea and cake 咖啡\",\"orderAmount\":{\"currency\":\"USD\",\"value\":\"1000\"}}} , \"head\":{\"signType\":null,\"x\":true,\"y\":false}}",
	`{"head":{"clientId":"` + strings.Repeat("c", 33) + `"}}`,
	`{"body":{"order":{"orderAmount":{"currency":"USDX"}}}}`,
	`{"body":{"order":{"orderTitle":"` + strings.Repeat("茶", 257) + `"}}}`,
	`{"body":{"other":"` + strings.Repeat("o", 5000) + `"}}`,
	`{"body":{"merchantTransId":"a b"}}`, "{\"body\":{\"merchantTransId\":\"a\x7f\"}}", "{\"body\":{\"x\":\"a\xc2\x85\"}}",
	`{"body":{"a b":"x"}}`, `{"body":{"":"x"}}`, `{"":{"head":"x"}}`, `{"` + strings.Repeat("k", 129) + `":"x"}`,
	`{"head":{"version":"2.0.2","version":"` + strings.Repeat("v", 9) + `"}}`,
	`{"body":{"x":"a\"b"}}`, `{"body":{"x":"\u0001"}}`, `{"body":{"x":1}}`, `{"body":{"x":1e400}}`, `{"body":{"x":["a"]}}`,
	`{"head":{"reserve":{"a":"b"}},"body":{"extendInfo":{"k":"v"}}}`,
	strings.Repeat(`{"a":`, 20) + `"x"` + strings.Repeat(`}`, 20),
}

// The fast path passes only what checkValue passes.
func TestPlainRequestPassesOnlyWhatCheckValuePasses(t *testing.T) {
	passed := 0
	for _, s := range requestSamples {
		if !json.Valid([]byte(s)) {
			t.Fatalf("sample %q is not JSON", s)
		}
		if plainRequestPasses(s) {
			passed++
			if detail := fullCheck(s); detail != "" {
				t.Errorf("%q: the fast path passes what checkValue refuses: %s", s, detail)
			}
		}
	}
	if passed < 4 {
		t.Fatalf("the fast path passed only %d samples", passed)
	}
}

func fullCheck(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return err.Error()
	}
	return checkValue(v, "")
}

func FuzzPlainRequestPasses(f *testing.F) {
	for _, s := range requestSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) || !utf8.ValidString(s) {
			return // ExtractEnvelope refuses it before
		}
		if plainRequestPasses(s) {
			if detail := fullCheck(s); detail != "" {
				t.Fatalf("%q: the fast path passes what checkValue refuses: %s", s, detail)
			}
		}
	})
}

// textField reads a string literal as encoding/json does, on its fast path
// and off it.
func FuzzTextFieldAgreesWithJSON(f *testing.F) {
	for _, s := range []string{`"abc"`, `""`, `"咖啡"`, `"a\"b"`, `"a\u00e9"`, "\"\xff\"", `"a\\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, literal string) {
		var want string
		if len(literal) == 0 || literal[0] != '"' || json.Unmarshal([]byte(literal), &want) != nil {
			return
		}
		var raw json.RawMessage
		if json.Unmarshal([]byte(literal), &raw) != nil {
			return
		}
		if got := textField(raw); got.bad || got.value != want {
			t.Fatalf("%q: got %+v; encoding/json reads %q", literal, got, want)
		}
	})
}

// objectMembers reads what json.Unmarshal into a map of raw messages reads.
func FuzzObjectMembersAgreesWithJSON(f *testing.F) {
	for _, s := range append(requestSamples, `null`, `"x"`, `[1,{"a":"b"}]`, `{"a":1,"b":[1,2,{"c":"}"}],"a":"x\"y","d":-1.5e3,"e":null}`, `{"\u0061":"x","a":"y"}`, ` { "a" : { "b" : [ ] } , "c":true } `, `12`) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) || !utf8.ValidString(s) {
			return // a part of an envelope ExtractEnvelope accepted
		}
		got, gotErr := objectMembers(json.RawMessage(s))
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(s), &want)
		if (gotErr == nil) != (wantErr == nil) || len(got) != len(want) || (got == nil) != (want == nil) {
			t.Fatalf("%q: got %q %v, encoding/json %q %v", s, got, gotErr, want, wantErr)
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || string(g) != string(v) {
				t.Fatalf("%q: member %q is %q, encoding/json %q", s, k, g, v)
			}
		}
	})
}

package openapi

import (
	"encoding/json"
	"strings"
	"testing"
)

var bizSamples = []string{
	`{}`, ` { } `, `{"out_trade_no":"20150320010101001"}`,
	`{"out_trade_no":"T1","trade_no":"2026"}`,
	"{\n\t\"out_trade_no\" : \"T1\" ,\r\n\"subject\":\"咖啡\"}",
	`{"out_trade_no":"` + strings.Repeat("x", 65) + `"}`,
	`{"subject":"` + strings.Repeat("咖", 300) + `"}`,
	`{"OUT_TRADE_NO":"` + strings.Repeat("x", 65) + `"}`,
	`{"out_trade_no":"a\u0000b"}`, `{"out_trade_no":"a\nb"}`, `{"out_trade_no":"a\"b"}`,
	"{\"out_trade_no\":\"a\x7fb\"}", "{\"out_trade_no\":\"a\xc2\x85b\"}", "{\"out_trade_no\":\"\xff\"}",
	"{\"k\xff\":\"v\"}", `{"a b":"v"}`, `{"":"v"}`, `{"` + strings.Repeat("k", 129) + `":"v"}`,
	`{"x":"` + strings.Repeat("y", 5000) + `"}`,
	`{"out_trade_no":"T1","out_trade_no":"` + strings.Repeat("x", 65) + `"}`,
	`{"a":1}`, `{"a":1e400}`, `{"a":true}`, `{"a":null}`, `{"a":["b"]}`, `{"a":{"b":"c"}}`,
	`{"query_options":["fund_bill_list"]}`,
}

// The fast path passes only what the full check passes.
func TestFlatBizPassesOnlyWhatTheFullCheckPasses(t *testing.T) {
	passed := 0
	for _, biz := range bizSamples {
		if !json.Valid([]byte(biz)) {
			t.Fatalf("sample %q is not JSON", biz)
		}
		full := checkDecodedBizContent("alipay.trade.query", biz)
		if flatBizPasses(biz) {
			passed++
			if full != nil {
				t.Errorf("%q: the fast path passes what the full check refuses: %v", biz, full)
			}
		}
		if got := checkBizContent("alipay.trade.query", biz); (got == nil) != (full == nil) {
			t.Errorf("%q: checkBizContent %v, full check %v", biz, got, full)
		}
	}
	if passed < 5 {
		t.Fatalf("the fast path passed only %d samples", passed)
	}
}

func FuzzFlatBizPasses(f *testing.F) {
	for _, biz := range bizSamples {
		f.Add(biz)
	}
	f.Fuzz(func(t *testing.T, biz string) {
		if !json.Valid([]byte(biz)) {
			return // the gateway checks validity first
		}
		if flatBizPasses(biz) {
			if err := checkDecodedBizContent("alipay.trade.query", biz); err != nil {
				t.Fatalf("%q: the fast path passes what the full check refuses: %v", biz, err)
			}
		}
	})
}

// text reads a string literal as encoding/json does, on its fast path and
// off it.
func FuzzTextAgreesWithJSON(f *testing.F) {
	for _, s := range []string{`"abc"`, `""`, `"咖啡"`, `"a\"b"`, `"a\u00e9"`, "\"\xff\"", "\"a\x7f\"", `"a\\"`, `"\/"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, literal string) {
		var want string
		if len(literal) == 0 || literal[0] != '"' || json.Unmarshal([]byte(literal), &want) != nil {
			return // the decoder hands text only whole string literals
		}
		var got text
		if err := got.UnmarshalJSON([]byte(literal)); err != nil || string(got) != want {
			t.Fatalf("%q: got %q, %v; encoding/json reads %q", literal, got, err, want)
		}
	})
}

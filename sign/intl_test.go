package sign

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// seedRequestValue is the request value of the payCancel 2.0.2 sample
// request (seeds/001), pretty-printed exactly as the page prints it,
// trailing spaces included.
const seedRequestValue = "{ \n" +
	"        \"head\":{ \n" +
	"            \"version\":\"2.0.2\", \n" +
	"            \"function\":\"alipay.intl.acquiring.common.payCancel\", \n" +
	"            \"clientId\":\"211xxxxxxxxxxxxxxx044\", \n" +
	"            \"reqTime\":\"2001-07-04T12:08:56+05:30\", \n" +
	"            \"reqMsgId\":\"1234567asdfasdf1123fda\", \n" +
	"            \"reserve\":\"{}\",\n" +
	"            \"signType\":\"RSA2\"\n" +
	"        }, \n" +
	"        \"body\":{ \n" +
	"            \"partnerId\":\"218820000000000000023\", \n" +
	"            \"acquirementId\":\"2015xxxxxxxxxxxxxxxxxxxxx747\"\n" +
	"        } \n" +
	"    }"

// seedEnvelope wraps a request value and a signature the way the seed's
// sample request does.
func seedEnvelope(value, signature string) []byte {
	return []byte("{ \n    \"request\":" + value + ", \n    \"signature\":\"" + signature + "\" \n}")
}

// seedCompactValue is the same request value, compact: what public clients
// send and this package's SDK signs.
const seedCompactValue = `{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.common.payCancel","clientId":"211xxxxxxxxxxxxxxx044","reqTime":"2001-07-04T12:08:56+05:30","reqMsgId":"1234567asdfasdf1123fda","reserve":"{}","signType":"RSA2"},"body":{"partnerId":"218820000000000000023","acquirementId":"2015xxxxxxxxxxxxxxxxxxxxx747"}}`

// seedCompactSig is SHA256withRSA over seedCompactValue with
// testdata/app_private_pkcs1.pem (PKCS#1 v1.5 is deterministic), as
// OpenSSL computes it:
//
//	printf %s "$seedCompactValue" | openssl dgst -sha256 -sign app_private_pkcs1.pem | base64 -w0
const seedCompactSig = "NGimIi0LFN6MtBl4q5EswYZSgFLDbmMhHn2yjJeFyAqIZEHtdlC97MgUnR2rrU6xkCAynt40UJorldSYvRQkzfuBhiq3/RwDDuHrkzEvKOyab/JXxedshqdPwcvtzEcq2qMejxU5HjkjtuaPrwRK57IcdCa4cw6AU43skGbEZZSmUrGuA0KrDPITgz8xKv6bIOxz5QAbIWxgsGwUESqr1XNkZD1PlBDYB+K2OkUpWDsBAPSjIf/afKLfolj1FWU4pGSUvhVe+5j+/FXeL/A0OE5e1ElbU1d/Q0OBCAsNYaVXhwhqZVfigkiz5mMzoVJ8BGkNy0S38hSfa6JX6QkQag=="

func TestEnvelopeKnownAnswer(t *testing.T) {
	k := appKey(t)
	sig, err := SignEnvelopeValue(k, RSA2, []byte(seedCompactValue))
	if err != nil {
		t.Fatal(err)
	}
	if sig != seedCompactSig {
		t.Fatalf("signature over the seed's compact request =\n%s\nwant\n%s", sig, seedCompactSig)
	}
	if len(sig) != 344 {
		t.Errorf("signature is %d Base64 characters, want 344 for a 2048-bit key", len(sig))
	}
	wire := EnvelopeJSON(NodeRequest, []byte(seedCompactValue), sig)
	want := `{"request":` + seedCompactValue + `,"signature":"` + seedCompactSig + `"}`
	if string(wire) != want {
		t.Fatalf("EnvelopeJSON =\n%s\nwant\n%s", wire, want)
	}
	e, err := ExtractEnvelope(wire, NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Value) != seedCompactValue || e.Signature != sig {
		t.Fatalf("extracted %q / %q", e.Value, e.Signature)
	}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, e); err != nil {
		t.Fatal(err)
	}
}

func TestEnvelopeRoundTripGeneratedKey(t *testing.T) {
	k, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []Algorithm{RSA2, RSA} {
		value := []byte(`{"head":{"function":"alipay.intl.acquiring.offline.pay","reqMsgId":"m1"},"body":{"order":{"orderTitle":"咖啡 \u2028 <&>"}}}`)
		sig, err := SignEnvelopeValue(k, alg, value)
		if err != nil {
			t.Fatal(err)
		}
		e, err := ExtractEnvelope(EnvelopeJSON(NodeResponse, value, sig), NodeResponse)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Value, value) {
			t.Fatalf("%s: Value %q", alg, e.Value)
		}
		if err := VerifyEnvelope(&k.PublicKey, alg, e); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		other := RSA
		if alg == RSA {
			other = RSA2
		}
		if err := VerifyEnvelope(&k.PublicKey, other, e); !errors.Is(err, ErrVerification) {
			t.Fatalf("%s signature verified as %s: %v", alg, other, err)
		}
	}
}

func TestEnvelopeSeedPrettyPrinted(t *testing.T) {
	k := appKey(t)
	prettySig, err := SignEnvelopeValue(k, RSA2, []byte(seedRequestValue))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ExtractEnvelope(seedEnvelope(seedRequestValue, prettySig), NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Value) != seedRequestValue {
		t.Fatalf("Value =\n%s\nwant the pretty text byte for byte", e.Value)
	}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, e); err != nil {
		t.Fatalf("signature over the pretty text: %v", err)
	}

	// The same request compacted is other bytes: the pretty signature
	// must not verify it.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(seedRequestValue)); err != nil {
		t.Fatal(err)
	}
	if compact.String() != seedCompactValue {
		t.Fatalf("compacted seed =\n%s\nwant\n%s", compact.Bytes(), seedCompactValue)
	}
	ce, err := ExtractEnvelope(EnvelopeJSON(NodeRequest, compact.Bytes(), prettySig), NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, ce); !errors.Is(err, ErrVerification) {
		t.Fatalf("compacted text verified against the pretty signature: %v", err)
	}
	// The page's placeholder signature is no signature.
	pe, err := ExtractEnvelope(seedEnvelope(seedRequestValue, "signature string"), NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, pe); !errors.Is(err, ErrVerification) {
		t.Fatalf("placeholder signature: %v", err)
	}
}

func TestExtractEnvelope(t *testing.T) {
	tests := []struct {
		name, node, body string
		value, sig       string // want, on success
		err              string // want an error containing this
	}{
		{name: "compact", node: "request",
			body:  `{"request":{"head":{"a":1},"body":{}},"signature":"c2ln+/=="}`,
			value: `{"head":{"a":1},"body":{}}`, sig: "c2ln+/=="},
		{name: "body before head, Alipay's live order", node: "response",
			body:  `{"response":{"body":{"resultInfo":{"resultStatus":"S"}},"head":{"clientId":"c","function":"f","reqMsgId":"m","respTime":"t","version":"2.1.1"}},"signature":"s"}`,
			value: `{"body":{"resultInfo":{"resultStatus":"S"}},"head":{"clientId":"c","function":"f","reqMsgId":"m","respTime":"t","version":"2.1.1"}}`, sig: "s"},
		{name: "signature before request", node: "request",
			body:  `{"signature":"s","request":{"head":{},"body":{}}}`,
			value: `{"head":{},"body":{}}`, sig: "s"},
		{name: "whitespace everywhere", node: "response",
			body:  " \r\n\t{ \"response\" \t:\n { \"body\" : { } , \"head\" : { } } \n, \"signature\" : \"s\" } \n",
			value: `{ "body" : { } , "head" : { } }`, sig: "s"},
		{name: "no signature", node: "response",
			body:  `{"response":{"body":{"resultInfo":{"resultStatus":"F"}}}}`,
			value: `{"body":{"resultInfo":{"resultStatus":"F"}}}`},
		{name: "empty signature", node: "response", body: `{"response":{},"signature":""}`, value: `{}`},
		{name: "escaped signature", node: "request", body: `{"request":{},"signature":"ab\/c\u002B=="}`,
			value: `{}`, sig: "ab/c+=="},
		{name: "node key escaped", node: "request", body: `{"\u0072equest":{"x":1},"signature":"s"}`,
			value: `{"x":1}`, sig: "s"},
		{name: "other members ignored", node: "request",
			body:  `{"x":[{"request":{}}],"request":{"y":"}{\"\\"},"n":1.5e3,"t":true,"z":null,"signature":"s"}`,
			value: `{"y":"}{\"\\"}`, sig: "s"},
		{name: "node text inside a string value is not the node", node: "request",
			body:  `{"memo":"\"request\":{\"head\":{}},","request":{"real":true},"signature":"s"}`,
			value: `{"real":true}`, sig: "s"},
		{name: "braces in strings of the value", node: "response",
			body:  `{"response":{"body":{"m":"}}}\"{"},"head":{}},"signature":"s"}`,
			value: `{"body":{"m":"}}}\"{"},"head":{}}`, sig: "s"},

		{name: "node only inside a string", node: "request",
			body: `{"memo":"{\"request\":{}}","signature":"s"}`, err: `no "request" member`},
		{name: "node only nested", node: "request",
			body: `{"wrapper":{"request":{}},"signature":"s"}`, err: `no "request" member`},
		{name: "wrong node", node: "response", body: `{"request":{},"signature":"s"}`, err: `no "response" member`},
		{name: "duplicate node", node: "request",
			body: `{"request":{"a":1},"request":{"a":2},"signature":"s"}`, err: `duplicate "request"`},
		{name: "duplicate node, escaped", node: "request",
			body: `{"request":{"a":1},"\u0072equest":{"a":2},"signature":"s"}`, err: `duplicate "request"`},
		{name: "duplicate node, escaped first", node: "response",
			body: `{"respons\u0065":{"a":1},"response":{"a":2}}`, err: `duplicate "response"`},
		{name: "node is a string", node: "request", body: `{"request":"{}","signature":"s"}`, err: "not an object"},
		{name: "node is an array", node: "request", body: `{"request":[{}],"signature":"s"}`, err: "not an object"},
		{name: "node is null", node: "request", body: `{"request":null}`, err: "not an object"},
		{name: "signature not a string", node: "request", body: `{"request":{},"signature":1}`, err: "not a string"},
		{name: "signature null", node: "request", body: `{"request":{},"signature":null}`, err: "not a string"},
		{name: "duplicate signature", node: "request",
			body: `{"request":{},"signature":"a","signature":"b"}`, err: `duplicate "signature"`},
		{name: "duplicate signature, escaped", node: "request",
			body: `{"request":{},"signature":"a","\u0073ignature":"b"}`, err: `duplicate "signature"`},
		{name: "trailing garbage", node: "request", body: `{"request":{},"signature":"s"} x`, err: "not valid JSON"},
		{name: "trailing brace", node: "request", body: `{"request":{},"signature":"s"}}`, err: "not valid JSON"},
		{name: "second document", node: "request", body: `{"request":{}}{"request":{}}`, err: "not valid JSON"},
		{name: "unbalanced", node: "request", body: `{"request":{"head":{}`, err: "not valid JSON"},
		{name: "top level array", node: "request", body: `[{"request":{}}]`, err: "not a JSON object"},
		{name: "top level string", node: "request", body: `"request"`, err: "not a JSON object"},
		{name: "empty body", node: "request", body: ``, err: "not valid JSON"},
		{name: "invalid UTF-8", node: "request", body: "{\"request\":{\"a\":\"\xff\"}}", err: "not valid UTF-8"},
		{name: "bad node name", node: "error_response", body: `{"error_response":{}}`, err: "want"},
		{name: "empty node name", node: "", body: `{"":{}}`, err: "want"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			e, err := ExtractEnvelope(body, tt.node)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				if e != nil {
					t.Fatal("envelope returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(e.Value) != tt.value || e.Signature != tt.sig {
				t.Fatalf("got %q / %q, want %q / %q", e.Value, e.Signature, tt.value, tt.sig)
			}
			if cap(e.Value) != len(e.Value) {
				t.Errorf("Value not capped at its end")
			}
			if at := bytes.Index(body, e.Value); at < 0 || &body[at] != &e.Value[0] {
				t.Errorf("Value does not alias body")
			}
		})
	}
}

func TestEnvelopeJSON(t *testing.T) {
	tests := []struct {
		name, node, value, sig, want string
	}{
		{"request", "request", `{"head":{},"body":{}}`, "c2ln+/==", `{"request":{"head":{},"body":{}},"signature":"c2ln+/=="}`},
		{"value verbatim", "response", "{ \"body\" :{},\n\"head\":{} }", "s", "{\"response\":{ \"body\" :{},\n\"head\":{} },\"signature\":\"s\"}"},
		{"unsigned", "response", `{"body":{}}`, "", `{"response":{"body":{}}}`},
		{"escaped", "response", `{}`, "a\"b\\c\n", `{"response":{},"signature":"a\"b\\c\u000a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EnvelopeJSON(tt.node, []byte(tt.value), tt.sig)
			if string(got) != tt.want {
				t.Fatalf("EnvelopeJSON =\n%s\nwant\n%s", got, tt.want)
			}
			if cap(got) != len(got) {
				t.Errorf("cap %d != len %d", cap(got), len(got))
			}
		})
	}
}

func TestVerifyEnvelopeFailures(t *testing.T) {
	k, other := appKey(t), otherKey(t)
	value := []byte(seedCompactValue)
	sig, err := SignEnvelopeValue(k, RSA2, value)
	if err != nil {
		t.Fatal(err)
	}
	good := &SignedEnvelope{Value: value, Signature: sig}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, good); err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(value, []byte("747"), []byte("748"), 1)
	for _, tt := range []struct {
		name    string
		e       *SignedEnvelope
		key     int // 0 the signer's, 1 another
		missing bool
	}{
		{"missing", &SignedEnvelope{Value: value}, 0, true},
		{"wrong key", good, 1, false},
		{"tampered", &SignedEnvelope{Value: tampered, Signature: sig}, 0, false},
		{"not Base64", &SignedEnvelope{Value: value, Signature: "***"}, 0, false},
		{"URL-safe Base64", &SignedEnvelope{Value: value, Signature: strings.NewReplacer("+", "-", "/", "_").Replace(sig)}, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pub := &k.PublicKey
			if tt.key == 1 {
				pub = &other.PublicKey
			}
			err := VerifyEnvelope(pub, RSA2, tt.e)
			if !errors.Is(err, ErrVerification) {
				t.Fatalf("err = %v, want ErrVerification", err)
			}
			if errors.Is(err, ErrMissingSign) != tt.missing {
				t.Fatalf("err = %v, ErrMissingSign %v", err, !tt.missing)
			}
		})
	}
	if err := VerifyEnvelope(&k.PublicKey, RSA2, nil); err == nil {
		t.Error("nil envelope verified")
	}
	if err := VerifyEnvelope(nil, RSA2, good); err == nil || errors.Is(err, ErrVerification) {
		t.Errorf("nil key: %v", err)
	}
	if err := VerifyEnvelope(&k.PublicKey, "SHA256", good); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("sign type SHA256: %v", err)
	}
	if _, err := SignEnvelopeValue(nil, RSA2, value); err == nil {
		t.Error("signed with a nil key")
	}
}

// benchEnvelope is a realistic signed pay response, body before head as
// Alipay sends it.
func benchEnvelope(tb testing.TB) []byte {
	value := []byte(`{"body":{"acquirementId":"2024051311121800001000000012345","createTime":"2024-05-13T17:49:20+08:00","merchantTransId":"20240513174920000001","orderAmount":{"currency":"USD","value":"8888"},"paidTime":"2024-05-13T17:49:21+08:00","paymentAmount":{"currency":"CNY","value":"64000"},"resultInfo":{"resultCode":"SUCCESS","resultCodeId":"00000000","resultMsg":"success","resultStatus":"S"}},"head":{"clientId":"2112345678901234044","function":"alipay.intl.acquiring.offline.pay","reqMsgId":"7f1c2a9e-3b1d-4c5e-9f00-1a2b3c4d5e6f","respTime":"2024-05-13T17:49:21+08:00","version":"2.0.2"}}`)
	sig, err := SignEnvelopeValue(appKey(tb), RSA2, value)
	if err != nil {
		tb.Fatal(err)
	}
	return EnvelopeJSON(NodeResponse, value, sig)
}

func BenchmarkExtractEnvelope(b *testing.B) {
	body := benchEnvelope(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractEnvelope(body, NodeResponse); err != nil {
			b.Fatal(err)
		}
	}
}

package sign

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Seed corpora beyond these f.Add seeds are in
// testdata/fuzz/FuzzExtractEnvelope/.

func FuzzExtractEnvelope(f *testing.F) {
	f.Add([]byte(`{"request":{"head":{"version":"2.0.2"},"body":{"partnerId":"2188"}},"signature":"c2ln+/=="}`), false)
	f.Add([]byte(`{"response":{"body":{"resultInfo":{"resultStatus":"S"}},"head":{"reqMsgId":"m"}},"signature":"s"}`), true)
	f.Add([]byte(`{"signature":"s","request":{}}`), false)
	f.Add([]byte(`{"response":{"body":{"resultInfo":{"resultStatus":"F"}}}}`), true)
	f.Add([]byte(`{"memo":"\"request\":{}","request":{"a":"}{\"\\"},"signature":"ab\/c"}`), false)
	f.Add([]byte(`{"request":{},"\u0072equest":{}}`), false)
	f.Add([]byte(`{"request":{},"signature":"a","\u0073ignature":"b"}`), false)
	f.Add([]byte(`{"response":[{}],"signature":1}`), true)
	f.Add([]byte(" {\n \"request\" : { \"head\" : { } } ,\n \"signature\" : \"s\" }\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, response bool) {
		node := NodeRequest
		if response {
			node = NodeResponse
		}
		e, err := ExtractEnvelope(body, node)
		if err != nil {
			if e != nil {
				t.Fatal("envelope returned with an error")
			}
			return
		}
		// Value is a capped sub-slice of body holding a JSON object.
		if len(e.Value) < 2 || e.Value[0] != '{' || e.Value[len(e.Value)-1] != '}' {
			t.Fatalf("Value %q is not an object", e.Value)
		}
		off := -1
		for i := range body {
			if &body[i] == &e.Value[0] {
				off = i
				break
			}
		}
		if off < 0 || off+len(e.Value) > len(body) || cap(e.Value) != len(e.Value) {
			t.Fatalf("Value %q is not a capped sub-slice of body", e.Value)
		}
		if !json.Valid(body) || !json.Valid(e.Value) {
			t.Fatalf("invalid JSON accepted: body %q value %q", body, e.Value)
		}
		// A JSON decoder of the whole body reads the same node and
		// signature (it keeps the last of duplicate keys, which
		// ExtractEnvelope refuses; keys match case-sensitively here).
		var whole map[string]json.RawMessage
		if err := json.Unmarshal(body, &whole); err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		var a, b any
		if json.Unmarshal(whole[node], &a) != nil || json.Unmarshal(e.Value, &b) != nil {
			t.Fatalf("node of %q does not decode", body)
		}
		if raw, ok := whole[fieldSignature]; ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil || s != e.Signature {
				t.Fatalf("signature %q, decoder reads %s", e.Signature, raw)
			}
		} else if e.Signature != "" {
			t.Fatalf("signature %q from a body without one", e.Signature)
		}
		// Re-enveloping what was extracted gives it back.
		env := EnvelopeJSON(node, e.Value, e.Signature)
		e2, err := ExtractEnvelope(env, node)
		if err != nil {
			t.Fatalf("re-enveloped %q: %v", env, err)
		}
		if !bytes.Equal(e2.Value, e.Value) || e2.Signature != e.Signature {
			t.Fatalf("re-enveloped %q gives %q / %q, want %q / %q", env, e2.Value, e2.Signature, e.Value, e.Signature)
		}
	})
}

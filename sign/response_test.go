package sign

import (
	"errors"
	"strings"
	"testing"
)

func TestResponseNode(t *testing.T) {
	for method, want := range map[string]string{
		"alipay.trade.pay":                      "alipay_trade_pay_response",
		"alipay.fund.auth.order.voucher.create": "alipay_fund_auth_order_voucher_create_response",
		"alipay.open.mock":                      "alipay_open_mock_response",
		"x":                                     "x_response",
		"":                                      "error_response",
	} {
		if got := ResponseNode(method); got != want {
			t.Errorf("ResponseNode(%q) = %q, want %q", method, got, want)
		}
	}
}

func TestEnvelope(t *testing.T) {
	const obj = `{"code":"10000","msg":"Success"}`
	tests := []struct {
		name              string
		node, value       string
		certSN, signature string
		want              string
	}{
		{"key mode", "alipay_trade_pay_response", obj, "", "c2ln+/==",
			`{"alipay_trade_pay_response":{"code":"10000","msg":"Success"},"sign":"c2ln+/=="}`},
		{"cert mode", "alipay_open_mock_response", `{"msg":"Success","result":"","code":"10000"}`, "4538e7d736df316c15435d5f9d3a8a1f", "SUdNWg==",
			`{"alipay_open_mock_response":{"msg":"Success","result":"","code":"10000"},"alipay_cert_sn":"4538e7d736df316c15435d5f9d3a8a1f","sign":"SUdNWg=="}`},
		{"unsigned error", "error_response", `{"code":"40002","msg":"Invalid Arguments"}`, "", "",
			`{"error_response":{"code":"40002","msg":"Invalid Arguments"}}`},
		{"cert SN without sign", "a_response", obj, "abc", "",
			`{"a_response":{"code":"10000","msg":"Success"},"alipay_cert_sn":"abc"}`},
		{"AES string value", "alipay_open_auth_app_aes_set_response", `"4AOYHE0r/+=="`, "", "YWJjZGU=",
			`{"alipay_open_auth_app_aes_set_response":"4AOYHE0r/+==","sign":"YWJjZGU="}`},
		{"value spliced verbatim, whitespace and all", "n", "{ \"a\" : [1, {\"b\":\"}\"}] }", "", "s",
			"{\"n\":{ \"a\" : [1, {\"b\":\"}\"}] },\"sign\":\"s\"}"},
		{"GBK bytes in the value are kept", "n", "{\"m\":\"\xb2\xe2\xca\xd4\"}", "", "s",
			"{\"n\":{\"m\":\"\xb2\xe2\xca\xd4\"},\"sign\":\"s\"}"},
		{"strings escaped where JSON requires it", "n\"", "{}", "a\\b", "x\"\n\x01",
			`{"n\"":{},"alipay_cert_sn":"a\\b","sign":"x\"\u000a\u0001"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Envelope(tt.node, []byte(tt.value), tt.certSN, tt.signature)
			if string(got) != tt.want {
				t.Fatalf("Envelope =\n%s\nwant\n%s", got, tt.want)
			}
			if cap(got) != len(got) {
				t.Errorf("cap %d != len %d: the size was not computed exactly", cap(got), len(got))
			}
		})
	}
	allocs := testing.AllocsPerRun(100, func() {
		Envelope("alipay_trade_pay_response", []byte(obj), "4538e7d736df316c15435d5f9d3a8a1f", "c2ln")
	})
	if allocs != 1 {
		t.Errorf("Envelope made %v allocations, want 1", allocs)
	}
}

func TestExtractResponse(t *testing.T) {
	const node = "alipay_trade_pay_response"
	tests := []struct {
		name     string
		body     string
		node     string // default node
		wantNode string // default node
		value    string
		sign     string
		certSN   string
		err      string // substring of the error; "" for success
	}{
		{name: "key mode",
			body:  `{"alipay_trade_pay_response":{"code":"10000","msg":"Success","total_amount":"88.88"},"sign":"c2ln"}`,
			value: `{"code":"10000","msg":"Success","total_amount":"88.88"}`, sign: "c2ln"},
		{name: "cert mode",
			body:  `{"alipay_trade_pay_response":{"code":"10000"},"alipay_cert_sn":"4538e7d736df316c15435d5f9d3a8a1f","sign":"SUdN+/=="}`,
			value: `{"code":"10000"}`, sign: "SUdN+/==", certSN: "4538e7d736df316c15435d5f9d3a8a1f"},
		{name: "sign before the node",
			body:  `{"sign":"c2ln","alipay_trade_pay_response":{"code":"10000"}}`,
			value: `{"code":"10000"}`, sign: "c2ln"},
		{name: "unsigned",
			body:  `{"alipay_trade_pay_response":{"code":"10000"}}`,
			value: `{"code":"10000"}`},
		{name: "error_response fallback, signed",
			body:     `{"error_response":{"code":"20001","msg":"Insufficient Token Permissions","sub_code":"aop.invalid-app-auth-token"},"sign":"c2ln"}`,
			wantNode: "error_response", value: `{"code":"20001","msg":"Insufficient Token Permissions","sub_code":"aop.invalid-app-auth-token"}`, sign: "c2ln"},
		{name: "error_response fallback, unsigned",
			body:     `{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}}`,
			wantNode: "error_response", value: `{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}`},
		{name: "method node preferred over error_response",
			body:  `{"error_response":{"code":"1"},"alipay_trade_pay_response":{"code":"2"},"sign":"s"}`,
			value: `{"code":"2"}`, sign: "s"},
		{name: "empty node means error_response",
			body: `{"error_response":{"code":"40001"}}`, node: "-", wantNode: "error_response", value: `{"code":"40001"}`},
		{name: "braces, brackets, quotes and backslashes inside strings",
			body:  `{"alipay_trade_pay_response":{"a":"}","b":"{","c":"\"}","d":"\\","e":"\\\"}{","f":"]["},"sign":"s"}`,
			value: `{"a":"}","b":"{","c":"\"}","d":"\\","e":"\\\"}{","f":"]["}`, sign: "s"},
		{name: "nested objects and arrays",
			body:  `{"alipay_trade_pay_response":{"fund_bill_list":[{"amount":"1.00","fund_channel":"ALIPAYACCOUNT"},{"x":{"y":[[],{}]}}],"n":null,"t":true,"f":-1.5e3},"sign":"s"}`,
			value: `{"fund_bill_list":[{"amount":"1.00","fund_channel":"ALIPAYACCOUNT"},{"x":{"y":[[],{}]}}],"n":null,"t":true,"f":-1.5e3}`, sign: "s"},
		{name: "whitespace between tokens",
			body:  " \r\n{ \"alipay_trade_pay_response\" \t:\n { \"code\" : \"10000\" } ,\n \"alipay_cert_sn\" : \"sn\" , \"sign\" : \"s\" }\n",
			value: `{ "code" : "10000" }`, sign: "s", certSN: "sn"},
		{name: "quoted-string (AES) node",
			body:  `{"alipay_open_auth_app_aes_set_response":"4AOYHE0rpPnRnghunsGo+mY02DzANFLwNJJCiHfrNh2oaB2pn33PwOEOvH8mjhkE3Wh/jR+3jHM9nvoFvOsY/SqZbZzamRg9Eh3VkRqOhSM=","sign":"abcde="}`,
			node:  "alipay_open_auth_app_aes_set_response",
			value: `"4AOYHE0rpPnRnghunsGo+mY02DzANFLwNJJCiHfrNh2oaB2pn33PwOEOvH8mjhkE3Wh/jR+3jHM9nvoFvOsY/SqZbZzamRg9Eh3VkRqOhSM="`, sign: "abcde="},
		{name: "escaped slash kept in the value",
			body:  `{"alipay_trade_pay_response":{"url":"https:\/\/x.test"},"sign":"s"}`,
			value: `{"url":"https:\/\/x.test"}`, sign: "s"},
		{name: "escaped sign and cert SN are unescaped",
			body:  `{"alipay_trade_pay_response":{},"alipay_cert_sn":"\u0061b","sign":"c2ln\/\u002b=="}`,
			value: `{}`, sign: "c2ln/+==", certSN: "ab"},
		{name: "escaped sign key is the sign",
			body:  `{"alipay_trade_pay_response":{},"s\u0069gn":"abc"}`,
			value: `{}`, sign: "abc"},
		{name: "node name nested inside the value is fine",
			body:  `{"alipay_trade_pay_response":{"alipay_trade_pay_response":{"x":1}},"sign":"s"}`,
			value: `{"alipay_trade_pay_response":{"x":1}}`, sign: "s"},
		{name: "other top-level members ignored",
			body:  `{"alipay_trade_pay_response":{},"extra":[1,"}"],"n":null,"sign":"s"}`,
			value: `{}`, sign: "s"},
		{name: "GBK bytes in the value",
			body:  "{\"alipay_trade_pay_response\":{\"subject\":\"\xb2\xe2\xca\xd4\"},\"sign\":\"s\"}",
			value: "{\"subject\":\"\xb2\xe2\xca\xd4\"}", sign: "s"},

		{name: "duplicate node after the value",
			body: `{"alipay_trade_pay_response":{"code":"10000"},"alipay_trade_pay_response":{"code":"40004"},"sign":"s"}`,
			err:  "duplicate"},
		{name: "node name after the value, in another value",
			body: `{"alipay_trade_pay_response":{"code":"10000"},"sign":"s","x":"alipay_trade_pay_response"}`,
			err:  "duplicate"},
		{name: "duplicate error_response",
			body: `{"error_response":{"code":"1"},"error_response":{"code":"2"}}`,
			err:  "duplicate"},
		{name: "duplicate node hidden by an escape",
			body: `{"alipay_trade_pay_response":{"code":"10000"},"alipay\u005ftrade_pay_response":{"code":"40004"},"sign":"s"}`,
			err:  `duplicate "alipay_trade_pay_response" in the response (escaped)`},
		{name: "first node nested in another member",
			body: `{"x":{"alipay_trade_pay_response":{"code":"10000"}},"alipay\u005ftrade_pay_response":{"code":"40004"},"sign":"s"}`,
			err:  "the first \"alipay_trade_pay_response\" is not a top-level member"},
		{name: "duplicate sign",
			body: `{"alipay_trade_pay_response":{},"sign":"a","sign":"b"}`,
			err:  `duplicate "sign"`},
		{name: "sign not a string",
			body: `{"alipay_trade_pay_response":{},"sign":123}`,
			err:  `"sign" in the response is not a string`},
		{name: "cert SN not a string",
			body: `{"alipay_trade_pay_response":{},"alipay_cert_sn":null}`,
			err:  `"alipay_cert_sn" in the response is not a string`},
		{name: "unbalanced braces",
			body: `{"alipay_trade_pay_response":{"code":{"x":"10000"},"sign":"s"`,
			err:  "never balance"},
		{name: "unbalanced because of a quote inside",
			body: `{"alipay_trade_pay_response":{"code":"}\"}`,
			err:  "never balance"},
		{name: "unterminated string value",
			body: `{"alipay_open_auth_app_aes_set_response":"4AOY`, node: "alipay_open_auth_app_aes_set_response",
			err: "never balance"},
		{name: "missing node",
			body: `{"alipay_trade_query_response":{"code":"10000"},"sign":"s"}`,
			err:  `neither a "alipay_trade_pay_response" nor an "error_response" node`},
		{name: "node name only as a prefix",
			body: `{"alipay_trade_pay_response2":{"code":"10000"}}`,
			err:  "neither"},
		{name: "node name only as a value",
			body: `{"method":"alipay_trade_pay_response","x":{}}`,
			err:  `is not followed by ':'`},
		{name: "node value is not an object or string",
			body: `{"alipay_trade_pay_response":null,"sign":"s"}`,
			err:  "not '{' or"},
		{name: "node value is an array",
			body: `{"alipay_trade_pay_response":[{}],"sign":"s"}`,
			err:  "not '{' or"},
		{name: "node at the end of the body",
			body: `{"alipay_trade_pay_response"`,
			err:  "not followed by ':'"},
		{name: "nothing after the colon",
			body: `{"alipay_trade_pay_response": `,
			err:  "missing"},
		{name: "invalid JSON inside balanced braces",
			body: `{"alipay_trade_pay_response":{"code":},"sign":"s"}`,
			err:  "not valid JSON"},
		{name: "trailing garbage",
			body: `{"alipay_trade_pay_response":{},"sign":"s"} x`,
			err:  "not valid JSON"},
		{name: "top level is an array",
			body: `["alipay_trade_pay_response":{}]`,
			err:  "not valid JSON"},
		{name: "top level is a string containing the node",
			body: `"\"alipay_trade_pay_response\":{}"`,
			err:  "neither"},
		{name: "top level is a string containing the quoted node",
			body: `"x","alipay_trade_pay_response":{}`,
			err:  "not valid JSON"},
		{name: "empty body", body: "", err: "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := node
			switch tt.node {
			case "":
			case "-":
				n = ""
			default:
				n = tt.node
			}
			r, err := ExtractResponse([]byte(tt.body), n)
			if tt.err != "" {
				if err == nil || r != nil {
					t.Fatalf("ExtractResponse = %+v, %v; want an error", r, err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %q does not mention %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ExtractResponse: %v", err)
			}
			wantNode := tt.wantNode
			if wantNode == "" {
				wantNode = n
			}
			if r.Node != wantNode || string(r.Value) != tt.value || r.Sign != tt.sign || r.CertSN != tt.certSN {
				t.Fatalf("ExtractResponse =\n%+v (value %s)\nwant node %q value %s sign %q certSN %q", r, r.Value, wantNode, tt.value, tt.sign, tt.certSN)
			}
			if !strings.Contains(tt.body, string(r.Value)) || cap(r.Value) != len(r.Value) {
				t.Fatal("Value is not a capped sub-slice of body")
			}
		})
	}
}

func TestExtractResponseRoundTrip(t *testing.T) {
	values := []string{`{}`, `{"code":"10000","msg":"Success"}`, `{"a":"}{\"","b":[{"c":"\\"}]}`, `"4AOY+/=="`}
	for _, v := range values {
		for _, certSN := range []string{"", "4538e7d736df316c15435d5f9d3a8a1f"} {
			for _, sig := range []string{"", "c2ln+/=="} {
				body := Envelope("alipay_trade_pay_response", []byte(v), certSN, sig)
				r, err := ExtractResponse(body, "alipay_trade_pay_response")
				if err != nil {
					t.Fatalf("%s: %v", body, err)
				}
				if string(r.Value) != v || r.CertSN != certSN || r.Sign != sig || r.Node != "alipay_trade_pay_response" {
					t.Fatalf("%s: got %+v", body, r)
				}
			}
		}
	}
}

func TestVerifyResponse(t *testing.T) {
	k := appKey(t)
	pub := &k.PublicKey
	const node = "alipay_trade_query_response"
	signed := func(alg Algorithm, value, certSN string) []byte {
		sig, err := Sign(k, alg, []byte(value))
		if err != nil {
			t.Fatal(err)
		}
		return Envelope(node, []byte(value), certSN, sig)
	}
	const value = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","total_amount":"88.88"}`
	const slashy = `{"code":"10000","msg":"Success","url":"https:\/\/x.test\/a"}`
	// The server signed the unescaped form but emitted \/: the Java SDK's retry case.
	sigUnescaped, _ := Sign(k, RSA2, []byte(strings.ReplaceAll(slashy, `\/`, "/")))
	wrongSig, _ := Sign(otherKey(t), RSA2, []byte(value))
	tests := []struct {
		name    string
		alg     Algorithm
		body    []byte
		wantErr error  // nil for success
		value   string // checked when non-empty
	}{
		{"key mode RSA2", RSA2, signed(RSA2, value, ""), nil, value},
		{"key mode RSA", RSA, signed(RSA, value, ""), nil, value},
		{"cert mode", RSA2, signed(RSA2, value, "4538e7d736df316c15435d5f9d3a8a1f"), nil, value},
		{"AES string", RSA2, signed(RSA2, `"4AOY+/=="`, ""), nil, `"4AOY+/=="`},
		{"signed as emitted, with \\/", RSA2, signed(RSA2, slashy, ""), nil, slashy},
		{"\\/ retry", RSA2, Envelope(node, []byte(slashy), "", sigUnescaped), nil, slashy},
		{"\\/ retry does not apply without \\/", RSA2,
			Envelope(node, []byte(`{"url":"https://x.test"}`), "", sigUnescaped), ErrVerification, ""},
		{"wrong key", RSA2, Envelope(node, []byte(value), "", wrongSig), ErrVerification, ""},
		{"wrong algorithm", RSA, signed(RSA2, value, ""), ErrVerification, ""},
		{"tampered value", RSA2, []byte(strings.Replace(string(signed(RSA2, value, "")), "88.88", "88.89", 1)), ErrVerification, ""},
		{"missing sign", RSA2, Envelope(node, []byte(value), "", ""), ErrMissingSign, value},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := VerifyResponse(pub, tt.alg, tt.body, node)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("VerifyResponse: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyResponse = %v, want %v", err, tt.wantErr)
			}
			if r == nil {
				t.Fatal("no response returned")
			}
			if tt.value != "" && string(r.Value) != tt.value {
				t.Fatalf("Value = %s, want %s", r.Value, tt.value)
			}
		})
	}
	if _, err := VerifyResponse(pub, RSA2, []byte(`{}`), node); err == nil || errors.Is(err, ErrVerification) {
		t.Errorf("no node: %v", err)
	}
	if r, err := VerifyResponse(pub, RSA2, Envelope(node, []byte(value), "", "c2ln"), node); !errors.Is(err, ErrVerification) || r == nil {
		t.Errorf("bad sign: %v, %v", r, err)
	} else if !strings.Contains(err.Error(), "does not match") {
		t.Errorf("bad sign: %v", err)
	}
	if _, err := VerifyResponse(pub, RSA2, Envelope(node, []byte(value), "", ""), node); err == nil || !strings.Contains(err.Error(), "sign is missing") {
		t.Errorf("missing sign message: %v", err)
	}
}

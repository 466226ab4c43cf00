package sign

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"
)

func TestSignStrings(t *testing.T) {
	tests := []struct {
		name                   string
		params                 map[string]string
		request, empty, notify string
	}{
		{
			name: "Java example (spec §1.4)",
			params: map[string]string{
				"app_id": "2014072300007148", "method": "alipay.trade.query", "format": "json", "charset": "UTF-8",
				"sign_type": "RSA2", "timestamp": "2014-07-24 03:07:50", "version": "1.0",
				"alipay_sdk": "alipay-sdk-java-x", "biz_content": `{"out_trade_no":"2015…"}`, "sign": "c2lnbg==",
			},
			request: javaExample,
			empty:   javaExample,
			notify:  `alipay_sdk=alipay-sdk-java-x&app_id=2014072300007148&biz_content={"out_trade_no":"2015…"}&charset=UTF-8&format=json&method=alipay.trade.query&timestamp=2014-07-24 03:07:50&version=1.0`,
		},
		{
			name: "gateway sub_msg example (spec §1.4)",
			params: map[string]string{
				"version": "1.0", "timestamp": "2024-05-13 17:49:20", "sign_type": "RSA2",
				"method": "alipay.security.risk.content.analyze", "charset": "utf-8", "app_id": "…", "sign": "x",
			},
			request: "app_id=…&charset=utf-8&method=alipay.security.risk.content.analyze&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0",
			empty:   "app_id=…&charset=utf-8&method=alipay.security.risk.content.analyze&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0",
			notify:  "app_id=…&charset=utf-8&method=alipay.security.risk.content.analyze&timestamp=2024-05-13 17:49:20&version=1.0",
		},
		{
			name:    "empty values (Node signs app_auth_token=)",
			params:  map[string]string{"app_id": "1", "app_auth_token": "", "notify_url": "", "sign_type": "RSA2"},
			request: "app_id=1&sign_type=RSA2",
			empty:   "app_auth_token=&app_id=1&notify_url=&sign_type=RSA2",
			notify:  "app_id=1",
		},
		{
			name:    "sorted by bytes: upper case, then '_', then lower case; '_' before letters",
			params:  map[string]string{"ab": "1", "a_b": "2", "a": "3", "B": "4", "Z": "5", "_x": "6", "é": "7", "a0": "8"},
			request: "B=4&Z=5&_x=6&a=3&a0=8&a_b=2&ab=1&é=7",
			empty:   "B=4&Z=5&_x=6&a=3&a0=8&a_b=2&ab=1&é=7",
			notify:  "B=4&Z=5&_x=6&a=3&a0=8&a_b=2&ab=1&é=7",
		},
		{
			name:    "values with '&', '=', '%', '+' and spaces are raw",
			params:  map[string]string{"biz_content": `{"subject":"a&b=c","memo":"50% + 1"}`, "return_url": "https://x.test/r?a=1&b=2"},
			request: `biz_content={"subject":"a&b=c","memo":"50% + 1"}&return_url=https://x.test/r?a=1&b=2`,
			empty:   `biz_content={"subject":"a&b=c","memo":"50% + 1"}&return_url=https://x.test/r?a=1&b=2`,
			notify:  `biz_content={"subject":"a&b=c","memo":"50% + 1"}&return_url=https://x.test/r?a=1&b=2`,
		},
		{
			name:    "GBK bytes kept raw, not transcoded",
			params:  map[string]string{"charset": "GBK", "subject": "\xb2\xe2\xca\xd4"},
			request: "charset=GBK&subject=\xb2\xe2\xca\xd4",
			empty:   "charset=GBK&subject=\xb2\xe2\xca\xd4",
			notify:  "charset=GBK&subject=\xb2\xe2\xca\xd4",
		},
		{
			name:    "empty key dropped as the Java SDK does",
			params:  map[string]string{"": "x", "a": "1"},
			request: "a=1", empty: "a=1", notify: "a=1",
		},
		{
			name:    "only sign and sign_type",
			params:  map[string]string{"sign": "abc", "sign_type": "RSA"},
			request: "sign_type=RSA", empty: "sign_type=RSA", notify: "",
		},
		{
			name:    "keys that merely start with sign are kept",
			params:  map[string]string{"sign": "s", "signature": "1", "sign_type2": "2", "Sign": "3"},
			request: "Sign=3&sign_type2=2&signature=1", empty: "Sign=3&sign_type2=2&signature=1", notify: "Sign=3&sign_type2=2&signature=1",
		},
		{
			name:    "notification",
			params:  map[string]string{"notify_id": "n1", "trade_status": "TRADE_SUCCESS", "sign_type": "RSA2", "sign": "x", "passback_params": "", "total_amount": "88.88"},
			request: "notify_id=n1&sign_type=RSA2&total_amount=88.88&trade_status=TRADE_SUCCESS",
			empty:   "notify_id=n1&passback_params=&sign_type=RSA2&total_amount=88.88&trade_status=TRADE_SUCCESS",
			notify:  "notify_id=n1&total_amount=88.88&trade_status=TRADE_SUCCESS",
		},
		{name: "empty map", params: map[string]string{}},
		{name: "nil map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RequestContent(tt.params); got != tt.request {
				t.Errorf("RequestContent =\n%q\nwant\n%q", got, tt.request)
			}
			if got := RequestContentWithEmpty(tt.params); got != tt.empty {
				t.Errorf("RequestContentWithEmpty =\n%q\nwant\n%q", got, tt.empty)
			}
			if got := NotifyContent(tt.params); got != tt.notify {
				t.Errorf("NotifyContent =\n%q\nwant\n%q", got, tt.notify)
			}
		})
	}
}

// nodeRequest is what the Node SDK sends when appAuthToken is "": the empty
// parameter is sent and signed.
func nodeRequest() map[string]string {
	return map[string]string{
		"method": "alipay.trade.query", "app_id": "2021000000000001", "charset": "utf-8", "version": "1.0",
		"sign_type": "RSA2", "timestamp": "2024-05-13 17:49:20", "app_auth_token": "",
		"biz_content": `{"out_trade_no":"T1"}`,
	}
}

func TestSignRequestVerifyRequest(t *testing.T) {
	k := appKey(t)
	for _, alg := range []Algorithm{RSA, RSA2} {
		p := nodeRequest()
		p["sign_type"] = string(alg)
		p["sign"] = "stale"
		if err := SignRequest(k, alg, p); err != nil {
			t.Fatal(err)
		}
		want, _ := Sign(k, alg, []byte(RequestContent(p)))
		if p["sign"] != want {
			t.Fatalf("%s: SignRequest set %q, want %q", alg, p["sign"], want)
		}
		content, err := VerifyRequest(&k.PublicKey, alg, p)
		if err != nil || content != RequestContent(p) {
			t.Fatalf("%s: VerifyRequest = %q, %v", alg, content, err)
		}
		p["biz_content"] = `{"out_trade_no":"T2"}`
		content, err = VerifyRequest(&k.PublicKey, alg, p)
		if !errors.Is(err, ErrVerification) || content != RequestContent(p) {
			t.Fatalf("%s: tampered request: %q, %v", alg, content, err)
		}
	}
	if err := SignRequest(k, RSA2, nil); err == nil {
		t.Error("SignRequest(nil map) succeeded")
	}
	if err := SignRequest(k, "SM2", map[string]string{"a": "b"}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("SignRequest(SM2) = %v", err)
	}
}

func TestVerifyRequestNodeFallback(t *testing.T) {
	k := appKey(t)
	pub := &k.PublicKey
	garbage := make([]byte, 256)
	if _, err := rand.Read(garbage); err != nil {
		t.Fatal(err)
	}
	nodeSig, _ := Sign(k, RSA2, []byte(RequestContentWithEmpty(nodeRequest())))
	javaSig, _ := Sign(k, RSA2, []byte(RequestContent(nodeRequest())))
	otherSig, _ := Sign(otherKey(t), RSA2, []byte(RequestContentWithEmpty(nodeRequest())))
	tests := []struct {
		name    string
		mutate  func(map[string]string)
		sig     string
		wantErr error
	}{
		{"Java-style signature, empty dropped", nil, javaSig, nil},
		{"Node-style signature, empty kept", nil, nodeSig, nil},
		{"garbage signature", nil, base64.StdEncoding.EncodeToString(garbage), ErrVerification},
		{"Node signature by another key", nil, otherSig, ErrVerification},
		{"Node signature, request tampered", func(p map[string]string) { p["biz_content"] = "{}" }, nodeSig, ErrVerification},
		{"Node signature, empty param removed", func(p map[string]string) { delete(p, "app_auth_token") }, nodeSig, ErrVerification},
		{"missing sign", nil, "", ErrMissingSign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := nodeRequest()
			if tt.mutate != nil {
				tt.mutate(p)
			}
			if tt.sig != "" {
				p["sign"] = tt.sig
			}
			content, err := VerifyRequest(pub, RSA2, p)
			if content != RequestContent(p) {
				t.Errorf("content = %q, want the documented %q", content, RequestContent(p))
			}
			if tt.wantErr == nil && err != nil {
				t.Fatalf("VerifyRequest: %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyRequest = %v, want %v", err, tt.wantErr)
			}
		})
	}
	// The documented content never contains the empty pair.
	content, _ := VerifyRequest(pub, RSA2, map[string]string{"a": "", "b": "1", "sign": nodeSig})
	if content != "b=1" {
		t.Errorf("content = %q", content)
	}
}

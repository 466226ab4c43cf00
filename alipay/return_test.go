package alipay

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

// pageReturnFields are the twelve keys of a real return (spec
// web-and-app-pay.md §4.2) but sign and sign_type.
func pageReturnFields() map[string]string {
	return map[string]string{
		"charset": "utf-8", "out_trade_no": "P 1&x=y+z", "method": MethodTradePagePayReturn,
		"total_amount": "88.88", "trade_no": "2025060222001429231418105298", "auth_app_id": testAppID,
		"version": "1.0", "app_id": testAppID, "seller_id": "2088102168712921",
		"timestamp": "2025-06-02 12:09:10",
	}
}

// signedReturn signs fields with Alipay's key the way the spec says zfb
// will: every key but sign and sign_type, sorted, raw (sign.NotifyContent);
// withSignType signs with sign_type in the content instead.
func signedReturn(t *testing.T, alg sign.Algorithm, fields map[string]string, withSignType bool) url.Values {
	t.Helper()
	_, ali := testKeys(t)
	signed := make(map[string]string, len(fields)+1)
	for k, v := range fields {
		signed[k] = v
	}
	content := sign.NotifyContent(signed)
	if withSignType {
		signed["sign_type"] = string(alg)
		content = sign.RequestContent(signed)
	}
	sig, err := sign.Sign(ali, alg, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	v.Set("sign_type", string(alg))
	v.Set("sign", sig)
	return v
}

func TestVerifyReturn(t *testing.T) {
	c := notifyClient(t)
	good := signedReturn(t, sign.RSA2, pageReturnFields(), false)
	r, err := c.VerifyReturn(good)
	if err != nil {
		t.Fatalf("a correctly signed return: %v", err)
	}
	want := PageReturn{Method: MethodTradePagePayReturn, AppID: testAppID, AuthAppID: testAppID, OutTradeNo: "P 1&x=y+z",
		TradeNo: "2025060222001429231418105298", TotalAmount: "88.88", SellerID: "2088102168712921",
		Timestamp: "2025-06-02 12:09:10", Charset: "utf-8", Version: "1.0", SignType: "RSA2"}
	got := *r
	got.Params = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	wap := pageReturnFields()
	wap["method"] = MethodTradeWapPayReturn
	if _, err := c.VerifyReturn(signedReturn(t, sign.RSA2, wap, false)); err != nil {
		t.Errorf("wap return: %v", err)
	}
	// An empty key the signer left out is skipped, as Java's rsaCheckV1 does.
	withEmpty := cloneValues(good)
	withEmpty.Set("passback_params", "")
	if _, err := c.VerifyReturn(withEmpty); err != nil {
		t.Errorf("with an empty unsigned key: %v", err)
	}

	for _, tc := range []struct {
		name   string
		params url.Values
		sigErr bool   // want ErrSignature
		text   string // else: want an error holding this
	}{
		{"changed amount", with(good, "total_amount", "8888.88"), true, ""},
		{"added key", with(good, "buyer_id", "2088"), true, ""},
		{"no sign", with(good, "sign", ""), true, ""},
		{"signed with sign_type", signedReturn(t, sign.RSA2, pageReturnFields(), true), true, ""},
		{"RSA2 named, SHA1 signed", with(signedReturn(t, sign.RSA, pageReturnFields(), false), "sign_type", "RSA2"), true, ""},
		{"unknown sign_type", with(good, "sign_type", "SM2"), true, ""},
		{"other app", signedReturn(t, sign.RSA2, withField(pageReturnFields(), "app_id", "2021000000000002"), false), false, `app_id "2021000000000002"`},
		{"not a return", signedReturn(t, sign.RSA2, withField(pageReturnFields(), "method", MethodTradePagePay), false), false, "is not a return"},
		{"no trade_no", signedReturn(t, sign.RSA2, withField(pageReturnFields(), "trade_no", ""), false), false, "no trade_no"},
	} {
		_, err := c.VerifyReturn(tc.params)
		switch {
		case err == nil:
			t.Errorf("%s: verified", tc.name)
		case tc.sigErr && !errors.Is(err, ErrSignature):
			t.Errorf("%s: got %v, want ErrSignature", tc.name, err)
		case !tc.sigErr && (errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), tc.text)):
			t.Errorf("%s: got %v, want an error with %q", tc.name, err, tc.text)
		}
	}

	// sign_type RSA: SHA1, whatever the client's own sign type.
	if _, err := c.VerifyReturn(signedReturn(t, sign.RSA, pageReturnFields(), false)); err != nil {
		t.Errorf("RSA return: %v", err)
	}
}

func with(v url.Values, k, s string) url.Values {
	out := cloneValues(v)
	out.Set(k, s)
	return out
}

func withField(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m))
	for key, s := range m {
		out[key] = s
	}
	out[k] = v
	return out
}

// TestParseReturn reads returns as a merchant's handler gets them: the
// browser's GET with a form-encoded query, in UTF-8 and in GBK.
func TestParseReturn(t *testing.T) {
	c := notifyClient(t)
	fields := pageReturnFields()
	fields["out_trade_no"] = "订单 1+2&3"

	query := signedReturn(t, sign.RSA2, fields, false).Encode()
	r, err := c.ParseReturn(httptest.NewRequest("GET", "https://m.example.com/return?"+query, nil))
	if err != nil {
		t.Fatalf("utf-8: %v", err)
	}
	if r.OutTradeNo != "订单 1+2&3" || r.Params.Get("sign") == "" {
		t.Errorf("utf-8: out_trade_no %q", r.OutTradeNo)
	}

	// GBK: Alipay signs and percent-encodes the GBK bytes.
	gbk := withField(fields, "charset", "GBK")
	gbk["out_trade_no"] = string(toGBKTest(t, []byte(fields["out_trade_no"])))
	query = signedReturn(t, sign.RSA2, gbk, false).Encode()
	if r, err = c.ParseReturn(httptest.NewRequest("GET", "https://m.example.com/return?"+query, nil)); err != nil {
		t.Fatalf("gbk: %v", err)
	}
	if r.OutTradeNo != "订单 1+2&3" || r.Charset != "GBK" {
		t.Errorf("gbk: out_trade_no %q charset %q", r.OutTradeNo, r.Charset)
	}

	bad := strings.Replace(query, "total_amount=88.88", "total_amount=0.01", 1)
	if _, err := c.ParseReturn(httptest.NewRequest("GET", "https://m.example.com/return?"+bad, nil)); !errors.Is(err, ErrSignature) {
		t.Errorf("changed amount: got %v, want ErrSignature", err)
	}
}

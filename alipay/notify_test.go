package alipay

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

// signedNotification builds a form the way Alipay's gateway signs one: over
// every field but sign and sign_type, empties dropped, in the form's charset.
func signedNotification(tb testing.TB, alg sign.Algorithm, fields map[string]string) url.Values {
	tb.Helper()
	_, ali := testKeys(tb)
	content := sign.NotifyContent(fields)
	sig, err := sign.Sign(ali, alg, []byte(content))
	if err != nil {
		tb.Fatal(err)
	}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	form.Set("sign_type", string(alg))
	form.Set("sign", sig)
	return form
}

func tradeNotification() map[string]string {
	return map[string]string{
		"notify_time": "2024-01-02 00:30:08", "notify_type": "trade_status_sync",
		"notify_id": "2024010200222003008000000001", "app_id": testAppID, "auth_app_id": testAppID,
		"charset": "utf-8", "version": "1.0", "trade_no": "2024010222001400001234567890",
		"out_trade_no": "T1", "trade_status": "TRADE_SUCCESS", "total_amount": "88.88",
		"receipt_amount": "88.88", "subject": "测试 a&b=c", "body": "",
		"gmt_payment":    "2024-01-02 00:30:07",
		"fund_bill_list": `[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]`,
	}
}

func notifyClient(tb testing.TB, opts ...Option) *Client {
	tb.Helper()
	app, ali := testKeys(tb)
	c, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestVerifyNotification(t *testing.T) {
	c := notifyClient(t)
	form := signedNotification(t, sign.RSA2, tradeNotification())
	if err := c.VerifyNotification(form); err != nil {
		t.Fatalf("a correctly signed notification: %v", err)
	}

	changed := cloneValues(form)
	changed.Set("total_amount", "888.88")
	if err := c.VerifyNotification(changed); !errors.Is(err, ErrSignature) || !errors.Is(err, sign.ErrVerification) {
		t.Errorf("changed field: got %v", err)
	}
	added := cloneValues(form)
	added.Set("refund_fee", "88.88")
	if err := c.VerifyNotification(added); !errors.Is(err, ErrSignature) {
		t.Errorf("added field: got %v", err)
	}
	unsigned := cloneValues(form)
	unsigned.Del("sign")
	if err := c.VerifyNotification(unsigned); !errors.Is(err, ErrSignature) {
		t.Errorf("no sign: got %v", err)
	}
	// sign_type is not signed: changing it only changes the algorithm tried.
	weak := cloneValues(form)
	weak.Set("sign_type", "RSA")
	if err := c.VerifyNotification(weak); !errors.Is(err, ErrSignature) {
		t.Errorf("sign_type switched: got %v", err)
	}
	bogus := cloneValues(form)
	bogus.Set("sign_type", "MD5")
	if err := c.VerifyNotification(bogus); !errors.Is(err, ErrSignature) {
		t.Errorf("sign_type MD5: got %v", err)
	}

	// Another app's notification, validly signed, is not ours.
	fields := tradeNotification()
	fields["app_id"] = "2021000000000999"
	if err := c.VerifyNotification(signedNotification(t, sign.RSA2, fields)); err == nil || errors.Is(err, ErrSignature) {
		t.Errorf("foreign app_id: got %v", err)
	}
}

func TestVerifyNotificationSignType(t *testing.T) {
	// The form's sign_type wins over the client's.
	rsa2Client := notifyClient(t)
	if err := rsa2Client.VerifyNotification(signedNotification(t, sign.RSA, tradeNotification())); err != nil {
		t.Errorf("RSA notification on an RSA2 client: %v", err)
	}
	// Without sign_type, the client's sign type is used.
	form := signedNotification(t, sign.RSA, tradeNotification())
	form.Del("sign_type")
	if err := notifyClient(t, WithSignType(sign.RSA)).VerifyNotification(form); err != nil {
		t.Errorf("RSA notification without sign_type on an RSA client: %v", err)
	}
	if err := rsa2Client.VerifyNotification(form); !errors.Is(err, ErrSignature) {
		t.Errorf("RSA notification without sign_type on an RSA2 client: %v", err)
	}
}

func TestParseNotification(t *testing.T) {
	c := notifyClient(t)
	form := signedNotification(t, sign.RSA2, tradeNotification())
	r := httptest.NewRequest(http.MethodPost, "/notify?shop=7", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	got, err := c.ParseNotification(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("subject") != "测试 a&b=c" || got.Get("trade_status") != "TRADE_SUCCESS" || got.Has("shop") {
		t.Errorf("got %v", got)
	}

	form.Set("trade_status", "TRADE_FINISHED")
	r = httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got, err := c.ParseNotification(r); !errors.Is(err, ErrSignature) || got != nil {
		t.Errorf("forged notification: %v, %v", got, err)
	}
}

func TestParseNotificationGBK(t *testing.T) {
	// Alipay signs a GBK notification over its GBK bytes and sends them
	// percent-encoded.
	fields := tradeNotification()
	fields["charset"] = "gbk"
	fields["subject"] = "测试商品：中文"
	gbk := map[string]string{}
	for k, v := range fields {
		gbk[k] = string(toGBKTest(t, []byte(v)))
	}
	form := signedNotification(t, sign.RSA2, gbk)

	c := notifyClient(t)
	r := httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=GBK")
	got, err := c.ParseNotification(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("subject") != "测试商品：中文" {
		t.Errorf("subject %q", got.Get("subject"))
	}
	// The decoded form verifies again, and so does the raw GBK one.
	if err := c.VerifyNotification(got); err != nil {
		t.Errorf("decoded: %v", err)
	}
	if err := c.VerifyNotification(form); err != nil {
		t.Errorf("raw GBK: %v", err)
	}
	got.Set("subject", "测试商品：英文")
	if err := c.VerifyNotification(got); !errors.Is(err, ErrSignature) {
		t.Errorf("changed Chinese field: %v", err)
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func BenchmarkVerifyNotification(b *testing.B) {
	c := notifyClient(b)
	form := signedNotification(b, sign.RSA2, tradeNotification())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := c.VerifyNotification(form); err != nil {
			b.Fatal(err)
		}
	}
}

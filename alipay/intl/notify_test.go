package intl

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

const notifyValue = `{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.notify.pay","clientId":"` + testClientID + `",` +
	`"reqTime":"2024-05-13T17:49:22+08:00","reqMsgId":"n-0001","signType":"SIGNTYPE"},` +
	`"body":{"resultInfo":{"resultStatus":"S","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"},` +
	`"acquirementId":"A1","merchantTransId":"T1","orderAmount":{"currency":"USD","value":"450"},"paymentAmount":{"currency":"CNY","value":"3240"},"paidTime":"2024-05-13T17:49:21+08:00"}}`

// notification renders a notification envelope signed by signer (nil:
// unsigned) with alg, which is also written as head.signType.
func notification(t *testing.T, value string, signer *rsa.PrivateKey, alg sign.Algorithm) []byte {
	t.Helper()
	value = strings.Replace(value, "SIGNTYPE", string(alg), 1)
	sig := ""
	if signer != nil {
		var err error
		if sig, err = sign.SignEnvelopeValue(signer, alg, []byte(value)); err != nil {
			t.Fatal(err)
		}
	}
	return sign.EnvelopeJSON(sign.NodeRequest, []byte(value), sig)
}

func TestVerifyNotification(t *testing.T) {
	_, alipay, stranger := testKeys(t)
	c := newFake(t, func(seen) answer { return answer{} }).client()
	want := &Notification{
		Version: "2.0.2", Function: FunctionNotifyPay, ClientID: testClientID,
		ReqTime: "2024-05-13T17:49:22+08:00", ReqMsgID: "n-0001",
		ResultInfo:    ResultInfo{"S", "00000000", "SUCCESS", "success"},
		AcquirementID: "A1", MerchantTransID: "T1",
		OrderAmount: &Money{"USD", "450"}, PaymentAmount: &Money{"CNY", "3240"},
		PaidTime: "2024-05-13T17:49:21+08:00",
	}
	check := func(t *testing.T, n *Notification, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		got := *n
		got.Body = nil
		if got.OrderAmount == nil || *got.OrderAmount != *want.OrderAmount || *got.PaymentAmount != *want.PaymentAmount {
			t.Fatalf("amounts %+v", n)
		}
		got.OrderAmount, got.PaymentAmount = want.OrderAmount, want.PaymentAmount
		if !reflect.DeepEqual(&got, want) {
			t.Fatalf("got %+v\nwant %+v", got, *want)
		}
		var b map[string]any
		if json.Unmarshal(n.Body, &b) != nil || b["acquirementId"] != "A1" {
			t.Fatalf("Body %s", n.Body)
		}
	}

	t.Run("RSA2", func(t *testing.T) {
		n, err := c.VerifyNotification(notification(t, notifyValue, alipay, sign.RSA2))
		check(t, n, err)
	})
	t.Run("RSA, as head.signType says", func(t *testing.T) {
		n, err := c.VerifyNotification(notification(t, notifyValue, alipay, sign.RSA))
		check(t, n, err)
	})
	t.Run("pretty, body first, signature first", func(t *testing.T) {
		var v struct{ Head, Body json.RawMessage }
		if err := json.Unmarshal([]byte(strings.Replace(notifyValue, "SIGNTYPE", "RSA2", 1)), &v); err != nil {
			t.Fatal(err)
		}
		value := "{\n  \"body\": " + string(v.Body) + ",\n  \"head\": " + string(v.Head) + "\n}"
		sig, _ := sign.SignEnvelopeValue(alipay, sign.RSA2, []byte(value))
		n, err := c.VerifyNotification([]byte("{\n\"signature\" : \"" + sig + "\",\n\"request\" : " + value + "\n}\n"))
		check(t, n, err)
	})
	t.Run("ParseNotification", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(notification(t, notifyValue, alipay, sign.RSA2)))
		n, err := c.ParseNotification(r)
		check(t, n, err)
		if _, err := c.ParseNotification(httptest.NewRequest(http.MethodGet, "/notify", nil)); err == nil {
			t.Error("GET accepted")
		}
		big := bytes.Repeat([]byte(" "), maxNotificationBytes+1)
		if _, err := c.ParseNotification(httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(big))); err == nil || !strings.Contains(err.Error(), "larger") {
			t.Errorf("huge body: %v", err)
		}
	})

	good := notification(t, notifyValue, alipay, sign.RSA2)
	for _, tt := range []struct {
		name   string
		body   []byte
		sigErr bool
		want   string
	}{
		{"unsigned", notification(t, notifyValue, nil, sign.RSA2), true, "no signature"},
		{"another key", notification(t, notifyValue, stranger, sign.RSA2), true, "does not match"},
		{"tampered", bytes.Replace(good, []byte(`"value":"450"`), []byte(`"value":"4500"`), 1), true, "does not match"},
		{"signType SHA256", notification(t, strings.Replace(notifyValue, "SIGNTYPE", "SHA256", 1), alipay, sign.RSA2), true, "not supported"},
		{"signType lies", bytes.Replace(notification(t, notifyValue, alipay, sign.RSA2), []byte(`"RSA2"`), []byte(`"RSA"`), 1), true, "does not match"},
		{"another client", notification(t, strings.Replace(notifyValue, testClientID, "2119999", 1), alipay, sign.RSA2), false, "clientId"},
		{"no function", notification(t, strings.Replace(notifyValue, FunctionNotifyPay, "", 1), alipay, sign.RSA2), false, "function"},
		{"a response, not a request", bytes.Replace(good, []byte(`{"request":`), []byte(`{"response":`), 1), false, `no "request"`},
		{"not JSON", []byte("resultStatus=S"), false, "not valid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.VerifyNotification(tt.body)
			if err == nil || n != nil {
				t.Fatalf("accepted: %+v", n)
			}
			if errors.Is(err, ErrSignature) != tt.sigErr || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want %q, ErrSignature %v", err, tt.want, tt.sigErr)
			}
		})
	}
}

func TestNotificationResponse(t *testing.T) {
	merchant, alipay, _ := testKeys(t)
	c := newFake(t, func(seen) answer { return answer{} }).client()
	n, err := c.VerifyNotification(notification(t, notifyValue, alipay, sign.RSA2))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := c.NotificationResponse(n)
	if err != nil {
		t.Fatal(err)
	}
	env, err := sign.ExtractEnvelope(ack, sign.NodeResponse)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.VerifyEnvelope(&merchant.PublicKey, sign.RSA2, env); err != nil {
		t.Fatalf("ack signature: %v", err)
	}
	want := `{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.notify.pay","clientId":"` + testClientID +
		`","respTime":"` + testClockReqTime + `","reqMsgId":"n-0001"},"body":{"resultInfo":{"resultStatus":"S","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"}}}`
	if string(env.Value) != want {
		t.Errorf("ack value\n%s\nwant\n%s", env.Value, want)
	}
	if _, err := c.NotificationResponse(nil); err == nil {
		t.Error("nil notification answered")
	}
}

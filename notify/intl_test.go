package notify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	intlsdk "github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/sign"
)

// intlPayload is what a paid international payment's notify.pay carries.
func intlPayload() map[string]string {
	return map[string]string{
		"acquirementId": "20250314211212800100000000000001", "merchantTransId": "M-20250314-1",
		"currency": "HKD", "value": "10000", "paidTime": "2025-03-14T15:09:20+08:00",
	}
}

// TestIntlNotifyPay: the request envelope verifies with the gateway key
// over its exact value, and a signed S response acknowledges it.
func TestIntlNotifyPay(t *testing.T) {
	e := newEnv(t, "")
	gatewayPub, err := sign.ParsePublicKey(e.app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	appPriv, err := sign.ParsePrivateKey(e.app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body, _ := io.ReadAll(r.Body)
		env, err := sign.ExtractEnvelope(body, sign.NodeRequest)
		status := "S"
		if err != nil || sign.VerifyEnvelope(gatewayPub, sign.RSA2, env) != nil {
			status = "F"
		}
		value := []byte(`{"head":{"version":"2.0.2","function":"alipay.intl.acquiring.offline.notify.pay","clientId":"` + e.app.IntlClientID +
			`","respTime":"2025-03-14T15:09:27+08:00","reqMsgId":"x"},"body":{"resultInfo":{"resultStatus":"` + status +
			`","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"}}}`)
		sig, _ := sign.SignEnvelopeValue(appPriv, sign.RSA2, value)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(sign.EnvelopeJSON(sign.NodeResponse, value, sig))
	})
	plain := newReceiver(t, answering("success"))
	// A merchant using zfb's intl SDK: it verifies the notification and
	// answers with the SDK's signed acknowledgement.
	sdk, err := intlsdk.New(e.app.IntlClientID, e.app.AppPrivateKey, e.app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var sdkGot atomic.Pointer[intlsdk.Notification]
	withSDK := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		n, err := sdk.ParseNotification(r)
		if err != nil {
			t.Errorf("the intl SDK does not verify the notification: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		sdkGot.Store(n)
		ack, err := sdk.NotificationResponse(n)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(ack)
	})
	m := e.enqueue(zfb.NotifyIntlPay, rc.URL, intlPayload())
	p := e.enqueue(zfb.NotifyIntlPay, plain.URL, intlPayload())
	q := e.enqueue(zfb.NotifyIntlPay, withSDK.URL, intlPayload())
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))

	got, as := e.waitAttempts(m.ID, 1)
	if a := as[0]; !a.Acknowledged || a.StatusCode != 200 || a.Error != "" || got.DeliveredAt == nil {
		t.Fatalf("attempt %+v; message %+v", a, got)
	}
	req := rc.requests()[0]
	if ct := req.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	env, err := sign.ExtractEnvelope(req.body, sign.NodeRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := sign.VerifyEnvelope(gatewayPub, sign.RSA2, env); err != nil {
		t.Errorf("signature: %v", err)
	}
	var v struct {
		Head map[string]string `json:"head"`
		Body struct {
			ResultInfo      map[string]string `json:"resultInfo"`
			AcquirementID   string            `json:"acquirementId"`
			MerchantTransID string            `json:"merchantTransId"`
			OrderAmount     map[string]string `json:"orderAmount"`
			PaidTime        string            `json:"paidTime"`
		} `json:"body"`
	}
	if err := json.Unmarshal(env.Value, &v); err != nil {
		t.Fatal(err)
	}
	wantHead := map[string]string{
		"version": "2.0.2", "function": "alipay.intl.acquiring.offline.notify.pay", "clientId": e.app.IntlClientID,
		"reqTime": "2025-03-14T15:09:26+08:00", "reqMsgId": m.NotifyID(),
	}
	for k, want := range wantHead {
		if v.Head[k] != want {
			t.Errorf("head.%s = %q, want %q", k, v.Head[k], want)
		}
	}
	b := v.Body
	if b.ResultInfo["resultStatus"] != "S" || b.ResultInfo["resultCodeId"] != "00000000" || b.ResultInfo["resultCode"] != "SUCCESS" ||
		b.AcquirementID != "20250314211212800100000000000001" || b.MerchantTransID != "M-20250314-1" ||
		b.OrderAmount["currency"] != "HKD" || b.OrderAmount["value"] != "10000" || b.PaidTime != "2025-03-14T15:09:20+08:00" {
		t.Errorf("body %+v", b)
	}

	got, as = e.waitAttempts(q.ID, 1)
	if a := as[0]; !a.Acknowledged || got.DeliveredAt == nil {
		t.Errorf("the SDK's acknowledgement: attempt %+v", a)
	}
	if n := sdkGot.Load(); n == nil || n.ReqMsgID != q.NotifyID() || n.AcquirementID != "20250314211212800100000000000001" ||
		n.OrderAmount == nil || n.OrderAmount.Currency != "HKD" || n.OrderAmount.Value != "10000" || n.ResultInfo.ResultStatus != "S" {
		t.Errorf("the SDK read %+v", n)
	}

	// "success" is gateway.do's acknowledgement, not this dialect's.
	got, as = e.waitAttempts(p.ID, 1)
	if a := as[0]; a.Acknowledged || a.Body != "success" || !strings.Contains(a.Error, "not a response envelope") || got.DeliveredAt != nil {
		t.Errorf("plain success: attempt %+v", a)
	}
}

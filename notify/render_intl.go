package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/sign"
)

// The intl dialect's notification (spec/intl-acquiring.md §3.3, §4.5).
const (
	intlContentType = "application/json; charset=utf-8"
	intlVersion     = "2.0.2"
	intlNotifyPay   = "alipay.intl.acquiring.offline.notify.pay"
)

// intlHead is request.head of a notification. reqMsgId is the notify id,
// the same on every send of a message, so that a merchant can dedupe
// retries by it; whether Alipay keeps it across retries is UNCONFIRMED
// (the dialect calls it unique per system request). No signType: RSA2 is
// the default (spec §2.1); an app signing RSA (SHA1withRSA) is signed with
// its own algorithm, and whether Alipay's head names it then is
// UNCONFIRMED.
type intlHead struct {
	Version  string `json:"version"`
	Function string `json:"function"`
	ClientID string `json:"clientId"`
	ReqTime  string `json:"reqTime"`
	ReqMsgID string `json:"reqMsgId"`
}

// intlResultS is the notification's resultInfo: the payment succeeded.
const intlResultS = `{"resultStatus":"S","resultCodeId":"00000000","resultCode":"SUCCESS","resultMsg":"success"}`

// intlFirst are the body's fields in the order the docs list them; others
// follow in key order.
var intlFirst = []string{"acquirementId", "merchantTransId", "orderAmount", "paidTime"}

// renderIntl renders an alipay.intl.acquiring.offline.notify.pay request
// envelope, {"request":{"head":{…},"body":{…}},"signature":"…"}, signed
// with the app's gateway key over the exact text of the request value.
// The payload's "currency" and "value" make body.orderAmount (Money, value
// in minor units); its other fields are the body's, after resultInfo.
func renderIntl(app *zfb.App, keys *appkeys.Keys, m *zfb.OutboxMessage, p payload, now time.Time) (*outgoing, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"head":`)
	if err := encode(&buf, intlHead{
		Version: intlVersion, Function: intlNotifyPay, ClientID: app.IntlClientID,
		ReqTime: zfb.FormatIntlTime(now), ReqMsgID: m.NotifyID(),
	}); err != nil {
		return nil, err
	}
	buf.WriteString(`,"body":{"resultInfo":` + intlResultS)

	fields := make(map[string]json.RawMessage, len(p))
	for k, raw := range p {
		if k == "" || k == "resultInfo" || k == "currency" || k == "value" {
			continue
		}
		if s, ok := p.str(k); ok {
			if s == "" {
				continue
			}
			raw = quote(s)
		} else if v := p.text(k); v == "" {
			continue
		} else {
			raw = json.RawMessage(v) // compact JSON of a non-string value
		}
		fields[k] = raw
	}
	if _, ok := fields["orderAmount"]; !ok && (p.text("currency") != "" || p.text("value") != "") {
		var amount bytes.Buffer
		if err := encode(&amount, struct {
			Currency string `json:"currency"`
			Value    string `json:"value"`
		}{p.text("currency"), p.text("value")}); err != nil {
			return nil, err
		}
		fields["orderAmount"] = amount.Bytes()
	}
	keys2 := make([]string, 0, len(fields))
	for k := range fields {
		if !slices.Contains(intlFirst, k) {
			keys2 = append(keys2, k)
		}
	}
	slices.Sort(keys2)
	for _, k := range append(slices.Clone(intlFirst), keys2...) {
		raw, ok := fields[k]
		if !ok {
			continue
		}
		buf.WriteByte(',')
		buf.Write(quote(k))
		buf.WriteByte(':')
		buf.Write(raw)
	}
	buf.WriteString(`}}`)
	value := buf.Bytes()

	alg := intlAlgorithm(app.SignType)
	sig, err := keys.GatewaySigner.Sign(alg, value)
	if err != nil {
		return nil, err
	}
	return &outgoing{
		contentType: intlContentType,
		body:        sign.EnvelopeJSON(sign.NodeRequest, value, sig),
		ack:         intlAck(keys, alg),
	}, nil
}

// intlAlgorithm is the algorithm of an app's sign type in the intl dialect:
// RSA (SHA1withRSA) for an RSA app, RSA2 otherwise (as package intl).
func intlAlgorithm(t zfb.SignType) sign.Algorithm {
	if t == zfb.SignTypeRSA {
		return sign.RSA
	}
	return sign.RSA2
}

// intlAck: a 2xx answer that is a response envelope whose
// body.resultInfo.resultStatus is "S" (spec §3.3: "the merchant answers
// with a signed response envelope whose body holds resultInfo"). A
// signature, when present, must verify with the app's public key under the
// app's algorithm. An unsigned S is accepted: whether Alipay requires the
// acknowledgement signed is UNCONFIRMED (spec §8 item 6; TNGD does). A plain
// "success", the gateway.do acknowledgement, is not one here; the attempt
// keeps the answer, so that a tester sees what came back.
func intlAck(keys *appkeys.Keys, alg sign.Algorithm) func(int, []byte) (bool, string) {
	return func(status int, body []byte) (bool, string) {
		if !is2xx(status) {
			return false, statusWhy(status)
		}
		env, err := sign.ExtractEnvelope(body, sign.NodeResponse)
		if err != nil {
			return false, "the answer is not a response envelope: " + err.Error()
		}
		if env.Signature != "" {
			if err := sign.VerifyEnvelope(keys.AppPublic, alg, env); err != nil {
				return false, "the answer's signature does not verify with the app's public key: " + err.Error()
			}
		}
		var v struct {
			Body struct {
				ResultInfo struct {
					ResultStatus string `json:"resultStatus"`
				} `json:"resultInfo"`
			} `json:"body"`
		}
		if err := json.Unmarshal(env.Value, &v); err != nil {
			return false, "the answer's response does not decode: " + err.Error()
		}
		if rs := v.Body.ResultInfo.ResultStatus; rs != "S" {
			return false, fmt.Sprintf("the answer's resultStatus is %q, not \"S\"", clean(rs, 32))
		}
		return true, ""
	}
}

// encode appends v's compact JSON without HTML escaping, as package intl
// renders ('<', '>' and '&' as they are), and without the newline.
func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

// quote is s as a JSON string, without HTML escaping.
func quote(s string) json.RawMessage {
	var buf bytes.Buffer
	_ = encode(&buf, s) // a string always encodes
	return buf.Bytes()
}

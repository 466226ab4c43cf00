package intl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// outcome is what an answer's body says: a resultCode (its resultCodeId
// and resultStatus come from resultCodes), a resultMsg ("" for the code's
// remark) and the API's fields, rendered after resultInfo.
type outcome struct {
	code   string
	msg    string
	fields any // a struct that encoding/json renders as an object; nil for none
}

func fail(code, msg string) *outcome { return &outcome{code: code, msg: msg} }

func paramIllegal(detail string) *outcome {
	return fail(codeParamIllegal, "The parameter is incorrect: "+detail)
}

func success(fields any) *outcome {
	return &outcome{code: codeSuccess, msg: successMsg, fields: fields}
}

// unknownException is the answer to anything unexpected: U, so that the
// merchant queries or cancels, as the docs tell them to (spec §4.6).
var unknownException = fail(codeUnknownException, "")

// errorOutcome renders a domain error: a *zfb.Error whose SubCode is one of
// the dialect's resultCodes is answered with it and its SubMsg; anything
// else is UNKNOWN_EXCEPTION, and expected reports false so that the caller
// logs it.
func errorOutcome(err error) (out *outcome, expected bool) {
	if e, ok := zfb.AsError(err); ok {
		if _, known := resultCodes[e.SubCode]; known {
			return fail(e.SubCode, e.SubMsg), true
		}
	}
	return unknownException, false
}

// responseHead is response.head: the request's version, function, clientId
// and reqMsgId echoed as sent, respTime from the app's clock in Beijing
// time, and reserve echoed when the request had one.
type responseHead struct {
	Version  string          `json:"version"`
	Function string          `json:"function"`
	ClientID string          `json:"clientId"`
	RespTime string          `json:"respTime"`
	ReqMsgID string          `json:"reqMsgId"`
	Reserve  json.RawMessage `json:"reserve,omitempty"`
}

type resultInfo struct {
	ResultStatus string `json:"resultStatus"`
	ResultCodeID string `json:"resultCodeId"`
	ResultCode   string `json:"resultCode"`
	ResultMsg    string `json:"resultMsg"`
}

// signer is how an answer is signed: nil key for an answer that cannot be
// (no client is known), which goes without "signature".
type signer struct {
	key sign.Signer
	alg sign.Algorithm
}

// write renders the response value once, compact, with '<', '>' and '&'
// as they are; signs exactly those bytes and splices them into the
// envelope (sign.EnvelopeJSON). Head comes before body, as in seed 001's
// sample response (the live response in spec §2.2 was alphabetical, body
// first; clients slice the raw text, so either order verifies). It returns
// the resultCode answered.
func write(w http.ResponseWriter, status int, h responseHead, s signer, out *outcome) string {
	value, err := renderValue(h, out)
	if err != nil { // an API's fields that do not render: a bug
		out = unknownException
		value, _ = renderValue(h, out)
	}
	var sig string
	if s.key != nil {
		sig, _ = s.key.Sign(s.alg, value) // fails only for a broken key: unsigned
	}
	body := sign.EnvelopeJSON(sign.NodeResponse, value, sig)
	hdr := w.Header()
	hdr["Content-Type"] = []string{"application/json; charset=utf-8"}
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return out.code
}

// renderValue renders {"head":{…},"body":{"resultInfo":{…},<fields>}}.
func renderValue(h responseHead, out *outcome) ([]byte, error) {
	rc, ok := resultCodes[out.code]
	if !ok {
		return nil, fmt.Errorf("intl: result code %q is not in the table", out.code)
	}
	msg := out.msg
	if msg == "" {
		msg = rc.remark
	}
	var buf bytes.Buffer
	buf.WriteString(`{"head":`)
	if err := encode(&buf, h); err != nil {
		return nil, err
	}
	buf.WriteString(`,"body":{"resultInfo":`)
	if err := encode(&buf, resultInfo{rc.status, rc.id, out.code, msg}); err != nil {
		return nil, err
	}
	if out.fields != nil {
		start := buf.Len()
		if err := encode(&buf, out.fields); err != nil {
			return nil, err
		}
		fields := buf.Bytes()[start:]
		if len(fields) < 2 || fields[0] != '{' {
			return nil, fmt.Errorf("intl: fields must render as a JSON object, not %.20q", fields)
		}
		if fields[1] == '}' { // no fields
			buf.Truncate(start)
		} else {
			fields[0] = ','
			buf.Truncate(buf.Len() - 1) // its '}' closes body below
		}
	}
	buf.WriteString(`}}`)
	return buf.Bytes(), nil
}

// encode appends v's compact JSON without HTML escaping (Alipay writes '<',
// '>' and '&' as they are) and without the encoder's newline.
func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

// money is the dialect's Money: minor units as a decimal string.
type money struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

func moneyOf(currency string, minor int64) money {
	return money{Currency: currency, Value: strconv.FormatInt(minor, 10)}
}

// intlTime renders a time as the dialect does; "" for zero (omitted).
func intlTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return zfb.FormatIntlTime(t)
}

package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// answer is where and how a gateway.do response is written.
type answer struct {
	node    string // <method>_response, or error_response when method is absent
	charset charset
	signer  sign.Signer     // nil: the app is unknown, the answer goes unsigned
	sigs    *signatureCache // signatures of signer's recent answers
	alg     sign.Algorithm
	aesKey  []byte // non-nil: the request was decrypted; encrypt the node value (encrypt.go)
	certSN  string // alipay_cert_sn, for an app in certificate mode
}

// write renders the node value once, encodes it in the request charset,
// signs those exact bytes and splices them into the envelope. It returns
// the code it answered.
func (a answer) write(w http.ResponseWriter, result any, e *zfb.Error) string {
	value, code, err := renderNode(result, e)
	if err != nil {
		// A method returned something that is not a JSON object: a bug,
		// answered as Alipay answers its own.
		value, code, _ = renderNode(nil, zfb.ErrUnknown)
	}
	value = a.charset.encode(value)
	if a.aesKey != nil {
		if value, err = encryptValue(a.aesKey, value); err != nil {
			// Unreachable: the key just decrypted the request.
			value, code, _ = renderNode(nil, zfb.ErrUnknown)
			value = a.charset.encode(value)
		}
	}
	body := sign.Envelope(a.node, value, a.certSN, a.sign(value))
	h := w.Header()
	h["Content-Type"] = []string{"application/json;charset=" + a.charset.name}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return code
}

// sign signs value, reusing the signature of an identical earlier answer.
// An unknown app's answers go unsigned ("").
func (a answer) sign(value []byte) string {
	if a.signer == nil {
		return ""
	}
	if a.sigs == nil {
		s, _ := a.signer.Sign(a.alg, value) // fails only for a broken key: unsigned
		return s
	}
	k := cacheKey(a.alg, value)
	if s, ok := a.sigs.get(k); ok {
		return s
	}
	s, err := a.signer.Sign(a.alg, value)
	if err != nil {
		return ""
	}
	a.sigs.put(k, s)
	return s
}

// renderNode renders the value of the response node: code and msg first,
// then sub_code and sub_msg for an error, then the result's fields, in the
// order Alipay writes them. An error answer carries the result's fields too
// when there is one: business errors may (spec §2.3).
func renderNode(result any, e *zfb.Error) ([]byte, string, error) {
	var buf bytes.Buffer
	var code string
	if e != nil {
		code = e.Code
		buf.WriteString(`{"code":`)
		writeString(&buf, e.Code)
		buf.WriteString(`,"msg":`)
		writeString(&buf, e.Msg)
		buf.WriteString(`,"sub_code":`)
		writeString(&buf, e.SubCode)
		buf.WriteString(`,"sub_msg":`)
		writeString(&buf, e.SubMsg)
	} else {
		code = zfb.CodeSuccess
		if c, ok := result.(Coded); ok {
			code = c.GatewayCode()
		}
		buf.WriteString(`{"code":`)
		writeString(&buf, code)
		buf.WriteString(`,"msg":`)
		writeString(&buf, zfb.CodeMsg(code))
	}
	if result == nil {
		buf.WriteByte('}')
		return buf.Bytes(), code, nil
	}
	fields, err := marshal(result)
	if err != nil {
		return nil, "", err
	}
	if len(fields) < 2 || fields[0] != '{' {
		return nil, "", fmt.Errorf("openapi: a result must render as a JSON object, not %.20q", fields)
	}
	if inner := fields[1:]; inner[0] != '}' {
		buf.WriteByte(',')
		buf.Write(inner)
	} else {
		buf.WriteByte('}')
	}
	return buf.Bytes(), code, nil
}

// marshal is json.Marshal without HTML escaping: Alipay writes '<', '>' and
// '&' as they are.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := marshal(s) // a string always marshals
	buf.Write(b)
}

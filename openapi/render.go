package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/jsontext"
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
	buf := nodeBuffers.Get().(*[]byte)
	defer putNodeBuffer(buf)
	value, code, err := appendNode((*buf)[:0], result, e)
	if err == nil {
		*buf = value // keep what it grew to
	} else {
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
	h["Content-Type"] = []string{contentType(a.charset)}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return code
}

// nodeBuffers holds the buffers answer values are rendered into: a value
// lives only until its envelope is written (sign.Envelope copies it, the
// signature cache keeps a hash).
var nodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// putNodeBuffer returns b to nodeBuffers unless an unusually large answer
// grew it.
func putNodeBuffer(b *[]byte) {
	if cap(*b) <= 64<<10 {
		nodeBuffers.Put(b)
	}
}

// contentType is the Content-Type of an answer in cs, without building the
// string for the usual charset.
func contentType(cs charset) string {
	if cs.name == utf8Charset.name {
		return "application/json;charset=utf-8"
	}
	return "application/json;charset=" + cs.name
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

// renderNode renders the value of the response node into a new slice (see
// appendNode).
func renderNode(result any, e *zfb.Error) ([]byte, string, error) {
	return appendNode(nil, result, e)
}

// appendNode appends the value of the response node to b: code and msg
// first, then sub_code and sub_msg for an error, then the result's fields,
// in the order Alipay writes them. An error answer carries the result's
// fields too when there is one: business errors may (spec §2.3). A result
// that writes its own fields (jsonFields) is not run through
// encoding/json.
func appendNode(b []byte, result any, e *zfb.Error) ([]byte, string, error) {
	var code string
	if e != nil {
		code = e.Code
		b = append(b, `{"code":`...)
		b = jsontext.AppendString(b, e.Code)
		b = append(b, `,"msg":`...)
		b = jsontext.AppendString(b, e.Msg)
		b = append(b, `,"sub_code":`...)
		b = jsontext.AppendString(b, e.SubCode)
		b = append(b, `,"sub_msg":`...)
		b = jsontext.AppendString(b, e.SubMsg)
	} else {
		code = zfb.CodeSuccess
		if c, ok := result.(Coded); ok {
			code = c.GatewayCode()
		}
		b = append(b, `{"code":`...)
		b = jsontext.AppendString(b, code)
		b = append(b, `,"msg":`...)
		b = jsontext.AppendString(b, zfb.CodeMsg(code))
	}
	if result == nil {
		return append(b, '}'), code, nil
	}
	if f, ok := result.(jsonFields); ok {
		return append(f.appendJSONFields(b), '}'), code, nil
	}
	fields, err := marshal(result)
	if err != nil {
		return nil, "", err
	}
	if len(fields) < 2 || fields[0] != '{' {
		return nil, "", fmt.Errorf("openapi: a result must render as a JSON object, not %.20q", fields)
	}
	if inner := fields[1:]; inner[0] != '}' {
		b = append(b, ',')
		b = append(b, inner...)
	} else {
		b = append(b, '}')
	}
	return b, code, nil
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

package intl

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/internal/jsontext"
	"github.com/zfbpay/zfb/sign"
)

// request is what the envelope of a request says, before any of it is
// trusted.
type request struct {
	env  *sign.SignedEnvelope // nil when the body is not an envelope
	head head
	body json.RawMessage // the value of request.body, as sent; nil when absent
	raw  []byte          // the whole body, as received (for the request log)
	// bodyObj and bodyErr are body decoded (bodyObject), once decoded is
	// set: the boundary check and the API read it.
	bodyObj object
	bodyErr error
	decoded bool
}

// bodyObject is decodeObject(req.body, "request.body"), decoded once.
func (req *request) bodyObject() (object, error) {
	if !req.decoded {
		req.bodyObj, req.bodyErr = decodeObject(req.body, "request.body")
		req.decoded = true
	}
	return req.bodyObj, req.bodyErr
}

// head is request.head. Each field is read leniently (see textField); a
// field of another shape counts as invalid at its own check.
type head struct {
	version, function, clientID field
	reqTime, reqMsgID, signType field
	reserve                     json.RawMessage // compact, echoed as sent
}

// field is one member of an object read as text.
type field struct {
	value string // "" when absent, null or of the wrong shape
	bad   bool   // present with the wrong shape (an object or array)
}

// valid reports whether the field holds a non-empty text.
func (f field) valid() bool { return f.value != "" && !f.bad }

// readRequest reads and parses an intl request. The outcome is nil when the
// body is an envelope with a "request" object; otherwise it is the
// PARAM_ILLEGAL to answer, and req holds what could be read.
func readRequest(w http.ResponseWriter, r *http.Request, limit int64) (*request, *outcome) {
	req := &request{}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return req, paramIllegal("the request body exceeds the size limit")
		}
		return req, paramIllegal("the request body could not be read")
	}
	req.raw = raw
	env, err := sign.ExtractEnvelope(raw, sign.NodeRequest)
	if err != nil {
		return req, paramIllegal(`the body must be a JSON envelope {"request":{"head":{…},"body":{…}},"signature":"…"} in UTF-8`)
	}
	req.env = env
	members, _ := objectMembers(env.Value) // an object: ExtractEnvelope checked it
	if b, ok := members["body"]; ok && !isNull(b) {
		req.body = b
	}
	if h, ok := members["head"]; ok && !isNull(h) {
		hm, err := objectMembers(h)
		if err != nil {
			return req, paramIllegal("request.head must be an object")
		}
		req.head = head{
			version: textField(hm["version"]), function: textField(hm["function"]),
			clientID: textField(hm["clientId"]), reqTime: textField(hm["reqTime"]),
			reqMsgID: textField(hm["reqMsgId"]), signType: textField(hm["signType"]),
		}
		if v, ok := hm["reserve"]; ok {
			var buf bytes.Buffer
			_ = json.Compact(&buf, v) // valid JSON: it came out of a valid envelope
			req.head.reserve = buf.Bytes()
		}
	}
	return req, nil
}

// objectMembers is json.Unmarshal of raw, a part of a valid JSON
// envelope, into a map[string]json.RawMessage, the last of repeated
// names winning. An object whose names have no escape (the usual) is read
// in one pass, its values sliced from raw rather than copied (nothing
// changes them); anything else goes through encoding/json.
func objectMembers(raw json.RawMessage) (map[string]json.RawMessage, error) {
	if m, ok := plainObjectMembers(raw); ok {
		return m, nil
	}
	var m map[string]json.RawMessage
	err := json.Unmarshal(raw, &m)
	return m, err
}

// plainObjectMembers reads raw (valid JSON) as an object whose names are
// plain strings; ok is false for another value or a name with an escape.
func plainObjectMembers(raw []byte) (map[string]json.RawMessage, bool) {
	i := jsontext.SkipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, false
	}
	m := make(map[string]json.RawMessage)
	if i = jsontext.SkipSpace(raw, i+1); i < len(raw) && raw[i] == '}' {
		return m, true
	}
	for i < len(raw) && raw[i] == '"' {
		n := bytes.IndexByte(raw[i+1:], '"')
		if n < 0 || bytes.IndexByte(raw[i+1:i+1+n], '\\') >= 0 {
			return nil, false
		}
		name := raw[i+1 : i+1+n]
		i = jsontext.SkipSpace(raw, i+n+2) // at ':'
		start := jsontext.SkipSpace(raw, i+1)
		end := skipJSONValue(raw, start)
		if end < 0 {
			return nil, false
		}
		m[string(name)] = raw[start:end:end]
		if i = jsontext.SkipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = jsontext.SkipSpace(raw, i+1)
		}
	}
	return m, true
}

// skipJSONValue is the index just after the value that starts at b[i] in
// valid JSON, or -1 if b ends first.
func skipJSONValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i == len(b) {
				return -1
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return -1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i // the end of a number or literal
			}
		}
	}
	if depth == 0 {
		return i // a number or literal that ends b
	}
	return -1
}

// textField reads a member as text: a string as its value, a number or a
// boolean as its literal (a client that sends "version":2 or an amount as a
// number is read leniently, as openapi's text does); null or absent as "".
func textField(raw json.RawMessage) field {
	if len(raw) == 0 || isNull(raw) {
		return field{}
	}
	switch c := raw[0]; {
	case c == '"':
		// raw is a whole string literal of valid JSON: without an escape
		// or an invalid byte (decoded as U+FFFD) it is its text.
		if inner := raw[1:]; len(inner) > 0 && inner[len(inner)-1] == '"' {
			if inner = inner[:len(inner)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
				return field{value: string(inner)}
			}
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return field{bad: true}
		}
		return field{value: s}
	case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f':
		return field{value: string(raw)}
	}
	return field{bad: true}
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }

// Versions of the dialect zfb accepts: 2.0.0 (openapi pages), 2.0.2 and
// 2.0.4 (publicapi pages). 2.0.2 names the settlement target partnerId, the
// others merchantId (spec §4.1).
var versions = map[string]string{"2.0.0": "merchantId", "2.0.2": "partnerId", "2.0.4": "merchantId"}

// signTypes maps the head's signType to what zfb verifies with. Absent is
// RSA2 (spec §2.1); "SHA256" is what one page calls it (spec §8 item 7);
// "RSA256" is AMS's name for SHA256withRSA (spec §7.1): accepting it here
// is UNCONFIRMED. Names are exact, as sign.Algorithm's are.
var signTypes = map[string]sign.Algorithm{
	"": sign.RSA2, "RSA2": sign.RSA2, "SHA256": sign.RSA2, "RSA256": sign.RSA2, "RSA": sign.RSA,
}

// unsupportedSignTypes are algorithms Alipay's family knows but zfb does not
// implement: SIGN_TYPE_NOT_SUPPORT. Any other unknown name is
// SIGN_TYPE_INVALID. The list is UNCONFIRMED (ECC224 from AMS, SM2, DSA and
// MD5 from other Alipay APIs).
var unsupportedSignTypes = map[string]bool{
	"ECC": true, "ECC224": true, "ECC256": true, "SM2": true, "DSA": true, "MD5": true,
}

// signAlgorithm resolves the head's signType: the algorithm, or the
// outcome that refuses it.
func signAlgorithm(f field) (sign.Algorithm, *outcome) {
	if !f.bad {
		if alg, ok := signTypes[f.value]; ok {
			return alg, nil
		}
		if unsupportedSignTypes[f.value] {
			return "", fail(codeSignTypeNotSupport, "signType "+f.value+" is not supported; use RSA2 or RSA")
		}
	}
	return "", fail(codeSignTypeInvalid, "signType must be RSA2 (the default) or RSA")
}

// parseReqTime reads reqTime: RFC 3339 with an offset (spec §2.1).
func parseReqTime(f field) (time.Time, bool) {
	if !f.valid() {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, f.value)
	return t, err == nil
}

// signAlgorithmOf is the algorithm of an app's sign type (RSA2 for one zfb
// does not know, which createApp refuses anyway).
func signAlgorithmOf(t zfb.SignType) sign.Algorithm {
	if t == zfb.SignTypeRSA {
		return sign.RSA
	}
	return sign.RSA2
}

// verify checks the request's signature over the exact text of its value.
func verify(keys *appkeys.Keys, alg sign.Algorithm, env *sign.SignedEnvelope) error {
	return sign.VerifyEnvelope(keys.AppPublic, alg, env)
}

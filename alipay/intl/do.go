package intl

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/zfbpay/zfb/sign"
)

// reqTimeLayout is RFC 3339 with a numeric offset always ("+00:00", never
// "Z"), like the pages' sample 2001-07-04T12:08:56+05:30.
const reqTimeLayout = "2006-01-02T15:04:05-07:00"

// requestHead is request.head (spec §2.1), in the pages' key order. reserve
// is left out: it is optional and only ISVs need it.
type requestHead struct {
	Version  string `json:"version"`
	Function string `json:"function"`
	ClientID string `json:"clientId"`
	ReqTime  string `json:"reqTime"`
	ReqMsgID string `json:"reqMsgId"`
	SignType string `json:"signType"`
}

// responseHead is response.head (spec §2.2).
type responseHead struct {
	Version  string `json:"version"`
	Function string `json:"function"`
	ClientID string `json:"clientId"`
	RespTime string `json:"respTime"`
	ReqMsgID string `json:"reqMsgId"`
	Reserve  string `json:"reserve,omitempty"`
}

// Do calls function with body as request.body and decodes the verified
// response.body into out (a pointer to a struct or a map, or nil to
// discard), and returns its resultInfo.
//
// body is marshalled with encoding/json (HTML characters left unescaped);
// json.RawMessage, []byte or string are taken as JSON text and compacted;
// nil sends {}. It must be a JSON object. The request value
// {"head":{…},"body":{…}} is rendered once, compactly, signed with the
// merchant's key and sent byte for byte as it was signed. head carries
// version, function, clientId, reqTime (from the clock, RFC 3339), a fresh
// random reqMsgId and signType.
//
// The answer's signature is verified over the raw text of its "response"
// value, and its head must echo reqMsgId and function (and the clientId,
// when it names one). Results:
//
//   - resultStatus S: body decoded into out, the resultInfo, nil error;
//   - resultStatus F: the resultInfo and an *Error: this call did nothing.
//     Only such an answer may be unsigned (the gateway cannot sign for a
//     clientId it does not know); if it is signed the signature must
//     verify;
//   - resultStatus U (or any other): the resultInfo and an *Error whose
//     UnknownResult() is true: the call may have taken effect. For a
//     payment payQuery, then payCancel; retry a refund with the same
//     merchantRefundId;
//   - a bad or missing signature: an error matching ErrSignature; an answer
//     that does not echo the request: an error matching ErrMismatch; a
//     status other than 200: *HTTPError; the ctx's or the client's
//     deadline: an error matching context.DeadlineExceeded. After any of
//     these the outcome of a money-moving call is unknown as well.
//
// out is written for a verified answer: fully for S, and as far as the
// body decodes for F and U (USER_PAYING carries the acquirementId).
func (c *Client) Do(ctx context.Context, function string, body any, out any) (*ResultInfo, error) {
	path, err := FunctionPath(function)
	if err != nil {
		return nil, fmt.Errorf("intl: %w", err)
	}
	msgID := newMsgID()
	value, err := c.requestValue(function, msgID, body)
	if err != nil {
		return nil, fmt.Errorf("intl: %s: %w", function, err)
	}
	sig, err := sign.SignEnvelopeValue(c.priv, c.signType, value)
	if err != nil {
		return nil, fmt.Errorf("intl: %s: signing: %w", function, err)
	}
	wire := sign.EnvelopeJSON(sign.NodeRequest, value, sig)

	if c.timeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, bytes.NewReader(wire))
	if err != nil {
		return nil, fmt.Errorf("intl: %s: %w", function, err)
	}
	hreq.Header["Content-Type"] = []string{contentType}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("intl: %s: %w", function, err)
	}
	defer resp.Body.Close()

	// Whether the gateway answers errors with statuses other than 200 is
	// UNCONFIRMED; such an answer is taken as a transport failure.
	if resp.StatusCode != http.StatusOK {
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		return nil, &HTTPError{Function: function, StatusCode: resp.StatusCode, Body: excerpt}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("intl: %s: reading response: %w", function, err)
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("intl: %s: response larger than %d bytes", function, maxResponseBytes)
	}
	return c.decode(function, msgID, raw, out)
}

// requestValue renders {"head":{…},"body":{…}}, compact.
func (c *Client) requestValue(function, msgID string, body any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"head":`)
	head := requestHead{
		Version:  c.version,
		Function: function,
		ClientID: c.clientID,
		ReqTime:  c.now().Format(reqTimeLayout),
		ReqMsgID: msgID,
		SignType: string(c.signType),
	}
	if err := encodeJSON(&buf, head); err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	buf.WriteString(`,"body":`)
	at := buf.Len()
	if err := marshalBody(&buf, body); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	if b := buf.Bytes()[at:]; len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("body: want a JSON object, have %.40s", b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeJSON appends v as compact JSON without HTML escaping and without
// the encoder's trailing newline.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // the '\n' Encode adds
	return nil
}

// marshalBody appends the request body as compact JSON.
func marshalBody(buf *bytes.Buffer, v any) error {
	var raw []byte
	switch v := v.(type) {
	case nil:
		buf.WriteString("{}")
		return nil
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return encodeJSON(buf, v)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		buf.WriteString("{}")
		return nil
	}
	return json.Compact(buf, raw)
}

// newMsgID returns a random version 4 UUID, the reqMsgId: unique per HTTP
// request, not a business idempotency key (spec §2.1).
func newMsgID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// decode checks the gateway's answer and turns it into out, the resultInfo
// and an error (see Do).
func (c *Client) decode(function, msgID string, raw []byte, out any) (*ResultInfo, error) {
	env, err := sign.ExtractEnvelope(raw, sign.NodeResponse)
	if err != nil {
		return nil, fmt.Errorf("intl: %s: malformed response: %w", function, err)
	}
	var v struct {
		Head responseHead    `json:"head"`
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(env.Value, &v); err != nil {
		return nil, fmt.Errorf("intl: %s: malformed response: %w", function, err)
	}
	if len(v.Body) == 0 || v.Body[0] != '{' {
		return nil, fmt.Errorf("intl: %s: malformed response: no body object", function)
	}
	var b struct {
		ResultInfo *ResultInfo `json:"resultInfo"`
	}
	if err := json.Unmarshal(v.Body, &b); err != nil {
		return nil, fmt.Errorf("intl: %s: malformed response body: %w", function, err)
	}
	if b.ResultInfo == nil {
		return nil, fmt.Errorf("intl: %s: malformed response: no resultInfo", function)
	}
	ri := b.ResultInfo

	signed := env.Signature != ""
	switch {
	case signed:
		if err := sign.VerifyEnvelope(c.pub, c.signType, env); err != nil {
			return nil, &signatureError{what: function + " response", err: err}
		}
	case ri.ResultStatus != StatusFailure:
		return nil, &signatureError{what: function + " response",
			reason: "resultStatus " + quoteStatus(ri.ResultStatus) + " without a signature"}
	}
	// An unsigned failure may lack what the gateway could not read; what it
	// does say must still match.
	if h := v.Head; h.ReqMsgID != msgID && (signed || h.ReqMsgID != "") {
		return nil, &mismatchError{function: function, field: "reqMsgId", got: h.ReqMsgID, want: msgID}
	}
	if h := v.Head; h.Function != function && (signed || h.Function != "") {
		return nil, &mismatchError{function: function, field: "function", got: h.Function, want: function}
	}
	if h := v.Head; h.ClientID != "" && h.ClientID != c.clientID {
		return nil, &mismatchError{function: function, field: "clientId", got: h.ClientID, want: c.clientID}
	}

	if ri.ResultStatus != StatusSuccess {
		if out != nil {
			// An unknown answer may still carry ids worth keeping
			// (USER_PAYING gives the acquirementId to query): decode what
			// decodes, returned with the *Error.
			_ = json.Unmarshal(v.Body, out)
		}
		return ri, &Error{
			Function:     function,
			ResultStatus: ri.ResultStatus,
			ResultCodeID: ri.ResultCodeID,
			ResultCode:   ri.ResultCode,
			ResultMsg:    ri.ResultMsg,
			Body:         bytes.Clone(v.Body),
		}
	}
	if out != nil {
		if err := json.Unmarshal(v.Body, out); err != nil {
			return ri, fmt.Errorf("intl: %s: decoding response body: %w", function, err)
		}
	}
	return ri, nil
}

func quoteStatus(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

package alipay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/zfbpay/zfb/sign"
)

// Request is one OpenAPI call.
type Request struct {
	// Method is the API, e.g. "alipay.trade.query". Required.
	Method string
	// BizContent becomes the biz_content param: a struct or map is
	// marshalled with encoding/json (HTML characters left unescaped);
	// json.RawMessage, []byte or string are taken as JSON text and
	// compacted; nil omits biz_content.
	BizContent any
	// NotifyURL, ReturnURL and AppAuthToken set the common params of the
	// same names (notify_url, return_url, app_auth_token) when non-empty.
	NotifyURL    string
	ReturnURL    string
	AppAuthToken string
	// Params adds further common params (alipay_sdk, prod_code,
	// auth_token…). They are signed and sent in the query string; empty
	// values are dropped. They may not set a param Do sets itself.
	Params map[string]string
}

// Param names Do sets; Request.Params may not override them.
func reservedParam(k string) bool {
	switch k {
	case "app_id", "method", "format", "charset", "sign_type", "sign", "timestamp",
		"version", "biz_content", "notify_url", "return_url", "app_auth_token", "encrypt_type",
		"app_cert_sn", "alipay_root_cert_sn":
		return true
	}
	return false
}

const timestampLayout = "2006-01-02 15:04:05"

// callState holds what one call needs and the next call can reuse.
type callState struct {
	params map[string]string
	keys   []string
	url    []byte
	buf    bytes.Buffer // biz_content, then the response body
}

var statePool = sync.Pool{New: func() any {
	return &callState{params: make(map[string]string, 16), keys: make([]string, 0, 16)}
}}

func putState(st *callState) {
	if st.buf.Cap() > 256<<10 || cap(st.url) > 64<<10 {
		return // keep an occasional huge answer from pinning memory
	}
	clear(st.params)
	st.buf.Reset()
	statePool.Put(st)
}

// Do calls req.Method and decodes the response node into out (a pointer to
// a struct embedding Response, a map, or nil to discard).
//
// It signs the request with the app's private key, POSTs it (common params
// in the query string, biz_content and app_auth_token in the form body, as
// Alipay's Java SDK does) and verifies the answer with Alipay's public key: a
// successful answer (10000, or 10003 in progress) must be signed; an error
// answer may be unsigned, as the real gateway sends some that way, but if it
// is signed the signature must verify. Failures:
//
//   - an answer with any other code: *Error (see Error.UnknownResult);
//   - a bad or missing signature: an error matching ErrSignature;
//   - an HTTP status other than 200: *HTTPError;
//   - the ctx's or the client's deadline: an error matching
//     context.DeadlineExceeded. For money-moving calls a transport failure
//     leaves the outcome unknown: query, then cancel.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	if req.Method == "" {
		return errors.New("alipay: Do: empty method")
	}
	if c.timeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	st := statePool.Get().(*callState)
	defer putState(st)

	target, body, err := c.encode(st, &req)
	if err != nil {
		return fmt.Errorf("alipay: %s: %w", req.Method, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alipay: %s: %w", req.Method, err)
	}
	hreq.Header["Content-Type"] = []string{c.ctype}
	resp, err := c.hc.Do(hreq)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = c.gateway // not the whole signed query string
		}
		return fmt.Errorf("alipay: %s: %w", req.Method, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		return &HTTPError{Method: req.Method, StatusCode: resp.StatusCode, Body: excerpt}
	}
	st.buf.Reset()
	n, err := st.buf.ReadFrom(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("alipay: %s: reading response: %w", req.Method, err)
	}
	if n > maxResponseBytes {
		return fmt.Errorf("alipay: %s: response larger than %d bytes", req.Method, maxResponseBytes)
	}
	return c.decode(req.Method, resp.Header.Get("Content-Type"), st.buf.Bytes(), out)
}

// encode builds the signed request: the URL with every param but
// biz_content and app_auth_token in its query, and the form body with those.
// Values are sent and signed in the client's charset.
func (c *Client) encode(st *callState, req *Request) (target string, body []byte, err error) {
	p := st.params
	if err := c.signedParams(p, &st.buf, req); err != nil {
		return "", nil, err
	}

	keys := st.keys[:0]
	for k := range p {
		if !inBody(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	st.keys = keys

	u := append(st.url[:0], c.gateway...)
	u = append(u, c.querySep)
	u = appendQuery(u, p, keys)
	st.url = u
	target = string(u)

	// The body is not pooled: the transport may still read it after Do
	// returns.
	size := 0
	for _, k := range [...]string{"biz_content", "app_auth_token"} {
		size += len(k) + 2 + 3*len(p[k])
	}
	body = make([]byte, 0, size)
	for _, k := range [...]string{"biz_content", "app_auth_token"} {
		v, ok := p[k]
		if !ok {
			continue
		}
		if len(body) > 0 {
			body = append(body, '&')
		}
		body = append(body, k...)
		body = append(body, '=')
		body = appendQueryEscape(body, v)
	}
	return target, body, nil
}

// appendQuery appends the params named by keys, in that order, as
// k=v pairs joined by '&', each query-escaped (appendQueryEscape).
func appendQuery(u []byte, p map[string]string, keys []string) []byte {
	for i, k := range keys {
		if i > 0 {
			u = append(u, '&')
		}
		u = appendQueryEscape(u, k)
		u = append(u, '=')
		u = appendQueryEscape(u, p[k])
	}
	return u
}

// signedParams fills p (empty) with every param of req, common and
// biz_content, in the client's charset (a GBK client's values hold GBK
// bytes), and signs them: p["sign"] is set. buf is scratch space.
func (c *Client) signedParams(p map[string]string, buf *bytes.Buffer, req *Request) error {
	for k, v := range req.Params {
		if reservedParam(k) {
			return fmt.Errorf("Request.Params may not set %q", k)
		}
		if v != "" {
			p[k] = v
		}
	}
	p["app_id"] = c.appID
	p["method"] = req.Method
	p["format"] = "JSON"
	p["charset"] = c.charset
	p["sign_type"] = string(c.signType)
	p["timestamp"] = c.now().In(c.loc).Format(timestampLayout)
	p["version"] = "1.0"
	if req.NotifyURL != "" {
		p["notify_url"] = req.NotifyURL
	}
	if req.ReturnURL != "" {
		p["return_url"] = req.ReturnURL
	}
	if req.AppAuthToken != "" {
		p["app_auth_token"] = req.AppAuthToken
	}
	if c.cert != nil {
		p["app_cert_sn"], p["alipay_root_cert_sn"] = c.cert.appSN, c.cert.rootSN
	}
	biz, err := marshalBizContent(buf, req.BizContent)
	if err != nil {
		return fmt.Errorf("biz_content: %w", err)
	}
	if biz != "" && c.aesKey != nil {
		// Encrypt first, then sign (encrypt.go).
		if biz, err = c.encryptBizContent(biz); err != nil {
			return err
		}
		p["encrypt_type"] = encryptTypeAES
	}
	if biz != "" {
		p["biz_content"] = biz
	}
	if c.gbk {
		for k, v := range p {
			if isASCII(v) {
				continue
			}
			g, err := toGBK(v)
			if err != nil {
				return fmt.Errorf("%s: not representable in GBK: %w", k, err)
			}
			p[k] = g
		}
	}
	if err := sign.SignRequest(c.priv, c.signType, p); err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	return nil
}

func inBody(k string) bool { return k == "biz_content" || k == "app_auth_token" }

// marshalBizContent renders v as compact JSON, using buf as scratch space.
func marshalBizContent(buf *bytes.Buffer, v any) (string, error) {
	buf.Reset()
	var raw []byte
	switch v := v.(type) {
	case nil:
		return "", nil
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		out := bytes.TrimRight(buf.Bytes(), "\n")
		if string(out) == "null" {
			return "", nil
		}
		return string(out), nil
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", nil
	}
	if err := json.Compact(buf, raw); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// decode turns the gateway's answer into out or an error (see Do).
func (c *Client) decode(method, contentType string, raw []byte, out any) error {
	// Like Java: decode with the response's declared charset (default: the
	// request's), extract the node from the text, and verify the node
	// re-encoded in the request charset.
	text := raw
	label := contentTypeCharset(contentType)
	if label == "" {
		label = c.charset
	}
	dec, ok := charsetDecoder(label)
	if !ok {
		return fmt.Errorf("alipay: %s: response charset %q not supported", method, label)
	}
	if dec != nil && !isASCIIBytes(raw) {
		var err error
		if text, err = dec.Bytes(raw); err != nil {
			return fmt.Errorf("alipay: %s: decoding %s response: %w", method, label, err)
		}
	}
	sr, err := sign.ExtractResponse(text, sign.ResponseNode(method))
	if err != nil {
		return fmt.Errorf("alipay: %s: malformed response: %w", method, err)
	}
	value, encrypted := sr.Value, isEncrypted(sr.Value)
	if encrypted {
		if value, err = c.openEncrypted(method, sr); err != nil { // encrypt.go
			return err
		}
	}
	var head Response
	if err := json.Unmarshal(value, &head); err != nil {
		return fmt.Errorf("alipay: %s: malformed response node %s: %w", method, sr.Node, err)
	}
	success := head.Code == CodeSuccess || head.Code == CodeInProgress
	if err := c.checkCertSN(method, sr.CertSN, sr.Sign != "", success); err != nil {
		return err
	}
	switch {
	case sr.Sign != "" && !encrypted: // openEncrypted verified an encrypted one
		if err := c.verifyValue(sr.Value, sr.Sign); err != nil {
			return &signatureError{what: method + " response", err: err}
		}
	case sr.Sign == "" && success:
		return &signatureError{what: method + " response", reason: "code " + head.Code + " without sign"}
	}
	if !success {
		return &Error{
			Code: head.Code, Msg: head.Msg, SubCode: head.SubCode, SubMsg: head.SubMsg,
			Method: method, Body: bytes.Clone(value),
		}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(value, out); err != nil {
		return fmt.Errorf("alipay: %s: decoding response: %w", method, err)
	}
	return nil
}

// verifyValue checks a response node value (UTF-8) against its sign, over
// its bytes in the request charset (Java: getBytes(charset)). Like Java, it
// retries once with `\/` unescaped when the value holds one.
func (c *Client) verifyValue(value []byte, signature string) error {
	content := value
	if c.gbk {
		var err error
		if content, err = toGBKBytes(value); err != nil {
			return fmt.Errorf("re-encoding in GBK: %w", err)
		}
	}
	err := sign.Verify(c.pub, c.signType, content, signature)
	if err != nil && bytes.Contains(content, []byte(`\/`)) {
		if sign.Verify(c.pub, c.signType, bytes.ReplaceAll(content, []byte(`\/`), []byte("/")), signature) == nil {
			return nil
		}
	}
	return err
}

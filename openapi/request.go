package openapi

import (
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
)

// request is a gateway.do call as it arrived: its parameters merged from the
// query string and the form body.
type request struct {
	// raw holds the values as sent: percent-decoded bytes in the request
	// charset. The signature is verified over these.
	raw map[string]string
	// params holds the same values as UTF-8 text, for business use. In a
	// UTF-8 request the text is the bytes as sent, and params is raw
	// itself (shared): change a parameter with setParam, which keeps raw
	// as sent.
	params  map[string]string
	shared  bool
	charset charset
	// business says the call passed the gateway's own checks, so that an
	// error is the method's answer; call is the verified call, once its
	// biz_content passed the boundary (errorFields).
	business bool
	call     *Call
	// verified says the signature verified (for the request log).
	verified bool
	// base is the scheme and host the call came to ("http://127.0.0.1:8650").
	base string
	// aesKey is set once biz_content was decrypted (decryptBizContent):
	// the answer is encrypted with it.
	aesKey []byte
}

// readRequest reads and merges the parameters of r. It returns a *zfb.Error
// for input Alipay would refuse; the request it returns alongside is as much
// as could be read, so that the answer can still be addressed and signed.
// Every failure is an envelope answer, never plain text: a body over
// maxBody is read no further, and only the parameters that address the
// answer (addressing) are taken from the part read; past maxParams
// parameters, likewise.
func readRequest(r *http.Request, maxBody int64) (*request, *zfb.Error) {
	req := &request{charset: utf8Charset, base: baseURL(r)}
	var body []byte
	var readErr *zfb.Error
	keep := maxParams
	isForm, ctCharset := parseContentType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && isForm {
		var err error
		body, err = readAllSized(http.MaxBytesReader(nil, r.Body, maxBody), min(r.ContentLength, maxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				readErr = zfb.InvalidParameter("请求体不能超过 " + strconv.FormatInt(maxBody, 10) + " 字节")
			} else {
				readErr = zfb.InvalidParameter("请求体读取失败")
			}
			body, keep = completePairs(body), 0
		}
	}
	query, nq, qerr := parseForm(r.URL.RawQuery, keep)
	form, nf, ferr := parseForm(string(body), max(keep-nq, 0))
	// Merge even when parsing failed, so that method and app_id are known
	// for the answer.
	req.raw = make(map[string]string, len(query)+len(form))
	conflict := merge(req.raw, query)
	if c := merge(req.raw, form); conflict == "" {
		conflict = c
	}
	label := findCharset(first(query, "charset"), ctCharset, body)
	cs, known := utf8Charset, true
	if label != "" {
		cs, known = lookupCharset(label)
	}
	req.charset = cs
	if !known {
		req.charset = utf8Charset
	}
	// Names are text in the request charset as values are.
	valid := true
	if req.charset.gbk {
		req.params = make(map[string]string, len(req.raw))
		for k, v := range req.raw {
			name, okName := req.charset.decode(k)
			text, ok := req.charset.decode(v)
			valid = valid && ok && okName
			req.params[name] = text
		}
	} else {
		// UTF-8 decodes to the same text: no second map to build.
		for k, v := range req.raw {
			valid = valid && utf8.ValidString(k) && utf8.ValidString(v)
		}
		req.params, req.shared = req.raw, true
	}
	switch {
	case readErr != nil:
		return req, readErr
	case nq+nf > maxParams:
		return req, zfb.InvalidParameter("参数不能超过 " + strconv.Itoa(maxParams) + " 个")
	case qerr != nil || ferr != nil:
		return req, zfb.InvalidParameter("请求参数的 URL 编码有误")
	case conflict != "":
		// UNCONFIRMED (spec §1.3): what Alipay does with a parameter sent
		// twice with different values. Refusing it is the safe choice.
		return req, zfb.InvalidParameter(conflict + " 出现多次且取值不同")
	case !known || !valid:
		return req, zfb.ErrInvalidCharset
	}
	return req, nil
}

// readAllSized is io.ReadAll into one buffer of the announced size (the
// request's Content-Length), instead of io.ReadAll's growing from 512
// bytes; an unknown size (-1) reads as io.ReadAll does.
func readAllSized(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1) // +1: io.EOF is read without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // a body longer than announced
		}
	}
}

// setParam sets the business text of parameter name in params, which
// stays the same map, and leaves raw as sent.
func (req *request) setParam(name, text string) {
	if req.shared {
		req.raw, req.shared = maps.Clone(req.raw), false
	}
	req.params[name] = text
}

const formType = "application/x-www-form-urlencoded"

// parseContentType reports whether a request with Content-Type
// contentType carries a form (no Content-Type counts as one), and the
// charset the Content-Type names (""). The Content-Types SDKs send
// ("application/x-www-form-urlencoded;charset=utf-8", with or without a
// space after ';') are read without mime.ParseMediaType, which allocates a
// map for every call; anything else goes through it.
func parseContentType(contentType string) (isForm bool, charset string) {
	if contentType == "" {
		return true, ""
	}
	if rest, ok := strings.CutPrefix(contentType, formType); ok {
		if rest == "" {
			return true, ""
		}
		if rest, ok := strings.CutPrefix(rest, ";"); ok {
			if v, ok := strings.CutPrefix(strings.TrimLeft(rest, " "), "charset="); ok && isPlainToken(v) {
				return true, v
			}
		}
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false, ""
	}
	return mt == formType, params["charset"]
}

// isPlainToken reports whether s is a non-empty run of letters, digits,
// '-' and '_': a token that mime.ParseMediaType returns as it is.
func isPlainToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// merge adds pairs to dst. A key that repeats with the same value counts
// once (gopay sends charset in the query and the body); merge returns the
// first key that repeats with another value.
func merge(dst map[string]string, pairs []formPair) (conflict string) {
	for _, p := range pairs {
		if old, ok := dst[p.key]; ok && old != p.value {
			if conflict == "" {
				conflict = p.key
			}
			continue
		}
		dst[p.key] = p.value
	}
	return conflict
}

// first is the first value of key among pairs, or "".
func first(pairs []formPair, key string) string {
	for _, p := range pairs {
		if p.key == key {
			return p.value
		}
	}
	return ""
}

// baseURL is the scheme and host r came to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

package openapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/zfbpay/zfb"
)

// request is a gateway.do call as it arrived: its parameters merged from the
// query string and the form body.
type request struct {
	// raw holds the values as sent: percent-decoded bytes in the request
	// charset. The signature is verified over these.
	raw map[string]string
	// params holds the same values as UTF-8 text, for business use.
	params  map[string]string
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
	req := &request{raw: make(map[string]string), params: make(map[string]string), charset: utf8Charset, base: baseURL(r)}
	var body []byte
	var readErr *zfb.Error
	keep := maxParams
	if r.Method == http.MethodPost && isForm(r.Header.Get("Content-Type")) {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
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
	conflict := merge(req.raw, query)
	if c := merge(req.raw, form); conflict == "" {
		conflict = c
	}
	label := findCharset(first(query, "charset"), r.Header.Get("Content-Type"), body)
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
	for k, v := range req.raw {
		name, okName := req.charset.decode(k)
		text, ok := req.charset.decode(v)
		valid = valid && ok && okName
		req.params[name] = text
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

func isForm(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// merge adds values to dst. A key that repeats with the same value counts
// once (gopay sends charset in the query and the body); merge returns the
// first key that repeats with another value.
func merge(dst map[string]string, values url.Values) (conflict string) {
	for k, vs := range values {
		for _, v := range vs {
			if old, ok := dst[k]; ok && old != v {
				if conflict == "" {
					conflict = k
				}
				continue
			}
			dst[k] = v
		}
	}
	return conflict
}

func first(values url.Values, key string) string {
	if vs := values[key]; len(vs) > 0 {
		return vs[0]
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

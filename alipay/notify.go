package alipay

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/zfbpay/zfb/sign"
)

// VerifyNotification verifies an asynchronous notification Alipay POSTed to
// a notify_url (spec/openapi.md §5.1): the sign covers every field but sign
// and sign_type, empty ones dropped, sorted, with the algorithm the form's
// sign_type names (the client's sign type if it names none). The form's
// app_id must be the client's.
//
// Values are taken as text (what ParseNotification returns); when the form's
// charset is GBK the content is verified over its GBK bytes, as Java's
// rsaCheckV1 does. A form still holding raw GBK bytes verifies too.
//
// After it succeeds, the handler should act on the notification idempotently
// (dedupe by notify_id; Alipay retries until it reads "success") and answer
// with the body "success". NotificationHandler does all of this;
// DecodeNotification reads, verifies and decodes into typed structs.
func (c *Client) VerifyNotification(form url.Values) error {
	return c.verifyAlipayForm("notification", form)
}

// verifyAlipayForm verifies form fields Alipay signed with the rsaCheckV1
// rule (see VerifyNotification); what names them in errors.
func (c *Client) verifyAlipayForm(what string, form url.Values) error {
	sig := form.Get("sign")
	if sig == "" {
		return &signatureError{what: what, reason: "no sign field"}
	}
	alg := c.signType
	if st := form.Get("sign_type"); st != "" {
		alg = sign.Algorithm(strings.ToUpper(st))
		if !alg.Valid() {
			return &signatureError{what: what, reason: fmt.Sprintf("sign_type %q not supported", st)}
		}
	}
	params := make(map[string]string, len(form))
	for k, vs := range form {
		if len(vs) > 0 {
			params[k] = vs[0]
		}
	}
	content := sign.NotifyContent(params)
	b := []byte(content)
	if isGBKLabel(form.Get("charset")) && !isASCII(content) && utf8.ValidString(content) {
		if g, err := toGBK(content); err == nil {
			b = []byte(g)
		}
	}
	if err := sign.Verify(c.pub, alg, b, sig); err != nil {
		return &signatureError{what: what, err: err}
	}
	if id := form.Get("app_id"); id != c.appID {
		return fmt.Errorf("alipay: %s: app_id %q is not this client's %q", what, id, c.appID)
	}
	return nil
}

// ParseNotification reads Alipay's notification from r (the POSTed form; for
// a GET, such as a signed return_url redirect, the query string), decodes it
// to UTF-8 if its charset field says GBK, and verifies it with
// VerifyNotification. It returns the fields only if they verify.
// DecodeNotification decodes them further into a Notification and the typed
// struct of their notify_type.
func (c *Client) ParseNotification(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("alipay: notification: %w", err)
	}
	form := r.PostForm
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		form = r.Form
	}
	form, err := decodeGBKForm(form)
	if err != nil {
		return nil, fmt.Errorf("alipay: notification: %w", err)
	}
	if err := c.VerifyNotification(form); err != nil {
		return nil, err
	}
	return form, nil
}

// decodeGBKForm returns form with its values decoded to UTF-8 when its
// charset field names GBK (or a relative), and form itself otherwise.
func decodeGBKForm(form url.Values) (url.Values, error) {
	label := form.Get("charset")
	if !isGBKLabel(label) {
		return form, nil
	}
	dec, _ := charsetDecoder(label)
	decoded := make(url.Values, len(form))
	for k, vs := range form {
		out := make([]string, len(vs))
		for i, v := range vs {
			if isASCII(v) {
				out[i] = v
				continue
			}
			s, err := dec.String(v)
			if err != nil {
				return nil, fmt.Errorf("decoding %s: %w", k, err)
			}
			out[i] = s
		}
		decoded[k] = out
	}
	return decoded, nil
}

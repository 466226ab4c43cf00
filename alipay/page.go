package alipay

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
)

// Page, wap and app payments (spec/web-and-app-pay.md §2) are not calls: the
// SDK only builds something signed, and the buyer's browser or the Alipay app
// takes it to the gateway. These builders need no context and send nothing.
// They sign exactly as Do does (spec/openapi.md §1.4: every param but sign,
// empty ones dropped, sorted), with the client's charset, sign type,
// certificate SNs and AES key: like Alipay's Java SDK, a client with
// WithAESKey encrypts biz_content here too (encrypt_type=AES), so use a
// client without it if the app has no content key configured.

// PageURL builds a GET URL for a page-type API (alipay.trade.page.pay,
// alipay.trade.wap.pay…): the gateway URL with every signed param in its
// query, sorted, form-encoded (space as '+', values in the client's
// charset), as Alipay's Java SDK builds it for GET. Redirect the buyer's
// browser to it, or load it in an iframe for page.pay's qr_pay_mode 0–4.
//
// Request.Params adds further common params (alipay_sdk, auth_token…), as
// in Do.
func (c *Client) PageURL(req Request) (string, error) {
	p, err := c.builderParams(&req)
	if err != nil {
		return "", err
	}
	keys := sortedKeys(p, func(string) bool { return true })
	u := append([]byte(c.gateway), c.querySep)
	return string(appendQuery(u, p, keys)), nil
}

// PageForm builds an auto-submitting POST form for a page-type API, in the
// markup of Alipay's Java SDK (WebUtils.buildForm): the form's action is the
// gateway URL with every param in its query but biz_content and
// app_auth_token, which are hidden fields. Unlike the official SDKs it
// HTML-escapes the action and every value, so a subject holding '&', '<' or
// '"' reaches the gateway as signed; and it submits the form by name
// (punchout_form) rather than as document.forms[0].
//
// Write the HTML into a page as it is. With a GBK client the form carries
// accept-charset="gbk", so the browser sends the fields' bytes in GBK, the
// charset they were signed in, whatever the page's own encoding.
func (c *Client) PageForm(req Request) (string, error) {
	p, err := c.builderParams(&req)
	if err != nil {
		return "", err
	}
	keys := sortedKeys(p, func(k string) bool { return !inBody(k) })
	action := appendQuery(append([]byte(c.gateway), c.querySep), p, keys)

	var b strings.Builder
	b.WriteString(`<form name="punchout_form" method="post" action="`)
	b.WriteString(html.EscapeString(string(action)))
	b.WriteByte('"')
	if c.gbk {
		b.WriteString(` accept-charset="gbk"`)
	}
	b.WriteString(">\n")
	for _, k := range [...]string{"biz_content", "app_auth_token"} {
		v, ok := p[k]
		if !ok {
			continue
		}
		if c.gbk && !isASCII(v) {
			// The page holds text; accept-charset turns it back into
			// these GBK bytes.
			dec, _ := charsetDecoder("gbk")
			if v, err = dec.String(v); err != nil {
				return "", fmt.Errorf("alipay: %s: %s: %w", req.Method, k, err)
			}
		}
		b.WriteString(`<input type="hidden" name="`)
		b.WriteString(k)
		b.WriteString(`" value="`)
		b.WriteString(html.EscapeString(v))
		b.WriteString("\">\n")
	}
	b.WriteString("<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n</form>\n")
	b.WriteString(`<script>document.forms["punchout_form"].submit();</script>`)
	return b.String(), nil
}

// OrderString builds the signed order string of an in-app API
// (alipay.trade.app.pay, alipay.fund.auth.order.app.freeze…) that the
// merchant's app hands to the Alipay app SDK (payV2 / payOrder): every
// param, sign included, as k=v pairs joined by '&', sorted by key,
// form-encoded in the client's charset (space as '+'), with no empty value,
// as Alipay's Java SDK's sdkExecute builds it (spec/web-and-app-pay.md §2.5).
// return_url has no effect on app payments (DOC-SYNC) but is sent if set.
func (c *Client) OrderString(req Request) (string, error) {
	p, err := c.builderParams(&req)
	if err != nil {
		return "", err
	}
	keys := sortedKeys(p, func(string) bool { return true })
	return string(appendQuery(nil, p, keys)), nil
}

// builderParams returns the signed params of req, for the builders.
func (c *Client) builderParams(req *Request) (map[string]string, error) {
	if req.Method == "" {
		return nil, errors.New("alipay: empty method")
	}
	p := make(map[string]string, 16)
	var buf bytes.Buffer
	if err := c.signedParams(p, &buf, req); err != nil {
		return nil, fmt.Errorf("alipay: %s: %w", req.Method, err)
	}
	return p, nil
}

// sortedKeys returns the keys of p that keep accepts, sorted.
func sortedKeys(p map[string]string, keep func(string) bool) []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if keep(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/internal/mask"
	"github.com/zfbpay/zfb/sign"
)

// The gateway.do notification form (spec/openapi.md §5).
const (
	gatewayContentType = "application/x-www-form-urlencoded; charset=utf-8"
	gatewayCharset     = "utf-8"
	gatewayVersion     = "1.0"
	gatewayAckBody     = "success"
)

// renderGateway renders a gateway.do notification: the payload's fields
// (logon ids masked) and the common ones — notify_time (the app's clock,
// Beijing), notify_type (the kind), notify_id (the same on every send),
// app_id, auth_app_id (app_id unless the payload names one), charset,
// version and sign_type — signed with the app's gateway key over every
// field but sign and sign_type (sign.NotifyContent). Empty fields are left
// out of the form altogether, so that SDKs that sign empties (Node,
// smartwalle) agree with those that skip them (Java); alipay_cert_sn is
// never sent (spec §5.1 server rules).
func renderGateway(app *zfb.App, keys *appkeys.Keys, m *zfb.OutboxMessage, p payload, now time.Time) (*outgoing, error) {
	form := make(map[string]string, len(p)+10)
	for k := range p {
		v := p.text(k)
		if k == "" || v == "" {
			continue
		}
		if maskedFields[k] {
			v = mask.LogonID(v)
		}
		form[k] = v
	}
	delete(form, "sign")
	delete(form, "alipay_cert_sn")
	if form["auth_app_id"] == "" {
		form["auth_app_id"] = app.ID
	}
	form["notify_time"] = zfb.FormatGatewayTime(now)
	form["notify_type"] = m.Kind
	form["notify_id"] = m.NotifyID()
	form["app_id"] = app.ID
	form["charset"] = gatewayCharset
	form["version"] = gatewayVersion
	form["sign_type"] = string(app.SignType)

	sig, err := keys.GatewaySigner.Sign(sign.Algorithm(app.SignType), []byte(sign.NotifyContent(form)))
	if err != nil {
		return nil, err
	}
	form["sign"] = sig
	values := make(url.Values, len(form))
	for k, v := range form {
		values[k] = []string{v}
	}
	return &outgoing{
		contentType: gatewayContentType,
		body:        []byte(values.Encode()),
		ack:         gatewayAck,
	}, nil
}

// gatewayAck: a 2xx answer whose body, surrounding whitespace trimmed, is
// exactly "success" (spec §5.1). Anything else — "SUCCESS", a byte-order
// mark before it, a JSON {"code":"success"} — is not; Alipay retries on
// those too (the BOM case is a well-known cause of endless retries).
func gatewayAck(status int, body []byte) (bool, string) {
	if !is2xx(status) {
		return false, statusWhy(status)
	}
	if strings.TrimSpace(string(body)) != gatewayAckBody {
		return false, fmt.Sprintf("the answer %q is not %q", clean(string(body), 64), gatewayAckBody)
	}
	return true, ""
}

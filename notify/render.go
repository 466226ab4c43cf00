package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/zfbpay/zfb"
)

// outgoing is a rendered notification, ready to post.
type outgoing struct {
	contentType string
	body        []byte
	// ack decides whether the merchant's answer acknowledges the
	// notification and, when it does not, says why.
	ack func(status int, body []byte) (ok bool, why string)
}

// render renders m in its dialect at now, the app's time of the send:
// zfb.NotifyIntlPay as an intl request envelope, every other kind as a
// gateway.do notification form.
func (d *Dispatcher) render(ctx context.Context, app *zfb.App, m *zfb.OutboxMessage, now time.Time) (*outgoing, error) {
	p, err := parsePayload(m.Payload)
	if err != nil {
		return nil, err
	}
	if m.Kind == zfb.NotifyIntlPay {
		keys, err := d.keys.Get(app)
		if err != nil {
			return nil, err
		}
		return renderIntl(app, keys, m, p, now)
	}
	signer, err := d.signer(ctx, app, p)
	if err != nil {
		return nil, err
	}
	keys, err := d.keys.Get(signer)
	if err != nil {
		return nil, err
	}
	return renderGateway(signer, keys, m, p, now)
}

// signer is the app a gateway.do notification goes out as: the message's
// app, or the third-party (ISV) app its payload names as app_id when an
// ISV made the trade for the merchant (spec isv-and-identity §1.7), whose
// SDK verifies it with the ISV's key. The time stays the merchant app's.
func (d *Dispatcher) signer(ctx context.Context, app *zfb.App, p payload) (*zfb.App, error) {
	id, _ := p.str("app_id")
	if id == "" || id == app.ID {
		return app, nil
	}
	agent, err := d.svc.App(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the agent app %s: %w", id, err)
	}
	return agent, nil
}

// payload is a message's business fields. The contract is a JSON object of
// strings; a value of another JSON type is taken as its compact JSON text
// (an array such as fund_bill_list, say), so that nothing is lost.
type payload map[string]json.RawMessage

func parsePayload(s string) (payload, error) {
	if s == "" {
		return payload{}, nil
	}
	var p payload
	if err := json.Unmarshal([]byte(s), &p); err != nil || p == nil {
		return nil, errors.New("the payload is not a JSON object")
	}
	return p, nil
}

// text is the field's value as text: a string's value, another value's
// compact JSON, "" for null or a missing field.
func (p payload) text(k string) string {
	raw, ok := p[k]
	if !ok {
		return ""
	}
	if s, ok := p.str(k); ok {
		return s
	}
	if bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// str is the field's value when it is a JSON string.
func (p payload) str(k string) (string, bool) {
	raw := p[k]
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// is2xx reports a successful HTTP status.
func is2xx(status int) bool { return status >= 200 && status <= 299 }

// statusWhy says why a non-2xx answer is not an acknowledgement.
func statusWhy(status int) string {
	if status >= 300 && status <= 399 {
		return fmt.Sprintf("HTTP %d: a redirect, which is not followed", status)
	}
	return fmt.Sprintf("HTTP %d", status)
}

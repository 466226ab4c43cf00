package intl_test

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestRateLimit: over its bucket a client is answered
// REQUEST_TRAFFIC_EXCEED_LIMIT, signed; other clients are not affected.
func TestRateLimit(t *testing.T) {
	srv := zfbtest.NewServer(t)
	h := httptest.NewServer(intl.New(srv.Service, slog.New(slog.DiscardHandler), intl.WithRateLimit(0.001, 2)))
	t.Cleanup(h.Close)
	c := newClient(t, h.URL, srv.App())
	other := newClient(t, h.URL, srv.NewApp(t, zfb.SignTypeRSA2))
	for i := 0; i < 2; i++ {
		want(t, c, c.query(kv{"merchantTransId", "x"}), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	}
	a := c.query(kv{"merchantTransId", "x"})
	want(t, c, a, "REQUEST_TRAFFIC_EXCEED_LIMIT", "00000024", "F", sign.RSA2)
	// Before the signature is checked: a request with none is refused too.
	want(t, c, c.post(pathPayQuery, sign.EnvelopeJSON(sign.NodeRequest, []byte(value(c.head(fnQuery), c.body())), "")),
		"REQUEST_TRAFFIC_EXCEED_LIMIT", "00000024", "F", sign.RSA2)
	want(t, other, other.query(kv{"merchantTransId", "x"}), "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
	// Unknown clients never reach the limiter.
	want(t, c, c.post(pathPayQuery, c.envelope(value(c.head(fnQuery, kv{"clientId", "nobody"}), c.body()), sign.RSA2)),
		"UNKNOWN_CLIENT", "12014155", "F", "")
}

// TestRateLimitOff: a rate of 0 disables the limit.
func TestRateLimitOff(t *testing.T) {
	srv := zfbtest.NewServer(t)
	h := httptest.NewServer(intl.New(srv.Service, nil, intl.WithRateLimit(0, 0)))
	t.Cleanup(h.Close)
	c := newClient(t, h.URL, srv.App())
	for i := 0; i < 150; i++ {
		if a := c.query(kv{"merchantTransId", "x"}); a.code() != "ORDER_NOT_EXIST" {
			t.Fatalf("request %d: %s", i, a.raw)
		}
	}
}

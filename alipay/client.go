package alipay

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zfbpay/zfb/sign"
)

// Gateways of the real Alipay OpenAPI (spec/openapi.md §1.1). Point the
// client at zfb with WithGateway.
const (
	ProductionGateway = "https://openapi.alipay.com/gateway.do"
	SandboxGateway    = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
)

// Defaults used by New.
const (
	DefaultTimeout = 30 * time.Second // per-call deadline when the ctx has none
	DefaultCharset = "utf-8"

	maxResponseBytes = 10 << 20 // a gateway answer is a few KiB; refuse anything absurd
)

// beijing is the zone Java's SDK formats the timestamp in (GMT+8, no DST).
var beijing = time.FixedZone("GMT+8", 8*60*60)

// Client calls one app's OpenAPI gateway. It is safe for concurrent use; make
// one per app and reuse it, since it holds the parsed keys and the
// http.Client (and through it the connection pool).
type Client struct {
	appID    string
	priv     *rsa.PrivateKey
	pub      *rsa.PublicKey
	gateway  string // without a trailing '?'
	querySep byte   // '?' or '&', depending on whether gateway already has a query
	signType sign.Algorithm
	charset  string // "utf-8" or "gbk", as sent in the charset param
	gbk      bool
	aesKey   []byte // non-nil: biz_content is encrypted (WithAESKey)
	ctype    string // request Content-Type
	hc       *http.Client
	timeout  time.Duration
	loc      *time.Location
	now      func() time.Time

	cert *certMode // nil in public-key mode
}

// Option configures a Client in New.
type Option func(*Client) error

// WithGateway sets the gateway URL (default ProductionGateway), e.g. zfb's
// "http://127.0.0.1:8080/gateway.do" or SandboxGateway.
func WithGateway(gateway string) Option {
	return func(c *Client) error {
		u, err := url.Parse(gateway)
		if err != nil {
			return fmt.Errorf("gateway: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("gateway %q: want an absolute http(s) URL", gateway)
		}
		if u.Fragment != "" {
			return fmt.Errorf("gateway %q: has a fragment", gateway)
		}
		c.gateway = strings.TrimSuffix(gateway, "?")
		return nil
	}
}

// WithSignType sets the signature algorithm (default sign.RSA2). Note that
// Alipay's Java and PHP SDKs default to sign.RSA.
func WithSignType(alg sign.Algorithm) Option {
	return func(c *Client) error {
		if !alg.Valid() {
			return fmt.Errorf("sign type %q: want RSA2 or RSA", string(alg))
		}
		c.signType = alg
		return nil
	}
}

// WithCharset sets the request charset: "utf-8" (default) or "gbk", in any
// case. Values are sent and signed in that charset.
func WithCharset(charset string) Option {
	return func(c *Client) error {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8":
			c.charset, c.gbk = "utf-8", false
		case "gbk":
			c.charset, c.gbk = "gbk", true
		default:
			return fmt.Errorf("charset %q: want utf-8 or gbk", charset)
		}
		return nil
	}
}

// WithHTTPClient sets the http.Client (default: a new client on
// http.DefaultTransport).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithTimeout sets the deadline Do applies when its ctx has none (default
// DefaultTimeout). Zero or less means no deadline of the client's own.
//
// A timeout on a money-moving call (alipay.trade.pay, fund.auth freeze…)
// leaves the outcome unknown: query, then cancel (spec/openapi.md §6.2).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		c.timeout = d
		return nil
	}
}

// WithLocation sets the zone the timestamp param is written in (default
// UTC+8, as Alipay's Java SDK does; the gateway reads it as Beijing time).
func WithLocation(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return errors.New("nil time.Location")
		}
		c.loc = loc
		return nil
	}
}

// WithClock replaces time.Now for the timestamp param (tests).
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("nil clock")
		}
		c.now = now
		return nil
	}
}

// New returns a client for app appID. appPrivateKey is the app's RSA private
// key (PEM PKCS#1 or PKCS#8, or the bare Base64 Alipay's key tool prints);
// alipayPublicKey is Alipay's public key for this app (PEM or bare Base64) —
// not the app's own public key, the most common mix-up. Both are parsed here,
// once.
func New(appID, appPrivateKey, alipayPublicKey string, opts ...Option) (*Client, error) {
	if appID == "" {
		return nil, errors.New("alipay: New: empty app_id")
	}
	priv, err := sign.ParsePrivateKey(appPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("alipay: New: app private key: %w", err)
	}
	// In certificate mode the key comes from the Alipay certificate.
	var pub *rsa.PublicKey
	if alipayPublicKey != "" {
		if pub, err = sign.ParsePublicKey(alipayPublicKey); err != nil {
			return nil, fmt.Errorf("alipay: New: alipay public key: %w", err)
		}
	}
	c := &Client{
		appID:    appID,
		priv:     priv,
		pub:      pub,
		gateway:  ProductionGateway,
		signType: sign.RSA2,
		charset:  DefaultCharset,
		timeout:  DefaultTimeout,
		loc:      beijing,
		now:      time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("alipay: New: %w", err)
		}
	}
	if c.pub == nil {
		return nil, errors.New("alipay: New: empty alipay public key (give it, or WithCertificates)")
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: http.DefaultTransport}
	}
	c.querySep = '?'
	if strings.Contains(c.gateway, "?") {
		c.querySep = '&'
	}
	c.ctype = "application/x-www-form-urlencoded;charset=" + c.charset
	return c, nil
}

// AppID returns the app the client signs for.
func (c *Client) AppID() string { return c.appID }

// String describes the client without any key material.
func (c Client) String() string {
	return fmt.Sprintf("alipay.Client{app_id: %s, gateway: %s, sign_type: %s, charset: %s, private_key: [redacted]}",
		c.appID, c.gateway, string(c.signType), c.charset)
}

// Format makes every verb (%v, %+v, %#v, %d…) print String, so no format
// string can dump the private key through reflection.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

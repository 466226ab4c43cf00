package intl

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

// Hosts of the real Alipay international acquiring gateway
// (spec/intl-acquiring.md §1). Which one serves a clientId is
// contract-specific. There is no published sandbox host (UNCONFIRMED). Point
// the client at zfb with WithBaseURL.
const (
	NorthAmericaBaseURL  = "https://open-na.alipay.com"  // the v2.0.2 pages
	SoutheastAsiaBaseURL = "https://open-sea.alipay.com" // the v2.0.4 pages
)

// Defaults used by New.
const (
	DefaultBaseURL = NorthAmericaBaseURL
	DefaultVersion = "2.0.2"          // head.version; the seed's payCancel page
	DefaultTimeout = 30 * time.Second // per-call deadline when the ctx has none

	maxResponseBytes = 10 << 20 // an answer is a few KiB; refuse anything absurd
	contentType      = "application/json; charset=utf-8"
)

// Functions with typed calls in this package.
const (
	FunctionPay       = "alipay.intl.acquiring.offline.pay"
	FunctionPayQuery  = "alipay.intl.acquiring.offline.payQuery"
	FunctionPayCancel = "alipay.intl.acquiring.common.payCancel"
	FunctionRefund    = "alipay.intl.acquiring.common.refund"
	FunctionNotifyPay = "alipay.intl.acquiring.offline.notify.pay" // Alipay → merchant
)

// pathExceptions are the published paths that break the mechanical rule.
var pathExceptions = map[string]string{
	FunctionRefund: "/api/alipay/intl/acquiring/common/grefund.htm", // not …/refund.htm (spec §1)
}

// FunctionPath returns the URL path Alipay publishes for a function (spec
// §1): "/api/" + the function with '.' as '/' and its last segment lower-
// cased + ".htm", so alipay.intl.acquiring.common.payCancel is at
// /api/alipay/intl/acquiring/common/paycancel.htm; except
// alipay.intl.acquiring.common.refund, at …/common/grefund.htm. The rule for
// functions whose page was not seen (everything beyond pay, payQuery,
// payCancel and refund) is the observed pattern, UNCONFIRMED for each.
// A function must be two or more dot-separated segments of ASCII letters,
// digits and '_'.
func FunctionPath(function string) (string, error) {
	if p, ok := pathExceptions[function]; ok {
		return p, nil
	}
	segs := strings.Split(function, ".")
	if len(segs) < 2 {
		return "", fmt.Errorf("function %q: want dot-separated segments", function)
	}
	for _, s := range segs {
		if s == "" {
			return "", fmt.Errorf("function %q: empty segment", function)
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return "", fmt.Errorf("function %q: character %q", function, c)
			}
		}
	}
	last := len(segs) - 1
	segs[last] = strings.ToLower(segs[last])
	return "/api/" + strings.Join(segs, "/") + ".htm", nil
}

// Client calls the international acquiring gateway for one clientId. It is
// safe for concurrent use; make one per clientId and reuse it, since it
// holds the parsed keys and the http.Client (and through it the connection
// pool).
type Client struct {
	clientID  string
	partnerID string // default body.partnerId of the typed calls
	priv      *rsa.PrivateKey
	pub       *rsa.PublicKey
	baseURL   string // without a trailing '/'
	signType  sign.Algorithm
	version   string
	hc        *http.Client
	timeout   time.Duration
	now       func() time.Time
}

// Option configures a Client in New.
type Option func(*Client) error

// WithBaseURL sets the scheme, host and optional path prefix the function
// paths are appended to (default DefaultBaseURL), e.g. zfb's
// "http://127.0.0.1:8650" (sandbox.json's intl_url).
func WithBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := url.Parse(base)
		if err != nil {
			return fmt.Errorf("base URL: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("base URL %q: want an absolute http(s) URL", base)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(base, "?") {
			return fmt.Errorf("base URL %q: has a query or a fragment", base)
		}
		c.baseURL = strings.TrimRight(base, "/")
		return nil
	}
}

// WithSignType sets the signature algorithm, sent as head.signType (default
// sign.RSA2, SHA256withRSA). sign.RSA is SHA1withRSA, which older pages
// name; whether the gateway takes "RSA" for it is UNCONFIRMED.
func WithSignType(alg sign.Algorithm) Option {
	return func(c *Client) error {
		if !alg.Valid() {
			return fmt.Errorf("sign type %q: want RSA2 or RSA", string(alg))
		}
		c.signType = alg
		return nil
	}
}

// WithVersion sets head.version (default DefaultVersion, "2.0.2"). Note that
// 2.0.4 pages name the settlement id merchantId where 2.0.2 has partnerId;
// the typed calls send partnerId.
func WithVersion(v string) Option {
	return func(c *Client) error {
		if v == "" || len(v) > 8 {
			return fmt.Errorf("version %q: want 1 to 8 characters", v)
		}
		c.version = v
		return nil
	}
}

// WithPartnerID sets the partnerId the typed calls send when their request
// leaves PartnerID empty (sandbox.json's intl_partner_id).
func WithPartnerID(id string) Option {
	return func(c *Client) error {
		c.partnerID = id
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
// A timeout on pay leaves the outcome unknown: payQuery, then payCancel
// (spec §4.6).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		c.timeout = d
		return nil
	}
}

// WithClock replaces time.Now for head.reqTime (tests). reqTime is written
// in the zone of the time the clock returns.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("nil clock")
		}
		c.now = now
		return nil
	}
}

// New returns a client for clientID. privateKey is the merchant's RSA
// private key (PEM PKCS#1 or PKCS#8, or bare Base64); alipayPublicKey is
// Alipay's public key (PEM or bare Base64) — not the merchant's own public
// key. Both are parsed here, once.
func New(clientID, privateKey, alipayPublicKey string, opts ...Option) (*Client, error) {
	if clientID == "" {
		return nil, errors.New("intl: New: empty clientId")
	}
	priv, err := sign.ParsePrivateKey(privateKey)
	if err != nil {
		return nil, fmt.Errorf("intl: New: private key: %w", err)
	}
	pub, err := sign.ParsePublicKey(alipayPublicKey)
	if err != nil {
		return nil, fmt.Errorf("intl: New: alipay public key: %w", err)
	}
	c := &Client{
		clientID: clientID,
		priv:     priv,
		pub:      pub,
		baseURL:  DefaultBaseURL,
		signType: sign.RSA2,
		version:  DefaultVersion,
		timeout:  DefaultTimeout,
		now:      time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("intl: New: %w", err)
		}
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: http.DefaultTransport}
	}
	return c, nil
}

// ClientID returns the clientId the client signs for.
func (c *Client) ClientID() string { return c.clientID }

// String describes the client without any key material.
func (c Client) String() string {
	return fmt.Sprintf("intl.Client{clientId: %s, base_url: %s, sign_type: %s, version: %s, private_key: [redacted]}",
		c.clientID, c.baseURL, string(c.signType), c.version)
}

// Format makes every verb (%v, %+v, %#v, %d…) print String, so no format
// string can dump the private key through reflection.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

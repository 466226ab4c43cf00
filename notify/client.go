package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// client posts notifications under the safety rules: http and https URLs
// only; every address dialled is checked (refused: link-local, cloud
// metadata, unspecified, WithDeny, and outside WithAllow when it is set);
// redirects are not followed; no proxy is used; answers are read up to
// maxAnswerBytes.
type client struct {
	http  *http.Client
	allow []netip.Prefix
	deny  []netip.Prefix
}

func newClient(o options) *client {
	c := &client{allow: o.allow, deny: o.deny}
	dialer := &net.Dialer{
		Timeout:   o.sendTimeout,
		KeepAlive: 30 * time.Second,
		// Control runs for each address the dialer connects to, after DNS
		// and before the connection is made: a name that resolves to a
		// refused address, or a redirect of DNS between a check and the
		// dial, cannot get past it.
		Control: c.control,
	}
	transport := &http.Transport{
		// No proxy: through one, the address checked would be the proxy's,
		// not the merchant's.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   o.concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.sendTimeout,
		ExpectContinueTimeout: time.Second,
	}
	c.http = &http.Client{
		Transport: transport,
		// Alipay's notifier is not documented to follow redirects
		// (UNCONFIRMED); not following them also keeps a redirect from
		// leading a send somewhere the URL did not name. The 3xx is the
		// answer, and it is not an acknowledgement.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// RefusedError is why a send was not made: a URL that is not http or https,
// or an address the dispatcher does not dial.
type RefusedError struct {
	Addr   netip.Addr // the address refused; invalid for a refused URL
	Reason string
}

func (e *RefusedError) Error() string {
	if !e.Addr.IsValid() {
		return "notify: refused: " + e.Reason
	}
	return fmt.Sprintf("notify: refused to connect to %s: %s", e.Addr, e.Reason)
}

// Addresses refused whatever the options say: the cloud metadata services
// (AWS's IPv4 one is link-local anyway; AWS's IPv6 one; Alibaba Cloud's).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// nat64 is the well-known NAT64 prefix (RFC 6052): its addresses reach the
// IPv4 address in their last 32 bits, which is checked too.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// refuse reports why addr may not be dialled, or "" when it may.
func (c *client) refuse(addr netip.Addr) string {
	addr = addr.WithZone("").Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		if why := c.refuse(netip.AddrFrom4([4]byte(b[12:]))); why != "" {
			return why + " (through NAT64)"
		}
	}
	for _, p := range c.deny {
		if p.Contains(addr) {
			return "denied by " + p.String()
		}
	}
	for _, m := range metadataAddrs {
		if addr == m {
			return "a cloud metadata address"
		}
	}
	switch {
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return "a link-local address"
	}
	if len(c.allow) == 0 {
		return ""
	}
	for _, p := range c.allow {
		if p.Contains(addr) {
			return ""
		}
	}
	return "not in the allowed ranges"
}

// control is the dialer's hook: address is the IP and port about to be
// connected to.
func (c *client) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &RefusedError{Reason: "cannot read the address " + address}
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return &RefusedError{Reason: "cannot read the address " + address}
	}
	if why := c.refuse(addr); why != "" {
		return &RefusedError{Addr: addr, Reason: why}
	}
	return nil
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return &RefusedError{Reason: "the notify URL does not parse"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return &RefusedError{Reason: fmt.Sprintf("the notify URL's scheme %q is not http or https", u.Scheme)}
	}
	if u.Hostname() == "" {
		return &RefusedError{Reason: "the notify URL has no host"}
	}
	return nil
}

// answer is what the merchant's server said.
type answer struct {
	status int
	body   []byte // at most maxAnswerBytes
}

// post sends body to target and reads the answer.
func (c *client) post(ctx context.Context, target, contentType string, body []byte) (*answer, error) {
	if err := checkURL(target); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, &RefusedError{Reason: "the notify URL does not make a request"}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ans := &answer{status: resp.StatusCode}
	ans.body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return ans, fmt.Errorf("reading the answer: %w", err)
	}
	return ans, nil
}

// sendError describes a failed send for the attempt's Error: the cause,
// without Go's "Post \"<url>\": " prefix (the URL is the message's).
func sendError(err error) string {
	var refused *RefusedError
	if errors.As(err, &refused) {
		return refused.Error()
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return clean(err.Error(), 512)
}

// clean makes s fit a text column: valid UTF-8 (invalid bytes become
// U+FFFD), no NUL bytes, at most n bytes, never cut inside a character.
func clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

package notify

import (
	"net/netip"
	"time"
)

// Defaults of the Options.
const (
	DefaultConcurrency  = 8
	DefaultSendTimeout  = 10 * time.Second
	DefaultPollInterval = time.Second
)

// leaseMargin is how much longer than the send timeout a dispatcher holds a
// claimed message: time to read the app, render, sign and record the send.
// A dispatcher that dies mid-send leaves its messages to others after it.
const leaseMargin = 30 * time.Second

// Limits of what is read of a merchant's answer.
const (
	maxAnswerBytes = 4 << 10 // read at most this much of an answer
	maxKeptBytes   = 256     // the attempt keeps the start of the answer
)

// userAgent is what zfb's sends say they are. Alipay's own agent string is
// not documented (UNCONFIRMED); zfb names itself rather than pretend.
const userAgent = "zfb-notify/1.0"

type options struct {
	concurrency  int
	sendTimeout  time.Duration
	pollInterval time.Duration
	allow, deny  []netip.Prefix
}

func defaultOptions() options {
	return options{
		concurrency:  DefaultConcurrency,
		sendTimeout:  DefaultSendTimeout,
		pollInterval: DefaultPollInterval,
	}
}

// Option configures a Dispatcher.
type Option func(*options)

// WithConcurrency sets how many sends may be under way at once (default 8).
// Values below 1 mean 1.
func WithConcurrency(n int) Option {
	return func(o *options) { o.concurrency = max(n, 1) }
}

// WithSendTimeout bounds one send, from dialling to the end of the answer
// (default 10s). Values of 0 or less keep the default.
func WithSendTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.sendTimeout = d
		}
	}
}

// WithPollInterval sets how often the dispatcher looks for due messages
// (default 1s); Kick makes it look at once. Values of 0 or less keep the
// default.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.pollInterval = d
		}
	}
}

// WithAllow limits sends to addresses in prefixes (and, as always, not
// denied). Without it every address that is not denied may be dialled:
// loopback and private ones too, since notify URLs on localhost are what a
// local test gateway mostly serves. Calls add up.
func WithAllow(prefixes ...netip.Prefix) Option {
	return func(o *options) { o.allow = append(o.allow, masked(prefixes)...) }
}

// WithDeny refuses addresses in prefixes, besides those always refused
// (link-local, cloud metadata and unspecified addresses). A denied address
// is refused even when WithAllow allows it. Calls add up.
func WithDeny(prefixes ...netip.Prefix) Option {
	return func(o *options) { o.deny = append(o.deny, masked(prefixes)...) }
}

// masked normalises prefixes: host bits cleared, IPv4-mapped IPv6 prefixes
// as IPv4 ones, so that they match the unmapped addresses dialled.
func masked(prefixes []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(prefixes))
	for _, p := range prefixes {
		if !p.IsValid() {
			continue
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out
}

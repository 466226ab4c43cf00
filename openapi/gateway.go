// Package openapi serves Alipay's OpenAPI gateway, gateway.do (version 1.0):
// it reads the form, finds the charset, verifies the merchant's signature over
// the raw bytes, validates the common parameters with Alipay's codes, calls
// the business method, and answers a compact JSON envelope signed with the
// app's gateway key. Every answer is HTTP 200, as Alipay's are.
//
// Wire facts and their sources: spec/openapi.md in the shared folder.
package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/internal/capture"
	"github.com/zfbpay/zfb/sign"
)

// Method serves one business API on gateway.do.
type Method struct {
	// Handle does the work. It returns the response fields — a value that
	// encoding/json renders as an object — or an error; a *zfb.Error is
	// answered as is, any other error as 20000 isp.unknow-error. A value
	// implementing Coded answers with its own code (10003, say).
	Handle func(ctx context.Context, call *Call) (any, error)
	// OptionalBizContent lets a call come without biz_content.
	OptionalBizContent bool
	// ErrorFields, when set, gives the business fields an error answer of
	// the method carries after code, msg, sub_code and sub_msg (spec §2.3:
	// a failed refund still reports refund_fee). It is asked for every
	// error from the business checks on, fault rules' answers included
	// (see errorFields); a Handle that knows more returns its fields
	// beside its *zfb.Error instead.
	ErrorFields func(call *Call, e *zfb.Error) any
	// Page marks a method a browser opens (page.go): it answers with a
	// redirect to the cashier or an HTML error page, never an envelope.
	Page bool
	// OwnAppAuthToken marks a method that reads app_auth_token itself
	// instead of acting for a merchant with it (isv.go).
	OwnAppAuthToken bool
}

// Coded is a result that answers with a code other than 10000.
type Coded interface{ GatewayCode() string }

// Call is one verified call of a business method.
type Call struct {
	App        *zfb.App
	Method     string
	Params     map[string]string // every parameter, as UTF-8 text
	BizContent []byte            // UTF-8 JSON; nil when absent
	Now        time.Time         // the app's clock
	// Agent is the third-party app that signed the call and acts for App
	// with an app_auth_token (isv.go); nil when App called itself.
	Agent *zfb.App
	// BaseURL is the scheme and host the call came to
	// ("http://127.0.0.1:8650"): where zfb's own pages are.
	BaseURL string
}

// Gateway is the http.Handler for /gateway.do.
type Gateway struct {
	svc           *zfb.Service
	log           *slog.Logger
	methods       map[string]Method
	keys          keyring
	maxBody       int64
	timestampSkew time.Duration
	cacheSize     int
	recorder      zfb.RequestRecorder // nil: calls are not recorded (reqlog.go)
}

// Option configures a Gateway.
type Option func(*Gateway)

// DefaultTimestampSkew is how far a request's timestamp may be from zfb's
// clock by default, so that a request captured on another day cannot be
// replayed. Alipay documents no window (spec §1.8), so this one is chosen
// to refuse nothing an honest client sends: the Java SDK stamps Beijing
// time, but the Node, Python, PHP, gopay and smartwalle SDKs stamp the
// machine's local time and call it Beijing time, so a client in a UTC
// container is 8 h behind, and one in UTC-12 is 20 h behind (UTC+14 is
// 6 h ahead). A window under 8 h would refuse smartwalle in every UTC
// container; 24 h covers every time zone.
const DefaultTimestampSkew = 24 * time.Hour

// WithTimestampSkew refuses requests whose timestamp is further than d
// from zfb's clock (and from the app's, which a tester may have moved), as
// 40002 isv.invalid-timestamp. The default is DefaultTimestampSkew; 0
// checks only the format.
func WithTimestampSkew(d time.Duration) Option { return func(g *Gateway) { g.timestampSkew = d } }

// WithMaxBodyBytes limits the form body; the default is 2 MiB. A larger
// body is answered 40002 isv.invalid-parameter in the envelope.
func WithMaxBodyBytes(n int64) Option { return func(g *Gateway) { g.maxBody = n } }

// WithSignatureCache sets how many recent answers per app key keep their
// signature for reuse (default 1024); 0 signs every answer afresh.
func WithSignatureCache(n int) Option { return func(g *Gateway) { g.cacheSize = n } }

// New returns a gateway with no business methods; Register adds them.
func New(svc *zfb.Service, logger *slog.Logger, opts ...Option) *Gateway {
	g := &Gateway{svc: svc, log: logger, methods: make(map[string]Method), maxBody: 2 << 20, cacheSize: 1024, timestampSkew: DefaultTimestampSkew}
	for _, o := range opts {
		o(g)
	}
	g.keys.cacheSize = g.cacheSize
	return g
}

// Register serves method name with m.
func (g *Gateway) Register(name string, m Method) { g.methods[name] = m }

// Methods lists the registered method names, sorted.
func (g *Gateway) Methods() []string {
	names := make([]string, 0, len(g.methods))
	for name := range g.methods {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ServeHTTP answers one gateway.do call.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "gateway.do takes GET or POST", http.StatusMethodNotAllowed)
		return
	}
	start := time.Now()
	w, recorded := capture.IfRecording(w, g.recorder != nil, zfb.MaxRecordedAnswer)
	ctx := r.Context()
	req, perr := readRequest(r, g.maxBody)
	if perr == nil {
		perr = checkParams(req.params)
	}
	method := req.params["method"]
	node := sign.ResponseNode(method)
	if !addressable(method) {
		node = sign.ResponseNode("")
	}
	ans := answer{node: node, charset: req.charset}

	var app *zfb.App
	var keys *appKeys
	// An app_id that fails its boundary names no app: it is never looked
	// up (PostgreSQL would refuse a NUL in it as an error, not a miss).
	if id := req.params["app_id"]; id != "" && checkText(id, commonLimits["app_id"]) == "" {
		var err error
		app, err = g.svc.App(ctx, id)
		switch {
		case errors.Is(err, zfb.ErrNotFound):
			app = nil
		case err != nil:
			g.log.ErrorContext(ctx, "gateway: reading app", "app_id", id, "err", err)
			ans.write(w, nil, zfb.ErrUnknown)
			return
		}
	}
	if app != nil {
		// Every answer to a known app is signed: Python and PHP clients need
		// a sign even on errors (spec §2.3). The algorithm is the request's
		// when it names one zfb knows, else the app's.
		var err error
		if keys, err = g.keys.get(app); err != nil {
			g.log.ErrorContext(ctx, "gateway: parsing app keys", "app_id", app.ID, "err", err)
			ans.write(w, nil, zfb.ErrUnknown)
			return
		}
		ans.signer, ans.sigs, ans.alg = keys.GatewaySigner, keys.signatures, sign.Algorithm(app.SignType)
		if app.CertMode && keys.Certs != nil {
			// Every answer to a certificate-mode app names the certificate
			// that signed it, errors too (spec openapi.md §1.7).
			ans.certSN = keys.Certs.Gateway
		}
		if alg := sign.Algorithm(req.params["sign_type"]); alg.Valid() {
			ans.alg = alg
		}
	}

	result, err := g.serve(ctx, req, perr, app, keys)
	var zerr *zfb.Error
	if err != nil {
		var ok bool
		if zerr, ok = zfb.AsError(err); !ok {
			g.log.ErrorContext(ctx, "gateway: method failed", "method", method, "app_id", req.params["app_id"], "err", err)
			zerr = zfb.ErrUnknown
		}
	}
	if m, ok := g.methods[method]; ok && m.Page {
		code := g.writePage(ctx, w, req, app, keys, result, zerr)
		g.log.InfoContext(ctx, "gateway.do", "method", method, "app_id", req.params["app_id"], "code", code, "duration", time.Since(start))
		g.record(recorded, start, req, app, keys, code, zerr)
		return
	}
	ans.aesKey = req.aesKey // encrypt the answer to a decrypted request (encrypt.go)
	code := ans.write(w, g.errorFields(req, app, result, zerr), zerr)
	if g.log.Enabled(ctx, slog.LevelInfo) { // the attributes cost allocations
		attrs := []any{"method", method, "app_id", req.params["app_id"], "code", code, "duration", time.Since(start)}
		if zerr != nil {
			attrs = append(attrs, "sub_code", zerr.SubCode)
		}
		g.log.InfoContext(ctx, "gateway.do", attrs...)
	}
	g.record(recorded, start, req, app, keys, code, zerr)
}

// serve validates the common parameters in Alipay's order and calls the
// method. The order of checks matters: it decides which error a request with
// several faults gets. First come what readRequest refused (size, count,
// encoding, charset) and the input boundary of every parameter
// (checkParams), as perr; biz_content's strings are checked (checkBizContent)
// once the method, and so the family's error code, is known.
func (g *Gateway) serve(ctx context.Context, req *request, perr *zfb.Error, app *zfb.App, keys *appKeys) (any, error) {
	p := req.params
	switch {
	case perr != nil:
		return nil, perr
	case p["method"] == "":
		return nil, zfb.ErrMissingMethod
	case p["app_id"] == "":
		return nil, zfb.ErrMissingAppID
	case app == nil:
		// Alipay checks app_id before the signature (spec §3, from a live
		// probe; UNCONFIRMED). With no app there is no key: unsigned.
		return nil, zfb.ErrInvalidAppID
	case p["sign"] == "":
		return nil, zfb.ErrMissingSignature
	case p["sign_type"] == "":
		return nil, zfb.ErrMissingSignatureType
	case !sign.Algorithm(p["sign_type"]).Valid():
		return nil, zfb.ErrInvalidSignatureType
	case zfb.SignType(p["sign_type"]) != app.SignType:
		// The app has no public key for the other algorithm.
		return nil, zfb.ErrMissingSignConfig
	case p["timestamp"] == "":
		return nil, zfb.ErrMissingTimestamp
	case p["version"] == "" && p["method"] != certDownloadMethod:
		return nil, zfb.ErrMissingVersion
	}
	now := app.Clock(g.svc.Clock).Now()
	ts, err := zfb.ParseGatewayTime(p["timestamp"])
	if err != nil {
		return nil, zfb.ErrInvalidTimestamp
	}
	if !g.timely(ts, now) {
		return nil, zfb.ErrInvalidTimestamp
	}
	if v := p["version"]; v != "1.0" && v != "" {
		return nil, zfb.InvalidParameter("version 只支持 1.0")
	}
	if err := checkCertSNs(app, keys.Certs, p); err != nil {
		return nil, err
	}
	if content, err := sign.VerifyRequest(keys.AppPublic, sign.Algorithm(app.SignType), req.raw); err != nil {
		return nil, zfb.InvalidSignature(echoSignContent(req.charset, content))
	}
	req.verified = true
	m, ok := g.methods[p["method"]]
	switch {
	case !ok:
		return nil, zfb.ErrInvalidMethod
	case !app.MayCall(p["method"]):
		return nil, zfb.ErrInsufficientISVPerms
	case p["format"] != "" && !strings.EqualFold(p["format"], "json"):
		return nil, zfb.ErrInvalidFormat
	}
	if err := decryptBizContent(app, req); err != nil { // encrypt.go
		return nil, err
	}
	req.business = true // from here on an error is the method's answer (errorFields)
	var biz []byte
	if s, ok := p["biz_content"]; ok && s != "" {
		biz = []byte(s)
		if !json.Valid(biz) || !isObject(biz) {
			// UNCONFIRMED: the exact sub_code Alipay uses for malformed
			// biz_content; isv.invalid-parameter is its generic one.
			return nil, zfb.InvalidParameter("biz_content 不是合法的 JSON 对象")
		}
		if err := checkBizContent(p["method"], s); err != nil {
			return nil, err
		}
	} else if !m.OptionalBizContent {
		// UNCONFIRMED: Alipay's sub_code for a missing biz_content.
		return nil, zfb.MissingParameter("biz_content")
	}
	call := &Call{App: app, Method: p["method"], Params: p, BizContent: biz, Now: now, BaseURL: req.base}
	req.call = call
	if err := g.actFor(ctx, call, m); err != nil {
		// A token the gateway refuses (20001) is its own answer, generic
		// like the other gateway checks (errorFields).
		req.business = false
		return nil, err
	}
	rule, err := g.matchFault(ctx, call)
	if err != nil {
		return nil, err
	}
	// Once started, a command runs to its end even if the client hangs up,
	// as Alipay's do: the merchant learns the outcome by querying.
	work := context.WithoutCancel(ctx)
	if rule == nil {
		return m.Handle(work, call)
	}
	g.log.InfoContext(ctx, "gateway: fault rule applied", "app_id", app.ID, "method", call.Method, "fault_id", rule.ID, "effect", rule.Effect)
	faultErr := rule.Answer()
	switch rule.Effect {
	case zfb.FaultErrorBefore:
		return nil, faultErr
	case zfb.FaultErrorAfter:
		if _, err := m.Handle(work, call); err != nil {
			if _, ok := zfb.AsError(err); !ok {
				g.log.ErrorContext(ctx, "gateway: method failed", "method", call.Method, "app_id", app.ID, "err", err)
			}
		}
		return nil, faultErr
	default: // zfb.FaultDelay
		result, err := m.Handle(work, call)
		timer := time.NewTimer(time.Duration(rule.DelayMS) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
		return result, err
	}
}

// matchFault finds the first fault rule of the call's app that matches its
// method and merchant numbers.
func (g *Gateway) matchFault(ctx context.Context, c *Call) (*zfb.Fault, error) {
	rules, err := g.svc.AppFaults(ctx, c.App)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	var numbers struct {
		OutTradeNo   text `json:"out_trade_no"`
		OutOrderNo   text `json:"out_order_no"`
		OutRequestNo text `json:"out_request_no"`
	}
	decoded := false
	for _, rule := range rules {
		if rule.Method != c.Method {
			continue
		}
		if !decoded {
			_ = json.Unmarshal(c.BizContent, &numbers) // a bad biz_content matches only wildcard rules
			decoded = true
		}
		if rule.Matches(c.Method, numbers.OutTradeNo.String(), numbers.OutOrderNo.String(), numbers.OutRequestNo.String()) {
			return rule, nil
		}
	}
	return nil, nil
}

// timely reports whether a request stamped ts is within the window of
// zfb's clock or of the app's (appNow). Clients stamp their wall clock, so
// the first is what counts; the app's lets a client that stamps the app's
// moved time (a test that drives its SDK by the app clock) through too.
func (g *Gateway) timely(ts, appNow time.Time) bool {
	d := g.timestampSkew
	if d <= 0 {
		return true
	}
	within := func(now time.Time) bool { return !ts.Before(now.Add(-d)) && !ts.After(now.Add(d)) }
	return within(g.svc.Clock.Now()) || within(appNow)
}

func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// echoSignContent renders the string the gateway verified for the
// isv.invalid-signature sub_msg, as Alipay does: as text, with '&' written
// as "&amp;" (spec §1.4).
func echoSignContent(cs charset, content string) string {
	text, _ := cs.decode(content)
	return strings.ReplaceAll(text, "&", "&amp;")
}

// keyring adds to the shared parsed keys (appkeys) a cache of recent
// answer signatures per key, replaced with the keys when an app's keys
// change.
type keyring struct {
	ring      appkeys.Ring
	cacheSize int
	mu        sync.RWMutex
	apps      map[string]*appKeys
}

type appKeys struct {
	*appkeys.Keys
	signatures *signatureCache // of GatewayPrivate's answers
}

func (k *keyring) get(app *zfb.App) (*appKeys, error) {
	keys, err := k.ring.Get(app)
	if err != nil {
		return nil, err
	}
	k.mu.RLock()
	cached := k.apps[app.ID]
	k.mu.RUnlock()
	if cached != nil && cached.Keys == keys {
		return cached, nil
	}
	cached = &appKeys{Keys: keys, signatures: newSignatureCache(k.cacheSize)}
	k.mu.Lock()
	if k.apps == nil {
		k.apps = make(map[string]*appKeys)
	}
	k.apps[app.ID] = cached
	k.mu.Unlock()
	return cached, nil
}

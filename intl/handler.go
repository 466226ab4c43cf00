// Package intl serves Alipay's international acquiring dialect
// (alipay.intl.acquiring.*) at the paths Alipay publishes under
// /api/alipay/intl/: a JSON envelope {"request":{"head","body"},
// "signature"} signed over the exact text of the request value, answered by
// {"response":{"head","body"},"signature"} signed the same way with the
// app's gateway key. Every envelope answer is HTTP 200.
//
// Wire facts and their sources: spec/intl-acquiring.md and seed 001 in the
// shared folder.
package intl

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/internal/capture"
)

// Prefix is where the dialect is mounted.
const Prefix = "/api/alipay/intl/"

// The functions zfb serves.
const (
	FunctionPay       = "alipay.intl.acquiring.offline.pay"
	FunctionPayQuery  = "alipay.intl.acquiring.offline.payQuery"
	FunctionPayCancel = "alipay.intl.acquiring.common.payCancel"
	FunctionRefund    = "alipay.intl.acquiring.common.refund"
)

// api is one function at its path.
type api struct {
	function string
	serve    func(ctx context.Context, c *call) (*outcome, error)
}

// apis by path (spec §1; note grefund.htm, which breaks the naming rule).
var apis = map[string]api{
	Prefix + "acquiring/offline/pay.htm":      {FunctionPay, servePay},
	Prefix + "acquiring/offline/payquery.htm": {FunctionPayQuery, servePayQuery},
	Prefix + "acquiring/common/paycancel.htm": {FunctionPayCancel, servePayCancel},
	Prefix + "acquiring/common/grefund.htm":   {FunctionRefund, serveRefund},
}

// call is one verified request of an API.
type call struct {
	svc      *zfb.Service
	app      *zfb.App
	now      time.Time // the app's clock
	function string
	version  string
	body     object
}

// Handler is the http.Handler for everything under Prefix.
type Handler struct {
	svc           *zfb.Service
	log           *slog.Logger
	keys          appkeys.Ring
	limiter       *limiter
	maxBody       int64
	timestampSkew time.Duration
	recorder      zfb.RequestRecorder // nil: requests are not recorded (reqlog.go)
}

// Option configures a Handler.
type Option func(*config)

type config struct {
	rate          float64
	burst         int
	maxBody       int64
	timestampSkew time.Duration
	recorder      zfb.RequestRecorder
}

// WithRateLimit limits each client to perSecond requests on average, with
// bursts of up to burst (a token bucket in memory, per instance). Over the
// limit a request is answered REQUEST_TRAFFIC_EXCEED_LIMIT. The default is
// 50 per second, bursts of 100; perSecond 0 disables the limit.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.rate, c.burst = perSecond, burst }
}

// WithMaxBodyBytes limits the request body; the default is 1 MiB. A larger
// body is answered PARAM_ILLEGAL.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithTimestampSkew refuses a request whose head.reqTime is further than d
// from zfb's clock (and from the app's, which a tester may have moved) as
// PARAM_ILLEGAL. The default is DefaultTimestampSkew; 0 checks only the
// format.
func WithTimestampSkew(d time.Duration) Option { return func(c *config) { c.timestampSkew = d } }

// New returns the handler of the intl dialect; mount it at Prefix.
func New(svc *zfb.Service, logger *slog.Logger, opts ...Option) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := config{rate: 50, burst: 100, maxBody: 1 << 20, timestampSkew: DefaultTimestampSkew}
	for _, o := range opts {
		o(&c)
	}
	return &Handler{svc: svc, log: logger, limiter: newLimiter(c.rate, c.burst), maxBody: c.maxBody, timestampSkew: c.timestampSkew, recorder: c.recorder}
}

// exchange is one request and what is known of its answer so far.
type exchange struct {
	req  *request
	head responseHead
	sig  signer
	app  *zfb.App
	keys *appkeys.Keys
	// verified says the signature verified (for the request log).
	verified bool
}

// ServeHTTP answers one request. A path zfb does not serve is
// NO_INTERFACE_DEF, whatever the method; a path it serves takes only POST
// (spec §1): any other method is HTTP 405 with Allow: POST and an unsigned
// PARAM_ILLEGAL envelope, so that a client reading the body still finds a
// resultInfo (UNCONFIRMED: what Alipay answers; zfb's choice).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w, recorded := capture.IfRecording(w, h.recorder != nil, zfb.MaxRecordedAnswer)
	ctx := r.Context()
	a, served := apis[r.URL.Path]
	x := &exchange{head: responseHead{Function: a.function, RespTime: intlTime(h.svc.Clock.Now())}}
	status := http.StatusOK
	var out *outcome
	if served && r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		status, out = http.StatusMethodNotAllowed, paramIllegal("only POST is accepted")
	} else {
		out = h.serve(ctx, w, r, a, served, x)
	}
	code := write(w, status, x.head, x.sig, out)
	if h.log.Enabled(ctx, slog.LevelInfo) { // the attributes cost allocations
		attrs := []any{"path", r.URL.Path, "function", x.head.Function, "client_id", x.head.ClientID, "result_code", code, "duration", time.Since(start)}
		if x.app != nil {
			attrs = append(attrs, "app_id", x.app.ID)
		}
		h.log.InfoContext(ctx, "intl", attrs...)
	}
	h.record(recorded, start, r.URL.Path, x, code)
}

// serve runs the checks in this order, which decides the answer to a
// request with several faults:
//
//  1. the body: over the size limit, not JSON in UTF-8, or without a
//     "request" object → PARAM_ILLEGAL (unsigned: no client is known);
//  2. head.clientId missing, over 32 characters or with a control
//     character → PARAM_ILLEGAL; unknown → UNKNOWN_CLIENT (all unsigned).
//     From here every answer is signed with the app's gateway key, under
//     the request's signType when zfb implements it, else the app's;
//  3. the client's rate limit → REQUEST_TRAFFIC_EXCEED_LIMIT;
//  4. head.signType (absent: RSA2): an algorithm zfb does not implement →
//     SIGN_TYPE_NOT_SUPPORT, an unknown name → SIGN_TYPE_INVALID, RSA or
//     RSA2 other than the app's sign type → KEY_NO_FOUND;
//  5. the signature, over the exact text of the request value →
//     INVALID_SIGNATURE;
//  6. any key or string of head or body over its length or with a control
//     character (checkRequest; free text may hold tabs and line breaks) →
//     PARAM_ILLEGAL; head.version not 2.0.0, 2.0.2 or 2.0.4 → PARAM_ILLEGAL;
//     head.function missing → PARAM_ILLEGAL, not the path's →
//     FUNCTION_NOT_MATCH; not granted to the app →
//     CLIENT_FORBIDDEN_ACCESS_API; head.reqTime not RFC 3339, or further
//     than the timestamp window from zfb's clock → PARAM_ILLEGAL;
//     head.reqMsgId missing → PARAM_ILLEGAL;
//  7. request.body not an object, or its partnerId (2.0.2) / merchantId
//     (2.0.0, 2.0.4) not the app's → PARAM_ILLEGAL;
//  8. the app's fault rules, then the API.
//
// A path zfb does not serve is NO_INTERFACE_DEF before all of these; it is
// signed when the body names a known client, so that SDKs that verify every
// answer can (UNCONFIRMED: zfb's choice). INVALID_CLIENT_STATUS and
// API_IS_INVALID are in the table but never answered: zfb has no client
// status and no API that is defined but inactive.
func (h *Handler) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, a api, served bool, x *exchange) *outcome {
	req, bad := readRequest(w, r, h.maxBody)
	x.req = req
	x.head.Version, x.head.ClientID, x.head.ReqMsgID = req.head.version.value, req.head.clientID.value, req.head.reqMsgID.value
	x.head.Reserve = req.head.reserve
	if f := req.head.function.value; f != "" {
		x.head.Function = f
	}
	if !served {
		if bad == nil {
			h.identify(ctx, x) // best effort, for the signature only
		}
		return fail(codeNoInterfaceDef, "no API is defined at "+r.URL.Path)
	}
	if bad != nil {
		return bad
	}
	if out := h.identify(ctx, x); out != nil {
		return out
	}
	app, hd := x.app, &req.head
	if !h.limiter.allow(app.ID) {
		return fail(codeRequestTrafficExceedLimit, "")
	}
	alg, out := signAlgorithm(hd.signType)
	switch {
	case out != nil:
		return out
	case string(alg) != string(app.SignType):
		return fail(codeKeyNoFound, "the client has no "+string(alg)+" key; it signs with "+string(app.SignType))
	case verify(x.keys, alg, req.env) != nil:
		return fail(codeInvalidSignature, "")
	}
	x.verified = true
	if out := checkRequest(req); out != nil {
		return out
	}
	idKey, ok := versions[hd.version.value]
	switch {
	case !ok || hd.version.bad:
		return paramIllegal("head.version must be 2.0.0, 2.0.2 or 2.0.4")
	case !hd.function.valid():
		return paramIllegal("head.function is required")
	case hd.function.value != a.function:
		return fail(codeFunctionNotMatch, "head.function "+hd.function.value+" is not the API at "+r.URL.Path+", "+a.function)
	case !app.MayCall(a.function):
		return fail(codeClientForbiddenAccessAPI, "")
	}
	now := app.Clock(h.svc.Clock).Now()
	reqTime, ok := parseReqTime(hd.reqTime)
	if !ok {
		return paramIllegal("head.reqTime must be an RFC 3339 time with an offset, like 2001-07-04T12:08:56+05:30")
	}
	if !h.timely(reqTime, now) {
		return paramIllegal("head.reqTime must be within " + h.timestampSkew.String() + " of the server's time")
	}
	if !hd.reqMsgID.valid() {
		return paramIllegal("head.reqMsgId is required, at most 64 characters")
	}
	body, err := req.bodyObject()
	if err == nil && body == nil {
		err = errParam("request.body is required")
	}
	var partner string
	if err == nil {
		partner, err = body.text(idKey)
	}
	switch {
	case err != nil:
		return paramIllegal(err.Error())
	case partner == "":
		return paramIllegal(idKey + " is required")
	case partner != app.IntlPartnerID:
		return paramIllegal(idKey + " is not the client's")
	}
	c := &call{svc: h.svc, app: app, now: now, function: a.function, version: hd.version.value, body: body}
	return h.run(ctx, a, c)
}

// identify finds the client named by head.clientId, its keys, and how to
// sign the answer; respTime is now the app's clock.
func (h *Handler) identify(ctx context.Context, x *exchange) *outcome {
	hd := &x.req.head
	if !hd.clientID.valid() {
		return paramIllegal("head.clientId is required")
	}
	// Checked before the lookup: a clientId that fails its boundary names
	// no client on any backend.
	if out := checkClientID(hd.clientID.value); out != nil {
		return out
	}
	app, err := h.svc.AppByIntlClientID(ctx, hd.clientID.value)
	if errors.Is(err, zfb.ErrNotFound) {
		return fail(codeUnknownClient, "")
	} else if err != nil {
		h.log.ErrorContext(ctx, "intl: reading the client's app", "client_id", hd.clientID.value, "err", err)
		return unknownException
	}
	keys, err := h.keys.Get(app)
	if err != nil {
		h.log.ErrorContext(ctx, "intl: parsing the app's keys", "app_id", app.ID, "err", err)
		return unknownException
	}
	x.app, x.keys = app, keys
	alg, refused := signAlgorithm(hd.signType)
	if refused != nil {
		alg = signAlgorithmOf(app.SignType)
	}
	x.sig = signer{key: keys.GatewaySigner, alg: alg}
	x.head.RespTime = intlTime(app.Clock(h.svc.Clock).Now())
	return nil
}

package intl

import (
	"context"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/capture"
	"github.com/zfbpay/zfb/sign"
)

// WithRecorder records every request in the request log through rec (nil:
// none); the recorder does the costly part off the request's path.
func WithRecorder(rec zfb.RequestRecorder) Option { return func(c *config) { c.recorder = rec } }

// maxDiagnosisKeys bounds how many other apps' keys a diagnosis tries.
const maxDiagnosisKeys = 100

// record hands the request to the recorder. x and its request are not
// used by the handler after the answer, so Complete reads them later.
func (h *Handler) record(cw *capture.Writer, start time.Time, path string, x *exchange, code string) {
	if cw == nil {
		return
	}
	rc := resultCodes[code]
	r := &zfb.RequestRecord{
		At: start, Dialect: zfb.DialectIntl, Method: x.head.Function, Charset: "utf-8",
		HTTPStatus: cw.Status, Code: rc.status, SubCode: code, Failed: rc.status != statusSuccess,
		Latency: time.Since(start), AnswerTruncated: cw.Truncated,
	}
	if x.app != nil {
		r.AppID = x.app.ID
	}
	switch {
	case x.verified:
		r.Signature = zfb.SignatureVerified
	case code == codeInvalidSignature:
		r.Signature = zfb.SignatureFailed
	}
	answer := cw.Body
	r.Complete = func(ctx context.Context, r *zfb.RequestRecord, diagnose bool) {
		r.Answer = string(answer)
		req := x.req
		if req == nil {
			return
		}
		hd := &req.head
		r.SignType = hd.signType.value
		if r.SignType == "" {
			r.SignType = string(sign.RSA2) + " (default)"
		}
		r.Params = map[string]string{
			"path": path, "version": hd.version.value, "function": hd.function.value, "clientId": hd.clientID.value,
			"reqTime": hd.reqTime.value, "reqMsgId": hd.reqMsgID.value, "signType": hd.signType.value,
			"body": string(req.body),
		}
		if req.env != nil {
			r.SignContent = string(req.env.Value)
			r.Params["signature"] = req.env.Signature
		}
		if r.Signature == zfb.SignatureFailed && diagnose && x.keys != nil {
			r.Diagnosis = h.diagnose(ctx, path, x)
		}
	}
	h.recorder.Record(r)
}

// diagnose says which usual mistake made the request's signature fail.
func (h *Handler) diagnose(ctx context.Context, path string, x *exchange) string {
	alg, _ := signAlgorithm(x.req.head.signType)
	c := sign.EnvelopeCase{
		Body: x.req.raw, Envelope: x.req.env, Path: path, ClientID: x.req.head.clientID.value,
		ReqTime: x.req.head.reqTime.value, Key: x.keys.AppPublic, Alg: alg,
	}
	if x.keys.GatewayPrivate != nil {
		c.Others = append(c.Others, sign.NamedKey{Name: "Alipay's private key (the gateway's, for this app): the app's and Alipay's keys are swapped", Key: &x.keys.GatewayPrivate.PublicKey})
	}
	apps, err := h.svc.Apps(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "request log: listing apps for a diagnosis", "err", err)
	}
	for _, other := range apps {
		if other.ID == x.app.ID || len(c.Others) > maxDiagnosisKeys {
			continue
		}
		if k, err := h.keys.Get(other); err == nil && k.AppPublic != nil {
			c.Others = append(c.Others, sign.NamedKey{Name: "the private key of app " + other.ID + " (clientId " + other.IntlClientID + ")", Key: k.AppPublic})
		}
	}
	return sign.DiagnoseEnvelope(c).Text
}

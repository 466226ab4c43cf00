package openapi

import (
	"context"
	"maps"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/capture"
	"github.com/zfbpay/zfb/sign"
)

// WithRecorder records every call in the request log through rec (nil:
// none). The call pays for a copy of its answer and a queued record; the
// rest is done by the recorder, off the request's path.
func WithRecorder(rec zfb.RequestRecorder) Option { return func(g *Gateway) { g.recorder = rec } }

// maxDiagnosisKeys bounds how many other apps' keys a diagnosis tries.
const maxDiagnosisKeys = 100

// record hands the call to the recorder. req and its maps are not used by
// the gateway after the answer, so Complete reads them later.
func (g *Gateway) record(cw *capture.Writer, start time.Time, req *request, app *zfb.App, keys *appKeys, code string, zerr *zfb.Error) {
	if cw == nil {
		return
	}
	g.recordAnswer(start, req, app, keys, code, zerr, cw.Status, cw.Body, cw.Truncated)
}

// recordAnswer hands a call answered with status and answer (cut short
// when truncated) to the recorder, if there is one.
func (g *Gateway) recordAnswer(start time.Time, req *request, app *zfb.App, keys *appKeys, code string, zerr *zfb.Error, status int, answer []byte, truncated bool) {
	if g.recorder == nil {
		return
	}
	r := &zfb.RequestRecord{
		At: start, Dialect: zfb.DialectOpenAPI, AppID: req.params["app_id"], Method: req.params["method"],
		SignType: req.params["sign_type"], Charset: req.charset.name, HTTPStatus: status,
		Code: code, Failed: code != "10000" && code != codeWaiting, Latency: time.Since(start),
		AnswerTruncated: truncated,
	}
	switch {
	case req.verified:
		r.Signature = zfb.SignatureVerified
	case zerr != nil && zerr.SubCode == "isv.invalid-signature":
		r.Signature = zfb.SignatureFailed
	}
	if zerr != nil {
		r.SubCode = zerr.SubCode
	}
	r.Complete = func(ctx context.Context, r *zfb.RequestRecord, diagnose bool) {
		r.Params = maps.Clone(req.params)
		if req.aesKey != nil {
			r.Params["biz_content"] = req.raw["biz_content"] // encrypted: as received
		}
		r.SignContent, _ = req.charset.decode(sign.RequestContent(req.raw))
		r.Answer, _ = req.charset.decode(string(answer))
		if r.Signature == zfb.SignatureFailed && diagnose && keys != nil {
			r.Diagnosis = g.diagnose(ctx, req, app, keys)
		}
	}
	g.recorder.Record(r)
}

// codeWaiting is the code of a payment that waits for the buyer: not a
// failure.
const codeWaiting = "10003"

// diagnose says which usual mistake made the request's signature fail.
func (g *Gateway) diagnose(ctx context.Context, req *request, app *zfb.App, keys *appKeys) string {
	c := sign.RequestCase{
		Params: req.raw, Key: keys.AppPublic, Alg: sign.Algorithm(app.SignType), Charset: req.charset.name,
	}
	if req.charset.gbk {
		c.OtherCharset = "UTF-8"
		c.Recode = func(s string) (string, bool) { return req.charset.decode(s) }
	} else {
		c.OtherCharset = "GBK"
		c.Recode = func(s string) (string, bool) {
			out, err := simplifiedchinese.GBK.NewEncoder().String(s)
			return out, err == nil
		}
	}
	if keys.GatewayPrivate != nil {
		c.Others = append(c.Others, sign.NamedKey{Name: "Alipay's private key (the gateway's, for this app): the app's and Alipay's keys are swapped", Key: &keys.GatewayPrivate.PublicKey})
	}
	apps, err := g.svc.Apps(ctx)
	if err != nil {
		g.log.WarnContext(ctx, "request log: listing apps for a diagnosis", "err", err)
	}
	for _, other := range apps {
		if other.ID == app.ID || len(c.Others) > maxDiagnosisKeys {
			continue
		}
		if k, err := g.keys.ring.Get(other); err == nil && k.AppPublic != nil {
			c.Others = append(c.Others, sign.NamedKey{Name: "the private key of app " + other.ID, Key: k.AppPublic})
		}
	}
	return sign.DiagnoseRequest(c).Text
}

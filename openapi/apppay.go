package openapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
)

// AppPayMethod is the API of an app.pay order string (sdkExec's): the
// merchant's app hands it to the Alipay app, which zfb's wallet page plays
// (spec web-and-app-pay.md §2.5, §5).
const AppPayMethod = "alipay.trade.app.pay"

// OpenOrderString runs an app.pay order string as gateway.do runs a call
// (parse, charset, boundaries, signature, the method) and returns the
// cashier's URL; or the error, with zfb's diagnosis of a failed signature.
// host is the host the wallet page was opened on. An order string with an
// empty value is refused, as the Alipay app refuses it (spec §2.5).
//
// Each order string that parses is recorded in the request log, as a call
// to gateway.do is: HTTP 302 and the cashier's location when it opens,
// else 200 and the error the wallet shows.
func (g *Gateway) OpenOrderString(ctx context.Context, host, order string) (location string, zerr *zfb.Error, diagnosis string) {
	start := time.Now()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/gateway.do", strings.NewReader(strings.TrimSpace(order)))
	if err != nil {
		return "", zfb.InvalidParameter("订单串无效"), ""
	}
	r.Host = host
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req, perr := readRequest(r, g.maxBody)
	if perr == nil {
		perr = checkParams(req.params)
	}
	if perr == nil {
		for k, v := range req.params {
			if v == "" {
				perr = zfb.InvalidParameter(k + " 的值为空：订单串中不能有空值")
				break
			}
		}
	}
	if perr == nil && req.params["method"] != AppPayMethod {
		perr = zfb.InvalidParameter("method 须为 " + AppPayMethod)
	}
	var app *zfb.App
	var keys *appKeys
	if id := req.params["app_id"]; id != "" && checkText(id, commonLimits["app_id"]) == "" {
		app, err = g.svc.App(ctx, id)
		switch {
		case errors.Is(err, zfb.ErrNotFound):
			app = nil
		case err != nil:
			g.log.ErrorContext(ctx, "wallet: reading app", "app_id", id, "err", err)
			return "", zfb.ErrUnknown, ""
		}
	}
	if app != nil {
		if keys, err = g.keys.get(app); err != nil {
			g.log.ErrorContext(ctx, "wallet: parsing app keys", "app_id", app.ID, "err", err)
			return "", zfb.ErrUnknown, ""
		}
	}
	result, err := g.serve(ctx, req, perr, app, keys)
	to, ok := result.(redirect)
	switch {
	case err != nil:
		if zerr, ok = zfb.AsError(err); !ok {
			g.log.ErrorContext(ctx, "wallet: app.pay failed", "app_id", req.params["app_id"], "err", err)
			zerr = zfb.ErrUnknown
		}
		if zerr.SubCode == "isv.invalid-signature" && app != nil && keys != nil {
			diagnosis = g.diagnose(ctx, req, app, keys)
		}
	case !ok:
		zerr = zfb.ErrUnknown
	}
	if zerr != nil {
		answer := zerr.Code + " " + zerr.Msg + " " + zerr.SubCode + " " + zerr.SubMsg
		g.recordAnswer(start, req, app, keys, zerr.Code, zerr, http.StatusOK, []byte(answer), false)
		return "", zerr, diagnosis
	}
	g.recordAnswer(start, req, app, keys, "10000", nil, http.StatusFound, []byte("Location: "+to.location), false)
	return to.location, nil, ""
}

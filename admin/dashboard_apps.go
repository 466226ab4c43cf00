package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

// appsPage lists the apps with their clocks.
func (d *dashboard) appsPage(w http.ResponseWriter, r *http.Request, s *session) {
	apps, err := d.svc.Apps(r.Context())
	if err != nil {
		d.fail(w, r, "apps", err)
		return
	}
	rows := make([]appRow, 0, len(apps))
	for _, a := range apps {
		rows = append(rows, appRow{a.ID, a.SellerID, string(a.SignType), zfb.FormatGatewayTime(a.Clock(d.svc.Clock).Now())})
	}
	d.show(w, r, s, "dashboard_apps.html", "Apps", "apps", rows)
}

// baseURL is the gateway's address as this request reached it, as
// sandbox.json gives it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// clockSteps are the app page's one-click clock advances.
var clockSteps = []struct{ Value, Label string }{
	{"1m", "+1 minute"}, {"15m", "+15 minutes"}, {"1h", "+1 hour"}, {"1d", "+1 day"}, {"15d", "+15 days"},
}

// appPage shows an app: its ids and mode, the gateway URLs, its public keys
// (never a private key), its clock with the controls to advance it, and
// its fault rules with the forms to add and delete them.
func (d *dashboard) appPage(w http.ResponseWriter, r *http.Request, s *session) {
	appID := r.PathValue("app_id")
	app, err := d.svc.App(r.Context(), appID)
	if err != nil {
		d.pageError(w, r, s, "app "+appID, err)
		return
	}
	faults, err := d.svc.Faults(r.Context(), appID)
	if err != nil {
		d.fail(w, r, "faults", err)
		return
	}
	now := app.Clock(d.svc.Clock).Now()
	base := baseURL(r)
	data := struct {
		App                 *zfb.App
		Creds               sandbox.App
		GatewayURL, IntlURL string
		AdminURL            string
		Now, Offset         string
		Steps               any
		Faults              []*zfb.Fault
		Effects, SubCodes   []string
	}{
		App: app, Creds: sandbox.AppCredentials(app).Public(),
		GatewayURL: base + "/gateway.do", IntlURL: base, AdminURL: base + Prefix,
		Now: zfb.FormatGatewayTime(now), Offset: now.Sub(d.svc.Clock.Now()).Round(time.Second).String(),
		Steps: clockSteps, Faults: faults,
		Effects:  []string{zfb.FaultErrorBefore, zfb.FaultErrorAfter, zfb.FaultDelay},
		SubCodes: []string{zfb.ErrUnknown.SubCode, zfb.ErrTradeSystemError.SubCode, zfb.ErrAuthSystemError.SubCode},
	}
	d.show(w, r, s, "dashboard_app.html", "App "+appID, "apps", data)
}

func appBack(r *http.Request) string {
	return dashboardPath + "apps/" + url.PathEscape(r.PathValue("app_id"))
}

// clockAction advances an app's clock by the form's "advance": a Go
// duration ("90m", "25h") or whole days ("2d"); or sets it to the form's
// "set", a Beijing time as gateway.do writes them, which must not be in
// the app's past.
func (d *dashboard) clockAction(r *http.Request) (string, string, error) {
	back := appBack(r)
	by, set := strings.TrimSpace(r.PostForm.Get("advance")), strings.TrimSpace(r.PostForm.Get("set"))
	if set != "" && by != "" {
		return back, "", formError("Advance the clock or set it, not both.")
	}
	if set != "" {
		to, err := zfb.ParseGatewayTime(set)
		if err != nil {
			return back, "", formError(`Set the clock to a Beijing time like "2026-12-01 10:00:00".`)
		}
		now, err := d.svc.SetClock(r.Context(), r.PathValue("app_id"), to)
		if err != nil {
			return back, "", err
		}
		return back, "The app's clock is set: it is now " + zfb.FormatGatewayTime(now) + ".", nil
	}
	step, err := parseDuration(by)
	if err != nil || step <= 0 {
		return back, "", formError(`Advance by a duration above zero, like "90m", "25h" or "2d".`)
	}
	now, err := d.svc.AdvanceClock(r.Context(), r.PathValue("app_id"), step)
	if err != nil {
		return back, "", err
	}
	return back, "The app's clock moved " + by + " ahead: it is now " + zfb.FormatGatewayTime(now) + ".", nil
}

// addFaultAction adds a fault rule from the form: method, out_trade_no
// (a pattern), effect, delay_ms and sub_code, as the admin API takes them.
func (d *dashboard) addFaultAction(r *http.Request) (string, string, error) {
	back := appBack(r)
	f := r.PostForm
	delay := 0
	if s := strings.TrimSpace(f.Get("delay_ms")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return back, "", formError("delay_ms must be a whole number of milliseconds.")
		}
		delay = n
	}
	fault := &zfb.Fault{AppID: r.PathValue("app_id"), Method: strings.TrimSpace(f.Get("method")),
		OutTradeNo: strings.TrimSpace(f.Get("out_trade_no")), Effect: f.Get("effect"), DelayMS: delay, SubCode: f.Get("sub_code")}
	if err := d.svc.AddFault(r.Context(), fault); err != nil {
		return back, "", err
	}
	return back, "Fault rule " + strconv.FormatInt(fault.ID, 10) + " added: " + fault.Method + " " + fault.Effect + ".", nil
}

// clearFaultsAction deletes every fault rule of the app.
func (d *dashboard) clearFaultsAction(r *http.Request) (string, string, error) {
	if err := d.svc.DeleteFaults(r.Context(), r.PathValue("app_id")); err != nil {
		return appBack(r), "", err
	}
	return appBack(r), "Every fault rule of the app is deleted.", nil
}

// deleteFaultAction deletes one fault rule.
func (d *dashboard) deleteFaultAction(r *http.Request) (string, string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return appBack(r), "", zfb.ErrNotFound
	}
	if err := d.svc.DeleteFault(r.Context(), r.PathValue("app_id"), id); err != nil {
		return appBack(r), "", err
	}
	return appBack(r), "Fault rule " + r.PathValue("id") + " deleted.", nil
}

package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

// act posts a dashboard form and wants the redirect back to back; it
// returns the page there, with its flash message.
func (e *dashEnv) act(c *http.Client, path string, form url.Values, back string) string {
	e.t.Helper()
	a := e.post(c, path, form)
	if a.status != http.StatusSeeOther {
		e.t.Fatalf("POST %s: %d, want 303\n%s", path, a.status, a.body)
	}
	if loc := a.resp.Header.Get("Location"); loc != back {
		e.t.Fatalf("POST %s: back to %q, want %q", path, loc, back)
	}
	return e.page(c, back, `id="flash"`)
}

// withCSRF adds the CSRF token to a form.
func withCSRF(csrf string, kv ...string) url.Values {
	v := url.Values{"csrf": {csrf}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// wantRefused posts form without its CSRF token (and with a wrong one):
// 403 both times.
func (e *dashEnv) wantRefused(c *http.Client, path string, form url.Values) {
	e.t.Helper()
	for _, token := range []string{"", "forged"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if token == "" {
			f.Del("csrf")
		} else {
			f.Set("csrf", token)
		}
		if a := e.post(c, path, f); a.status != http.StatusForbidden {
			e.t.Errorf("POST %s with CSRF %q: %d, want 403", path, token, a.status)
		}
	}
}

func TestDashboardTradeBuyerActions(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	ctx := context.Background()
	c, csrf := e.signedIn()
	path := "/dashboard/trades/" + d.waiting.TradeNo + "/buyer"
	back := "/dashboard/trades/" + d.waiting.TradeNo

	e.wantRefused(c, path, withCSRF(csrf, "action", "pay"))
	if tr, _ := e.svc.Trade(ctx, d.waiting.TradeNo); tr.Status != zfb.TradeWaitBuyerPay {
		t.Fatalf("a refused form paid the trade: %s", tr.Status)
	}
	page := e.act(c, path, withCSRF(csrf, "action", "pay"), back)
	if tr, _ := e.svc.Trade(ctx, d.waiting.TradeNo); tr.Status != zfb.TradeSuccess {
		t.Fatalf("after pay: %s", tr.Status)
	}
	if !strings.Contains(page, "TRADE_SUCCESS") || strings.Contains(page, `id="buyer-pay"`) {
		t.Errorf("the page after paying:\n%s", page)
	}
	// Paying again is refused plainly.
	page = e.act(c, path, withCSRF(csrf, "action", "pay"), back)
	if !strings.Contains(page, `class="notice bad"`) || !strings.Contains(page, "TRADE_SUCCESS") {
		t.Errorf("paying twice: no error shown\n%s", page)
	}

	// A precreated trade: scanned by a named buyer, then declined.
	pre := "/dashboard/trades/" + d.precreated.TradeNo
	e.act(c, pre+"/buyer", withCSRF(csrf, "action", "scan", "buyer_id", d.pays.UserID), pre)
	if tr, _ := e.svc.Trade(ctx, d.precreated.TradeNo); !tr.Scanned || tr.BuyerID != d.pays.UserID || tr.Status != zfb.TradeWaitBuyerPay {
		t.Fatalf("after scan: %+v", tr)
	}
	e.act(c, pre+"/buyer", withCSRF(csrf, "action", "decline"), pre)
	if tr, _ := e.svc.Trade(ctx, d.precreated.TradeNo); tr.Status != zfb.TradeClosed {
		t.Fatalf("after decline: %s", tr.Status)
	}

	// A buyer too poor to pay: refused with the Alipay code, nothing moves.
	poor, err := sandbox.NewBuyer(zfb.BehaviourPassword, 1_00)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CreateBuyer(ctx, poor); err != nil {
		t.Fatal(err)
	}
	now, _ := e.svc.AppNow(ctx, d.app.ID)
	res, err := e.svc.Pay(ctx, d.app, now, zfb.PayCommand{OutTradeNo: "POOR-1", TotalAmount: "5.00", Subject: "x", AuthCode: poor.PaymentCode})
	if err != nil || !res.InProgress {
		t.Fatalf("pay (poor password buyer): %v %+v", err, res)
	}
	back = "/dashboard/trades/" + res.Trade.TradeNo
	page = e.act(c, back+"/buyer", withCSRF(csrf, "action", "pay"), back)
	if !strings.Contains(page, `class="notice bad"`) || !strings.Contains(page, "ACQ.") {
		t.Errorf("a poor buyer's pay: no Alipay code shown\n%s", page)
	}
	if b, _ := e.svc.Buyer(ctx, poor.UserID); b.Balance != 1_00 {
		t.Errorf("poor buyer's balance %d after a refused pay", b.Balance)
	}
}

func TestDashboardFundAuthAndIntlBuyerActions(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	ctx := context.Background()
	c, csrf := e.signedIn()

	auth := "/dashboard/fund-auth/" + d.authWaiting.AuthNo
	e.wantRefused(c, auth+"/buyer", withCSRF(csrf, "action", "authorize"))
	e.act(c, auth+"/buyer", withCSRF(csrf, "action", "authorize"), auth)
	o, err := e.svc.AuthOrder(ctx, d.authWaiting.AuthNo)
	if err != nil || o.Order.Status != zfb.AuthOrderAuthorized || o.Order.TotalFreezeAmount != 20_00 {
		t.Fatalf("after authorize: %v %+v", err, o.Order)
	}

	intl := "/dashboard/intl/" + d.intlWaiting.AcquirementID
	e.wantRefused(c, intl+"/buyer", withCSRF(csrf, "action", "pay"))
	e.act(c, intl+"/buyer", withCSRF(csrf, "action", "pay"), intl)
	p, _, err := e.svc.IntlPaymentView(ctx, d.intlWaiting.AcquirementID)
	if err != nil || p.Status != zfb.IntlPaymentSuccess {
		t.Fatalf("after intl pay: %v %+v", err, p)
	}
	e.page(c, intl, "SUCCESS", zfb.FXAccount("USD"))
}

func TestDashboardAppActions(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	ctx := context.Background()
	c, csrf := e.signedIn()
	app := "/dashboard/apps/" + d.app.ID

	// The clock: a preset step and a custom duration.
	before, _ := e.svc.AppNow(ctx, d.app.ID)
	e.wantRefused(c, app+"/clock", withCSRF(csrf, "advance", "1d"))
	if now, _ := e.svc.AppNow(ctx, d.app.ID); now.Sub(before) > time.Hour {
		t.Fatalf("a refused form moved the clock by %v", now.Sub(before))
	}
	page := e.act(c, app+"/clock", withCSRF(csrf, "advance", "1h"), app)
	now, _ := e.svc.AppNow(ctx, d.app.ID)
	if moved := now.Sub(before); moved < time.Hour || moved > time.Hour+time.Minute {
		t.Fatalf("clock moved %v, want 1h", moved)
	}
	if !strings.Contains(page, `class="notice good"`) {
		t.Errorf("no success message after advancing the clock")
	}
	e.act(c, app+"/clock", withCSRF(csrf, "advance", "2d"), app)
	if after, _ := e.svc.AppNow(ctx, d.app.ID); after.Sub(now) < 48*time.Hour {
		t.Fatalf("clock moved %v, want 48h", after.Sub(now))
	}
	for _, bad := range []string{"", "soon", "-1h", "0s"} {
		page := e.act(c, app+"/clock", withCSRF(csrf, "advance", bad), app)
		if !strings.Contains(page, `class="notice bad"`) {
			t.Errorf("advance %q: no error shown", bad)
		}
	}
	// Set to an absolute Beijing time, forward only.
	target := now.Add(72 * time.Hour).Truncate(time.Second)
	page = e.act(c, app+"/clock", withCSRF(csrf, "set", zfb.FormatGatewayTime(target)), app)
	if got, _ := e.svc.AppNow(ctx, d.app.ID); got.Before(target) || got.Sub(target) > time.Minute {
		t.Fatalf("set the clock to %v: it is %v", target, got)
	}
	if !strings.Contains(page, `class="notice good"`) || !strings.Contains(page, "it is now "+zfb.FormatGatewayTime(target)[:13]) {
		t.Errorf("no success message after setting the clock")
	}
	setAt, _ := e.svc.AppNow(ctx, d.app.ID)
	for _, bad := range [][]string{
		{"set", zfb.FormatGatewayTime(target.Add(-time.Hour))}, // the app's past
		{"set", "2026-12-01T10:00:00+08:00"},                   // not a gateway time
		{"set", "2026-12-01 10:00:00", "advance", "1h"},        // both
	} {
		page := e.act(c, app+"/clock", withCSRF(csrf, bad...), app)
		if !strings.Contains(page, `class="notice bad"`) {
			t.Errorf("%q: no error shown", bad)
		}
		if got, _ := e.svc.AppNow(ctx, d.app.ID); got.Sub(setAt) > time.Minute {
			t.Errorf("%q moved the clock to %v", bad, got)
		}
	}
	// The 1h advance ran the waiting trade past its time? It still shows as
	// the Service sees it.
	e.page(c, "/dashboard/trades/"+d.waiting.TradeNo, d.waiting.OutTradeNo)

	// Fault rules: add two, delete one, clear the rest.
	add := withCSRF(csrf, "method", "alipay.trade.pay", "out_trade_no", "T-*", "effect", "delay", "delay_ms", "3000", "sub_code", "ACQ.SYSTEM_ERROR")
	e.wantRefused(c, app+"/faults", add)
	if fs, _ := e.svc.Faults(ctx, d.app.ID); len(fs) != 0 {
		t.Fatalf("a refused form added %d rules", len(fs))
	}
	e.act(c, app+"/faults", add, app)
	e.act(c, app+"/faults", withCSRF(csrf, "method", "alipay.trade.query", "effect", "error_before", "sub_code", "isp.unknow-error"), app)
	fs, _ := e.svc.Faults(ctx, d.app.ID)
	if len(fs) != 2 || fs[0].Method != "alipay.trade.pay" || fs[0].OutTradeNo != "T-*" || fs[0].Effect != zfb.FaultDelay || fs[0].DelayMS != 3000 || fs[0].SubCode != "ACQ.SYSTEM_ERROR" {
		t.Fatalf("fault rules %+v", fs)
	}
	page = e.act(c, app+"/faults", withCSRF(csrf, "method", "alipay.trade.pay", "effect", "explode"), app)
	if !strings.Contains(page, `class="notice bad"`) {
		t.Errorf("a bad rule: no error shown")
	}
	id := itoa(fs[0].ID)
	e.wantRefused(c, app+"/faults/"+id+"/delete", withCSRF(csrf))
	e.act(c, app+"/faults/"+id+"/delete", withCSRF(csrf), app)
	if fs, _ := e.svc.Faults(ctx, d.app.ID); len(fs) != 1 || fs[0].Method != "alipay.trade.query" {
		t.Fatalf("after deleting one: %+v", fs)
	}
	e.wantRefused(c, app+"/faults/clear", withCSRF(csrf))
	e.act(c, app+"/faults/clear", withCSRF(csrf), app)
	if fs, _ := e.svc.Faults(ctx, d.app.ID); len(fs) != 0 {
		t.Fatalf("after clearing: %+v", fs)
	}
}

func TestDashboardBuyerActions(t *testing.T) {
	e := newDashboard(t, false)
	ctx := context.Background()
	c, csrf := e.signedIn()
	const back = "/dashboard/buyers"

	before, _ := e.svc.Buyers(ctx)
	create := withCSRF(csrf, "behaviour", "password", "balance", "12.34", "logon_id", "dash@example.com")
	e.wantRefused(c, back, create)
	if now, _ := e.svc.Buyers(ctx); len(now) != len(before) {
		t.Fatalf("a refused form created a buyer")
	}
	a := e.post(c, back, create)
	loc := a.resp.Header.Get("Location")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(loc, back+"?q=2088") {
		t.Fatalf("create: %d %q", a.status, loc)
	}
	userID := strings.TrimPrefix(loc, back+"?q=")
	b, err := e.svc.Buyer(ctx, userID)
	if err != nil || b.Behaviour != zfb.BehaviourPassword || b.Balance != 12_34 || b.LogonID != "dash@example.com" {
		t.Fatalf("created buyer %+v: %v", b, err)
	}
	e.page(c, loc, userID, `id="flash"`, "12.34")
	page := e.act(c, back, withCSRF(csrf, "behaviour", "rich", "balance", "1.00"), back)
	if !strings.Contains(page, `class="notice bad"`) {
		t.Errorf("a bad behaviour: no error shown")
	}

	topUp := "/dashboard/buyers/" + userID + "/top-up"
	e.wantRefused(c, topUp, withCSRF(csrf, "amount", "100.00"))
	page = e.act(c, topUp, withCSRF(csrf, "amount", "100.00"), back)
	if b, _ := e.svc.Buyer(ctx, userID); b.Balance != 112_34 {
		t.Fatalf("balance after top-up %d, want 11234", b.Balance)
	}
	if !strings.Contains(page, "112.34") {
		t.Errorf("the page does not show the new balance")
	}
	for _, bad := range []string{"0", "-5", "1.234", "lots"} {
		page := e.act(c, topUp, withCSRF(csrf, "amount", bad), back)
		if !strings.Contains(page, `class="notice bad"`) {
			t.Errorf("top-up %q: no error shown", bad)
		}
	}
	if b, _ := e.svc.Buyer(ctx, userID); b.Balance != 112_34 {
		t.Fatalf("balance after refused top-ups %d, want 11234", b.Balance)
	}

	restrict := "/dashboard/buyers/" + userID + "/restrict"
	e.wantRefused(c, restrict, withCSRF(csrf, "restricted", "true"))
	e.act(c, restrict, withCSRF(csrf, "restricted", "true"), back)
	if b, _ := e.svc.Buyer(ctx, userID); !b.Restricted {
		t.Fatal("not restricted")
	}
	e.act(c, restrict, withCSRF(csrf, "restricted", "false"), back)
	if b, _ := e.svc.Buyer(ctx, userID); b.Restricted {
		t.Fatal("still restricted")
	}
	report, err := e.svc.CheckLedger(ctx)
	if err != nil || !report.OK {
		t.Fatalf("ledger: %v %+v", err, report)
	}
}

func TestDashboardSearch(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	c, _ := e.signedIn()
	for q, want := range map[string]string{
		d.waiting.TradeNo:           "/dashboard/trades/" + d.waiting.TradeNo,
		"PAID-1":                    "/dashboard/trades/" + d.paid.TradeNo,
		d.authWaiting.AuthNo:        "/dashboard/fund-auth/" + d.authWaiting.AuthNo,
		d.authOutOrderNo:            "/dashboard/fund-auth/" + d.authWaiting.AuthNo,
		d.intlWaiting.AcquirementID: "/dashboard/intl/" + d.intlWaiting.AcquirementID,
		d.intlTransID:               "/dashboard/intl/" + d.intlWaiting.AcquirementID,
		d.pays.UserID:               "/dashboard/buyers?q=" + d.pays.UserID,
		d.pays.PaymentCode:          "/dashboard/buyers?q=" + d.pays.UserID,
		"  " + d.paid.TradeNo + " ": "/dashboard/trades/" + d.paid.TradeNo,
	} {
		a := e.get(c, "/dashboard/search?q="+url.QueryEscape(q))
		if a.status != http.StatusSeeOther || a.resp.Header.Get("Location") != want {
			t.Errorf("search %q: %d to %q, want %q", q, a.status, a.resp.Header.Get("Location"), want)
		}
	}
	// Several hits are listed; none says so.
	e.page(c, "/dashboard/search?q="+url.QueryEscape(d.paid.TradeNo[:6]), `id="search-results"`, d.paid.TradeNo, d.waiting.TradeNo)
	e.page(c, "/dashboard/search?q=nothing-has-this", `id="search-none"`)
	wantRedirectToLogin(t, "anonymous search", e.get(e.browser(), "/dashboard/search?q="+d.paid.TradeNo))
}

package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

// dashData is what the page tests make through the Service: trades, a
// fund authorisation order and an intl payment, some waiting for their
// buyer.
type dashData struct {
	app                         *zfb.App
	pays, password              *zfb.Buyer
	waiting, paid, precreated   *zfb.Trade
	authWaiting                 *zfb.AuthOrder
	intlWaiting                 *zfb.IntlPayment
	authOutOrderNo, intlTransID string
}

func makeDashData(t *testing.T, e *dashEnv) *dashData {
	t.Helper()
	ctx := context.Background()
	svc := e.svc
	d := &dashData{authOutOrderNo: "DEPOSIT-1", intlTransID: "INTL-1"}
	var err error
	if d.app, err = svc.App(ctx, sandbox.FirstAppID); err != nil {
		t.Fatal(err)
	}
	for _, b := range e.buyers {
		switch {
		case b.Behaviour == zfb.BehaviourPays && d.pays == nil:
			d.pays = b
		case b.Behaviour == zfb.BehaviourPassword && d.password == nil:
			d.password = b
		}
	}
	// Notifications go nowhere that answers: they stay pending.
	if err := svc.SetAppNotifyURL(ctx, d.app.ID, "http://127.0.0.1:9/notify"); err != nil {
		t.Fatal(err)
	}
	if d.app, err = svc.App(ctx, sandbox.FirstAppID); err != nil {
		t.Fatal(err)
	}
	now, err := svc.AppNow(ctx, d.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Pay(ctx, d.app, now, zfb.PayCommand{OutTradeNo: "WAIT-1", TotalAmount: "5.00", Subject: "coffee", AuthCode: d.password.PaymentCode})
	if err != nil || !res.InProgress {
		t.Fatalf("pay (password): %v %+v", err, res)
	}
	d.waiting = res.Trade
	if res, err = svc.Pay(ctx, d.app, now, zfb.PayCommand{OutTradeNo: "PAID-1", TotalAmount: "8.88", Subject: "tea", AuthCode: d.pays.PaymentCode}); err != nil {
		t.Fatal(err)
	}
	d.paid = res.Trade
	if d.precreated, err = svc.Precreate(ctx, d.app, now, zfb.CreateCommand{OutTradeNo: "QR-1", TotalAmount: "3.00", Subject: "qr"}); err != nil {
		t.Fatal(err)
	}
	fr, err := svc.Freeze(ctx, d.app, now, zfb.FreezeCommand{
		AuthCode: d.password.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: d.authOutOrderNo, OutRequestNo: d.authOutOrderNo + "-f",
		OrderTitle: "押金", Amount: "20.00", ProductCode: "PRE_AUTH",
	})
	if err != nil {
		t.Fatal(err)
	}
	d.authWaiting = fr.Order
	ip, err := svc.IntlPay(ctx, d.app, now, zfb.IntlPayCommand{
		MerchantTransID: d.intlTransID, IdentityCode: d.password.PaymentCode, OrderTitle: "Green tea", Currency: "USD", Value: "150",
	})
	if err != nil {
		t.Fatal(err)
	}
	d.intlWaiting = ip.Payment
	return d
}

// signedIn signs a new browser in and returns it with its CSRF token.
func (e *dashEnv) signedIn() (*http.Client, string) {
	e.t.Helper()
	c := e.browser()
	e.signIn(c)
	return c, e.csrf(e.get(c, "/dashboard/").body)
}

// page GETs a page and fails unless it is 200 and holds every want.
func (e *dashEnv) page(c *http.Client, path string, want ...string) string {
	e.t.Helper()
	a := e.get(c, path)
	if a.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d\n%s", path, a.status, a.body)
	}
	for _, w := range want {
		if !strings.Contains(a.body, w) {
			e.t.Errorf("GET %s: no %q in the page", path, w)
		}
	}
	return a.body
}

func TestDashboardPages(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	if err := e.svc.AddFault(context.Background(), &zfb.Fault{AppID: d.app.ID, Method: "alipay.trade.query", Effect: zfb.FaultErrorBefore}); err != nil {
		t.Fatal(err)
	}
	c, _ := e.signedIn()
	nav := []string{`id="search"`, `accesskey="s"`, `href="/dashboard/trades"`, `href="/dashboard/fund-auth"`, `href="/dashboard/intl"`,
		`href="/dashboard/buyers"`, `href="/dashboard/apps"`, `href="/dashboard/notifications"`, `href="/dashboard/requests"`, `href="/dashboard/ledger"`}
	pages := map[string][]string{
		"/dashboard/":                            append([]string{d.waiting.TradeNo, d.paid.TradeNo, d.app.ID, "balanced"}, nav...),
		"/dashboard/trades":                      {d.waiting.TradeNo, d.paid.TradeNo, d.precreated.TradeNo, "WAIT-1", `id="filter-status"`},
		"/dashboard/trades?status=TRADE_SUCCESS": {d.paid.TradeNo},
		"/dashboard/trades/" + d.waiting.TradeNo: {"WAIT-1", "WAIT_BUYER_PAY", `id="buyer-pay"`, `id="buyer-decline"`,
			`href="/dashboard/requests?q=` + d.waiting.TradeNo + `"`, "5.00"},
		"/dashboard/trades/" + d.paid.TradeNo:       {"TRADE_SUCCESS", "8.88", zfb.BuyerAccount(d.pays.UserID, zfb.CNY), zfb.MerchantAccount(d.app.SellerID, zfb.CNY)},
		"/dashboard/trades/" + d.precreated.TradeNo: {`id="buyer-scan"`, `id="buyer-id"`},
		"/dashboard/fund-auth":                      {d.authWaiting.AuthNo, d.authOutOrderNo},
		"/dashboard/fund-auth?app_id=" + d.app.ID:   {d.authWaiting.AuthNo},
		"/dashboard/fund-auth/" + d.authWaiting.AuthNo: {d.authOutOrderNo, `id="buyer-authorize"`, "20.00", "押金",
			`href="/dashboard/requests?q=` + d.authWaiting.AuthNo + `"`},
		"/dashboard/intl": {d.intlWaiting.AcquirementID, d.intlTransID},
		"/dashboard/intl/" + d.intlWaiting.AcquirementID: {d.intlTransID, "1.50 USD", `id="buyer-pay"`,
			`href="/dashboard/requests?q=` + d.intlWaiting.AcquirementID + `"`},
		"/dashboard/buyers": {d.pays.UserID, `id="buyer-create"`, `id="topup-` + d.pays.UserID + `"`, `href="/dashboard/buyers?reveal=`, `<code id="login-password">` + zfb.SandboxBuyerPassword + `</code>`},
		"/dashboard/apps":   {d.app.ID},
		"/dashboard/apps/" + d.app.ID: {d.app.SellerID, `id="gateway-url" readonly value="` + e.srv.URL + `/gateway.do"`, "BEGIN PUBLIC KEY",
			`id="advance"`, `id="advance-1h"`, `id="fault-add"`, "alipay.trade.query", `id="faults-clear"`},
		"/dashboard/notifications": {"trade_status_sync"},
		"/dashboard/ledger":        {"buyer_available accounts", zfb.FundingAccount(zfb.CNY), "balanced"},
		"/dashboard/search":        {"Type a number"},
	}
	for path, want := range pages {
		body := e.page(c, path, want...)
		if strings.Contains(body, "PRIVATE KEY") {
			t.Errorf("%s shows a private key", path)
		}
		for _, b := range e.buyers {
			if strings.Contains(body, b.PaymentCode) {
				t.Errorf("%s shows buyer %s's payment code unmasked", path, b.UserID)
			}
		}
	}
	// Notification page, from the list.
	ms, err := e.svc.Notifications(context.Background(), d.app.ID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("notifications: %v %d", err, len(ms))
	}
	e.page(c, "/dashboard/notifications/"+itoa(ms[0].ID), "trade_status_sync", ms[0].NotifyID(), `id="attempts"`, "PAID-1",
		`href="/dashboard/trades/`+d.paid.TradeNo+`"`)
	// Unknown objects are 404 pages.
	for _, path := range []string{"/dashboard/trades/2026", "/dashboard/fund-auth/x", "/dashboard/intl/x", "/dashboard/apps/x", "/dashboard/notifications/999", "/dashboard/notifications/x"} {
		if a := e.get(c, path); a.status != http.StatusNotFound || !strings.Contains(a.body, "Not found") {
			t.Errorf("GET %s: %d", path, a.status)
		}
	}
	// Without a session every page sends to the sign-in form.
	anon := e.browser()
	for path := range pages {
		wantRedirectToLogin(t, "GET "+path, e.get(anon, path))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

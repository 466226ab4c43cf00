package admin

import (
	"html/template"
	"net/http"
)

// dashboardPages parses every page of the dashboard once.
func dashboardPages() map[string]*template.Template {
	return parsePages(dashboardFS,
		"dashboard.html", "dashboard_notfound.html", "dashboard_search.html",
		"dashboard_trades.html", "dashboard_trade.html",
		"dashboard_authorders.html", "dashboard_authorder.html",
		"dashboard_intl_payments.html", "dashboard_intl_payment.html",
		"dashboard_buyers.html", "dashboard_apps.html", "dashboard_app.html",
		"dashboard_notifications.html", "dashboard_notification.html",
		"dashboard_ledger.html",
		"dashboard_requests.html", "dashboard_request.html",
	)
}

// routePages routes the dashboard's pages (GET, signed in) and forms
// (POST, signed in, with the session's CSRF token; each redirects back
// with a flash message).
func (d *dashboard) routePages() {
	get := func(pattern string, page func(http.ResponseWriter, *http.Request, *session)) {
		d.mux.HandleFunc("GET "+dashboardPath+pattern, d.authed(page))
	}
	post := func(pattern string, act func(r *http.Request) (back, msg string, err error)) {
		d.mux.HandleFunc("POST "+dashboardPath+pattern, d.action(act))
	}
	get("search", d.searchPage)
	get("trades", d.tradesPage)
	get("trades/{trade_no}", d.tradePage)
	get("trades/{trade_no}/qr.png", d.tradeQRImage)
	post("trades/{trade_no}/buyer", d.tradeBuyerAction)
	get("fund-auth", d.authOrdersPage)
	get("fund-auth/{auth_no}", d.authOrderPage)
	post("fund-auth/{auth_no}/buyer", d.authOrderBuyerAction)
	get("intl", d.intlPaymentsPage)
	get("intl/{acquirement_id}", d.intlPaymentPage)
	post("intl/{acquirement_id}/buyer", d.intlBuyerAction)
	get("buyers", d.buyersPage)
	post("buyers", d.createBuyerAction)
	post("buyers/{user_id}/top-up", d.topUpAction)
	post("buyers/{user_id}/restrict", d.restrictAction)
	get("apps", d.appsPage)
	get("apps/{app_id}", d.appPage)
	post("apps/{app_id}/clock", d.clockAction)
	post("apps/{app_id}/faults", d.addFaultAction)
	post("apps/{app_id}/faults/clear", d.clearFaultsAction)
	post("apps/{app_id}/faults/{id}/delete", d.deleteFaultAction)
	get("notifications", d.notificationsPage)
	get("notifications/{id}", d.notificationPage)
	post("notifications/{id}/replay", d.replayAction)
	get("ledger", d.ledgerPage)
}

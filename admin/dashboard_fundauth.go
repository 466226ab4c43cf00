package admin

import (
	"context"
	"net/http"
	"net/url"

	"github.com/zfbpay/zfb"
)

// listLimitPerApp is how many fund-auth orders or intl payments a list
// shows per app, newest first.
const listLimitPerApp = 100

// appListPage shows in template tmpl, as .Items, the rows list gives of
// one app (?app_id=) or of each (at most listLimitPerApp each, in the apps'
// order), with the filter's choices as .Apps and .AppID. what names the
// rows when list fails.
func appListPage[T any](d *dashboard, w http.ResponseWriter, r *http.Request, s *session,
	list func(context.Context, string, int) ([]T, error), what, tmpl, title, nav string) {
	appID, apps, all, err := d.appFilter(r)
	if err != nil {
		d.fail(w, r, "apps", err)
		return
	}
	data := struct {
		Apps  []*zfb.App
		AppID string
		Items []T
	}{Apps: all, AppID: appID}
	for _, a := range apps {
		got, err := list(r.Context(), a.ID, listLimitPerApp)
		if err != nil {
			d.fail(w, r, what, err)
			return
		}
		data.Items = append(data.Items, got...)
	}
	d.show(w, r, s, tmpl, title, nav, data)
}

// appFilter reads ?app_id= and the apps to list (that one, or all), and
// returns every app as well, for the filter's choices.
func (d *dashboard) appFilter(r *http.Request) (appID string, apps, all []*zfb.App, err error) {
	if all, err = d.svc.Apps(r.Context()); err != nil {
		return "", nil, nil, err
	}
	appID = r.URL.Query().Get("app_id")
	if appID == "" {
		return "", all, all, nil
	}
	for _, a := range all {
		if a.ID == appID {
			return appID, []*zfb.App{a}, all, nil
		}
	}
	return appID, nil, all, nil
}

// authOrdersPage lists the fund authorisation orders of one app
// (?app_id=) or of each, newest first.
func (d *dashboard) authOrdersPage(w http.ResponseWriter, r *http.Request, s *session) {
	appListPage(d, w, r, s, d.svc.AuthOrders, "fund auth orders", "dashboard_authorders.html", "Fund authorisation", "fundauth")
}

// authOrderPage shows an order with its operations, transfers and
// notifications, and the buyer's actions while it waits for them.
func (d *dashboard) authOrderPage(w http.ResponseWriter, r *http.Request, s *session) {
	authNo := r.PathValue("auth_no")
	detail, err := d.svc.AuthOrder(r.Context(), authNo)
	if err != nil {
		d.pageError(w, r, s, "fund authorisation order "+authNo, err)
		return
	}
	data := struct {
		Order      *zfb.AuthOrder
		Operations []*zfb.AuthOperation
		moneyTrail
		Waiting bool
		Buyers  []*zfb.Buyer
	}{Order: detail.Order, Operations: detail.Operations, Waiting: detail.Order.Status == zfb.AuthOrderInit}
	var what string
	if data.moneyTrail, what, err = d.moneyTrail(r, detail.Order.AppID, authNo); err != nil {
		d.fail(w, r, what, err)
		return
	}
	if data.Waiting && detail.Order.PayerUserID == "" {
		if data.Buyers, err = d.svc.Buyers(r.Context()); err != nil {
			d.fail(w, r, "buyers", err)
			return
		}
	}
	d.show(w, r, s, "dashboard_authorder.html", "Fund authorisation "+authNo, "fundauth", data)
}

// authOrderBuyerAction plays the buyer on a waiting order: action
// authorize or decline, and for a voucher nobody has scanned the buyer_id.
func (d *dashboard) authOrderBuyerAction(r *http.Request) (string, string, error) {
	authNo := r.PathValue("auth_no")
	back := dashboardPath + "fund-auth/" + url.PathEscape(authNo)
	action := r.PostForm.Get("action")
	detail, err := d.svc.ActOnAuthorization(r.Context(), authNo, action, r.PostForm.Get("buyer_id"))
	if err != nil {
		return back, "", err
	}
	return back, "The buyer did " + action + ": the order is " + string(detail.Order.Status) + ".", nil
}

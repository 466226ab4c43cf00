package admin

import (
	"net/http"
	"net/url"

	"github.com/zfbpay/zfb"
)

// intlPaymentsPage lists the international payments of one app
// (?app_id=) or of each, newest first.
func (d *dashboard) intlPaymentsPage(w http.ResponseWriter, r *http.Request, s *session) {
	appListPage(d, w, r, s, d.svc.IntlPayments, "intl payments", "dashboard_intl_payments.html", "International payments", "intl")
}

// intlPaymentPage shows a payment with its refunds, transfers and
// notifications, and the buyer's actions while it waits for them.
func (d *dashboard) intlPaymentPage(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("acquirement_id")
	p, refunds, err := d.svc.IntlPaymentView(r.Context(), id)
	if err != nil {
		d.pageError(w, r, s, "international payment "+id, err)
		return
	}
	data := struct {
		Payment *zfb.IntlPayment
		Refunds []*zfb.IntlRefund
		moneyTrail
		Waiting bool
	}{Payment: p, Refunds: refunds, Waiting: p.Status == zfb.IntlPaymentInit}
	var what string
	if data.moneyTrail, what, err = d.moneyTrail(r, p.AppID, id); err != nil {
		d.fail(w, r, what, err)
		return
	}
	d.show(w, r, s, "dashboard_intl_payment.html", "International payment "+id, "intl", data)
}

// intlBuyerAction plays the buyer on a waiting payment: pay or decline.
func (d *dashboard) intlBuyerAction(r *http.Request) (string, string, error) {
	id := r.PathValue("acquirement_id")
	back := dashboardPath + "intl/" + url.PathEscape(id)
	action := r.PostForm.Get("action")
	p, err := d.svc.ActOnIntlPayment(r.Context(), id, action)
	if err != nil {
		return back, "", err
	}
	return back, "The buyer did " + action + ": the payment is " + string(p.Status) + ".", nil
}

package admin

import (
	"net/http"
	"strings"

	"github.com/zfbpay/zfb"
)

// buyersPage lists buyers (?q= keeps those whose user_id or logon_id is q
// or starts with it; ?reveal= shows one payment code), with forms to
// create one, top one up, and restrict one or lift the restriction.
func (d *dashboard) buyersPage(w http.ResponseWriter, r *http.Request, s *session) {
	buyers, err := d.svc.Buyers(r.Context())
	if err != nil {
		d.fail(w, r, "buyers", err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q != "" {
		var kept []*zfb.Buyer
		for _, b := range buyers {
			if strings.HasPrefix(b.UserID, q) || strings.HasPrefix(b.LogonID, q) {
				kept = append(kept, b)
			}
		}
		buyers = kept
	}
	data := struct {
		Buyers     []buyerRow
		RevealBase string
		Q          string
		Behaviours []string
		Actions    bool
	}{Buyers: d.buyerRows(r, buyers), RevealBase: dashboardPath + "buyers", Q: q,
		Behaviours: []string{zfb.BehaviourPays, zfb.BehaviourPassword, zfb.BehaviourPoor}, Actions: true}
	d.show(w, r, s, "dashboard_buyers.html", "Buyers", "buyers", data)
}

const buyersBack = dashboardPath + "buyers"

// createBuyerAction creates a buyer from the form's behaviour, balance and
// optional logon_id.
func (d *dashboard) createBuyerAction(r *http.Request) (string, string, error) {
	f := r.PostForm
	b, err := newBuyer{Behaviour: f.Get("behaviour"), Balance: strings.TrimSpace(f.Get("balance")), LogonID: strings.TrimSpace(f.Get("logon_id"))}.create(r.Context(), d.svc)
	if err != nil {
		return buyersBack, "", err
	}
	return buyersBack + "?q=" + b.UserID, "Buyer " + b.UserID + " created (" + b.Behaviour + ", " + zfb.FormatAmount(b.Balance) + " CNY).", nil
}

// topUpAction adds the form's amount to a buyer's balance.
func (d *dashboard) topUpAction(r *http.Request) (string, string, error) {
	amount, err := zfb.ParseAmount(strings.TrimSpace(r.PostForm.Get("amount")))
	if err != nil || amount <= 0 {
		return buyersBack, "", formError("The amount must be above zero, like 100.00.")
	}
	b, err := d.svc.TopUpBuyer(r.Context(), r.PathValue("user_id"), amount)
	if err != nil {
		return buyersBack, "", err
	}
	return buyersBack, "Buyer " + b.UserID + " topped up by " + zfb.FormatAmount(amount) + ": balance " + zfb.FormatAmount(b.Balance) + " CNY.", nil
}

// restrictAction restricts a buyer (restricted=true) or lifts it (false).
func (d *dashboard) restrictAction(r *http.Request) (string, string, error) {
	userID := r.PathValue("user_id")
	restricted := r.PostForm.Get("restricted") == "true"
	if err := d.svc.RestrictBuyer(r.Context(), userID, restricted); err != nil {
		return buyersBack, "", err
	}
	if restricted {
		return buyersBack, "Buyer " + userID + " is restricted: they can neither pay nor freeze.", nil
	}
	return buyersBack, "Buyer " + userID + " is no longer restricted.", nil
}

package admin

import (
	"net/http"

	"github.com/zfbpay/zfb"
)

// accountGroup is the ledger accounts of one kind.
type accountGroup struct {
	Kind     string
	Accounts []*zfb.Account
}

// ledgerPage shows the ledger's accounts with their balances, by kind, and
// the (cached) invariant check.
func (d *dashboard) ledgerPage(w http.ResponseWriter, r *http.Request, s *session) {
	accounts, err := d.svc.Accounts(r.Context(), "")
	if err != nil {
		d.fail(w, r, "accounts", err)
		return
	}
	var groups []accountGroup
	for _, a := range accounts {
		if len(groups) == 0 || groups[len(groups)-1].Kind != a.Kind {
			groups = append(groups, accountGroup{Kind: a.Kind})
		}
		g := &groups[len(groups)-1]
		g.Accounts = append(g.Accounts, a)
	}
	data := struct {
		Groups []accountGroup
		Ledger ledgerView
	}{groups, d.ledgerView(r)}
	d.show(w, r, s, "dashboard_ledger.html", "Ledger", "ledger", data)
}

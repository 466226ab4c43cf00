package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zfbpay/zfb"
)

// hit is one object a search found.
type hit struct {
	Kind, Number, Detail, Link string
}

// searchPage finds any number: a trade_no, out_trade_no, auth_no,
// out_order_no, acquirementId, merchantTransId, user_id or logon_id (and
// trades whose numbers start with it). One hit goes straight to its page;
// several are listed.
func (d *dashboard) searchPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		d.show(w, r, s, "dashboard_search.html", "Search", "", struct {
			Q    string
			Hits []hit
		}{})
		return
	}
	hits, err := d.search(r, q)
	if err != nil {
		d.fail(w, r, "search", err)
		return
	}
	if len(hits) == 1 {
		http.Redirect(w, r, hits[0].Link, http.StatusSeeOther)
		return
	}
	d.show(w, r, s, "dashboard_search.html", "Search: "+q, "", struct {
		Q    string
		Hits []hit
	}{q, hits})
}

// found drops ErrNotFound: a search that finds nothing of a kind goes on.
func found(err error) (bool, error) {
	if errors.Is(err, zfb.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (d *dashboard) search(r *http.Request, q string) ([]hit, error) {
	ctx := r.Context()
	var hits []hit
	seen := map[string]bool{}
	add := func(h hit) {
		if !seen[h.Link] {
			seen[h.Link] = true
			hits = append(hits, h)
		}
	}
	trade := func(t *zfb.Trade) {
		add(hit{"trade", t.TradeNo, "out_trade_no " + t.OutTradeNo + " · " + string(t.Status) + " · " + zfb.FormatAmount(t.TotalAmount) + " CNY", dashboardPath + "trades/" + url.PathEscape(t.TradeNo)})
	}
	order := func(o *zfb.AuthOrder) {
		add(hit{"fund authorisation", o.AuthNo, "out_order_no " + o.OutOrderNo + " · " + string(o.Status), dashboardPath + "fund-auth/" + url.PathEscape(o.AuthNo)})
	}
	payment := func(p *zfb.IntlPayment) {
		add(hit{"intl payment", p.AcquirementID, "merchantTransId " + p.MerchantTransID + " · " + string(p.Status), dashboardPath + "intl/" + url.PathEscape(p.AcquirementID)})
	}
	// Numbers Alipay gives, unique in the whole gateway.
	if o, err := d.svc.AuthOrder(ctx, q); err == nil {
		order(o.Order)
	} else if _, err := found(err); err != nil {
		return nil, err
	}
	if p, _, err := d.svc.IntlPaymentView(ctx, q); err == nil {
		payment(p)
	} else if _, err := found(err); err != nil {
		return nil, err
	}
	// Merchants' numbers, unique per app.
	apps, err := d.svc.Apps(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		if o, err := d.svc.AuthOrderByOutOrderNo(ctx, a.ID, q); err == nil {
			order(o.Order)
		} else if _, err := found(err); err != nil {
			return nil, err
		}
		if p, _, err := d.svc.IntlPaymentByMerchantTransID(ctx, a.ID, q); err == nil {
			payment(p)
		} else if _, err := found(err); err != nil {
			return nil, err
		}
	}
	// Trades by trade_no or out_trade_no, whole or their start.
	page, err := d.svc.Trades(ctx, "", "", q, nil, 50)
	if err != nil {
		return nil, err
	}
	for _, t := range page.Trades {
		trade(t)
	}
	// Buyers by user_id, logon_id or payment code (the hit's link names
	// the user_id, not the code).
	buyers, err := d.svc.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.UserID == q || b.LogonID == q || b.PaymentCode == q {
			add(hit{"buyer", b.UserID, b.LogonID + " · " + zfb.FormatAmount(b.Balance) + " CNY", dashboardPath + "buyers?q=" + url.QueryEscape(b.UserID)})
		}
	}
	return hits, nil
}

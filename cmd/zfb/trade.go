package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/zfbpay/zfb/admin/client"
)

// trade runs `zfb trade show|pay|decline|scan`: a trade, and the buyer's
// actions on it, over the admin API.
func (e environment) trade(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb trade", command{
		usage: "zfb trade show TRADE_NO | zfb trade show --out-trade-no N [--app-id ID]\n" +
			"zfb trade pay|decline|scan TRADE_NO [--buyer USER_ID]",
		about: "Shows a trade, or acts as its buyer: pay confirms a payment waiting for the buyer (a password buyer),\n" +
			"decline refuses it, scan scans a precreated QR code (the first pays buyer, or --buyer).",
	})
	r := e.remoteFlags(fs)
	appID := fs.String("app-id", "", "the app of --out-trade-no (default: the first app of sandbox.json)")
	outTradeNo := fs.String("out-trade-no", "", "show the app's trade with this out_trade_no")
	buyer := fs.String("buyer", "", "the buyer's user_id (scan: who scans; pay: must be the trade's buyer)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	want := map[string]int{"show": -1, "pay": 1, "decline": 1, "scan": 1}
	sub, rest, err := e.subcommand(fs, want)
	if err != nil {
		return err
	}
	if sub == "show" && (len(rest) == 1) == (*outTradeNo != "") {
		return e.usageError(fs, "show takes a TRADE_NO or --out-trade-no, one of them")
	}
	c, err := r.admin()
	if err != nil {
		return err
	}
	var t *client.Trade
	switch sub {
	case "show":
		if len(rest) == 1 {
			t, err = c.Trade(ctx, rest[0])
			break
		}
		var app string
		if app, err = r.appID(ctx, c, *appID); err == nil {
			t, err = c.TradeByOutTradeNo(ctx, app, *outTradeNo)
		}
	default:
		t, err = c.ActAsBuyer(ctx, rest[0], sub, *buyer)
	}
	if err != nil {
		return err
	}
	return e.print(r, t, func(w io.Writer) { writeTrade(w, t) })
}

func writeTrade(w io.Writer, t *client.Trade) {
	at := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.Format(time.DateTime)
	}
	fmt.Fprintf(w, "trade_no\t%s\n", t.TradeNo)
	fmt.Fprintf(w, "app_id\t%s\n", t.AppID)
	fmt.Fprintf(w, "out_trade_no\t%s\n", t.OutTradeNo)
	fmt.Fprintf(w, "kind\t%s\n", t.Kind)
	fmt.Fprintf(w, "trade_status\t%s\n", t.TradeStatus)
	fmt.Fprintf(w, "total_amount\t%s\n", t.TotalAmount)
	fmt.Fprintf(w, "refunded_amount\t%s\n", t.RefundedAmount)
	fmt.Fprintf(w, "subject\t%s\n", t.Subject)
	fmt.Fprintf(w, "buyer_id\t%s\n", orDash(t.BuyerID))
	if t.QRCode != "" {
		fmt.Fprintf(w, "qr_code\t%s (scanned: %v)\n", t.QRCode, t.Scanned)
	}
	fmt.Fprintf(w, "created_at\t%s\n", t.CreatedAt.Format(time.DateTime))
	fmt.Fprintf(w, "expires_at\t%s\n", at(t.ExpiresAt))
	fmt.Fprintf(w, "paid_at\t%s\n", at(t.PaidAt))
	fmt.Fprintf(w, "closed_at\t%s\n", at(t.ClosedAt))
}

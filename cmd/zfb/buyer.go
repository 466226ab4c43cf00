package main

import (
	"context"
	"fmt"
	"io"

	"github.com/zfbpay/zfb/admin/client"
)

// buyer runs `zfb buyer list|show|create|restrict|unrestrict|top-up` over
// the admin API.
func (e environment) buyer(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb buyer", command{
		usage: "zfb buyer list\nzfb buyer show USER_ID\n" +
			"zfb buyer create [--behaviour pays|password|poor] [--balance 100.00] [--user-id …] [--logon-id …] [--payment-code …]\n" +
			"zfb buyer restrict|unrestrict USER_ID\nzfb buyer top-up USER_ID AMOUNT",
		about: "Sandbox buyers: pays pays at once, password makes pay answer 10003 and wait for the buyer, poor has too\n" +
			"little money. A restricted buyer can neither pay nor have funds frozen or released. top-up adds AMOUNT\n" +
			"(\"50.00\") to a buyer's balance.",
	})
	r := e.remoteFlags(fs)
	behaviour := fs.String("behaviour", "pays", "create: pays, password or poor")
	balance := fs.String("balance", "100000.00", "create: the opening balance")
	userID := fs.String("user-id", "", "create: the user_id, 2088 and 12 digits (default: generated)")
	logonID := fs.String("logon-id", "", "create: the logon_id (default: generated)")
	paymentCode := fs.String("payment-code", "", "create: the payment code, 28 and 16 digits (default: generated)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	sub, rest, err := e.subcommand(fs, map[string]int{"list": 0, "show": 1, "create": 0, "restrict": 1, "unrestrict": 1, "top-up": 2})
	if err != nil {
		return err
	}
	c, err := r.admin()
	if err != nil {
		return err
	}
	if sub == "list" {
		buyers, err := c.Buyers(ctx)
		if err != nil {
			return err
		}
		return e.print(r, map[string]any{"buyers": buyers}, func(w io.Writer) {
			fmt.Fprintln(w, "USER_ID\tBEHAVIOUR\tBALANCE\tRESTRICTED\tLOGON_ID\tPAYMENT_CODE")
			for _, b := range buyers {
				fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\t%s\n", b.UserID, b.Behaviour, b.Balance, b.Restricted, b.LogonID, b.PaymentCode)
			}
		})
	}
	var b *client.Buyer
	switch sub {
	case "show":
		b, err = c.Buyer(ctx, rest[0])
	case "create":
		b, err = c.CreateBuyer(ctx, client.NewBuyer{Behaviour: *behaviour, Balance: *balance, UserID: *userID, LogonID: *logonID, PaymentCode: *paymentCode})
	case "restrict", "unrestrict":
		b, err = c.RestrictBuyer(ctx, rest[0], sub == "restrict")
	case "top-up":
		b, err = c.TopUp(ctx, rest[0], rest[1])
	}
	if err != nil {
		return err
	}
	return e.print(r, b, func(w io.Writer) {
		fmt.Fprintf(w, "user_id\t%s\nlogon_id\t%s\nbehaviour\t%s\nbalance\t%s\nrestricted\t%v\npayment_code\t%s\n",
			b.UserID, b.LogonID, b.Behaviour, b.Balance, b.Restricted, b.PaymentCode)
		for app, openID := range sortedFields(b.OpenIDs) {
			fmt.Fprintf(w, "open_id in %s\t%s\n", app, openID)
		}
	})
}

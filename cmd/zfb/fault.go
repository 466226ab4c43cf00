package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/zfbpay/zfb/admin/client"
)

// fault runs `zfb fault list|add|clear|delete` over the admin API.
func (e environment) fault(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb fault", command{
		usage: "zfb fault list [--app-id ID]\n" +
			"zfb fault add --method M [--out-trade-no PATTERN] [--effect error_before|error_after|delay] [--delay 3s] [--sub-code C] [--app-id ID]\n" +
			"zfb fault clear [--app-id ID]\nzfb fault delete ID [--app-id ID]",
		about: "Fault rules make an app's gateway calls fail on purpose, to exercise unknown results: error_before\n" +
			"(nothing happens), error_after (the work commits, the answer is a system error), delay (the work commits,\n" +
			"the answer comes --delay late; it must be shorter than the server's write timeout, 60s). --sub-code is\n" +
			"isp.unknow-error (20000, the default), ACQ.SYSTEM_ERROR or SYSTEM_ERROR (40004). The --out-trade-no\n" +
			"pattern (T-*) also matches a fund authorisation call's out_order_no or out_request_no.",
	})
	r := e.remoteFlags(fs)
	appID := fs.String("app-id", "", "the app (default: the first app of sandbox.json)")
	method := fs.String("method", "", "add: the API, e.g. alipay.trade.pay")
	pattern := fs.String("out-trade-no", "", "add: a pattern of the calls' merchant numbers, e.g. T-* (default: any)")
	effect := fs.String("effect", "", "add: error_before, error_after or delay (default: delay with --delay, else error_before)")
	delay := fs.Duration("delay", 0, "add: how late a delay answers, e.g. 3s")
	subCode := fs.String("sub-code", "", "add: the system error's sub_code (default isp.unknow-error)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	sub, rest, err := e.subcommand(fs, map[string]int{"list": 0, "add": 0, "clear": 0, "delete": 1})
	if err != nil {
		return err
	}
	var id int64
	switch {
	case sub == "add" && *method == "":
		return e.usageError(fs, "add needs --method")
	case sub == "add" && *effect == "":
		*effect = client.FaultErrorBefore
		if *delay > 0 {
			*effect = client.FaultDelay
		}
	case sub == "delete":
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
			return e.usageError(fs, "%q is not a fault rule's id", rest[0])
		}
	}
	c, err := r.admin()
	if err != nil {
		return err
	}
	app, err := r.appID(ctx, c, *appID)
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		faults, err := c.Faults(ctx, app)
		if err != nil {
			return err
		}
		return e.print(r, map[string]any{"faults": faults}, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tMETHOD\tOUT_TRADE_NO\tEFFECT\tDELAY\tSUB_CODE")
			for _, f := range faults {
				writeFault(w, f)
			}
		})
	case "add":
		f, err := c.AddFault(ctx, app, client.FaultRule{Method: *method, OutTradeNo: *pattern, Effect: *effect, DelayMS: int(delay.Milliseconds()), SubCode: *subCode})
		if err != nil {
			return err
		}
		return e.print(r, f, func(w io.Writer) {
			fmt.Fprintf(w, "added to app %s:\n", app)
			fmt.Fprintln(w, "ID\tMETHOD\tOUT_TRADE_NO\tEFFECT\tDELAY\tSUB_CODE")
			writeFault(w, *f)
		})
	case "clear":
		err = c.ClearFaults(ctx, app)
	case "delete":
		err = c.DeleteFault(ctx, app, id)
	}
	if err != nil {
		return err
	}
	done := map[string]any{"app_id": app, "cleared": sub == "clear"}
	if sub == "delete" {
		done = map[string]any{"app_id": app, "deleted": id}
	}
	return e.print(r, done, func(w io.Writer) {
		if sub == "clear" {
			fmt.Fprintf(w, "every fault rule of app %s deleted\n", app)
		} else {
			fmt.Fprintf(w, "fault rule %d of app %s deleted\n", id, app)
		}
	})
}

func writeFault(w io.Writer, f client.Fault) {
	d := "-"
	if f.DelayMS > 0 {
		d = (time.Duration(f.DelayMS) * time.Millisecond).String()
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Method, orDash(f.OutTradeNo), f.Effect, d, f.SubCode)
}

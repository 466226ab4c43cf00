package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/zfbpay/zfb/admin/client"
)

// clock runs `zfb clock show|advance DURATION|set TIME` over the admin API.
func (e environment) clock(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb clock", command{
		usage: "zfb clock show [--app-id ID]\nzfb clock advance DURATION [--app-id ID]\nzfb clock set TIME [--app-id ID]",
		about: "Shows or moves an app's clock (forward only). DURATION is a Go duration or whole days: 90m, 25h, 2d.\n" +
			"TIME is RFC 3339 (2026-11-24T10:00:00+08:00) or Beijing time as gateway.do writes it (\"2026-11-24 10:00:00\").\n" +
			"Trade time-outs, the cancel window and notification retries follow the app's clock.",
	})
	r := e.remoteFlags(fs)
	appID := fs.String("app-id", "", "the app (default: the first app of sandbox.json)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	sub, rest, err := e.subcommand(fs, map[string]int{"show": 0, "advance": 1, "set": 1})
	if err != nil {
		return err
	}
	var at time.Time
	if sub == "set" {
		if at, err = parseClockTime(rest[0]); err != nil {
			return e.usageError(fs, "%v", err)
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
	var clk *client.Clock
	switch sub {
	case "show":
		clk, err = c.Clock(ctx, app)
	case "advance":
		clk, err = c.AdvanceClock(ctx, app, rest[0])
	case "set":
		clk, err = c.SetClock(ctx, app, at)
	}
	if err != nil {
		return err
	}
	return e.print(r, clk, func(w io.Writer) {
		fmt.Fprintf(w, "app %s: %s (Beijing time), %s ahead of the wall clock\n", clk.AppID, clk.GatewayTime, clk.Offset)
	})
}

// beijing is UTC+8, the zone of gateway.do's times.
var beijing = time.FixedZone("CST", 8*60*60)

// parseClockTime reads RFC 3339, or gateway.do's Beijing time.
func parseClockTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, beijing); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give RFC 3339 (2026-11-24T10:00:00+08:00) or \"2026-11-24 10:00:00\" (Beijing time)", s)
}

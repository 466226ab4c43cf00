package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/zfbpay/zfb/admin/client"
)

// notify runs `zfb notify list|show|replay` over the admin API.
func (e environment) notify(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb notify", command{
		usage: "zfb notify list [--app-id ID]\nzfb notify show ID\nzfb notify replay ID",
		about: "Lists an app's asynchronous notifications, shows one with its fields and every send, or sends one again\n" +
			"now (replay), with the same notify_id, outside its schedule.",
	})
	r := e.remoteFlags(fs)
	appID := fs.String("app-id", "", "list: the app (default: the first app of sandbox.json)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	sub, rest, err := e.subcommand(fs, map[string]int{"list": 0, "show": 1, "replay": 1})
	if err != nil {
		return err
	}
	var id int64
	if len(rest) == 1 {
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
			return e.usageError(fs, "%q is not a notification's id", rest[0])
		}
	}
	c, err := r.admin()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		app, err := r.appID(ctx, c, *appID)
		if err != nil {
			return err
		}
		list, err := c.Notifications(ctx, app)
		if err != nil {
			return err
		}
		return e.print(r, map[string]any{"notifications": list}, func(w io.Writer) {
			fmt.Fprintln(w, "ID\tTYPE\tSTATE\tSENDS\tNOTIFY_ID\tURL")
			for _, n := range list {
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\n", n.ID, n.NotifyType, notificationState(&n), n.Attempts, n.NotifyID, n.URL)
			}
		})
	case "show":
		n, err := c.Notification(ctx, id)
		if err != nil {
			return err
		}
		return e.print(r, n, func(w io.Writer) { writeNotification(w, n) })
	}
	replay, err := c.ReplayNotification(ctx, id)
	if err != nil {
		return err
	}
	return e.print(r, replay, func(w io.Writer) {
		s := replay.Send
		result := fmt.Sprintf("HTTP %d, answer %q", s.StatusCode, s.Body)
		if s.Error != "" {
			result = s.Error
		}
		fmt.Fprintf(w, "notification %d (notify_id %s) sent again to %s: %s, acknowledged: %v, %.1f ms\n",
			id, replay.Notification.NotifyID, replay.Notification.URL, result, s.Acknowledged, s.LatencyMS)
	})
}

// notificationState is delivered, pending (with its next send) or given up.
func notificationState(n *client.Notification) string {
	switch {
	case n.DeliveredAt != nil:
		return "delivered"
	case n.NextAttempt != nil:
		return "next " + n.NextAttempt.Format(time.DateTime)
	}
	return "given up"
}

func writeNotification(w io.Writer, n *client.Notification) {
	fmt.Fprintf(w, "id\t%d\nnotify_type\t%s\nnotify_id\t%s\nurl\t%s\nstate\t%s\nlast_error\t%s\n",
		n.ID, n.NotifyType, n.NotifyID, n.URL, notificationState(n), orDash(n.LastError))
	for k, v := range sortedFields(n.Fields) {
		fmt.Fprintf(w, "field %s\t%s\n", k, v)
	}
	for _, s := range n.Sends {
		fmt.Fprintf(w, "send %d\t%s HTTP %d %q acknowledged=%v replay=%v %s\n", s.N, s.At.Format(time.DateTime), s.StatusCode, s.Body, s.Acknowledged, s.Replay, s.Error)
	}
}

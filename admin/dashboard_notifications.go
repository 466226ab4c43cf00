package admin

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/zfbpay/zfb"
)

// notificationsShown is how many notifications a list shows per app, the
// latest.
const notificationsShown = 200

// notificationsPage lists the notifications of one app (?app_id=) or of
// each, latest first, with their delivery state.
func (d *dashboard) notificationsPage(w http.ResponseWriter, r *http.Request, s *session) {
	appID, apps, all, err := d.appFilter(r)
	if err != nil {
		d.fail(w, r, "apps", err)
		return
	}
	data := struct {
		Apps          []*zfb.App
		AppID         string
		Notifications []notificationRow
	}{Apps: all, AppID: appID}
	for _, a := range apps {
		ms, err := d.svc.Notifications(r.Context(), a.ID)
		if err != nil {
			d.fail(w, r, "notifications", err)
			return
		}
		if len(ms) > notificationsShown {
			ms = ms[len(ms)-notificationsShown:]
		}
		for _, m := range slices.Backward(ms) {
			data.Notifications = append(data.Notifications, notificationRow{m, notificationState(m)})
		}
	}
	slices.SortStableFunc(data.Notifications, func(a, b notificationRow) int { return b.CreatedAt.Compare(a.CreatedAt) })
	d.show(w, r, s, "dashboard_notifications.html", "Notifications", "notifications", data)
}

// field is one business field of a notification.
type field struct{ Name, Value string }

// notificationPage shows a notification: its fields, its sends with the
// merchant's answers, a link to what it is about, and the Replay button.
func (d *dashboard) notificationPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		d.notFound(w, r, s, "notification "+r.PathValue("id"))
		return
	}
	m, attempts, err := d.svc.Notification(r.Context(), id)
	if err != nil {
		d.pageError(w, r, s, "notification "+r.PathValue("id"), err)
		return
	}
	var values map[string]string
	_ = json.Unmarshal([]byte(m.Payload), &values) // written by zfb as a JSON object of strings
	data := struct {
		Message   *zfb.OutboxMessage
		NotifyID  string
		State     string
		Fields    []field
		Attempts  []*zfb.OutboxAttempt
		About     string // the page of the object it reports
		CanReplay bool
	}{Message: m, NotifyID: m.NotifyID(), State: notificationState(m), Attempts: attempts, CanReplay: d.replayer != nil}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		data.Fields = append(data.Fields, field{k, values[k]})
	}
	switch {
	case values["auth_no"] != "" && values["trade_no"] == "":
		data.About = dashboardPath + "fund-auth/" + values["auth_no"]
	case values["trade_no"] != "":
		data.About = dashboardPath + "trades/" + values["trade_no"]
	case values["acquirementId"] != "":
		data.About = dashboardPath + "intl/" + values["acquirementId"]
	}
	d.show(w, r, s, "dashboard_notification.html", "Notification "+r.PathValue("id"), "notifications", data)
}

// replayAction sends a notification again now, with the same notify_id,
// through the dispatcher, as the admin API's replay does.
func (d *dashboard) replayAction(r *http.Request) (string, string, error) {
	back := dashboardPath + "notifications/" + r.PathValue("id")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return back, "", zfb.ErrNotFound
	}
	if d.replayer == nil {
		return back, "", formError("This zfb sends no notifications: there is no dispatcher to replay through.")
	}
	a, err := d.replayer.Replay(r.Context(), id)
	if err != nil {
		return back, "", err
	}
	switch {
	case a.Acknowledged:
		return back, "Replayed (send " + strconv.Itoa(a.N) + "): the merchant answered success.", nil
	case a.Error != "":
		return back, "", formError("Replayed (send " + strconv.Itoa(a.N) + "), but the send failed: " + a.Error)
	}
	return back, "", formError("Replayed (send " + strconv.Itoa(a.N) + "): the merchant answered HTTP " + strconv.Itoa(a.StatusCode) + " without success.")
}

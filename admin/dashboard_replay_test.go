package admin_test

import (
	"context"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestDashboardReplay replays a notification from its page on a whole zfb
// (server.Handler with its dispatcher, reached through a loopback proxy):
// the merchant gets it again with the same notify_id, and the page lists
// the send as a replay. A form without the CSRF token sends nothing.
func TestDashboardReplay(t *testing.T) {
	zsrv := zfbtest.NewServer(t)
	rc := zfbtest.NewReceiver(t)
	ctx := context.Background()
	svc := zsrv.Service
	appID := zsrv.App().AppID
	if err := svc.SetAppNotifyURL(ctx, appID, rc.URL); err != nil {
		t.Fatal(err)
	}
	app, err := svc.App(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := svc.AppNow(ctx, appID)
	if _, err := svc.Pay(ctx, app, now, zfb.PayCommand{OutTradeNo: "REPLAY-1", TotalAmount: "1.00", Subject: "x",
		AuthCode: zsrv.Buyer(t, zfb.BehaviourPays).PaymentCode}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(n int) []zfbtest.Received {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if got := rc.All(); len(got) >= n {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("notification %d did not arrive", n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	first := waitFor(1)[0]
	ms, err := svc.Notifications(ctx, appID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("notifications: %v %d", err, len(ms))
	}
	id := itoa(ms[0].ID)

	target, _ := url.Parse(zsrv.URL)
	e := serveDashboard(t, false, svc, nil, zsrv.Sandbox.AdminToken, httputil.NewSingleHostReverseProxy(target))
	c, csrf := e.signedIn()
	page := "/dashboard/notifications/" + id
	e.page(c, page, `id="replay-button"`, "REPLAY-1", `href="/dashboard/trades/`)

	e.wantRefused(c, page+"/replay", withCSRF(csrf))
	time.Sleep(50 * time.Millisecond)
	if n := len(rc.All()); n != 1 {
		t.Fatalf("a refused replay sent: %d notifications", n)
	}
	body := e.act(c, page+"/replay", withCSRF(csrf), page)
	if !strings.Contains(body, "merchant answered success") || !strings.Contains(body, ">replay<") {
		t.Errorf("the page after replaying:\n%s", body)
	}
	second := waitFor(2)[1]
	if second.Form.Get("notify_id") != first.Form.Get("notify_id") || second.Form.Get("out_trade_no") != "REPLAY-1" {
		t.Errorf("replayed notify_id %q out_trade_no %q, first notify_id %q", second.Form.Get("notify_id"), second.Form.Get("out_trade_no"), first.Form.Get("notify_id"))
	}
	_, attempts, err := svc.Notification(ctx, ms[0].ID)
	if err != nil || len(attempts) != 2 || !attempts[1].Replay || !attempts[1].Acknowledged {
		t.Fatalf("attempts after replay: %v %+v", err, attempts)
	}
}

// TestDashboardReplayWithoutDispatcher: a dashboard with no dispatcher
// offers no Replay button and refuses the form plainly.
func TestDashboardReplayWithoutDispatcher(t *testing.T) {
	e := newDashboard(t, false)
	d := makeDashData(t, e)
	ms, err := e.svc.Notifications(context.Background(), d.app.ID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("notifications: %v", err)
	}
	c, csrf := e.signedIn()
	page := "/dashboard/notifications/" + itoa(ms[0].ID)
	if body := e.page(c, page, "cannot replay"); strings.Contains(body, `id="replay-button"`) {
		t.Error("a Replay button without a dispatcher")
	}
	if body := e.act(c, page+"/replay", withCSRF(csrf), page); !strings.Contains(body, `class="notice bad"`) {
		t.Error("replaying without a dispatcher: no error shown")
	}
}

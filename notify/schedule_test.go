package notify_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/notify"
)

// advance moves the app's clock by d: the wall clock on even steps, the
// app's own offset (as the admin API does) on odd ones, so that both move
// the schedule.
func (e *env) advance(step int, d time.Duration) {
	e.t.Helper()
	if step%2 == 0 {
		e.clock.Advance(d)
		return
	}
	if _, err := e.svc.AdvanceClock(e.t.Context(), e.app.ID, d); err != nil {
		e.t.Fatal(err)
	}
}

// A receiver that never acknowledges gets the notification 8 times, each
// retry exactly when Alipay's schedule says on the app's clock, never
// before, with one notify_id; then no more.
func TestRetrySchedule(t *testing.T) {
	e := newEnv(t, "")
	rc := newReceiver(t, answering("fail"))
	m := e.enqueue(zfb.NotifyFundAuthUnfreeze, rc.URL, map[string]string{"auth_no": "A1", "operation_type": "UNFREEZE"})
	// Polling once an hour: only Kick and finished sends make it look.
	d, _ := e.start(e.svc, notify.WithPollInterval(time.Hour))
	waitFor(t, "the first send", func() bool { return rc.count() == 1 })
	e.waitAttempts(m.ID, 1)

	for i, delay := range zfb.NotifyRetryDelays {
		e.advance(i, delay-time.Second)
		d.Kick()
		time.Sleep(quiet)
		if n := rc.count(); n != i+1 {
			t.Fatalf("send %d came %v early", n, time.Second)
		}
		e.advance(i+1, time.Second)
		d.Kick()
		waitFor(t, "the next send", func() bool { return rc.count() == i+2 })
		e.waitAttempts(m.ID, i+2)
	}

	e.advance(0, 72*time.Hour)
	d.Kick()
	time.Sleep(quiet)
	if n := rc.count(); n != zfb.MaxNotifyAttempts {
		t.Fatalf("%d sends, want %d", n, zfb.MaxNotifyAttempts)
	}
	got, as := e.message(m.ID)
	if got.Attempts != zfb.MaxNotifyAttempts || got.DeliveredAt != nil || got.LastError == "" {
		t.Errorf("message %+v", got)
	}
	if len(as) != zfb.MaxNotifyAttempts {
		t.Fatalf("%d attempts recorded", len(as))
	}
	for i, a := range as {
		if a.N != i+1 || a.Acknowledged || a.StatusCode != 200 || a.Body != "fail" || a.Replay {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
		if i > 0 {
			if gap := a.At.Sub(as[i-1].At); gap != zfb.NotifyRetryDelays[i-1] {
				t.Errorf("attempt %d came %v after the one before, want %v", i+1, gap, zfb.NotifyRetryDelays[i-1])
			}
		}
	}
	for i, r := range rc.requests() {
		if id := r.form.Get("notify_id"); id != m.NotifyID() {
			t.Errorf("send %d: notify_id %q, want %q", i+1, id, m.NotifyID())
		}
		if nt, want := r.form.Get("notify_time"), zfb.FormatGatewayTime(as[i].At); nt != want {
			t.Errorf("send %d: notify_time %q, want %q", i+1, nt, want)
		}
	}
}

func TestReplay(t *testing.T) {
	e := newEnv(t, "")
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.Write([]byte("fail"))
			return
		}
		w.Write([]byte("success"))
	})
	m := e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app))
	d, _ := e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	before, _ := e.waitAttempts(m.ID, 1)

	e.clock.Advance(time.Minute) // not due yet: the retry is at 4m
	a, err := d.Replay(t.Context(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Replay || a.N != 2 || !a.Acknowledged || a.StatusCode != 200 || !a.At.Equal(e.clock.Now()) {
		t.Errorf("replay %+v", a)
	}
	reqs := rc.requests()
	if len(reqs) != 2 || reqs[1].form.Get("notify_id") != m.NotifyID() || reqs[0].form.Get("notify_id") != m.NotifyID() {
		t.Fatalf("%d requests; notify_id of the replay %q, want %q", len(reqs), reqs[len(reqs)-1].form.Get("notify_id"), m.NotifyID())
	}
	if reqs[1].form.Get("notify_time") == reqs[0].form.Get("notify_time") {
		t.Error("the replay's notify_time is the first send's")
	}
	got, as := e.message(m.ID)
	if got.Attempts != 1 || !got.NextAttempt.Equal(before.NextAttempt) || got.DeliveredAt == nil {
		t.Errorf("after the replay: %+v (before: %+v)", got, before)
	}
	if len(as) != 2 || as[0].Replay || !as[1].Replay || !as[1].Acknowledged {
		t.Errorf("attempts %+v %+v", as[0], as[1])
	}

	// Delivered by the replay: the scheduled retry does not happen.
	e.clock.Advance(10 * time.Minute)
	d.Kick()
	time.Sleep(quiet)
	if n := rc.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}

	if _, err := d.Replay(t.Context(), m.ID+1000); !isNotFound(err) {
		t.Errorf("replay of no message: %v", err)
	}
}

// A dispatcher stopped between sends and a new one started on the same
// SQLite file, as after a restart, carries on with the next send when due.
func TestRestartCarriesOn(t *testing.T) {
	e := newEnv(t, "")
	rc := newReceiver(t, answering("fail"))
	m := e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app))
	_, stop := e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	e.waitAttempts(m.ID, 1)
	stop()
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(2 * time.Minute) // while nobody runs
	e.open()
	d, _ := e.start(e.svc, notify.WithPollInterval(5*time.Millisecond))
	e.clock.Advance(2*time.Minute - time.Second)
	d.Kick()
	time.Sleep(quiet)
	if n := rc.count(); n != 1 {
		t.Fatalf("%d sends before the retry was due", n)
	}
	e.clock.Advance(time.Second)
	got, as := e.waitAttempts(m.ID, 2)
	if n := rc.count(); n != 2 || got.DeliveredAt != nil {
		t.Fatalf("%d sends; message %+v", n, got)
	}
	if gap := as[1].At.Sub(as[0].At); gap != 4*time.Minute || as[1].N != 2 {
		t.Errorf("the second send came %v after the first (N %d)", gap, as[1].N)
	}
	for _, r := range rc.requests() {
		if r.form.Get("notify_id") != m.NotifyID() {
			t.Errorf("notify_id %q, want %q", r.form.Get("notify_id"), m.NotifyID())
		}
	}
}

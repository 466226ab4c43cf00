package notify_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/storetest"
)

func TestConcurrencyBound(t *testing.T) {
	e := newEnv(t, "")
	var inflight, most atomic.Int64
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(50 * time.Millisecond)
		w.Write([]byte("success"))
	})
	var ms []*zfb.OutboxMessage
	for range 7 {
		ms = append(ms, e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app)))
	}
	e.start(e.svc, notify.WithPollInterval(5*time.Millisecond), notify.WithConcurrency(2))
	for _, m := range ms {
		e.waitAttempts(m.ID, 1)
	}
	if n := most.Load(); n != 2 {
		t.Errorf("at most %d sends at once, want 2", n)
	}
}

// Two dispatchers with their own owners deliver each of many messages
// exactly once.
func TestTwoDispatchers(t *testing.T) {
	t.Run("sqlite, one store", func(t *testing.T) {
		e := newEnv(t, "")
		exactlyOnce(t, e, e.svc, e.svc)
	})
	t.Run("postgres, two stores", func(t *testing.T) {
		e := newEnv(t, storetest.PostgresURL(t))
		first := e.svc
		e.open() // a second instance on the same database
		exactlyOnce(t, e, first, e.svc)
	})
}

func exactlyOnce(t *testing.T, e *env, a, b *zfb.Service) {
	const messages = 50
	var (
		mu  sync.Mutex
		per = map[string]int{}
	)
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		mu.Lock()
		per[r.PostFormValue("notify_id")]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		w.Write([]byte("success"))
	})
	var ms []*zfb.OutboxMessage
	for range messages / 2 {
		ms = append(ms, e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app)))
	}
	opts := []notify.Option{notify.WithPollInterval(2 * time.Millisecond), notify.WithConcurrency(4)}
	d1, _ := e.start(a, opts...)
	d2, _ := e.start(b, opts...)
	if d1.Owner() == d2.Owner() {
		t.Fatalf("both dispatchers are %q", d1.Owner())
	}
	for range messages - messages/2 { // more while they run
		ms = append(ms, e.enqueue("trade_status_sync", rc.URL, tradePayload(e.app)))
		d1.Kick()
		d2.Kick()
	}
	for _, m := range ms {
		got, as := e.waitAttempts(m.ID, 1)
		if got.DeliveredAt == nil || len(as) != 1 {
			t.Errorf("message %d: %+v, %d attempts", m.ID, got, len(as))
		}
	}
	time.Sleep(quiet) // any duplicate would be under way by now
	logs := e.logs.String()
	t.Logf("sends logged by %s: %d, by %s: %d", d1.Owner(), strings.Count(logs, "owner="+d1.Owner()),
		d2.Owner(), strings.Count(logs, "owner="+d2.Owner()))
	mu.Lock()
	defer mu.Unlock()
	if len(per) != messages {
		t.Errorf("%d notify_ids received, want %d", len(per), messages)
	}
	for _, m := range ms {
		if n := per[m.NotifyID()]; n != 1 {
			t.Errorf("message %d received %d times", m.ID, n)
		}
	}
}

package zfbtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// sendLog is a slog.Handler that counts the dispatchers' sends by the
// owner that made them (the "notify: sent" record carries the owner).
type sendLog struct {
	mu      *sync.Mutex
	byOwner map[string]int
}

func newSendLog() sendLog { return sendLog{mu: &sync.Mutex{}, byOwner: map[string]int{}} }

func (h sendLog) Enabled(context.Context, slog.Level) bool { return true }
func (h sendLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h sendLog) WithGroup(string) slog.Handler            { return h }

func (h sendLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "notify: sent" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "owner" {
			h.mu.Lock()
			h.byOwner[a.Value.String()]++
			h.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (h sendLog) count(owner string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byOwner[owner]
}

// TestNotifyTwoInstances: two zfb on one PostgreSQL database share the
// outbox. Every notification is delivered exactly once, and both
// dispatchers take part.
func TestNotifyTwoInstances(t *testing.T) {
	db := storetest.PostgresURL(t) // skips without PostgreSQL, fails so in CI
	log := newSendLog()
	opts := []zfbtest.Option{
		zfbtest.WithDatabase(db), zfbtest.WithLogger(slog.New(log)),
		// Poll often and send few at once, so that neither dispatcher
		// drains the outbox alone between the other's polls.
		zfbtest.WithNotifyOptions(notify.WithPollInterval(10*time.Millisecond), notify.WithConcurrency(2)),
	}
	one := zfbtest.NewServer(t, opts...)
	two := zfbtest.NewServer(t, opts...)
	if one.Sandbox.AdminToken != two.Sandbox.AdminToken || one.App().AppID != two.App().AppID ||
		one.App().AppPrivateKey != two.App().AppPrivateKey || len(one.Sandbox.Buyers) != len(two.Sandbox.Buyers) {
		t.Fatal("the second instance made a sandbox of its own")
	}
	if one.Dispatcher.Owner() == two.Dispatcher.Owner() {
		t.Fatal("both dispatchers lease as one owner")
	}
	app := one.App()
	rc := zfbtest.NewReceiver(t)
	clients := []*alipay.Client{client(t, one, app), client(t, two, app)}
	code := one.Buyer(t, zfb.BehaviourPays).PaymentCode

	const pays = 40
	var wg sync.WaitGroup
	errs := make(chan error, pays)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < pays; i += 4 {
				no := fmt.Sprintf("two-instances-%d", i)
				r, err := clients[i%2].TradePay(context.Background(), alipay.TradePay{
					NotifyURL: rc.URL, OutTradeNo: no, Scene: "bar_code", AuthCode: code, Subject: "x", TotalAmount: "1.00",
				})
				if err != nil || r.Code != "10000" {
					errs <- fmt.Errorf("pay %s: %v %+v", no, err, r)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every notify_id arrives; then wait for any duplicate.
	deadline := time.Now().Add(notifyWait)
	for {
		seen := map[string]bool{}
		for _, n := range rc.All() {
			seen[n.Form.Get("notify_id")] = true
		}
		if len(seen) == pays {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notifications arrived within %v", len(seen), pays, notifyWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	got := rc.All()
	perID := map[string]int{}
	perTrade := map[string]int{}
	for _, n := range got {
		if err := clients[0].VerifyNotification(n.Form); err != nil {
			t.Errorf("notification does not verify: %v", err)
		}
		perID[n.Form.Get("notify_id")]++
		perTrade[n.Form.Get("out_trade_no")]++
	}
	for id, c := range perID {
		if c != 1 {
			t.Errorf("notify_id %s arrived %d times", id, c)
		}
	}
	if len(got) != pays || len(perID) != pays || len(perTrade) != pays {
		t.Errorf("%d notifications, %d notify_ids, %d trades; want %d each", len(got), len(perID), len(perTrade), pays)
	}

	// The shared outbox agrees: each delivered after one send.
	ms, err := two.Service.Notifications(context.Background(), app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != pays {
		t.Fatalf("%d messages in the outbox, want %d", len(ms), pays)
	}
	for _, m := range ms {
		_, as, err := one.Service.Notification(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveredAt == nil || m.Attempts != 1 || len(as) != 1 || !as[0].Acknowledged {
			t.Errorf("message %d: delivered %v, %d attempts, %d sends recorded", m.ID, m.DeliveredAt, m.Attempts, len(as))
		}
	}

	a, b := log.count(one.Dispatcher.Owner()), log.count(two.Dispatcher.Owner())
	t.Logf("sends: instance one %d, instance two %d", a, b)
	if a+b != pays {
		t.Errorf("%d + %d sends logged, want %d", a, b, pays)
	}
	if a == 0 || b == 0 {
		t.Errorf("one instance sent everything: %d and %d", a, b)
	}
}

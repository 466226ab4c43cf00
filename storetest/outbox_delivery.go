package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func sameAttempts(t *testing.T, got []*zfb.OutboxAttempt, want ...*zfb.OutboxAttempt) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d attempts, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := *got[i], *want[i]
		sameTime(t, "At", g.At, w.At)
		if w.Latency = w.Latency.Truncate(time.Microsecond); g.Latency != w.Latency {
			t.Errorf("attempt %d: Latency = %v, want %v", i, g.Latency, w.Latency)
		}
		g.At, w.At = time.Time{}, time.Time{}
		g.Latency, w.Latency = 0, 0
		if g != w {
			t.Errorf("attempt %d = %+v\nwant %+v", i, g, w)
		}
	}
}

// sameLeasedMessage is sameMessage comparing the lease too.
func sameLeasedMessage(t *testing.T, got, want *zfb.OutboxMessage) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "LeaseUntil", g.LeaseUntil, w.LeaseUntil)
	g.LeaseUntil, w.LeaseUntil = time.Time{}, time.Time{}
	sameMessage(t, &g, &w)
}

// messageIs reads message want.ID and compares it with want.
func messageIs(t *testing.T, s zfb.Store, want *zfb.OutboxMessage) {
	t.Helper()
	got, err := s.OutboxMessage(t.Context(), want.ID)
	ok(t, err)
	sameLeasedMessage(t, got, want)
}

func attemptsAre(t *testing.T, s zfb.Store, id int64, want ...*zfb.OutboxAttempt) {
	t.Helper()
	got, err := s.OutboxAttempts(t.Context(), id)
	ok(t, err)
	sameAttempts(t, got, want...)
}

// testOutboxDeliveryRoundTrip: the lease and the "no more sends" of a
// message, messages by id, and the app's notify URL.
func testOutboxDeliveryRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	app.NotifyURL = "https://merchant.example/notify?shop=1&x=%E6%B5%8B"
	ok(t, s.CreateApp(ctx, app))
	got, err := s.App(ctx, app.ID)
	ok(t, err)
	sameApp(t, got, app)

	leased := enqueue(t, s, app, at(10), func(m *zfb.OutboxMessage) {
		m.Attempts, m.LastError = 2, "HTTP 502"
		m.LeaseOwner, m.LeaseUntil = "zfb-1/4242", at(40)
	})
	given := enqueue(t, s, app, time.Time{}, func(m *zfb.OutboxMessage) { m.Attempts = zfb.MaxNotifyAttempts })
	messageIs(t, s, leased)
	messageIs(t, s, given) // a zero NextAttempt comes back zero
	_, err = s.OutboxMessage(ctx, given.ID+1000)
	wantErr(t, err, zfb.ErrNotFound)
	as, err := s.OutboxAttempts(ctx, given.ID+1000)
	if err != nil || len(as) != 0 {
		t.Errorf("attempts of no message: %d, %v", len(as), err)
	}

	ok(t, s.SetAppNotifyURL(ctx, app.ID, "http://localhost:3000/alipay"))
	got, err = s.App(ctx, app.ID)
	ok(t, err)
	app.NotifyURL = "http://localhost:3000/alipay"
	sameApp(t, got, app)
	ok(t, s.SetAppNotifyURL(ctx, app.ID, ""))
	got, err = s.App(ctx, app.ID)
	ok(t, err)
	app.NotifyURL = ""
	sameApp(t, got, app)
	wantErr(t, s.SetAppNotifyURL(ctx, "2021000000000404", "http://x"), zfb.ErrNotFound)
}

// testCompleteAttempt: only the lease holder records a send, and a
// delivered message is never claimed again.
func testCompleteAttempt(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := appAt(t, s, 1, 0)
	m := enqueue(t, s, app, wall)
	sameIDs(t, "claim", claim(t, s, "x", wall, 10), m)
	m.LeaseOwner, m.LeaseUntil = "x", wall.Add(30*time.Second)

	failed := &zfb.OutboxAttempt{At: wall.Add(time.Second), StatusCode: 500, Body: "<html>oops</html>",
		Latency: 1234567 * time.Nanosecond, Error: "HTTP 500"}
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "y", failed, wall.Add(4*time.Minute)), zfb.ErrStale)
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "", failed, wall.Add(4*time.Minute)), zfb.ErrStale)
	wantErr(t, s.CompleteAttempt(ctx, m.ID+1000, "x", failed, wall.Add(4*time.Minute)), zfb.ErrNotFound)
	messageIs(t, s, m)
	attemptsAre(t, s, m.ID)

	// Recorded in a transaction that rolls back: nothing.
	rollback := errors.New("roll back")
	err := s.InTx(ctx, func(q zfb.Queries) error {
		ok(t, q.CompleteAttempt(ctx, m.ID, "x", &zfb.OutboxAttempt{At: wall}, wall.Add(time.Minute)))
		return rollback
	})
	wantErr(t, err, rollback)
	messageIs(t, s, m)
	attemptsAre(t, s, m.ID)

	ok(t, s.CompleteAttempt(ctx, m.ID, "x", failed, wall.Add(4*time.Minute)))
	if failed.MessageID != m.ID || failed.N != 1 {
		t.Errorf("attempt: MessageID %d, N %d; want %d, 1", failed.MessageID, failed.N, m.ID)
	}
	m.Attempts, m.LastError, m.NextAttempt = 1, "HTTP 500", wall.Add(4*time.Minute)
	m.LeaseOwner, m.LeaseUntil = "", time.Time{}
	messageIs(t, s, m)
	attemptsAre(t, s, m.ID, &zfb.OutboxAttempt{MessageID: m.ID, N: 1, At: failed.At, StatusCode: 500,
		Body: "<html>oops</html>", Latency: failed.Latency, Error: "HTTP 500"})
	// The lease is released: x cannot record another send.
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "x", &zfb.OutboxAttempt{At: wall}, time.Time{}), zfb.ErrStale)

	// x's lease passes to y: x's send is not recorded, y's is.
	retry := wall.Add(4 * time.Minute)
	sameIDs(t, "x retries", claim(t, s, "x", retry, 10), m)
	sameIDs(t, "y after x's lease", claim(t, s, "y", retry.Add(30*time.Second), 10), m)
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "x", &zfb.OutboxAttempt{At: retry, Acknowledged: true}, time.Time{}), zfb.ErrStale)
	acked := &zfb.OutboxAttempt{At: retry.Add(31 * time.Second), StatusCode: 200, Body: "success",
		Latency: 3 * time.Millisecond, Acknowledged: true}
	ok(t, s.CompleteAttempt(ctx, m.ID, "y", acked, retry.Add(10*time.Minute)))
	deliveredAt := acked.At
	m.Attempts, m.LastError, m.DeliveredAt = 2, "", &deliveredAt // NextAttempt stays
	messageIs(t, s, m)
	attemptsAre(t, s, m.ID,
		&zfb.OutboxAttempt{MessageID: m.ID, N: 1, At: failed.At, StatusCode: 500, Body: "<html>oops</html>", Latency: failed.Latency, Error: "HTTP 500"},
		&zfb.OutboxAttempt{MessageID: m.ID, N: 2, At: acked.At, StatusCode: 200, Body: "success", Latency: acked.Latency, Acknowledged: true})

	// Delivered: never claimed again, and nothing more recorded.
	sameIDs(t, "after delivery", claim(t, s, "z", retry.Add(365*24*time.Hour), 10))
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "y", &zfb.OutboxAttempt{At: wall}, time.Time{}), zfb.ErrStale)

	// A zero next: no more sends.
	last := enqueue(t, s, app, wall, func(m *zfb.OutboxMessage) { m.Attempts = zfb.MaxNotifyAttempts - 3 })
	sameIDs(t, "claim last", claim(t, s, "x", wall, 10), last)
	ok(t, s.CompleteAttempt(ctx, last.ID, "x", &zfb.OutboxAttempt{At: wall, Error: "dial tcp: connection refused"}, time.Time{}))
	last.Attempts, last.NextAttempt, last.LastError = zfb.MaxNotifyAttempts-2, time.Time{}, "dial tcp: connection refused"
	messageIs(t, s, last)
	sameIDs(t, "after no more sends", claim(t, s, "x", retry.Add(365*24*time.Hour), 10))
}

// testRecordReplay: a replay is recorded beside the scheduled sends, with
// the next number, and may deliver the message but changes nothing else.
func testRecordReplay(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := appAt(t, s, 1, 0)
	m := enqueue(t, s, app, wall, func(m *zfb.OutboxMessage) { m.Attempts, m.LastError = 1, "HTTP 404" })

	failed := &zfb.OutboxAttempt{MessageID: m.ID, At: wall.Add(-time.Minute), StatusCode: 200, Body: "fail", Latency: time.Millisecond, Error: `answer "fail"`}
	ok(t, s.RecordReplay(ctx, failed))
	if failed.N != 1 || !failed.Replay {
		t.Errorf("replay: N %d, Replay %v; want 1, true", failed.N, failed.Replay)
	}
	messageIs(t, s, m)

	// A scheduled send takes the next number.
	sameIDs(t, "claim", claim(t, s, "x", wall, 10), m)
	sched := &zfb.OutboxAttempt{At: wall, StatusCode: 503, Error: "HTTP 503"}
	ok(t, s.CompleteAttempt(ctx, m.ID, "x", sched, wall.Add(10*time.Minute)))
	if sched.N != 2 || sched.Replay {
		t.Errorf("scheduled send: N %d, Replay %v; want 2, false", sched.N, sched.Replay)
	}
	m.Attempts, m.LastError, m.NextAttempt = 2, "HTTP 503", wall.Add(10*time.Minute)

	// A replay delivers a leased message: its holder records nothing.
	sameIDs(t, "claim again", claim(t, s, "x", wall.Add(10*time.Minute), 10), m)
	m.LeaseOwner, m.LeaseUntil = "x", wall.Add(10*time.Minute+30*time.Second)
	acked := &zfb.OutboxAttempt{MessageID: m.ID, At: wall.Add(5 * time.Minute), StatusCode: 200, Body: "success", Acknowledged: true}
	ok(t, s.RecordReplay(ctx, acked))
	deliveredAt := acked.At
	m.DeliveredAt = &deliveredAt
	messageIs(t, s, m)
	wantErr(t, s.CompleteAttempt(ctx, m.ID, "x", &zfb.OutboxAttempt{At: wall, Acknowledged: true}, time.Time{}), zfb.ErrStale)

	// Another acknowledged replay keeps the first delivery time.
	again := &zfb.OutboxAttempt{MessageID: m.ID, At: wall.Add(6 * time.Minute), StatusCode: 200, Body: "success", Acknowledged: true}
	ok(t, s.RecordReplay(ctx, again))
	messageIs(t, s, m)
	attemptsAre(t, s, m.ID,
		&zfb.OutboxAttempt{MessageID: m.ID, N: 1, At: failed.At, StatusCode: 200, Body: "fail", Latency: time.Millisecond, Error: `answer "fail"`, Replay: true},
		&zfb.OutboxAttempt{MessageID: m.ID, N: 2, At: wall, StatusCode: 503, Error: "HTTP 503"},
		&zfb.OutboxAttempt{MessageID: m.ID, N: 3, At: acked.At, StatusCode: 200, Body: "success", Acknowledged: true, Replay: true},
		&zfb.OutboxAttempt{MessageID: m.ID, N: 4, At: again.At, StatusCode: 200, Body: "success", Acknowledged: true, Replay: true})

	wantErr(t, s.RecordReplay(ctx, &zfb.OutboxAttempt{MessageID: m.ID + 1000, At: wall}), zfb.ErrNotFound)
}

// testRecordReplayConcurrent: replays and scheduled sends of one message
// racing each other take distinct numbers, with none left out.
func testRecordReplayConcurrent(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := appAt(t, s, 1, 0)
	m := enqueue(t, s, app, wall)
	const replayers, replays, sends = 4, 5, 5
	var wg sync.WaitGroup
	for range replayers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range replays {
				if err := s.RecordReplay(ctx, &zfb.OutboxAttempt{MessageID: m.ID, At: wall, Error: "HTTP 500"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Meanwhile, the schedule: claim, send, complete. A claim on
	// PostgreSQL skips the message while a replay holds it locked.
	now := wall
	for i := range sends {
		for tries := 0; len(claim(t, s, "x", now, 1)) == 0; tries++ {
			if tries == 1000 {
				t.Fatalf("send %d: never claimed", i)
			}
			time.Sleep(time.Millisecond)
		}
		ok(t, s.CompleteAttempt(ctx, m.ID, "x", &zfb.OutboxAttempt{At: now, Error: "HTTP 500"}, now.Add(time.Minute)))
		now = now.Add(time.Minute)
	}
	wg.Wait()
	as, err := s.OutboxAttempts(ctx, m.ID)
	ok(t, err)
	scheduled := 0
	for i, a := range as {
		if a.N != i+1 {
			t.Errorf("attempt %d has N %d", i, a.N)
		}
		if !a.Replay {
			scheduled++
		}
	}
	if len(as) != replayers*replays+sends || scheduled != sends {
		t.Errorf("%d attempts, %d scheduled; want %d, %d", len(as), scheduled, replayers*replays+sends, sends)
	}
	got, err := s.OutboxMessage(ctx, m.ID)
	ok(t, err)
	if got.Attempts != sends {
		t.Errorf("Attempts = %d, want %d", got.Attempts, sends)
	}
}

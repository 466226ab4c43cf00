package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// wall is the wall time of the claim tests.
var wall = at(100_000)

// appAt is a new app n whose clock is offset ahead of the wall clock.
func appAt(t *testing.T, s zfb.Store, n int, offset time.Duration) *zfb.App {
	t.Helper()
	app := newApp(n)
	app.ClockOffset = offset
	ok(t, s.CreateApp(t.Context(), app))
	return app
}

// enqueue stores a notification of app due at next (app time), changed by
// the edits, and returns it.
func enqueue(t *testing.T, s zfb.Store, app *zfb.App, next time.Time, edits ...func(m *zfb.OutboxMessage)) *zfb.OutboxMessage {
	t.Helper()
	m := &zfb.OutboxMessage{
		AppID: app.ID, Kind: "trade_status_sync", Target: "https://merchant.example/notify",
		Payload: `{"out_trade_no":"x"}`, NextAttempt: next, CreatedAt: at(0),
	}
	for _, edit := range edits {
		edit(m)
	}
	ok(t, s.EnqueueOutbox(t.Context(), m))
	return m
}

// claim claims for owner at wallNow with a lease of 30s and returns the
// ids it got, checking that each message is leased to owner.
func claim(t *testing.T, s zfb.Store, owner string, wallNow time.Time, limit int) []int64 {
	t.Helper()
	ms, err := s.ClaimOutbox(t.Context(), owner, wallNow, wallNow.Add(30*time.Second), limit)
	ok(t, err)
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		if m.LeaseOwner != owner {
			t.Errorf("message %d: LeaseOwner = %q, want %q", m.ID, m.LeaseOwner, owner)
		}
		sameTime(t, fmt.Sprintf("message %d: LeaseUntil", m.ID), m.LeaseUntil, wallNow.Add(30*time.Second))
	}
	return ids
}

func sameIDs(t *testing.T, what string, got []int64, want ...*zfb.OutboxMessage) {
	t.Helper()
	w := make([]int64, len(want))
	for i, m := range want {
		w[i] = m.ID
	}
	if !slices.Equal(got, w) {
		t.Errorf("%s: ids %v, want %v", what, got, w)
	}
}

// testClaimOutboxDue: what is due, on each app's clock, and in which order.
func testClaimOutboxDue(t *testing.T, s zfb.Store) {
	a := appAt(t, s, 1, 0)
	b := appAt(t, s, 2, 25*time.Hour) // its messages are due 25h early
	const µs = time.Microsecond
	delivered := wall.Add(-time.Minute)

	aNow := enqueue(t, s, a, wall)           // due at exactly now
	aLater := enqueue(t, s, a, wall.Add(µs)) // due 1µs from now
	bNow := enqueue(t, s, b, wall.Add(25*time.Hour))
	bLater := enqueue(t, s, b, wall.Add(25*time.Hour+µs))
	enqueue(t, s, a, wall.Add(-time.Hour), func(m *zfb.OutboxMessage) { m.DeliveredAt = &delivered })
	enqueue(t, s, a, wall.Add(-2*time.Hour), func(m *zfb.OutboxMessage) { m.Attempts = zfb.MaxNotifyAttempts })
	aLast := enqueue(t, s, a, wall.Add(-3*time.Hour), func(m *zfb.OutboxMessage) { m.Attempts = zfb.MaxNotifyAttempts - 1 })
	aLeased := enqueue(t, s, a, wall.Add(-4*time.Hour), func(m *zfb.OutboxMessage) {
		m.LeaseOwner, m.LeaseUntil = "other", wall.Add(time.Minute)
	})
	aLeaseOver := enqueue(t, s, a, wall.Add(-5*time.Hour), func(m *zfb.OutboxMessage) {
		m.LeaseOwner, m.LeaseUntil = "other", wall // a lease ends at its time
	})
	enqueue(t, s, a, time.Time{}) // no more sends
	enqueue(t, s, b, time.Time{}, func(m *zfb.OutboxMessage) { m.Attempts = 3 })

	got := claim(t, s, "x", wall, 100)
	sameIDs(t, "x at now", got, aLeaseOver, aLast, aNow, bNow)
	// The lease is stored, and the rest of the message is unchanged.
	want := *aNow
	want.LeaseOwner, want.LeaseUntil = "x", wall.Add(30*time.Second)
	messageIs(t, s, &want)

	// Leased messages wait for their lease to end.
	sameIDs(t, "y at now", claim(t, s, "y", wall, 100))
	sameIDs(t, "y 10s later", claim(t, s, "y", wall.Add(10*time.Second), 100), aLater, bLater)
	sameIDs(t, "z before x's lease ends", claim(t, s, "z", wall.Add(30*time.Second-µs), 100))
	sameIDs(t, "z when x's lease ends", claim(t, s, "z", wall.Add(30*time.Second), 100),
		aLeaseOver, aLast, aNow, bNow)
	all := []*zfb.OutboxMessage{aLeaseOver, aLeased, aLast, aNow, aLater, bNow, bLater}
	sameIDs(t, "w when every lease ends", claim(t, s, "w", wall.Add(time.Minute), 100), all...)
	sameIDs(t, "v in a year", claim(t, s, "v", wall.Add(365*24*time.Hour), 100), all...)
}

// testClaimOutboxAppClock: advancing an app's clock makes its messages due.
func testClaimOutboxAppClock(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a := appAt(t, s, 1, 0)
	b := appAt(t, s, 2, 0)
	ma := enqueue(t, s, a, wall.Add(time.Hour))
	enqueue(t, s, b, wall.Add(time.Hour))
	sameIDs(t, "before", claim(t, s, "x", wall, 10))
	_, err := s.AdvanceAppClock(ctx, a.ID, time.Hour, zfb.MaxClockOffset)
	ok(t, err)
	sameIDs(t, "after a's clock moved 1h", claim(t, s, "x", wall, 10), ma)
}

// testClaimOutboxLimit: at most limit, the earliest due first, by id among
// messages due at once.
func testClaimOutboxLimit(t *testing.T, s zfb.Store) {
	a := appAt(t, s, 1, 0)
	m1 := enqueue(t, s, a, wall.Add(-time.Second))
	m2 := enqueue(t, s, a, wall.Add(-time.Minute))
	m3 := enqueue(t, s, a, wall.Add(-time.Second))
	m4 := enqueue(t, s, a, wall.Add(-time.Hour))
	m5 := enqueue(t, s, a, wall)

	if ms, err := s.ClaimOutbox(t.Context(), "x", wall, wall.Add(time.Minute), 0); err != nil || len(ms) != 0 {
		t.Errorf("limit 0: %d messages, %v", len(ms), err)
	}
	sameIDs(t, "limit 2", claim(t, s, "x", wall, 2), m4, m2)
	sameIDs(t, "limit 2 again", claim(t, s, "x", wall, 2), m1, m3)
	sameIDs(t, "limit 2 at last", claim(t, s, "x", wall, 2), m5)
	if _, err := s.ClaimOutbox(t.Context(), "", wall, wall.Add(time.Minute), 1); err == nil {
		t.Error("a claim without an owner succeeded")
	}
}

// testClaimOutboxConcurrent: claimers racing over the same messages never
// get the same one twice, and together get all of them.
func testClaimOutboxConcurrent(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a := appAt(t, s, 1, 0)
	b := appAt(t, s, 2, time.Hour)
	const messages, claimers = 200, 8
	for i := range messages {
		app := a
		if i%3 == 0 {
			app = b
		}
		enqueue(t, s, app, wall.Add(time.Duration(i%17)*time.Second))
	}
	now := wall.Add(time.Minute)
	var (
		mu     sync.Mutex
		owners = map[int64]string{}
		wg     sync.WaitGroup
	)
	for c := range claimers {
		owner := fmt.Sprintf("dispatcher-%d", c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := s.ClaimOutbox(ctx, owner, now, now.Add(time.Hour), 1+c%4)
				if err != nil {
					t.Errorf("%s: %v", owner, err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					if prev, dup := owners[m.ID]; dup {
						t.Errorf("message %d claimed by %s and %s", m.ID, prev, owner)
					}
					owners[m.ID] = owner
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(owners) != messages {
		t.Errorf("%d messages claimed, want %d", len(owners), messages)
	}
	for _, app := range []*zfb.App{a, b} {
		ms, err := s.OutboxMessages(ctx, app.ID)
		ok(t, err)
		for _, m := range ms {
			if m.LeaseOwner != owners[m.ID] {
				t.Errorf("message %d: LeaseOwner = %q, claimed by %q", m.ID, m.LeaseOwner, owners[m.ID])
			}
		}
	}
}

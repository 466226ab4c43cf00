package storetest

import (
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func sameMessage(t *testing.T, got, want *zfb.OutboxMessage) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "NextAttempt", g.NextAttempt, w.NextAttempt)
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	switch {
	case w.DeliveredAt == nil && g.DeliveredAt != nil:
		t.Errorf("DeliveredAt = %v, want nil", *g.DeliveredAt)
	case w.DeliveredAt != nil && g.DeliveredAt == nil:
		t.Errorf("DeliveredAt = nil, want %v", *w.DeliveredAt)
	case w.DeliveredAt != nil:
		sameTime(t, "DeliveredAt", *g.DeliveredAt, *w.DeliveredAt)
	}
	g.NextAttempt, w.NextAttempt = time.Time{}, time.Time{}
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	g.DeliveredAt, w.DeliveredAt = nil, nil
	if g != w {
		t.Errorf("message = %+v\nwant %+v", g, w)
	}
}

func testOutbox(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))

	ms, err := s.OutboxMessages(ctx, a.ID)
	ok(t, err)
	if len(ms) != 0 {
		t.Fatalf("%d messages in an empty outbox", len(ms))
	}

	delivered := at(99)
	want := []*zfb.OutboxMessage{
		{AppID: a.ID, Kind: "notify", Target: "https://merchant.example/notify?x=1", Payload: "gmt_create=2025-03-14+15%3A09%3A26&sign=…", NextAttempt: at(10), CreatedAt: at(5)},
		{AppID: a.ID, Kind: "notify", Target: "https://merchant.example/notify", Payload: `{"result":"成功"}`, Attempts: 3, NextAttempt: at(1), CreatedAt: at(6), DeliveredAt: &delivered, LastError: "HTTP 500"},
		{AppID: a.ID, Kind: "close", Payload: "", CreatedAt: at(7)},
	}
	other := &zfb.OutboxMessage{AppID: b.ID, Kind: "notify", Target: "http://b", Payload: "b", NextAttempt: at(0), CreatedAt: at(0)}
	var lastID int64
	for i, m := range want {
		ok(t, s.EnqueueOutbox(ctx, m))
		if m.ID <= lastID {
			t.Errorf("message %d: ID %d after %d", i, m.ID, lastID)
		}
		lastID = m.ID
		if i == 0 {
			ok(t, s.EnqueueOutbox(ctx, other))
		}
	}

	ms, err = s.OutboxMessages(ctx, a.ID)
	ok(t, err)
	if len(ms) != len(want) {
		t.Fatalf("%d messages, want %d", len(ms), len(want))
	}
	for i := range want {
		sameMessage(t, ms[i], want[i])
	}
	ms, err = s.OutboxMessages(ctx, b.ID)
	ok(t, err)
	if len(ms) != 1 {
		t.Fatalf("%d messages for app b, want 1", len(ms))
	}
	sameMessage(t, ms[0], other)
}

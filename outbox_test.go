package zfb

import (
	"testing"
	"time"
)

func TestNotifyID(t *testing.T) {
	at := time.Date(2026, 11, 29, 12, 0, 0, 123000, time.UTC)
	m := &OutboxMessage{ID: 1, AppID: "9021000000000001", Kind: NotifyTradeStatusSync, Payload: `{"trade_no":"T1"}`, CreatedAt: at}
	id := m.NotifyID()
	if len(id) != 32 {
		t.Fatalf("notify_id %q is not 32 hex digits", id)
	}
	// Every send of one message: the same, whatever changes as it is sent.
	same := *m
	same.Attempts, same.LastError, same.NextAttempt = 3, "503", at.Add(time.Hour)
	if same.NotifyID() != id {
		t.Error("the notify_id changed between sends")
	}
	// The first message of another database: same app and id, another
	// moment and other fields.
	for _, other := range []OutboxMessage{
		{ID: 1, AppID: m.AppID, Kind: m.Kind, Payload: m.Payload, CreatedAt: at.Add(time.Microsecond)},
		{ID: 1, AppID: m.AppID, Kind: m.Kind, Payload: `{"trade_no":"T2"}`, CreatedAt: at},
		{ID: 2, AppID: m.AppID, Kind: m.Kind, Payload: m.Payload, CreatedAt: at},
	} {
		if other.NotifyID() == id {
			t.Errorf("%+v has the notify_id of %+v", other, m)
		}
	}
}

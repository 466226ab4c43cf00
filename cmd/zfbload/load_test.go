package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOpenLoopKeepsItsRateAndBoundsItsConnections: in open loop the
// requests go out at the rate, however slow the answers, over no more
// than openLoopConnsPerConn × --conns connections; those due while every
// connection is busy wait in the client, and their latency counts from
// when they were due.
func TestOpenLoopKeepsItsRateAndBoundsItsConnections(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	remotes := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		remotes[r.RemoteAddr] = true
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // slower than the arrivals: they overlap
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	defer srv.Close()

	const n, rate, conns = 200, 1000.0, 2 // 20 ms answers at 1 ms intervals: 20 would overlap
	reqs := make([]request, n)
	for i := range reqs {
		reqs[i] = request{path: "/", contentType: formType, body: []byte("x"), success: []byte("ok")}
	}
	d := newDriver([]string{srv.URL}, conns, rate)
	defer d.close()
	r := d.run(context.Background(), "test", reqs)

	if r.ok != n || r.failed != 0 {
		t.Fatalf("ok %d failed %d (%s), want %d answers", r.ok, r.failed, r.firstFail, n)
	}
	limit := conns * openLoopConnsPerConn
	if most > limit || len(remotes) > limit {
		t.Errorf("%d requests in flight at most over %d connections, want at most %d", most, len(remotes), limit)
	}
	// 200 requests over 8 connections of 20 ms each take at least 500 ms:
	// the last ones wait in the client, and that wait is in their latency.
	if p := r.percentile(1); p < 200*time.Millisecond {
		t.Errorf("slowest latency %v, want the client's wait counted (≥ 200 ms)", p)
	}
	if !strings.Contains(r.note, "sent late") {
		t.Errorf("note %q, want the client's lateness", r.note)
	}
}

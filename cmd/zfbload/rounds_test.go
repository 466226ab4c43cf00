package main

import (
	"slices"
	"testing"
	"time"
)

// TestRoundSharesCoverEveryRequestOnce: however n and rounds divide, the
// rounds' shares are the requests in order, each once, and differ in
// size by one at most.
func TestRoundSharesCoverEveryRequestOnce(t *testing.T) {
	for _, c := range []struct{ n, rounds int }{{10, 1}, {10, 3}, {5000, 5}, {7, 7}, {3001, 4}} {
		reqs := make([]request, c.n)
		for i := range reqs {
			reqs[i].body = []byte{byte(i), byte(i >> 8)}
		}
		var got []request
		smallest, largest := c.n, 0
		for k := range c.rounds {
			s := roundShare(reqs, k, c.rounds)
			got = append(got, s...)
			smallest, largest = min(smallest, len(s)), max(largest, len(s))
		}
		if len(got) != c.n || largest-smallest > 1 {
			t.Fatalf("n %d in %d rounds: %d requests, shares of %d to %d", c.n, c.rounds, len(got), smallest, largest)
		}
		for i := range got {
			if !slices.Equal(got[i].body, reqs[i].body) {
				t.Fatalf("n %d in %d rounds: request %d out of order", c.n, c.rounds, i)
			}
		}
	}
}

// TestRoundsAddUp: a workload measured in rounds reports their sums (its
// rate is all answers over all the time), its latencies merged in order,
// its CPU only when every round knew it, and each round's rate.
func TestRoundsAddUp(t *testing.T) {
	ms := func(ds ...int) []time.Duration {
		out := make([]time.Duration, len(ds))
		for i, d := range ds {
			out[i] = time.Duration(d) * time.Millisecond
		}
		return out
	}
	var total result
	total = total.add(result{ok: 100, failed: 1, firstFail: "first", elapsed: time.Second, latencies: ms(1, 5, 9),
		cpu: 200 * time.Millisecond, cpuKnown: true, dbCPU: 100 * time.Millisecond, dbCPUKnown: true,
		clientCPU: 40 * time.Millisecond, clientCPUKnown: true, rssKiB: 10, rssPeakKiB: 30})
	total = total.add(result{ok: 300, elapsed: time.Second, latencies: ms(2, 3, 10), firstFail: "second",
		cpu: 400 * time.Millisecond, cpuKnown: true, dbCPU: 300 * time.Millisecond, dbCPUKnown: true,
		clientCPU: 40 * time.Millisecond, clientCPUKnown: true, rssKiB: 20, rssPeakKiB: 25})
	if total.ok != 400 || total.failed != 1 || total.firstFail != "first" || total.rate() != 200 {
		t.Fatalf("ok %d failed %d first %q rate %v", total.ok, total.failed, total.firstFail, total.rate())
	}
	if !slices.Equal(total.latencies, ms(1, 2, 3, 5, 9, 10)) {
		t.Fatalf("latencies %v", total.latencies)
	}
	if total.cpuPerAnswer() != 1500*time.Microsecond {
		t.Fatalf("CPU per answer %v, want 1.5 ms", total.cpuPerAnswer())
	}
	if total.dbCPUPerAnswer() != time.Millisecond || total.clientCPUPerAnswer() != 200*time.Microsecond {
		t.Fatalf("database CPU per answer %v, want 1 ms; client's %v, want 200 µs", total.dbCPUPerAnswer(), total.clientCPUPerAnswer())
	}
	if total.rssKiB != 20 || total.rssPeakKiB != 30 {
		t.Fatalf("RSS %d, peak %d", total.rssKiB, total.rssPeakKiB)
	}
	if !slices.Equal(total.roundRates, []float64{100, 300}) {
		t.Fatalf("round rates %v", total.roundRates)
	}
	if got := roundShares(total.roundRates, []float64{200, 400}); got != "50–75 %" {
		t.Fatalf("shares of the stub by round %q", got)
	}
	if unknown := total.add(result{ok: 1, elapsed: time.Second}); unknown.cpuPerAnswer() != 0 ||
		unknown.dbCPUPerAnswer() != 0 || unknown.clientCPUPerAnswer() != 0 {
		t.Fatalf("CPU per answer %v, database's %v, client's %v with a round that did not know them",
			unknown.cpuPerAnswer(), unknown.dbCPUPerAnswer(), unknown.clientCPUPerAnswer())
	}
}

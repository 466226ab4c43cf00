package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// The workloads are measured in rounds (--rounds): each round runs every
// workload in order on its next share of the requests (the ceiling for its
// share of --ceiling-time), so the stub and zfb's workloads take turns
// through the run. The machine's speed drifts with its neighbours' load
// (the stub's answers/s moved by a quarter between runs minutes apart),
// and a stub measured once at the start would be compared with workloads
// measured under other conditions; in turns, each share compares like
// with like, and the report gives the shares' spread over the rounds.
// Each round keeps the workloads' order, so a query still asks for trades
// its round's pay made.

// measurement is one workload, measured round by round.
type measurement struct {
	workload string
	name     string // in the report
	note     string
	// slice measures round k of rounds: the workload's kth share.
	slice func(ctx context.Context, k, rounds int) (result, error)
	close func() // when not nil, ends what open started
	total result
}

// roundShare is the kth of rounds near-equal parts of reqs.
func roundShare(reqs []request, k, rounds int) []request {
	return reqs[len(reqs)*k/rounds : len(reqs)*(k+1)/rounds]
}

// measure runs the workloads in rounds and returns one result each, in
// order, adding up their rounds. It says each round's rates on progress.
func (h *harness) measure(ctx context.Context, workloads []string, rounds int, progress io.Writer) ([]result, error) {
	var ms []*measurement
	defer func() {
		for _, m := range ms {
			if m.close != nil {
				m.close()
			}
		}
	}()
	for _, w := range workloads {
		m, err := h.open(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w, err)
		}
		ms = append(ms, m)
	}
	for k := range rounds {
		for _, m := range ms {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			r, err := m.slice(ctx, k, rounds)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.workload, err)
			}
			m.total = m.total.add(r)
			if rounds > 1 {
				fmt.Fprintf(progress, "zfbload: round %d of %d: %s %.0f/s\n", k+1, rounds, m.workload, r.rate())
			} else {
				fmt.Fprintf(progress, "zfbload: %s done: %.0f/s\n", m.workload, r.rate())
			}
		}
	}
	out := make([]result, len(ms))
	for i, m := range ms {
		out[i] = m.total
		out[i].name = m.name
		out[i].note = joinNotes(m.note, out[i].lateNote())
	}
	return out, nil
}

// add is r with the round s added: counts and times summed, latencies
// merged, the RSS as of s's end and the higher peak, s's rate appended to
// the rounds'.
func (r result) add(s result) result {
	sum := r
	sum.ok += s.ok
	sum.failed += s.failed
	if sum.firstFail == "" {
		sum.firstFail = s.firstFail
	}
	sum.elapsed += s.elapsed
	sum.latencies = mergeSorted(r.latencies, s.latencies)
	sum.late = mergeSorted(r.late, s.late)
	sum.rssKiB = s.rssKiB
	sum.rssPeakKiB = max(r.rssPeakKiB, s.rssPeakKiB)
	first := len(r.roundRates) == 0
	sum.cpu, sum.cpuKnown = r.cpu+s.cpu, (first || r.cpuKnown) && s.cpuKnown
	sum.dbCPU, sum.dbCPUKnown = r.dbCPU+s.dbCPU, (first || r.dbCPUKnown) && s.dbCPUKnown
	sum.clientCPU, sum.clientCPUKnown = r.clientCPU+s.clientCPU, (first || r.clientCPUKnown) && s.clientCPUKnown
	sum.roundRates = append(slices.Clip(r.roundRates), s.rate())
	return sum
}

// mergeSorted is the sorted union of two sorted slices.
func mergeSorted(a, b []time.Duration) []time.Duration {
	out := make([]time.Duration, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return out
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

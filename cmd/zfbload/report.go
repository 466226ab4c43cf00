package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// printTable prints one line per workload: answers/s, their share of the
// signing ceiling and of the stub measured in the same run (and, over
// several rounds, the lowest and highest of the rounds' shares of the
// stub), latency percentiles, failures, the RSS of the zfb started here,
// the server's CPU per answer, with a PostgreSQL on this machine the
// database's, and this client's own.
func printTable(w io.Writer, results []result) {
	var ceiling, stub result
	for _, r := range results {
		switch r.name {
		case workloadNames["ceiling"]:
			ceiling = r
		case workloadNames["stub"]:
			stub = r
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "workload\tanswers/s\tof ceiling\tof stub\tof stub, rounds\tp50\tp99\tp999\tfailed\tzfb RSS\tRSS peak\tserver CPU/answer\tof stub by CPU\tPostgreSQL CPU/answer\tclient CPU/answer\t")
	for _, r := range results {
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, r.rate(),
			share(r.rate(), ceiling.rate()), share(r.rate(), stub.rate()), roundShares(r.roundRates, stub.roundRates),
			ms(r.percentile(0.50)), ms(r.percentile(0.99)), ms(r.percentile(0.999)), r.failed, mib(r.rssKiB), mib(r.rssPeakKiB),
			micros(r.cpuPerAnswer()), cpuShare(stub.cpuPerAnswer(), r.cpuPerAnswer()), micros(r.dbCPUPerAnswer()),
			micros(r.clientCPUPerAnswer()))
	}
	tw.Flush()
	for _, r := range results {
		if r.firstFail != "" {
			fmt.Fprintf(w, "first failure of %s: %s\n", r.name, r.firstFail)
		}
	}
}

// roundShares is the lowest and highest of the rounds' shares of the
// stub's answers/s in the same round, or "-" with fewer than two rounds.
func roundShares(rates, stub []float64) string {
	if len(rates) < 2 || len(rates) != len(stub) {
		return "-"
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range rates {
		if stub[i] <= 0 {
			return "-"
		}
		s := 100 * r / stub[i]
		lo, hi = min(lo, s), max(hi, s)
	}
	return fmt.Sprintf("%.0f–%.0f %%", lo, hi)
}

func share(x, of float64) string {
	if of <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f %%", 100*x/of)
}

// cpuShare is the stub's CPU per answer as a share of w's: what w's
// answers/s would be as a share of the stub's if both had the machine to
// themselves. Unlike answers/s it hardly moves with the neighbours' load.
func cpuShare(stub, w time.Duration) string {
	if stub <= 0 || w <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(stub)/float64(w))
}

func micros(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mib(kib int64) string {
	if kib == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}

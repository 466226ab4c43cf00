package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one workload measured.
type result struct {
	name      string
	note      string // e.g. that a cache answered
	ok        int
	failed    int
	firstFail string // the first failure, for the report
	elapsed   time.Duration
	latencies []time.Duration // of the successful answers, sorted
	rssKiB    int64           // the started zfb's RSS at the end of the workload
	// rssPeakKiB is the highest RSS of the started zfb sampled during the
	// workload (every rssSampleInterval).
	rssPeakKiB int64
	// cpu is the CPU the server process (zfb, or the stub) spent over the
	// workload, background work included; cpuKnown is false when unknown
	// (a --target).
	cpu      time.Duration
	cpuKnown bool
	// dbCPU is what a local PostgreSQL spent over the workload (--db on
	// this machine); dbCPUKnown is false otherwise.
	dbCPU      time.Duration
	dbCPUKnown bool
	// clientCPU is what this load client spent over the workload: sending
	// requests signed before it began, reading and checking the answers.
	clientCPU      time.Duration
	clientCPUKnown bool
	// late is how late each request was sent, open loop (from when it was
	// due), sorted.
	late []time.Duration
	// roundRates are the answers/s of each round (--rounds), in order.
	roundRates []float64
}

// dbCPUPerAnswer is the database's CPU per successful answer; 0 when
// unknown.
func (r result) dbCPUPerAnswer() time.Duration {
	if !r.dbCPUKnown || r.ok <= 0 {
		return 0
	}
	return r.dbCPU / time.Duration(r.ok)
}

// clientCPUPerAnswer is the load client's CPU per successful answer; 0
// when unknown.
func (r result) clientCPUPerAnswer() time.Duration {
	if !r.clientCPUKnown || r.ok <= 0 {
		return 0
	}
	return r.clientCPU / time.Duration(r.ok)
}

// cpuPerAnswer is the server's CPU per successful answer; 0 when unknown.
func (r result) cpuPerAnswer() time.Duration {
	if !r.cpuKnown || r.ok <= 0 {
		return 0
	}
	return r.cpu / time.Duration(r.ok)
}

// lateNote says how late the client sent its requests (p99), in open loop.
func (r result) lateNote() string {
	if len(r.late) == 0 {
		return ""
	}
	return fmt.Sprintf("sent late: p99 %s", ms(r.late[len(r.late)*99/100]))
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// percentile is the q-quantile of the latencies (0 when there are none).
func (r result) percentile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(r.latencies))+0.5) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

// driver sends signed requests to one server, or spreads them over
// several that share one database.
type driver struct {
	roots  []string
	client *http.Client
	conns  int
	rate   float64
	// answered counts the successful answers of the running workload.
	answered atomic.Int64
}

// openLoopConnsPerConn is how many connections open loop keeps per
// --conns: room for bursts (a pause of the server makes requests pile
// up), yet a bounded number, each kept alive. Requests due while all are
// busy wait in the client, and that wait counts in their latency, which
// runs from when they were due; a connection per waiting request instead
// would make a slow server slower (a TCP handshake, a goroutine and
// buffers per new connection on both sides, hundreds of MiB at overload).
const openLoopConnsPerConn = 4

func newDriver(roots []string, conns int, rate float64) *driver {
	if rate > 0 {
		conns *= openLoopConnsPerConn
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	return &driver{roots: roots, client: &http.Client{Transport: tr, Timeout: time.Minute}, conns: conns, rate: rate}
}

func (d *driver) close() { d.client.CloseIdleConnections() }

// run sends reqs, closed or open loop, and measures them.
func (d *driver) run(ctx context.Context, name string, reqs []request) result {
	r := result{name: name}
	lat := make([]time.Duration, len(reqs))
	okay := make([]bool, len(reqs))
	late := make([]time.Duration, len(reqs)) // open loop: from due to sent
	var firstFail atomic.Pointer[string]
	send := func(root string, i int, due time.Time) {
		late[i] = time.Since(due)
		answer, err := d.send(ctx, root, reqs[i])
		lat[i] = time.Since(due)
		switch {
		case err != nil:
			s := err.Error()
			firstFail.CompareAndSwap(nil, &s)
		case !reqs[i].succeeded(answer):
			s := string(answer[:min(len(answer), 300)])
			firstFail.CompareAndSwap(nil, &s)
		default:
			okay[i] = true
			d.answered.Add(1)
		}
	}
	// Each of d.conns senders keeps to one connection and takes the next
	// request: in closed loop at once, in open loop when it is due (the
	// senders wait for their turn on timers, not a goroutine per request).
	var interval time.Duration
	if d.rate > 0 {
		interval = time.Duration(float64(time.Second) / d.rate)
	}
	d.answered.Store(0)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for c := range d.conns {
		root := d.roots[c%len(d.roots)] // each connection keeps to one server
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				due := time.Now()
				if interval > 0 {
					due = start.Add(time.Duration(i) * interval)
					time.Sleep(time.Until(due))
				}
				send(root, i, due)
			}
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	for i, ok := range okay {
		if ok {
			r.ok++
			r.latencies = append(r.latencies, lat[i])
		} else {
			r.failed++
		}
	}
	slices.Sort(r.latencies)
	if d.rate > 0 && len(late) > 0 {
		slices.Sort(late)
		r.late = late
		r.note = r.lateNote()
	}
	if s := firstFail.Load(); s != nil {
		r.firstFail = *s
	}
	return r
}

func (d *driver) send(ctx context.Context, root string, req request) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, root+req.path, bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	hreq.Header["Content-Type"] = []string{req.contentType}
	resp, err := d.client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return body, nil
}

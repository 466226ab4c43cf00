// Command zfbload measures a zfb under load, against the physical limit of
// the machine it runs on.
//
// Every gateway.do answer carries a fresh RSA signature, so on N cores no
// gateway answers faster than N × (signatures per second): that ceiling is
// measured first, in the same run. Then a bare net/http stub that verifies
// each request's signature and signs a query answer, with no storage at
// all: the floor any gateway pays in cryptography and HTTP. Then zfb itself,
// started as a separate process (or one already running, --target), under
// workloads of requests signed before the clock starts:
//
//	pay        alipay.trade.pay, each a new trade (a durable write)
//	query      alipay.trade.query of each trade pay made, once each (every answer distinct)
//	poll       alipay.trade.query of one unchanged trade (the signature cache answers: labelled)
//	freeze     alipay.fund.auth.order.freeze, each a new authorisation order
//	detail     alipay.fund.auth.operation.detail.query of each freeze, once each
//	intlpay    international offline pay, each a new payment
//	intlquery  international payQuery of each intl payment, once each
//	bigquery   alipay.trade.query of distinct trades, at random among those --trades seeded
//
// --trades N first stores N paid trades, each with its pay transfer in the
// ledger, straight into the zfb's database through sqlstore (spread over
// the paying buyers and the last 30 days), so that bigquery measures query
// over a big store beside query over the run's own fresh trades.
//
// --profile DIR starts zfb with --pprof and keeps a CPU profile of the
// first seconds of each workload in DIR/<workload>.pprof.
//
// Closed loop by default (--conns connections, each sending its next
// request when the last is answered); --rate R sends R requests a second
// whatever the answers do (open loop), and latency then counts from when
// each request was due, so a stalled server cannot hide its queue.
//
// The workloads take turns in rounds (--rounds, rounds.go), each round
// running every workload on its share of the requests, so that the stub
// and zfb meet the same machine however its neighbours' load drifts.
//
// It prints answers/s, their share of the ceiling and of the stub, latency
// percentiles, failures, and the RSS of the zfb it started (at the end of
// each workload and its peak, sampled every 100 ms; --rss-log prints it as
// the workload goes, to show whether it stays bounded). The ceiling and
// the stub sign with the signer the zfb uses (crypto/rsa, or OpenSSL when
// zfb is built with --tags openssl, by default zfbload's own build tags),
// and the report names it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == stubServerArg {
		if err := runStubServer(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "zfbload:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "zfbload:", err)
			os.Exit(1)
		}
	}
}

// config is what the flags say.
type config struct {
	target    string // running zfbs' root URLs, comma-separated; "" starts one
	sandbox   string // its sandbox.json, when target is given
	zfbBinary string // the zfb to start; "" builds ./cmd/zfb
	tags      string // build tags of the zfb built here
	db        string // --db for the started zfb
	n         int    // requests per workload
	conns     int
	buyers    int     // paying buyers the pay, freeze and intlpay requests are spread over
	rate      float64 // open loop arrivals/s; 0 closed loop
	ceilingD  time.Duration
	rounds    int    // the workloads take turns this many times (rounds.go)
	profile   string // directory for zfb's CPU profiles, one per workload; "" none
	trades    int    // paid trades to seed before the workloads
	rssLog    time.Duration
	workloads []string
}

var allWorkloads = []string{"ceiling", "stub", "pay", "query", "bigquery", "poll", "freeze", "detail", "intlpay", "intlquery"}

// defaultWorkloads are every workload, bigquery only when there are seeded
// trades to ask for.
func defaultWorkloads(trades int) string {
	var w []string
	for _, name := range allWorkloads {
		if name != "bigquery" || trades > 0 {
			w = append(w, name)
		}
	}
	return strings.Join(w, ",")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("zfbload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var workloads string
	fs.StringVar(&c.target, "target", "", "root URL of a running zfb, or several comma-separated ones on one database, each connection keeping to one (default: build and start one on a fresh data directory)")
	fs.StringVar(&c.sandbox, "sandbox", "", "sandbox.json of the --target zfb")
	fs.StringVar(&c.zfbBinary, "zfb", "", "zfb binary to start (default: go build ./cmd/zfb)")
	fs.StringVar(&c.tags, "tags", ownTags(), "build tags of the zfb it builds: openssl signs with OpenSSL's libcrypto (default: the tags zfbload was built with)")
	fs.StringVar(&c.db, "db", "", "database of the started zfb (default: SQLite in its data directory; postgres://… for PostgreSQL)")
	fs.IntVar(&c.n, "n", 3000, "requests per workload (query, detail and intlquery ask for each object its write workload made)")
	fs.IntVar(&c.conns, "conns", 16, "keep-alive connections (closed loop)")
	fs.IntVar(&c.buyers, "buyers", 64, "paying buyers to spread pay, freeze and intlpay over (the sandbox's one and more made through the admin API); 1: the sandbox's one pays everything")
	fs.Float64Var(&c.rate, "rate", 0, "open loop: requests per second (0: closed loop)")
	fs.IntVar(&c.rounds, "rounds", 5, "measure in this many rounds, each running every workload on its share of the requests in turn, so that the stub and zfb's workloads meet the same machine (1: each workload once, whole)")
	fs.DurationVar(&c.ceilingD, "ceiling-time", 3*time.Second, "how long to measure the signing ceiling")
	fs.StringVar(&c.profile, "profile", "", "write a CPU profile of the started zfb during each workload to this directory (<workload>.pprof, for go tool pprof; the first seconds of its first round: give --n enough for them, or --rounds 1)")
	fs.IntVar(&c.trades, "trades", 0, "paid trades to store in zfb's database before the workloads, straight through sqlstore (with --target, give its --db); bigquery asks for them")
	fs.DurationVar(&c.rssLog, "rss-log", 10*time.Second, "print zfb's RSS and the answers so far this often during each workload (0: never)")
	fs.StringVar(&workloads, "workloads", "", "comma-separated workloads, in order, of "+strings.Join(allWorkloads, ",")+" (default: all, bigquery only with --trades)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if workloads == "" {
		workloads = defaultWorkloads(c.trades)
	}
	for _, w := range strings.Split(workloads, ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		if !slices.Contains(allWorkloads, w) {
			return fmt.Errorf("unknown workload %q (known: %s)", w, strings.Join(allWorkloads, ","))
		}
		c.workloads = append(c.workloads, w)
	}
	if c.profile != "" && c.target != "" {
		return errors.New("--profile profiles the zfb zfbload starts: leave out --target (or run go tool pprof against the target's --pprof)")
	}
	if c.n <= 0 || c.conns <= 0 || c.buyers <= 0 || c.rounds <= 0 || c.rate < 0 || c.trades < 0 {
		return errors.New("--n, --conns, --buyers and --rounds must be positive, --rate and --trades zero or positive")
	}
	if c.rounds > c.n {
		return fmt.Errorf("--rounds %d share --n %d requests: give at most one round per request", c.rounds, c.n)
	}

	if c.profile != "" {
		if err := os.MkdirAll(c.profile, 0o755); err != nil {
			return err
		}
	}
	target, err := startTarget(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer target.stop()
	h, err := newHarness(ctx, target, c, stderr)
	if err != nil {
		return err
	}
	defer h.close()

	fmt.Fprintf(stdout, "zfbload: %s, %d CPUs (GOMAXPROCS %d), Go %s; %s; %d requests per workload, %s; %d paying buyers\n",
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(),
		target.describe(), c.n, mode(c), c.buyers)
	if c.rounds > 1 {
		fmt.Fprintf(stdout, "zfbload: in %d rounds: each runs every workload on its share of the requests, in turn\n", c.rounds)
	}
	if err := h.seed(ctx, stdout); err != nil {
		return err
	}
	results, err := h.measure(ctx, c.workloads, c.rounds, stderr)
	if err != nil {
		return err
	}
	printTable(stdout, results)
	return nil
}

func mode(c config) string {
	if c.rate > 0 {
		return fmt.Sprintf("open loop at %.0f requests/s", c.rate)
	}
	return fmt.Sprintf("closed loop over %d connections", c.conns)
}

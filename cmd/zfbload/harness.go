package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zfbpay/zfb/sign"
)

// harness runs the workloads against one target.
type harness struct {
	target *target
	c      config
	signer *signer
	zfb    *driver
	log    io.Writer // progress lines
}

func newHarness(ctx context.Context, t *target, c config, log io.Writer) (*harness, error) {
	s, err := newSigner(t.sandbox)
	if err != nil {
		return nil, err
	}
	if c.buyers > 1 {
		if err := s.addBuyers(ctx, t.sandbox, c.buyers-1); err != nil {
			return nil, err
		}
	}
	return &harness{target: t, c: c, signer: s, zfb: newDriver(t.roots, c.conns, c.rate), log: log}, nil
}

// seed puts --trades paid trades into the zfb's database (seedTrades) and
// says how long it took and, on SQLite, how big the database is.
func (h *harness) seed(ctx context.Context, stdout io.Writer) error {
	if h.c.trades <= 0 {
		return nil
	}
	dbURL := h.c.db
	if dbURL == "" && h.target.tmp != "" {
		dbURL = h.target.sqlitePath()
	}
	if dbURL == "" {
		return errors.New("--trades with --target needs --db: the database that zfb uses")
	}
	start := time.Now()
	err := seedTrades(ctx, dbURL, seedPlan{
		appID: h.signer.app.AppID, buyerIDs: h.signer.buyerIDs, n: h.c.trades,
		outTradeNo: func(i int) string { return h.signer.number("S", i) },
		now:        time.Now(), days: seedDays, batch: seedBatch,
	}, h.log)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	size := ""
	if !strings.HasPrefix(dbURL, "postgres") {
		size = ", the database now " + diskSize(dbURL, dbURL+"-wal")
	}
	fmt.Fprintf(stdout, "zfbload: seeded %s paid trades over %d buyers and %d days in %s (%.0f trades/s)%s\n",
		formatCount(h.c.trades), len(h.signer.buyerIDs), seedDays, elapsed.Round(time.Second),
		float64(h.c.trades)/elapsed.Seconds(), size)
	h.signer.seeded = seedIndexes(h.c.trades)
	return nil
}

// diskSize is the total size of the files at paths that exist, in MiB.
func diskSize(paths ...string) string {
	var total int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return fmt.Sprintf("%.0f MiB on disk", float64(total)/(1<<20))
}

func (h *harness) close() { h.zfb.close() }

// names of the workloads in the report.
var workloadNames = map[string]string{
	"ceiling":   "ceiling: RSA-2048 signatures/s, all cores",
	"stub":      "stub: net/http, verify + sign a query answer, no storage",
	"pay":       "alipay.trade.pay, each a new trade",
	"query":     "alipay.trade.query, each a distinct trade",
	"poll":      "alipay.trade.query of one unchanged trade",
	"freeze":    "alipay.fund.auth.order.freeze, each a new order",
	"detail":    "fund.auth.operation.detail.query, each distinct",
	"intlpay":   "intl offline pay, each a new payment",
	"intlquery": "intl payQuery, each a distinct payment",
	"bigquery":  "alipay.trade.query, each a distinct seeded trade",
}

// open prepares workload w for measuring in rounds: it signs the
// workload's requests (starts the stub process, for the stub) and returns
// what measures one round's share of them.
func (h *harness) open(ctx context.Context, w string) (*measurement, error) {
	switch w {
	case "ceiling":
		return h.ceiling()
	case "stub":
		return h.stub(ctx)
	}
	reqs, err := h.signer.requests(w, h.c.n)
	if err != nil {
		return nil, err
	}
	m := &measurement{workload: w, name: workloadNames[w]}
	switch w {
	case "poll":
		m.note = "answered from the signature cache"
	case "bigquery":
		m.note = "over " + formatCount(h.c.trades) + " seeded trades"
	}
	m.slice = func(ctx context.Context, k, rounds int) (result, error) {
		profiled := func() error { return nil }
		if k == 0 {
			profiled = h.startProfile(ctx, w)
		}
		cpu, db, client := startCPU(h.target.pid()), startDB(localPostgres(h.c.db)), startCPU(os.Getpid())
		rss := startRSS(h.target.pid(), w, h.zfb.answered.Load, h.log, h.c.rssLog)
		r := h.zfb.run(ctx, m.name, roundShare(reqs, k, rounds))
		r.cpu, r.cpuKnown = cpu.spent()
		r.dbCPU, r.dbCPUKnown = db.spent()
		r.clientCPU, r.clientCPUKnown = client.spent()
		r.rssPeakKiB, r.rssKiB = rss.end()
		if err := profiled(); err != nil {
			return result{}, fmt.Errorf("profiling zfb: %w", err)
		}
		return r, nil
	}
	return m, nil
}

// profileSeconds is how much of each workload --profile records.
const profileSeconds = 3

// startProfile starts recording zfb's CPU profile of workload w into the
// --profile directory, when asked; the returned func waits for it.
func (h *harness) startProfile(ctx context.Context, w string) (wait func() error) {
	if h.c.profile == "" || h.target.pprof == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() {
		done <- h.target.profile(ctx, profileSeconds, filepath.Join(h.c.profile, w+".pprof"))
	}()
	return func() error { return <-done }
}

// ceiling counts RSA signatures of a typical answer over every core, made
// with a signer like the measured zfb's (ceilingSigner), for each round's
// share of --ceiling-time; its note names the signer.
func (h *harness) ceiling() (*measurement, error) {
	s, name, err := ceilingSigner(h.target.signer, h.signer.key)
	if err != nil {
		return nil, err
	}
	content := []byte(`{"code":"10000","msg":"Success","buyer_logon_id":"pay***@sandbox.zfb","buyer_pay_amount":"0.01","buyer_user_id":"2088000000000001","invoice_amount":"0.01","out_trade_no":"L00000000P000001","point_amount":"0.00","receipt_amount":"0.01","send_pay_date":"2026-11-29 20:00:00","total_amount":"0.01","trade_no":"2026112922001400000000000001","trade_status":"TRADE_SUCCESS"}`)
	note := name
	if h.target.signer != name {
		note += "; zfb signs with " + h.target.signer
		if h.target.signer == signerOpenSSL {
			note += ": run zfbload with -tags openssl"
		}
	}
	m := &measurement{workload: "ceiling", name: workloadNames["ceiling"], note: note}
	m.slice = func(ctx context.Context, k, rounds int) (result, error) {
		var n atomic.Int64
		start := time.Now()
		deadline := start.Add(h.c.ceilingD / time.Duration(rounds))
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) && ctx.Err() == nil {
					if _, err := s.Sign(h.signer.alg, content); err == nil {
						n.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return result{name: m.name, ok: int(n.Load()), elapsed: time.Since(start)}, nil
	}
	return m, nil
}

// stubWarmUp is how many requests per connection warm the stub up.
const stubWarmUp = 8

// stub serves the query requests from a bare handler in a process of its
// own (this program, run as stub-server): it verifies each request's
// signature with the app's key and answers a query answer naming the
// request's out_trade_no (so every answer is distinct and freshly signed),
// with no storage.
func (h *harness) stub(ctx context.Context) (*measurement, error) {
	p, err := startStubProcess(ctx, stubConfig{AppPublicKey: h.signer.app.AppPublicKey, Signer: h.target.signer, Alg: string(h.signer.alg)})
	if err != nil {
		return nil, err
	}
	reqs, err := h.signer.requests("stub", h.c.n)
	if err != nil {
		p.stop()
		return nil, err
	}
	d := newDriver([]string{"http://" + p.addr}, h.c.conns, h.c.rate)
	// Warm the new process and open its connections, unmeasured: zfb has
	// answered calls since it started (the buyers added), the stub none.
	d.run(ctx, "warm-up", reqs[:min(len(reqs), stubWarmUp*h.c.conns)])
	m := &measurement{workload: "stub", name: workloadNames["stub"], close: func() { d.close(); p.stop() }}
	m.slice = func(ctx context.Context, k, rounds int) (result, error) {
		cpu, client := startCPU(p.pid()), startCPU(os.Getpid())
		r := d.run(ctx, m.name, roundShare(reqs, k, rounds))
		r.cpu, r.cpuKnown = cpu.spent()
		r.clientCPU, r.clientCPUKnown = client.spent()
		return r, nil
	}
	return m, nil
}

type stubHandler struct {
	appPublic *rsa.PublicKey
	signer    sign.Signer
	alg       sign.Algorithm
}

var stubCounter atomic.Int64

func (s stubHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer := func(value []byte) {
		sig, _ := s.signer.Sign(s.alg, value)
		body := sign.Envelope(sign.ResponseNode("alipay.trade.query"), value, "", sig)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}
	if err := r.ParseForm(); err != nil {
		answer([]byte(`{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-parameter","sub_msg":"bad form"}`))
		return
	}
	params := make(map[string]string, len(r.Form))
	for k := range r.Form {
		params[k] = r.Form.Get(k)
	}
	if _, err := sign.VerifyRequest(s.appPublic, s.alg, params); err != nil {
		answer([]byte(`{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"bad signature"}`))
		return
	}
	var biz struct {
		OutTradeNo string `json:"out_trade_no"`
	}
	if err := json.Unmarshal([]byte(params["biz_content"]), &biz); err != nil || biz.OutTradeNo == "" {
		answer([]byte(`{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-parameter","sub_msg":"bad biz_content"}`))
		return
	}
	tradeNo := "20261129220014" + strconv.FormatInt(1e13+stubCounter.Add(1), 10)
	value, _ := json.Marshal(struct {
		Code           string `json:"code"`
		Msg            string `json:"msg"`
		BuyerLogonID   string `json:"buyer_logon_id"`
		BuyerPayAmount string `json:"buyer_pay_amount"`
		BuyerUserID    string `json:"buyer_user_id"`
		OutTradeNo     string `json:"out_trade_no"`
		TotalAmount    string `json:"total_amount"`
		TradeNo        string `json:"trade_no"`
		TradeStatus    string `json:"trade_status"`
	}{"10000", "Success", "pay***@sandbox.zfb", "0.01", "2088000000000001", biz.OutTradeNo, "0.01", tradeNo, "TRADE_SUCCESS"})
	answer(value)
}

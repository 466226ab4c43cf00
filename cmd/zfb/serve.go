package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/server"
)

func (e environment) serve(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb serve", command{usage: "zfb serve [--addr 127.0.0.1:8650] [--data ./zfb-data] [--db URL] [flags]",
		about: "Serves gateway.do, the international acquiring dialect, the admin API and the dashboard. The first start\n" +
			"on an empty database creates the sandbox; every start writes <data>/sandbox.json with the URLs it serves.\n" +
			"One server at a time may use a data directory (it holds <data>/zfb.lock)."})
	c := e.flags(fs)
	skew := fs.Duration("timestamp-skew", openapi.DefaultTimestampSkew, "refuse requests whose timestamp is further than this from the clock (0: check the format only)")
	intlRateText := fs.String("intl-rate-limit", e.env("ZFB_INTL_RATE_LIMIT", "50"), "international acquiring requests per second per clientId, bursts of twice that (0: no limit, for load tests)")
	requestLogText := fs.String("request-log", e.env("ZFB_REQUEST_LOG", strconv.Itoa(server.DefaultRequestLog)), "how many gateway calls the request log keeps, newest first (0: no log)")
	pprofAddr := fs.String("pprof", "", "also serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060 (default: off)")
	allowedHosts := fs.String("allowed-hosts", e.env("ZFB_ALLOWED_HOSTS", ""), "comma-separated Host names to answer besides the loopback names and the --addr host (.example.com: a domain and its subdomains; *: any); others get 421")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	intlRate, err := strconv.ParseFloat(*intlRateText, 64)
	if err != nil || !(intlRate >= 0 && intlRate <= 1e9) { // NaN too
		return fmt.Errorf("--intl-rate-limit %q: want a number of requests per second, 0 or more", *intlRateText)
	}
	requestLog, err := strconv.Atoi(*requestLogText)
	if err != nil || requestLog < 0 {
		return fmt.Errorf("--request-log %q: want a number of calls, 0 or more", *requestLogText)
	}
	if err := c.checkDB(); err != nil {
		return err
	}
	if _, err := e.logger(c); err != nil {
		return err
	}
	// Bind first: a taken port fails before anything is written.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", c.addr, err)
	}
	defer ln.Close()
	if *pprofAddr != "" {
		stopProfiler, err := serveProfiler(*pprofAddr)
		if err != nil {
			return err
		}
		defer stopProfiler()
	}
	// The URLs name the port actually bound (":0" picks one).
	c.addr = ln.Addr().String()
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return err
	}
	unlock, err := lockData(c.data, c.addr)
	if err != nil {
		return err
	}
	defer unlock()
	svc, closeStore, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer closeStore()
	closeRequestLog, err := openRequestLog(svc, c)
	if err != nil {
		return err
	}
	// Deferred after the store, so closed before it: after waitRequestLog
	// below has written the last batch.
	defer closeRequestLog()
	created, err := sandbox.Ensure(ctx, svc, e.sandboxOptions...)
	if err != nil {
		return fmt.Errorf("creating the sandbox: %w", err)
	}
	token, err := svc.Setting(ctx, zfb.SettingAdminToken)
	if err != nil {
		return fmt.Errorf("reading the admin token: %w", err)
	}
	if err := svc.RecordServerURL(ctx, c.baseURL()); err != nil {
		return fmt.Errorf("recording the server's URL: %w", err)
	}
	file, err := sandbox.Load(ctx, svc, c.baseURL())
	if err != nil {
		return err
	}
	sandboxPath := filepath.Join(c.data, "sandbox.json")
	if err := file.WriteCertificates(filepath.Join(c.data, "certs")); err != nil {
		return fmt.Errorf("writing the certificates: %w", err)
	}
	if err := file.WriteFile(sandboxPath); err != nil {
		return fmt.Errorf("writing %s: %w", sandboxPath, err)
	}
	svc.Logger.Info("zfb serving", "addr", c.addr, "db", redactDB(c.database()), "sandbox_created", created)
	if !isLoopback(ln.Addr()) {
		svc.Logger.Warn("serving on a non-loopback address: "+exposedWarning, "addr", c.addr)
		fmt.Fprintf(e.stderr, "WARNING: zfb listens on %s, which is not a loopback address: %s.\n", c.addr, exposedWarning)
	}
	fmt.Fprintf(e.stdout, "zfb is ready\n  gateway    %s\n  intl       %s\n  dashboard  %s\n  admin API  %s\n  sandbox    %s\n",
		file.GatewayURL, file.IntlURL, file.DashboardURL, file.AdminURL, sandboxPath)
	cfg := server.Config{AdminToken: token, Logger: svc.Logger, TimestampSkew: *skew, Addr: c.addr, AllowedHosts: splitList(*allowedHosts),
		IntlOptions: []intl.Option{intl.WithRateLimit(intlRate, int(2*intlRate))}}
	// The workers outlive the HTTP server by the drain: a request still
	// being answered may have made work due.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	dispatcher, waitWorkers := server.StartWorkers(workCtx, svc, cfg)
	cfg.Replayer = dispatcher
	recorder, waitRequestLog := server.StartRequestLog(workCtx, svc, svc.Logger, requestLog)
	cfg.Recorder = recorder
	h := server.Handler(svc, cfg)
	err = server.Serve(ctx, ln, h, svc.Logger, 10*time.Second)
	stopWork()
	waitWorkers()
	waitRequestLog()
	svc.Logger.Info("zfb stopped")
	return err
}

// exposedWarning is what serve says when it listens beyond loopback.
const exposedWarning = "anyone who can reach it can pay and read private keys through the sandbox " +
	"(zfb is a test gateway, not a hardened service); serve on 127.0.0.1 unless this network is yours alone"

// isLoopback tells whether a bound address accepts loopback connections
// only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Package server composes zfb's HTTP surface — gateway.do, the
// international acquiring dialect, the admin API, the dashboard — over one
// Service, and runs it with sane timeouts and a graceful shutdown. cmd/zfb
// and zfbtest both build on it, so a test server is the real server.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/cashier"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/schedule"
)

// Config is what the server needs besides the Service.
type Config struct {
	AdminToken string
	Logger     *slog.Logger
	// TimestampSkew refuses requests of both dialects stamped further than
	// this from the clock (openapi.WithTimestampSkew,
	// intl.WithTimestampSkew); 0 = off.
	TimestampSkew time.Duration
	// IntlOptions configure the international acquiring dialect (its rate
	// limit, say); none gives intl's defaults.
	IntlOptions []intl.Option
	// NotifyOptions configure the notification dispatcher (StartWorkers).
	NotifyOptions []notify.Option
	// ScheduleInterval is how often the scheduler looks for due work;
	// zero is every second.
	ScheduleInterval time.Duration
	// Replayer, when set, lets the admin API replay notifications (the
	// dispatcher StartWorkers returns).
	Replayer admin.Replayer
	// Recorder, when set, records every call of both dialects in the
	// request log (the recorder StartRequestLog returns).
	Recorder zfb.RequestRecorder
	// Addr is the address the server listens on, as bound ("127.0.0.1:8650");
	// its host is one the Host header may name (see AllowedHosts).
	Addr string
	// AllowedHosts are the names, besides the loopback names and Addr's
	// host, that a request's Host header may carry (any port): a name, a
	// ".example.com" for a domain and its subdomains, or "*" for any host.
	// Other requests are answered 421 Misdirected Request, which defeats
	// DNS rebinding against a gateway on loopback.
	AllowedHosts []string
}

// Handler returns zfb's routes, behind the Host allow-list (see
// Config.AllowedHosts).
func Handler(svc *zfb.Service, cfg Config) http.Handler {
	gateway := openapi.New(svc, cfg.Logger, openapi.WithTimestampSkew(cfg.TimestampSkew), openapi.WithRecorder(cfg.Recorder))
	openapi.RegisterTrades(gateway, svc)
	openapi.RegisterFundAuth(gateway, svc)
	openapi.RegisterISV(gateway, svc)
	openapi.RegisterCertDownload(gateway)
	shop := cashier.New(svc, cfg.Logger, cashier.WithWallet(gateway))
	openapi.RegisterWebPay(gateway, svc, shop)
	mux := http.NewServeMux()
	mux.Handle(cashier.Prefix, shop)
	mux.Handle("/gateway.do", gateway)
	intlOpts := append([]intl.Option{intl.WithTimestampSkew(cfg.TimestampSkew), intl.WithRecorder(cfg.Recorder)}, cfg.IntlOptions...)
	mux.Handle(intl.Prefix, intl.New(svc, cfg.Logger, intlOpts...))
	var adminOpts []admin.Option
	var dashboardOpts []admin.DashboardOption
	if cfg.Replayer != nil {
		adminOpts = append(adminOpts, admin.WithReplayer(cfg.Replayer))
		dashboardOpts = append(dashboardOpts, admin.WithDashboardReplayer(cfg.Replayer))
	}
	adminOpts = append(adminOpts, admin.WithWriteTimeout(WriteTimeout))
	mux.Handle(admin.Prefix+"/", admin.New(svc, cfg.AdminToken, cfg.Logger, adminOpts...))
	mux.Handle("/dashboard/", admin.Dashboard(svc, cfg.Logger, dashboardOpts...))
	mux.Handle(admin.AppToAppAuthPath, admin.AppToAppAuth(svc, cfg.Logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return checkHost(mux, cfg.Addr, cfg.AllowedHosts)
}

// WriteTimeout bounds the writing of an answer (http.Server.WriteTimeout):
// the admin API refuses delay faults as long (admin.WithWriteTimeout).
const WriteTimeout = 60 * time.Second

// Serve serves h on ln until ctx is done, then shuts down gracefully,
// letting requests in flight finish for up to drain.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, drain time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Past the grace period: close what is left (slow requests, and
		// connections a client opened but never used, which Shutdown
		// otherwise waits 5 s for). A command already running still
		// commits: handlers run it detached from the connection.
		logger.Warn("connections still open after the drain period; closing them", "drain", drain)
		err = srv.Close()
	}
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// StartWorkers starts zfb's background work on ctx: the notification
// dispatcher, which sends the outbox on Alipay's schedule, and the
// scheduler, which closes what timed out on each app's clock. The
// Service's Wake kicks the dispatcher when a clock moves. It returns the
// dispatcher (the admin API replays through it) and a function that waits
// until both have stopped, after ctx is done.
func StartWorkers(ctx context.Context, svc *zfb.Service, cfg Config) (*notify.Dispatcher, func()) {
	d := notify.New(svc, cfg.Logger, cfg.NotifyOptions...)
	svc.Wake = d.Kick
	interval := cfg.ScheduleInterval
	if interval <= 0 {
		interval = time.Second
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := d.Run(ctx); err != nil && ctx.Err() == nil {
			cfg.Logger.ErrorContext(ctx, "notification dispatcher stopped", "err", err)
		}
	})
	wg.Go(func() { schedule.Run(ctx, svc, cfg.Logger, interval, d.Kick) })
	return d, wg.Wait
}

// Package zfbtest runs a real zfb gateway inside a Go test, the way
// net/http/httptest runs a web server: a fresh SQLite database in the test's
// temporary directory, a freshly generated sandbox, and real HTTP on a
// loopback port. Merchants use it to test their Alipay integration without a
// network; zfb uses it for its own end-to-end and interop tests.
package zfbtest

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/server"
	"github.com/zfbpay/zfb/sqlstore"
)

// Server is a running zfb.
type Server struct {
	URL        string        // the root, like http://127.0.0.1:41234
	GatewayURL string        // URL + "/gateway.do"
	Sandbox    *sandbox.File // what sandbox.json would hold
	Service    *zfb.Service
	Store      zfb.Store
}

type options struct {
	db     string
	clock  zfb.Clock
	logger *slog.Logger
}

// Option configures NewServer.
type Option func(*options)

// WithDatabase stores in db (a postgres:// URL, say) instead of a SQLite
// file in the test's temporary directory.
func WithDatabase(db string) Option { return func(o *options) { o.db = db } }

// WithClock bases every app clock on c instead of the wall clock.
func WithClock(c zfb.Clock) Option { return func(o *options) { o.clock = c } }

// WithLogger logs to l instead of discarding.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// NewServer starts a zfb with a new sandbox; tb.Cleanup stops it.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if o.db == "" {
		o.db = filepath.Join(tb.TempDir(), "zfb.db")
	}
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, o.db, o.logger)
	if err != nil {
		tb.Fatalf("zfbtest: opening the store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, o.clock, o.logger)
	if _, err := sandbox.Ensure(ctx, svc); err != nil {
		tb.Fatalf("zfbtest: creating the sandbox: %v", err)
	}
	token, err := store.Setting(ctx, zfb.SettingAdminToken)
	if err != nil {
		tb.Fatalf("zfbtest: reading the admin token: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("zfbtest: listening: %v", err)
	}
	url := "http://" + ln.Addr().String()
	file, err := sandbox.Load(ctx, store, url)
	if err != nil {
		tb.Fatalf("zfbtest: loading the sandbox: %v", err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	h := server.Handler(svc, server.Config{AdminToken: token, Logger: o.logger})
	go func() { done <- server.Serve(serveCtx, ln, h, o.logger, 5*time.Second) }()
	tb.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			tb.Errorf("zfbtest: serving: %v", err)
		}
	})
	return &Server{URL: url, GatewayURL: url + "/gateway.do", Sandbox: file, Service: svc, Store: store}
}

// App is the sandbox's RSA2 app.
func (s *Server) App() sandbox.App { return s.Sandbox.Apps[0] }

// NewApp registers another app, with fresh keys, that signs with signType.
func (s *Server) NewApp(tb testing.TB, signType zfb.SignType) sandbox.App {
	tb.Helper()
	app, err := sandbox.NewApp("", signType, nil)
	if err != nil {
		tb.Fatalf("zfbtest: generating an app: %v", err)
	}
	if err := s.Service.CreateApp(context.Background(), app); err != nil {
		tb.Fatalf("zfbtest: creating an app: %v", err)
	}
	return sandbox.AppCredentials(app)
}

// AdminURL is the root of the admin API.
func (s *Server) AdminURL() string { return s.Sandbox.AdminURL }

// Package zfbtest runs a real zfb gateway inside a Go test, the way
// net/http/httptest runs a web server: a fresh SQLite database in the test's
// temporary directory, a freshly generated sandbox, and real HTTP on a
// loopback port. Merchants use it to test their Alipay integration without a
// network; zfb uses it for its own end-to-end and interop tests.
package zfbtest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/reqfile"
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
	// Dispatcher sends the notifications (see Receiver).
	Dispatcher *notify.Dispatcher
}

type options struct {
	db     string
	clock  zfb.Clock
	logger *slog.Logger
	notify []notify.Option
	intl   []intl.Option
	// requestLog is how many calls the request log keeps; 0: no log.
	requestLog int
}

// Option configures NewServer.
type Option func(*options)

// WithDatabase stores in db (a postgres:// URL, say) instead of a SQLite
// file in the test's temporary directory.
func WithDatabase(db string) Option { return func(o *options) { o.db = db } }

// WithClock bases every app clock on c instead of the wall clock.
func WithClock(c zfb.Clock) Option { return func(o *options) { o.clock = c } }

// WithNotifyOptions configures the notification dispatcher (its safety
// rules, its send timeout).
func WithNotifyOptions(opts ...notify.Option) Option {
	return func(o *options) { o.notify = append(o.notify, opts...) }
}

// WithIntlOptions configures the international acquiring dialect (its
// per-client rate limit, say: intl.WithRateLimit(0, 0) turns it off).
func WithIntlOptions(opts ...intl.Option) Option {
	return func(o *options) { o.intl = append(o.intl, opts...) }
}

// WithRequestLog records every call in the request log, keeping the newest
// keep (see the admin API's /requests); without it there is no log.
func WithRequestLog(keep int) Option { return func(o *options) { o.requestLog = keep } }

// WithLogger logs to l instead of discarding.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// NewServer starts a zfb with a new sandbox; tb.Cleanup stops it. The
// sandboxes of one test binary hold the same keys, made on the first
// NewServer (internal/testkeys): Server.NewApp makes fresh ones.
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
	if path, ok := sqlstore.SQLitePath(o.db); ok && o.requestLog > 0 {
		// As `zfb serve` keeps it: in files beside the SQLite database.
		// Closed after the recorder's last batch (cleanups run last first).
		// Where files cannot be locked, the database keeps it.
		l, err := reqfile.Open(reqfile.DirBeside(path), o.logger)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
		case err != nil:
			tb.Fatalf("zfbtest: opening the request log: %v", err)
		default:
			tb.Cleanup(func() { l.Close() })
			svc.UseRequestLog(l)
		}
	}
	if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
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
	file, err := sandbox.Load(ctx, svc, url)
	if err != nil {
		tb.Fatalf("zfbtest: loading the sandbox: %v", err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	cfg := server.Config{
		AdminToken: token, Logger: o.logger, NotifyOptions: o.notify, IntlOptions: o.intl,
		TimestampSkew: openapi.DefaultTimestampSkew, ScheduleInterval: 50 * time.Millisecond,
	}
	dispatcher, waitWorkers := server.StartWorkers(serveCtx, svc, cfg)
	cfg.Replayer = dispatcher
	recorder, waitRequestLog := server.StartRequestLog(serveCtx, svc, o.logger, o.requestLog)
	cfg.Recorder = recorder
	done := make(chan error, 1)
	h := server.Handler(svc, cfg)
	go func() { done <- server.Serve(serveCtx, ln, h, o.logger, time.Second) }()
	tb.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			tb.Errorf("zfbtest: serving: %v", err)
		}
		waitWorkers()
		waitRequestLog()
	})
	return &Server{URL: url, GatewayURL: url + "/gateway.do", Sandbox: file, Service: svc, Store: store, Dispatcher: dispatcher}
}

// App is the sandbox's RSA2 app.
func (s *Server) App() sandbox.App { return s.Sandbox.Apps[0] }

// CertApp is the sandbox's RSA2 app in public-key-certificate mode, with
// its certificates inline (write them with Sandbox.WriteCertificates for
// SDKs that load files).
func (s *Server) CertApp() sandbox.App {
	for _, a := range s.Sandbox.Apps {
		if a.AppID == sandbox.CertAppID {
			return a
		}
	}
	panic("zfbtest: the sandbox has no certificate-mode app")
}

// NewApp registers another app, with fresh keys, that signs with signType.
func (s *Server) NewApp(tb testing.TB, signType zfb.SignType) sandbox.App {
	tb.Helper()
	app, err := sandbox.NewApp("", signType, nil)
	if err != nil {
		tb.Fatalf("zfbtest: generating an app: %v", err)
	}
	if err := sandbox.Certify(context.Background(), s.Service, app); err != nil {
		tb.Fatalf("zfbtest: certifying an app: %v", err)
	}
	if err := s.Service.CreateApp(context.Background(), app); err != nil {
		tb.Fatalf("zfbtest: creating an app: %v", err)
	}
	return sandbox.AppCredentials(app)
}

// AdminURL is the root of the admin API.
func (s *Server) AdminURL() string { return s.Sandbox.AdminURL }

// Buyer is the first sandbox buyer with behaviour (zfb.BehaviourPays,
// zfb.BehaviourPassword, zfb.BehaviourPoor).
func (s *Server) Buyer(tb testing.TB, behaviour string) sandbox.Buyer {
	tb.Helper()
	for _, b := range s.Sandbox.Buyers {
		if b.Behaviour == behaviour {
			return b
		}
	}
	tb.Fatalf("zfbtest: no sandbox buyer %s", behaviour)
	return sandbox.Buyer{}
}

// ActAsBuyer plays the buyer on a waiting trade: zfb.BuyerActionPay,
// zfb.BuyerActionDecline or zfb.BuyerActionScan.
func (s *Server) ActAsBuyer(tb testing.TB, tradeNo, action string) *zfb.Trade {
	tb.Helper()
	t, err := s.Service.ActAsBuyer(context.Background(), tradeNo, action, "")
	if err != nil {
		tb.Fatalf("zfbtest: %s on trade %s: %v", action, tradeNo, err)
	}
	return t
}

// Trade finds an app's trade by out_trade_no, precreated ones included.
func (s *Server) Trade(tb testing.TB, appID, outTradeNo string) *zfb.Trade {
	tb.Helper()
	t, err := s.Service.TradeByOutTradeNo(context.Background(), appID, outTradeNo)
	if err != nil {
		tb.Fatalf("zfbtest: trade %s: %v", outTradeNo, err)
	}
	return t
}

// AdvanceClock moves the app's clock forward by d.
func (s *Server) AdvanceClock(tb testing.TB, appID string, d time.Duration) {
	tb.Helper()
	if _, err := s.Service.AdvanceClock(context.Background(), appID, d); err != nil {
		tb.Fatalf("zfbtest: advancing the clock: %v", err)
	}
}

// AddFault makes the app's matching calls fail on purpose (see zfb.Fault).
func (s *Server) AddFault(tb testing.TB, f zfb.Fault) {
	tb.Helper()
	if err := s.Service.AddFault(context.Background(), &f); err != nil {
		tb.Fatalf("zfbtest: adding a fault: %v", err)
	}
}

// ClearFaults removes the app's fault rules.
func (s *Server) ClearFaults(tb testing.TB, appID string) {
	tb.Helper()
	if err := s.Service.DeleteFaults(context.Background(), appID); err != nil {
		tb.Fatalf("zfbtest: clearing faults: %v", err)
	}
}

// CheckLedger fails the test unless the ledger's invariants hold.
func (s *Server) CheckLedger(tb testing.TB) *zfb.LedgerReport {
	tb.Helper()
	r, err := s.Service.CheckLedger(context.Background())
	if err != nil {
		tb.Fatalf("zfbtest: checking the ledger: %v", err)
	}
	if !r.OK {
		tb.Fatalf("zfbtest: ledger invariants broken: %v", r.Failures)
	}
	return r
}

// Balance is a buyer's available balance, in minor units.
func (s *Server) Balance(tb testing.TB, userID string) int64 {
	tb.Helper()
	b, err := s.Service.Buyer(context.Background(), userID)
	if err != nil {
		tb.Fatalf("zfbtest: buyer %s: %v", userID, err)
	}
	return b.Balance
}

// FrozenBalance is what a buyer has frozen under fund authorisations, in
// minor units.
func (s *Server) FrozenBalance(tb testing.TB, userID string) int64 {
	tb.Helper()
	a, err := s.Store.Account(context.Background(), zfb.BuyerFrozenAccount(userID, zfb.CNY))
	if err != nil {
		tb.Fatalf("zfbtest: frozen account of %s: %v", userID, err)
	}
	return a.Balance
}

// AuthOrder finds an app's fund authorisation order by out_order_no, with
// its operations.
func (s *Server) AuthOrder(tb testing.TB, appID, outOrderNo string) *zfb.AuthOrderDetail {
	tb.Helper()
	d, err := s.Service.AuthOrderByOutOrderNo(context.Background(), appID, outOrderNo)
	if err != nil {
		tb.Fatalf("zfbtest: authorisation order %s: %v", outOrderNo, err)
	}
	return d
}

// ActOnAuthorization plays the buyer on a waiting freeze or voucher:
// zfb.BuyerActionAuthorize or zfb.BuyerActionDecline.
func (s *Server) ActOnAuthorization(tb testing.TB, authNo, action string) *zfb.AuthOrderDetail {
	tb.Helper()
	d, err := s.Service.ActOnAuthorization(context.Background(), authNo, action, "")
	if err != nil {
		tb.Fatalf("zfbtest: %s on authorisation %s: %v", action, authNo, err)
	}
	return d
}

// RestrictBuyer restricts a buyer's account (true) or lifts the
// restriction (false).
func (s *Server) RestrictBuyer(tb testing.TB, userID string, restricted bool) {
	tb.Helper()
	if err := s.Service.RestrictBuyer(context.Background(), userID, restricted); err != nil {
		tb.Fatalf("zfbtest: restricting buyer %s: %v", userID, err)
	}
}

// IntlPayment finds an app's international payment by merchantTransId,
// with its refunds.
func (s *Server) IntlPayment(tb testing.TB, appID, merchantTransID string) (*zfb.IntlPayment, []*zfb.IntlRefund) {
	tb.Helper()
	p, refunds, err := s.Service.IntlPaymentByMerchantTransID(context.Background(), appID, merchantTransID)
	if err != nil {
		tb.Fatalf("zfbtest: intl payment %s: %v", merchantTransID, err)
	}
	return p, refunds
}

// ActOnIntlPayment plays the buyer on an international payment waiting for
// them: zfb.BuyerActionPay or zfb.BuyerActionDecline.
func (s *Server) ActOnIntlPayment(tb testing.TB, acquirementID, action string) *zfb.IntlPayment {
	tb.Helper()
	p, err := s.Service.ActOnIntlPayment(context.Background(), acquirementID, action)
	if err != nil {
		tb.Fatalf("zfbtest: %s on intl payment %s: %v", action, acquirementID, err)
	}
	return p
}

// SettleMerchant pays out the app's merchant balances, so that refunds and
// cancels need new income.
func (s *Server) SettleMerchant(tb testing.TB, appID string) map[string]int64 {
	tb.Helper()
	out, err := s.Service.SettleMerchant(context.Background(), appID)
	if err != nil {
		tb.Fatalf("zfbtest: settling the merchant of %s: %v", appID, err)
	}
	return out
}

// MerchantBalance is what an app's merchant holds in currency, in minor
// units (zero when it has no account in it).
func (s *Server) MerchantBalance(tb testing.TB, sellerID, currency string) int64 {
	tb.Helper()
	a, err := s.Store.Account(context.Background(), zfb.MerchantAccount(sellerID, currency))
	if errors.Is(err, zfb.ErrNotFound) {
		return 0
	}
	if err != nil {
		tb.Fatalf("zfbtest: merchant account %s %s: %v", sellerID, currency, err)
	}
	return a.Balance
}

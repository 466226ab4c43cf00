// Package cashier is zfb's hosted cashier: the pages Alipay shows a buyer
// who pays on a website (alipay.trade.page.pay, alipay.trade.wap.pay).
// gateway.do verifies the merchant's call, creates the trade and sends the
// browser here (openapi.Cashier); the buyer logs in as a sandbox buyer,
// then pays or cancels. A payment notifies the merchant (the outbox) and
// sends the browser back to return_url with the signed parameters Alipay
// sends (spec/web-and-app-pay.md §4).
//
// Cashier sessions live in memory: a browser must come back to the zfb
// instance that answered its gateway.do call.
package cashier

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
	"github.com/zfbpay/zfb/internal/webstyle"
	"github.com/zfbpay/zfb/openapi"
)

// Prefix is where the cashier is mounted.
const Prefix = "/cashier/"

// orderLifetime is how long a cashier session is kept; the trade itself
// lives on (query, close) after it is forgotten here.
const orderLifetime = 24 * time.Hour

// maxOrders bounds the sessions kept in memory; past it the oldest go.
const maxOrders = 10000

//go:embed cashier.html embedded.html
var templates embed.FS

var page = webstyle.Head(template.Must(template.New("cashier.html").Funcs(template.FuncMap{
	"amount": zfb.FormatAmount,
}).ParseFS(templates, "cashier.html", "embedded.html")))

// Cashier is the http.Handler for Prefix, and the openapi.Cashier that
// page methods open.
type Cashier struct {
	svc         *zfb.Service
	log         *slog.Logger
	keys        appkeys.Ring
	crossOrigin *http.CrossOriginProtection
	mux         *http.ServeMux
	wallet      OrderStrings // nil: no wallet page

	mu     sync.Mutex
	orders map[string]*order
}

var _ openapi.Cashier = (*Cashier)(nil)

// order is one cashier session: a verified call and its trade.
type order struct {
	openapi.CashierOrder
	id        string
	csrf      string // the forms' token
	opened    time.Time
	mu        sync.Mutex
	session   string // the buyer's login cookie value; "" until one logs in
	buyerID   string
	cancelled bool
	// appResult is what the Alipay app would hand the merchant's app once
	// an app.pay order is paid or given up (wallet.go); "" before.
	appResult string
}

// Option configures a Cashier.
type Option func(*Cashier)

// OrderStrings runs app.pay order strings: the gateway (openapi.Gateway).
type OrderStrings interface {
	OpenOrderString(ctx context.Context, host, order string) (location string, zerr *zfb.Error, diagnosis string)
}

// WithWallet serves the wallet page (Prefix + "app"), which takes app.pay
// order strings and runs them through g.
func WithWallet(g OrderStrings) Option { return func(c *Cashier) { c.wallet = g } }

// New returns a cashier over svc.
func New(svc *zfb.Service, logger *slog.Logger, opts ...Option) *Cashier {
	c := &Cashier{svc: svc, log: logger, crossOrigin: http.NewCrossOriginProtection(), orders: make(map[string]*order)}
	for _, o := range opts {
		o(c)
	}
	mux := http.NewServeMux()
	if c.wallet != nil {
		mux.HandleFunc("GET "+Prefix+"app", c.walletPage)
		mux.HandleFunc("POST "+Prefix+"app", c.walletOpen)
	}
	mux.HandleFunc("GET "+Prefix+"{id}", c.show)
	mux.HandleFunc("GET "+Prefix+"qr-image/{id}", c.qrImage) // not {id}/…: that would overlap QRPath
	mux.HandleFunc("GET "+openapi.QRPath+"{code}", c.scan)
	mux.HandleFunc("POST "+Prefix+"{id}/login", c.login)
	mux.HandleFunc("POST "+Prefix+"{id}/pay", c.pay)
	mux.HandleFunc("POST "+Prefix+"{id}/cancel", c.cancel)
	c.mux = mux
	return c
}

// ServeHTTP serves the cashier's pages.
func (c *Cashier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// Open starts a cashier session for a verified page call and returns its
// URL.
func (c *Cashier) Open(_ context.Context, o openapi.CashierOrder) (string, error) {
	now := time.Now()
	od := &order{CashierOrder: o, id: token(), csrf: token(), opened: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.orders) >= maxOrders {
		c.pruneLocked(now, true)
	}
	c.pruneLocked(now, false)
	c.orders[od.id] = od
	return Prefix + od.id, nil
}

// pruneLocked forgets sessions past their lifetime; with full, also any
// sessions it takes to make room for one more (map order: arbitrary).
func (c *Cashier) pruneLocked(now time.Time, full bool) {
	cut := now.Add(-orderLifetime)
	for id, o := range c.orders {
		if o.opened.Before(cut) || (full && len(c.orders) >= maxOrders) {
			delete(c.orders, id)
		}
	}
}

func (c *Cashier) order(r *http.Request) *order {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.orders[r.PathValue("id")]
}

// token is 32 random bytes, URL-safe.
func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

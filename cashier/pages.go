package cashier

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

const (
	cookieName = "zfb_cashier"
	csrfField  = "csrf"
)

// view is what cashier.html shows.
type view struct {
	ID, CSRF            string
	Subject, Merchant   string
	OutTradeNo, TradeNo string
	Amount              int64
	ClosesAt, TimeLeft  string
	Wap                 bool
	Buyer               *zfb.Buyer
	LogonID             string
	Error               string
	State               string // "login", "confirm", "paid", "closed", "cancelled"
	Password            string
	// The wallet (wallet.go): the order string given, the result the app
	// returns, and zfb's diagnosis of a failed signature.
	Order, AppResult, Diagnosis string
}

// show renders the cashier as the order stands.
func (c *Cashier) show(w http.ResponseWriter, r *http.Request) {
	o := c.order(r)
	if o == nil {
		c.notFound(w)
		return
	}
	if embedded(o) && r.URL.Query().Get(scanQuery) == "" {
		c.showEmbedded(w, r, o)
		return
	}
	c.render(w, r, o, http.StatusOK, "", "")
}

func (c *Cashier) notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_ = page.ExecuteTemplate(w, "cashier.html", view{State: "gone"})
}

// render shows the order's page; msg is an error to show, logonID what
// the login form keeps.
func (c *Cashier) render(w http.ResponseWriter, r *http.Request, o *order, status int, msg, logonID string) {
	ctx := r.Context()
	t, err := c.svc.Trade(ctx, o.Trade.TradeNo)
	if err != nil {
		c.fail(w, r, "reading the trade", err)
		return
	}
	now := o.App.Clock(c.svc.Clock).Now()
	merchant := o.App.Name
	if merchant == "" {
		merchant = o.App.ID
	}
	v := view{
		ID: o.id, CSRF: o.csrf, Subject: t.Subject, Merchant: merchant + " (" + t.SellerID + ")",
		OutTradeNo: t.OutTradeNo, TradeNo: t.TradeNo, Amount: t.TotalAmount, Error: msg, LogonID: logonID,
		Wap: t.Kind == zfb.TradeKindWap, Password: zfb.SandboxBuyerPassword,
		ClosesAt: zfb.FormatGatewayTime(t.ExpiresAt), TimeLeft: timeLeft(t.ExpiresAt.Sub(now)),
	}
	o.mu.Lock()
	v.AppResult = o.appResult
	o.mu.Unlock()
	buyerID := c.buyer(r, o)
	switch {
	case t.Status == zfb.TradeSuccess || t.Status == zfb.TradeFinished:
		v.State = "paid"
	case t.Status == zfb.TradeClosed:
		v.State = "closed"
	case o.isCancelled():
		v.State = "cancelled"
	case buyerID != "":
		v.State = "confirm"
		if v.Buyer, err = c.svc.Buyer(ctx, buyerID); err != nil {
			c.fail(w, r, "reading the buyer", err)
			return
		}
	default:
		v.State = "login"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := page.ExecuteTemplate(w, "cashier.html", v); err != nil {
		c.log.WarnContext(ctx, "cashier: rendering", "err", err)
	}
}

// timeLeft says d in days, hours and minutes.
func timeLeft(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh %dm", days, hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	}
	return fmt.Sprintf("%dm", mins)
}

// form checks the cross-origin protection and the order's CSRF token.
func (c *Cashier) form(w http.ResponseWriter, r *http.Request) (*order, bool) {
	if err := c.crossOrigin.Check(r); err != nil {
		http.Error(w, "403 forbidden: a cross-origin form", http.StatusForbidden)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request: the form does not parse", http.StatusBadRequest)
		return nil, false
	}
	o := c.order(r)
	if o == nil {
		c.notFound(w)
		return nil, false
	}
	if !equal(r.PostForm.Get(csrfField), o.csrf) {
		http.Error(w, "403 forbidden: the form's security token is missing or wrong; reload the page and try again", http.StatusForbidden)
		return nil, false
	}
	return o, true
}

// buyer is the buyer logged in on o in this browser, or "".
func (c *Cashier) buyer(r *http.Request, o *order) string {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return ""
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if equal(ck.Value, o.session) {
		return o.buyerID
	}
	return ""
}

func (o *order) isCancelled() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cancelled
}

// login logs a sandbox buyer in with logon id and password.
func (c *Cashier) login(w http.ResponseWriter, r *http.Request) {
	o, ok := c.form(w, r)
	if !ok {
		return
	}
	logonID := r.PostForm.Get("logon_id")
	b, err := c.svc.CashierBuyer(r.Context(), logonID, r.PostForm.Get("password"))
	if errors.Is(err, zfb.ErrNotFound) {
		c.render(w, r, o, http.StatusUnauthorized, "Wrong account or password (every sandbox buyer's password is "+zfb.SandboxBuyerPassword+"). 账户名或登录密码不正确", logonID)
		return
	} else if err != nil {
		c.fail(w, r, "finding the buyer", err)
		return
	}
	session := token()
	o.mu.Lock()
	o.session, o.buyerID = session, b.UserID
	o.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: session, Path: Prefix + o.id, MaxAge: int(orderLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, home(o), http.StatusSeeOther)
}

// pay pays as the logged-in buyer and sends the browser to return_url.
func (c *Cashier) pay(w http.ResponseWriter, r *http.Request) {
	o, ok := c.form(w, r)
	if !ok {
		return
	}
	buyerID := c.buyer(r, o)
	if buyerID == "" {
		c.render(w, r, o, http.StatusUnauthorized, "Log in first. 请先登录", "")
		return
	}
	ctx := r.Context()
	t, err := c.svc.PayAtCashier(ctx, o.Trade.TradeNo, buyerID)
	if err != nil {
		if _, coded := zfb.AsError(err); !coded && !errors.Is(err, zfb.ErrInvalidAction) {
			c.log.ErrorContext(ctx, "cashier: paying", "trade_no", o.Trade.TradeNo, "err", err)
		}
		c.render(w, r, o, http.StatusOK, payError(err), "")
		return
	}
	c.log.InfoContext(ctx, "cashier: paid", "trade_no", t.TradeNo, "buyer_id", buyerID)
	if isAppPay(o) {
		res, err := c.paidResult(o, t)
		if err != nil {
			c.fail(w, r, "signing the app's result", err)
			return
		}
		o.mu.Lock()
		o.appResult = res
		o.mu.Unlock()
	}
	// app.pay has no return_url (spec §2.5); an embedded order's frame
	// goes there (embedded.go), not the phone that scanned it.
	if o.ReturnURL == "" || isAppPay(o) || embedded(o) {
		http.Redirect(w, r, home(o), http.StatusSeeOther)
		return
	}
	to, err := c.returnURL(o, t)
	if err != nil {
		c.fail(w, r, "signing the return", err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// payError is what the cashier tells the buyer a payment failed for.
func payError(err error) string {
	switch {
	case errors.Is(err, zfb.ErrBuyerBalanceNotEnough):
		return "The balance is not enough: log in as another buyer, or cancel. 余额不足"
	case errors.Is(err, zfb.ErrBuyerEnableStatusForbid):
		return "This account is restricted and cannot pay. 账户受限"
	case errors.Is(err, zfb.ErrInvalidAction):
		return "The trade cannot be paid now (" + err.Error() + ")"
	}
	if e, ok := zfb.AsError(err); ok {
		return e.SubMsg + " (" + e.SubCode + ")"
	}
	return "Something went wrong; try again. 系统繁忙，请稍后再试"
}

// cancel leaves the cashier: wap goes to quit_url when there is one; the
// trade keeps waiting until its time-out, as on Alipay.
func (c *Cashier) cancel(w http.ResponseWriter, r *http.Request) {
	o, ok := c.form(w, r)
	if !ok {
		return
	}
	o.mu.Lock()
	o.cancelled = true
	if isAppPay(o) && o.appResult == "" {
		o.appResult = cancelledResult()
	}
	o.mu.Unlock()
	if o.QuitURL != "" {
		http.Redirect(w, r, o.QuitURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, home(o), http.StatusSeeOther)
}

// returnURL is return_url with the parameters Alipay appends after a
// payment (spec §4.2), signed with the app's gateway key as notifications
// are: everything but sign and sign_type, sorted (§4.3).
func (c *Cashier) returnURL(o *order, t *zfb.Trade) (string, error) {
	keys, err := c.keys.Get(o.App)
	if err != nil {
		return "", err
	}
	signType := o.SignType
	if !sign.Algorithm(signType).Valid() {
		signType = string(o.App.SignType)
	}
	now := o.App.Clock(c.svc.Clock).Now()
	p := map[string]string{
		"charset": o.Charset, "out_trade_no": t.OutTradeNo, "method": o.Method + ".return",
		"total_amount": zfb.FormatAmount(t.TotalAmount), "trade_no": t.TradeNo, "auth_app_id": o.App.ID,
		"version": "1.0", "app_id": o.App.ID, "sign_type": signType, "seller_id": t.SellerID,
		"timestamp": zfb.FormatGatewayTime(now),
	}
	sig, err := keys.GatewaySigner.Sign(sign.Algorithm(signType), []byte(sign.NotifyContent(p)))
	if err != nil {
		return "", err
	}
	p["sign"] = sig
	q := url.Values{}
	for k, v := range p {
		q.Set(k, v)
	}
	sep := "?"
	if strings.Contains(o.ReturnURL, "?") {
		sep = "&"
	}
	return o.ReturnURL + sep + q.Encode(), nil
}

func (c *Cashier) fail(w http.ResponseWriter, r *http.Request, doing string, err error) {
	c.log.ErrorContext(r.Context(), "cashier: "+doing, "err", err)
	http.Error(w, "500 internal error: "+doing, http.StatusInternalServerError)
}

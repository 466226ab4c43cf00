package zfbtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// intlEnv is one zfb, one of its apps and a client of the international
// acquiring dialect through the Go SDK. Tests that move the app's clock,
// settle its merchant or make many calls take an app of their own
// (newOwnIntlEnv): its own clock, its own balances and its own share of
// the rate limit.
type intlEnv struct {
	srv      *zfbtest.Server
	c        *intl.Client
	ctx      context.Context
	app      sandbox.App
	payer    sandbox.Buyer // pays at once
	password sandbox.Buyer // pay waits for them
	poor     sandbox.Buyer // 1.00 CNY

	mu sync.Mutex
	n  int
}

// intlClient is an SDK client of app against srv.
func intlClient(t *testing.T, srv *zfbtest.Server, app sandbox.App, opts ...intl.Option) *intl.Client {
	t.Helper()
	opts = append([]intl.Option{intl.WithBaseURL(srv.URL), intl.WithPartnerID(app.IntlPartnerID)}, opts...)
	c, err := intl.New(app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newIntlEnv(t *testing.T, srv *zfbtest.Server, app sandbox.App) *intlEnv {
	t.Helper()
	return &intlEnv{
		srv: srv, c: intlClient(t, srv, app), ctx: context.Background(), app: app,
		payer: srv.Buyer(t, zfb.BehaviourPays), password: srv.Buyer(t, zfb.BehaviourPassword), poor: srv.Buyer(t, zfb.BehaviourPoor),
	}
}

// newOwnIntlEnv is an intlEnv on a new RSA2 app of srv.
func newOwnIntlEnv(t *testing.T, srv *zfbtest.Server) *intlEnv {
	t.Helper()
	return newIntlEnv(t, srv, srv.NewApp(t, zfb.SignTypeRSA2))
}

// next is a fresh merchantTransId (or merchantRefundId): prefix and a
// counter.
func (e *intlEnv) next(prefix string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	return fmt.Sprintf("%s_%d", prefix, e.n)
}

// newIntlBuyer registers a buyer of its own, so that a test can reason
// about one balance alone.
func newIntlBuyer(t *testing.T, srv *zfbtest.Server, behaviour string, balance int64) sandbox.Buyer {
	t.Helper()
	b, err := sandbox.NewBuyer(behaviour, balance)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Service.CreateBuyer(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return sandbox.Buyer{UserID: b.UserID, PaymentCode: b.PaymentCode, Behaviour: behaviour}
}

const intlTitle = "Green tea & <cake>"

func (e *intlEnv) payReq(code, transID, currency string, value int64) intl.PayRequest {
	return intl.PayRequest{
		MerchantTransID: transID, IdentityCode: code,
		Order: intl.Order{OrderTitle: intlTitle, OrderAmount: intl.NewMoney(currency, value)},
	}
}

func (e *intlEnv) pay(code, transID, currency string, value int64) (*intl.PayResponse, error) {
	return e.c.Pay(e.ctx, e.payReq(code, transID, currency, value))
}

// mustPay makes the buyer who pays at once pay value of currency.
func (e *intlEnv) mustPay(t *testing.T, transID, currency string, value int64) *intl.PayResponse {
	t.Helper()
	return e.mustPayBy(t, e.payer, transID, currency, value)
}

func (e *intlEnv) mustPayBy(t *testing.T, b sandbox.Buyer, transID, currency string, value int64) *intl.PayResponse {
	t.Helper()
	r, err := e.pay(b.PaymentCode, transID, currency, value)
	if err != nil || r.ResultInfo.ResultStatus != intl.StatusSuccess || r.ResultInfo.ResultCodeID != intl.CodeIDSuccess ||
		r.AcquirementID == "" || r.MerchantTransID != transID || r.OrderAmount != intl.NewMoney(currency, value) ||
		r.PaymentAmount == nil || r.PaymentAmount.Currency != zfb.CNY || r.PaidTime == "" || r.CreateTime == "" {
		t.Fatalf("pay %s %d %s: %v %+v", transID, value, currency, err, r)
	}
	return r
}

// mustPayWaiting makes the password buyer pay: U USER_PAYING, and the
// payment's acquirementId.
func (e *intlEnv) mustPayWaiting(t *testing.T, transID, currency string, value int64) string {
	t.Helper()
	return e.mustPayWaitingBy(t, e.password, transID, currency, value)
}

func (e *intlEnv) mustPayWaitingBy(t *testing.T, b sandbox.Buyer, transID, currency string, value int64) string {
	t.Helper()
	r, err := e.pay(b.PaymentCode, transID, currency, value)
	ie := wantIntlError(t, err, intl.StatusUnknown, "12005012", "USER_PAYING")
	var body intl.PayResponse
	if err := json.Unmarshal(ie.Body, &body); err != nil {
		t.Fatal(err)
	}
	// The SDK may hand back what the U answer carries; it must be the same.
	if r != nil && (r.AcquirementID != body.AcquirementID || r.ResultInfo.ResultCode != "USER_PAYING") {
		t.Fatalf("USER_PAYING answered %+v, body %s", r, ie.Body)
	}
	if body.AcquirementID == "" || body.MerchantTransID != transID || body.OrderAmount != intl.NewMoney(currency, value) ||
		body.PaymentAmount != nil || body.PaidTime != "" || body.CreateTime == "" {
		t.Fatalf("USER_PAYING body %s", ie.Body)
	}
	return body.AcquirementID
}

// query is payQuery; nil when the payment does not exist.
func (e *intlEnv) query(t *testing.T, ref intl.PayQueryRequest) *intl.PayQueryResponse {
	t.Helper()
	r, err := e.c.PayQuery(e.ctx, ref)
	if intl.IsCode(err, intl.CodeOrderNotExist) {
		wantIntlError(t, err, intl.StatusFailure, intl.CodeIDOrderNotExist, intl.CodeOrderNotExist)
		return nil
	}
	if err != nil || r.ResultInfo.ResultCode != intl.CodeSuccess {
		t.Fatalf("payQuery %+v: %v %+v", ref, err, r)
	}
	return r
}

// status is a payment's acquirementStatus, or NOT_EXIST.
func (e *intlEnv) status(t *testing.T, transID string) string {
	t.Helper()
	r := e.query(t, intl.PayQueryRequest{MerchantTransID: transID})
	if r == nil {
		return "NOT_EXIST"
	}
	if r.MerchantTransID != transID {
		t.Fatalf("payQuery %s answered %+v", transID, r)
	}
	return r.AcquirementStatus
}

func (e *intlEnv) cancel(ref intl.PayCancelRequest) (*intl.PayCancelResponse, error) {
	return e.c.PayCancel(e.ctx, ref)
}

func (e *intlEnv) mustCancel(t *testing.T, ref intl.PayCancelRequest) *intl.PayCancelResponse {
	t.Helper()
	r, err := e.cancel(ref)
	if err != nil || r.ResultInfo.ResultCode != intl.CodeSuccess || r.ResultInfo.ResultCodeID != intl.CodeIDSuccess || r.CancelTime == "" {
		t.Fatalf("payCancel %+v: %v %+v", ref, err, r)
	}
	return r
}

func (e *intlEnv) refund(acq, refundID, currency string, value int64) (*intl.RefundResponse, error) {
	return e.c.Refund(e.ctx, intl.RefundRequest{
		AcquirementID: acq, MerchantRefundID: refundID, RefundAmount: intl.NewMoney(currency, value), RefundReason: "cold tea",
	})
}

func (e *intlEnv) mustRefund(t *testing.T, acq, refundID, currency string, value int64) *intl.RefundResponse {
	t.Helper()
	r, err := e.refund(acq, refundID, currency, value)
	if err != nil || r.ResultInfo.ResultCode != intl.CodeSuccess || r.AcquirementID != acq || r.MerchantRefundID != refundID ||
		r.RefundID == "" || r.RefundAmount != intl.NewMoney(currency, value) || r.RefundTime == "" {
		t.Fatalf("refund %s %d %s of %s: %v %+v", refundID, value, currency, acq, err, r)
	}
	return r
}

// merchant is what the app's merchant holds in currency.
func (e *intlEnv) merchant(t *testing.T, currency string) int64 {
	t.Helper()
	return e.srv.MerchantBalance(t, e.app.SellerID, currency)
}

// payment is the stored payment of a merchantTransId (tombstones too),
// with its refunds.
func (e *intlEnv) payment(t *testing.T, transID string) (*zfb.IntlPayment, []*zfb.IntlRefund) {
	t.Helper()
	p, err := e.srv.Store.IntlPaymentByMerchantTransID(e.ctx, e.app.AppID, transID)
	if err != nil {
		t.Fatalf("payment %s: %v", transID, err)
	}
	refunds, err := e.srv.Store.IntlRefunds(e.ctx, p.AcquirementID)
	if err != nil {
		t.Fatal(err)
	}
	return p, refunds
}

// wantNoPayment fails if zfb stored anything for transID.
func (e *intlEnv) wantNoPayment(t *testing.T, transID string) {
	t.Helper()
	if p, err := e.srv.Store.IntlPaymentByMerchantTransID(e.ctx, e.app.AppID, transID); !errors.Is(err, zfb.ErrNotFound) {
		t.Fatalf("%s: want no payment stored, have %+v (%v)", transID, p, err)
	}
}

// wantIntlError fails unless err is an *intl.Error with the status, the
// resultCodeId and the resultCode.
func wantIntlError(t *testing.T, err error, status, codeID, code string) *intl.Error {
	t.Helper()
	var ie *intl.Error
	if !errors.As(err, &ie) || ie.ResultStatus != status || ie.ResultCodeID != codeID || ie.ResultCode != code {
		t.Fatalf("got %v, want %s %s %s", err, status, codeID, code)
	}
	if (status == intl.StatusFailure) == ie.UnknownResult() {
		t.Fatalf("%v: UnknownResult() %v for status %s", err, ie.UnknownResult(), status)
	}
	return ie
}

// beijing parses a time of the dialect and checks that it is RFC 3339 in
// Beijing time.
func beijing(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "+08:00") {
		t.Fatalf("time %q: want RFC 3339 in +08:00 (%v)", s, err)
	}
	return tm
}

// appNow is the app's clock.
func (e *intlEnv) appNow(t *testing.T) time.Time {
	t.Helper()
	now, err := e.srv.Service.AppNow(e.ctx, e.app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	return now
}

// TestIntlPay: a buyer pays in CNY at the sandbox rate and the merchant is
// paid in the order's currency; repeats never charge twice; refusals store
// nothing and charge nothing.
func TestIntlPay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newIntlEnv(t, srv, srv.App())
		before, merchantBefore := srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")
		start := e.appNow(t)

		no := e.next("pay")
		r := e.mustPay(t, no, "USD", 1000)
		if len(r.AcquirementID) != 28 || *r.PaymentAmount != intl.NewMoney("CNY", 7200) || r.ResultInfo.ResultMsg != "success" {
			t.Fatalf("pay answer %+v", r)
		}
		created, paid := beijing(t, r.CreateTime), beijing(t, r.PaidTime)
		if !created.Equal(paid) || created.Before(start.Truncate(time.Second)) || created.After(e.appNow(t)) {
			t.Fatalf("createTime %s, paidTime %s, app clock at start %s", r.CreateTime, r.PaidTime, start)
		}
		if got := srv.Balance(t, e.payer.UserID); got != before-7200 {
			t.Fatalf("buyer balance %d, want %d", got, before-7200)
		}
		if got := e.merchant(t, "USD"); got != merchantBefore+1000 {
			t.Fatalf("merchant USD %d, want %d", got, merchantBefore+1000)
		}
		q := e.query(t, intl.PayQueryRequest{AcquirementID: r.AcquirementID})
		if q.AcquirementStatus != intl.AcquirementStatusSuccess || q.MerchantTransID != no || q.OrderAmount != r.OrderAmount ||
			q.PaymentAmount == nil || *q.PaymentAmount != *r.PaymentAmount || q.CreateTime != r.CreateTime || q.PaidTime != r.PaidTime ||
			q.CancelTime != "" || q.RefundAmount != nil {
			t.Fatalf("payQuery %+v", q)
		}
		if q2 := e.query(t, intl.PayQueryRequest{MerchantTransID: no}); q2.AcquirementID != r.AcquirementID {
			t.Fatalf("payQuery by merchantTransId %+v", q2)
		}
		// acquirementId wins over a merchantTransId that names another payment.
		other := e.mustPay(t, e.next("pay"), "USD", 1)
		if q3 := e.query(t, intl.PayQueryRequest{AcquirementID: r.AcquirementID, MerchantTransID: other.MerchantTransID}); q3.MerchantTransID != no {
			t.Fatalf("payQuery with both ids answered %+v", q3)
		}
		if e.query(t, intl.PayQueryRequest{MerchantTransID: "never_seen"}) != nil || e.query(t, intl.PayQueryRequest{AcquirementID: "2026010111000000000000000000"}) != nil {
			t.Fatal("payQuery of unknown payments must be ORDER_NOT_EXIST")
		}
		before, merchantBefore = srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")

		t.Run("repeats never charge twice", func(t *testing.T) {
			again := e.mustPay(t, no, "USD", 1000)
			if again.AcquirementID != r.AcquirementID || again.PaidTime != r.PaidTime || *again.PaymentAmount != *r.PaymentAmount {
				t.Fatalf("repeat answered %+v, first %+v", again, r)
			}
			for _, req := range []intl.PayRequest{
				e.payReq(e.payer.PaymentCode, no, "USD", 1001),    // another amount
				e.payReq(e.payer.PaymentCode, no, "HKD", 1000),    // another currency
				e.payReq(e.password.PaymentCode, no, "USD", 1000), // another buyer
				func() intl.PayRequest { // another title
					p := e.payReq(e.payer.PaymentCode, no, "USD", 1000)
					p.Order.OrderTitle = "Black tea"
					return p
				}(),
			} {
				_, err := e.c.Pay(e.ctx, req)
				wantIntlError(t, err, intl.StatusFailure, "12005112", "REPEAT_REQ_INCONSISTENT")
			}
			if got := srv.Balance(t, e.payer.UserID); got != before {
				t.Fatalf("buyer balance %d after repeats, want %d", got, before)
			}
			if got := e.merchant(t, "USD"); got != merchantBefore {
				t.Fatalf("merchant USD %d after repeats, want %d", got, merchantBefore)
			}
			srv.CheckLedger(t)
		})

		t.Run("FX: CNY at the sandbox rate, half up", func(t *testing.T) {
			for _, tc := range []struct {
				currency string
				value    int64
				cny      int64
			}{
				{"USD", 333, 2398},  // 3.33 × 7.20 = 23.976
				{"HKD", 50, 46},     // 0.50 × 0.92
				{"EUR", 1, 8},       // 0.078, half up
				{"GBP", 100, 910},   // 1.00 × 9.10
				{"JPY", 1001, 4805}, // 1001 yen (no minor unit) × 0.048 = 48.048
				{"KRW", 1, 1},       // 0.0052 CNY is 0.52 fen
				{"KRW", 96, 50},     // 0.4992 CNY
				{"SGD", 10, 54},     // 0.535: exactly half a fen, up
				{"CNY", 123, 123},
			} {
				buyer, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, tc.currency)
				p := e.mustPay(t, e.next("fx_"+tc.currency), tc.currency, tc.value)
				if *p.PaymentAmount != intl.NewMoney("CNY", tc.cny) {
					t.Errorf("%d %s: paymentAmount %+v, want %d fen", tc.value, tc.currency, *p.PaymentAmount, tc.cny)
				}
				if got := buyer - srv.Balance(t, e.payer.UserID); got != tc.cny {
					t.Errorf("%d %s: the buyer paid %d fen, want %d", tc.value, tc.currency, got, tc.cny)
				}
				if got := e.merchant(t, tc.currency) - merchant; got != tc.value {
					t.Errorf("%d %s: the merchant got %d, want %d", tc.value, tc.currency, got, tc.value)
				}
			}
			srv.CheckLedger(t)
		})

		t.Run("refusals store and charge nothing", func(t *testing.T) {
			restricted := newIntlBuyer(t, srv, zfb.BehaviourPays, 1000_00)
			srv.RestrictBuyer(t, restricted.UserID, true)
			seller := &zfb.Buyer{UserID: e.app.SellerID, PaymentCode: "289900000000000001", Behaviour: zfb.BehaviourPays, Balance: 1000_00}
			if err := srv.Service.CreateBuyer(e.ctx, seller); err != nil {
				t.Fatal(err)
			}
			buyer, poor := srv.Balance(t, e.payer.UserID), srv.Balance(t, e.poor.UserID)
			good := e.payReq(e.payer.PaymentCode, "", "USD", 500)
			with := func(f func(*intl.PayRequest)) intl.PayRequest {
				p := good
				f(&p)
				return p
			}
			for _, tc := range []struct {
				name   string
				req    intl.PayRequest
				code   string
				codeID string
			}{
				{"unknown identityCode", with(func(p *intl.PayRequest) { p.IdentityCode = "289999999999999999" }), "USER_NOT_EXIST", "12002005"},
				{"restricted buyer", with(func(p *intl.PayRequest) { p.IdentityCode = restricted.PaymentCode }), "USER_STATUS_ABNORMAL", "12002006"},
				{"poor buyer", with(func(p *intl.PayRequest) { p.IdentityCode = e.poor.PaymentCode }), "PROCESS_FAIL", "00000019"},
				{"unknown currency", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Currency = "XXX" }), "PARAM_ILLEGAL", "00000004"},
				{"lower-case currency", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Currency = "usd" }), "PARAM_ILLEGAL", "00000004"},
				{"decimal value", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Value = "5.00" }), "PARAM_ILLEGAL", "00000004"},
				{"zero value", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Value = "0" }), "PARAM_ILLEGAL", "00000004"},
				{"negative value", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Value = "-500" }), "PARAM_ILLEGAL", "00000004"},
				{"no value", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Value = "" }), "PARAM_ILLEGAL", "00000004"},
				{"value too large", with(func(p *intl.PayRequest) { p.Order.OrderAmount.Value = "100000000001" }), "PARAM_ILLEGAL", "00000004"},
				{"less than a fen", with(func(p *intl.PayRequest) { p.Order.OrderAmount = intl.NewMoney("THB", 1) }), "PARAM_ILLEGAL", "00000004"},
				{"no title", with(func(p *intl.PayRequest) { p.Order.OrderTitle = " " }), "PARAM_ILLEGAL", "00000004"},
				{"title too long", with(func(p *intl.PayRequest) { p.Order.OrderTitle = strings.Repeat("茶", 257) }), "PARAM_ILLEGAL", "00000004"},
				{"another partnerId", with(func(p *intl.PayRequest) { p.PartnerID = "2188000000000000" }), "PARAM_ILLEGAL", "00000004"},
				{"productCode", with(func(p *intl.PayRequest) { p.ProductCode = "ONLINE_PAY" }), "PARAM_ILLEGAL", "00000004"},
				{"codeType", with(func(p *intl.PayRequest) { p.CodeType = "QRCODE" }), "PARAM_ILLEGAL", "00000004"},
				{"no identityCode", with(func(p *intl.PayRequest) { p.IdentityCode = "" }), "PARAM_ILLEGAL", "00000004"},
				{"buyer is the merchant", with(func(p *intl.PayRequest) { p.IdentityCode = seller.PaymentCode }), "PARAM_ILLEGAL", "00000004"},
			} {
				tc.req.MerchantTransID = e.next("refused")
				_, err := e.c.Pay(e.ctx, tc.req)
				if ie := wantIntlError(t, err, intl.StatusFailure, tc.codeID, tc.code); ie.ResultMsg == "" {
					t.Errorf("%s: no resultMsg", tc.name)
				}
				e.wantNoPayment(t, tc.req.MerchantTransID)
			}
			for _, bad := range []string{"", "tea#1", strings.Repeat("x", 65)} {
				req := good
				req.MerchantTransID = bad
				_, err := e.c.Pay(e.ctx, req)
				wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			}
			if srv.Balance(t, e.payer.UserID) != buyer || srv.Balance(t, e.poor.UserID) != poor || srv.Balance(t, restricted.UserID) != 1000_00 {
				t.Fatal("a refused pay moved money")
			}
			// The merchantTransId of a refused pay is free for a good one;
			// the poor buyer can pay what they have.
			no := e.next("retry")
			_, err := e.pay(e.poor.PaymentCode, no, "USD", 14) // 1.008 CNY
			wantIntlError(t, err, intl.StatusFailure, "00000019", "PROCESS_FAIL")
			e.mustPayBy(t, e.poor, no, "USD", 13) // 0.936 CNY
			if got := srv.Balance(t, e.poor.UserID); got != poor-94 {
				t.Fatalf("poor buyer %d, want %d", got, poor-94)
			}
			// Lifting the restriction lets the buyer pay.
			srv.RestrictBuyer(t, restricted.UserID, false)
			e.mustPayBy(t, restricted, e.next("lifted"), "USD", 100)
			srv.CheckLedger(t)
		})

		t.Run("notifyUrl: the outbox holds notify.pay", func(t *testing.T) {
			no := e.next("notify")
			req := e.payReq(e.payer.PaymentCode, no, "EUR", 250)
			req.NotifyURL = "https://merchant.example/intl/notify?shop=7&x=<y>"
			r, err := e.c.Pay(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			waiting := e.next("notify_waiting") // unpaid: no notification yet
			wreq := e.payReq(e.password.PaymentCode, waiting, "EUR", 250)
			wreq.NotifyURL = req.NotifyURL
			if _, err := e.c.Pay(e.ctx, wreq); !intl.IsCode(err, "USER_PAYING") {
				t.Fatal(err)
			}
			ms, err := srv.Store.OutboxMessages(e.ctx, e.app.AppID)
			if err != nil {
				t.Fatal(err)
			}
			var found []*zfb.OutboxMessage
			for _, m := range ms {
				if m.Kind == zfb.NotifyIntlPay {
					found = append(found, m)
				}
			}
			if len(found) != 1 || found[0].Target != req.NotifyURL {
				t.Fatalf("outbox %+v", found)
			}
			var payload map[string]string
			if err := json.Unmarshal([]byte(found[0].Payload), &payload); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"acquirementId": r.AcquirementID, "merchantTransId": no, "currency": "EUR", "value": "250", "paidTime": r.PaidTime}
			for k, v := range want {
				if payload[k] != v {
					t.Fatalf("payload %v, want %v", payload, want)
				}
			}
			// A repeat of the pay writes no second notification.
			if _, err := e.c.Pay(e.ctx, req); err != nil {
				t.Fatal(err)
			}
			if ms2, _ := srv.Store.OutboxMessages(e.ctx, e.app.AppID); len(ms2) != len(ms) {
				t.Fatalf("a repeated pay wrote %d outbox rows", len(ms2)-len(ms))
			}
		})
	})
}

// rawCapture keeps the last answer the SDK received, and can alter the
// answers before the SDK reads them.
type rawCapture struct {
	mu     sync.Mutex
	last   []byte
	tamper func([]byte) []byte
}

func (c *rawCapture) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.last = bytes.Clone(body)
	if c.tamper != nil {
		body = c.tamper(body)
	}
	c.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestIntlSignatures checks by hand what the SDK checks: the answer is
// signed, over the exact text of "response", with the app's Alipay public
// key; an altered answer or the wrong key fails. And the gateway's own
// answers to bad clients, as far as the SDK can provoke them.
func TestIntlSignatures(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		capture := &rawCapture{}
		c := intlClient(t, srv, e.app, intl.WithHTTPClient(&http.Client{Transport: capture}))
		no := e.next("signed")
		r, err := c.Pay(e.ctx, e.payReq(e.payer.PaymentCode, no, "USD", 1000))
		if err != nil {
			t.Fatal(err)
		}
		raw := capture.last
		env, err := sign.ExtractEnvelope(raw, sign.NodeResponse)
		if err != nil || env.Signature == "" {
			t.Fatalf("answer %s: %v", raw, err)
		}
		if !bytes.Contains(env.Value, []byte(r.AcquirementID)) || !bytes.Contains(env.Value, []byte(`"paymentAmount":{"currency":"CNY","value":"7200"}`)) {
			t.Fatalf("signed value %s", env.Value)
		}
		alipayKey, err := sign.ParsePublicKey(e.app.AlipayPublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.VerifyEnvelope(alipayKey, sign.RSA2, env); err != nil {
			t.Fatalf("the answer does not verify with the app's Alipay public key: %v", err)
		}
		appKey, err := sign.ParsePublicKey(e.app.AppPublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.VerifyEnvelope(appKey, sign.RSA2, env); err == nil {
			t.Fatal("the answer verifies with the app's own public key")
		}
		altered := bytes.Replace(raw, []byte(`"value":"7200"`), []byte(`"value":"7201"`), 1)
		envAltered, err := sign.ExtractEnvelope(altered, sign.NodeResponse)
		if err != nil || bytes.Equal(altered, raw) {
			t.Fatalf("altering the answer: %v", err)
		}
		if err := sign.VerifyEnvelope(alipayKey, sign.RSA2, envAltered); err == nil {
			t.Fatal("an altered answer verifies")
		}

		// The SDK refuses the same alteration in flight…
		capture.tamper = func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"value":"7200"`), []byte(`"value":"7201"`), 1)
		}
		if _, err := c.PayQuery(e.ctx, intl.PayQueryRequest{MerchantTransID: no}); !errors.Is(err, intl.ErrSignature) {
			t.Fatalf("altered payQuery answer: got %v, want ErrSignature", err)
		}
		capture.tamper = nil
		// …and a client that trusts the wrong key refuses every answer.
		wrong := e.app
		wrong.AlipayPublicKey = wrong.AppPublicKey
		if _, err := intlClient(t, srv, wrong).PayQuery(e.ctx, intl.PayQueryRequest{MerchantTransID: no}); !errors.Is(err, intl.ErrSignature) {
			t.Fatalf("wrong Alipay key: got %v, want ErrSignature", err)
		}

		t.Run("gateway refusals", func(t *testing.T) {
			ref := intl.PayQueryRequest{MerchantTransID: no}
			other, err := sign.GenerateKey(2048)
			if err != nil {
				t.Fatal(err)
			}
			badKey := e.app
			badKey.AppPrivateKey = sign.PrivateKeyPKCS1PEM(other)
			_, err = intlClient(t, srv, badKey).PayQuery(e.ctx, ref)
			wantIntlError(t, err, intl.StatusFailure, "00000007", "INVALID_SIGNATURE")

			_, err = intlClient(t, srv, e.app, intl.WithSignType(sign.RSA)).PayQuery(e.ctx, ref)
			wantIntlError(t, err, intl.StatusFailure, "00000008", "KEY_NO_FOUND")

			unknown := e.app
			unknown.IntlClientID = "SANDBOX_0000000404"
			_, err = intlClient(t, srv, unknown).PayQuery(e.ctx, ref)
			wantIntlError(t, err, intl.StatusFailure, "12014155", "UNKNOWN_CLIENT")

			_, err = c.Do(e.ctx, "alipay.intl.acquiring.offline.payNothing", map[string]string{"partnerId": e.app.IntlPartnerID}, nil)
			wantIntlError(t, err, intl.StatusFailure, "00000013", "NO_INTERFACE_DEF")

			// Neither id: the SDK refuses it itself, the gateway too.
			if _, err := c.PayCancel(e.ctx, intl.PayCancelRequest{}); err == nil {
				t.Fatal("the SDK sent a payCancel without ids")
			}
			_, err = c.Do(e.ctx, intl.FunctionPayCancel, map[string]string{"partnerId": e.app.IntlPartnerID}, nil)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = c.Do(e.ctx, intl.FunctionPayQuery, map[string]string{"partnerId": e.app.IntlPartnerID}, nil)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = c.Do(e.ctx, intl.FunctionPay, map[string]any{"partnerId": e.app.IntlPartnerID, "merchantTransId": "x", "identityCode": e.payer.PaymentCode, "order": "tea"}, nil)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")

			// An app that may not call payCancel.
			limited, err := sandbox.NewApp("", zfb.SignTypeRSA2, []string{intl.FunctionPay, intl.FunctionPayQuery})
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Service.CreateApp(e.ctx, limited); err != nil {
				t.Fatal(err)
			}
			lc := intlClient(t, srv, sandbox.AppCredentials(limited))
			_, err = lc.PayCancel(e.ctx, intl.PayCancelRequest{MerchantTransID: "x"})
			wantIntlError(t, err, intl.StatusFailure, "12014152", "CLIENT_FORBIDDEN_ACCESS_API")
			if lq := e.query(t, ref); lq.AcquirementStatus != intl.AcquirementStatusSuccess {
				t.Fatalf("payQuery %+v", lq)
			}
		})
		srv.CheckLedger(t)
	})
}

// TestIntlPasswordBuyer: a buyer who must confirm leaves the payment INIT
// (U, USER_PAYING) until they pay or decline, or it closes after 3 hours of
// the app's clock.
func TestIntlPasswordBuyer(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newOwnIntlEnv(t, srv)
		buyer := newIntlBuyer(t, srv, zfb.BehaviourPassword, 1000_00)
		start := srv.Balance(t, buyer.UserID)

		t.Run("pays", func(t *testing.T) {
			no := e.next("pw")
			acq := e.mustPayWaitingBy(t, buyer, no, "USD", 1000)
			q := e.query(t, intl.PayQueryRequest{AcquirementID: acq})
			if q.AcquirementStatus != intl.AcquirementStatusInit || q.PaymentAmount != nil || q.PaidTime != "" {
				t.Fatalf("payQuery while waiting %+v", q)
			}
			if again := e.mustPayWaitingBy(t, buyer, no, "USD", 1000); again != acq {
				t.Fatalf("a repeat while waiting answered %s, want %s", again, acq)
			}
			_, err := e.pay(buyer.PaymentCode, no, "USD", 999)
			wantIntlError(t, err, intl.StatusFailure, "12005112", "REPEAT_REQ_INCONSISTENT")
			if srv.Balance(t, buyer.UserID) != start || e.merchant(t, "USD") != 0 {
				t.Fatal("money moved before the buyer confirmed")
			}
			p := srv.ActOnIntlPayment(t, acq, zfb.BuyerActionPay)
			if p.Status != zfb.IntlPaymentSuccess || p.PaidCNY != 7200 {
				t.Fatalf("after paying %+v", p)
			}
			q = e.query(t, intl.PayQueryRequest{MerchantTransID: no})
			if q.AcquirementStatus != intl.AcquirementStatusSuccess || q.PaymentAmount == nil || *q.PaymentAmount != intl.NewMoney("CNY", 7200) || q.PaidTime == "" {
				t.Fatalf("payQuery after paying %+v", q)
			}
			if srv.Balance(t, buyer.UserID) != start-7200 || e.merchant(t, "USD") != 1000 {
				t.Fatalf("buyer %d, merchant %d", srv.Balance(t, buyer.UserID), e.merchant(t, "USD"))
			}
			// A repeat of the pay now answers the payment, paid.
			if r := e.mustPayBy(t, buyer, no, "USD", 1000); r.AcquirementID != acq || r.PaidTime != q.PaidTime {
				t.Fatalf("repeat after paying %+v", r)
			}
			if _, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("paying twice: %v", err)
			}
			if srv.Balance(t, buyer.UserID) != start-7200 {
				t.Fatal("the buyer paid twice")
			}
			srv.CheckLedger(t)
		})
		t.Run("declines", func(t *testing.T) {
			no := e.next("pw")
			acq := e.mustPayWaitingBy(t, buyer, no, "JPY", 500)
			srv.ActOnIntlPayment(t, acq, zfb.BuyerActionDecline)
			if s := e.status(t, no); s != intl.AcquirementStatusClosed {
				t.Fatalf("status %s", s)
			}
			_, err := e.pay(buyer.PaymentCode, no, "JPY", 500)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			if _, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("paying a declined payment: %v", err)
			}
			if srv.Balance(t, buyer.UserID) != start-7200 || e.merchant(t, "JPY") != 0 {
				t.Fatal("a declined payment moved money")
			}
			srv.CheckLedger(t)
		})
		t.Run("cannot pay more than they have", func(t *testing.T) {
			no := e.next("pw")
			acq := e.mustPayWaitingBy(t, buyer, no, "USD", 20000) // 1440.00 CNY
			_, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay)
			if ze, ok := zfb.AsError(err); !ok || ze.SubCode != "PROCESS_FAIL" {
				t.Fatalf("paying beyond the balance: %v", err)
			}
			if s := e.status(t, no); s != intl.AcquirementStatusInit {
				t.Fatalf("status %s", s)
			}
			srv.ActOnIntlPayment(t, acq, zfb.BuyerActionDecline)
		})
		t.Run("times out after 3 hours of the app's clock", func(t *testing.T) {
			no := e.next("pw")
			acq := e.mustPayWaitingBy(t, buyer, no, "USD", 100)
			srv.AdvanceClock(t, e.app.AppID, 2*time.Hour+59*time.Minute)
			if s := e.status(t, no); s != intl.AcquirementStatusInit {
				t.Fatalf("after 2h59m: %s", s)
			}
			srv.AdvanceClock(t, e.app.AppID, time.Minute+time.Second)
			if s := e.status(t, no); s != intl.AcquirementStatusClosed {
				t.Fatalf("after 3h: %s", s)
			}
			if _, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay); !errors.Is(err, zfb.ErrInvalidAction) {
				t.Fatalf("paying after the time-out: %v", err)
			}
			_, err := e.pay(buyer.PaymentCode, no, "USD", 100)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			_, err = e.refund(acq, "r1", "USD", 100)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			if srv.Balance(t, buyer.UserID) != start-7200 {
				t.Fatal("a timed-out payment moved money")
			}
			srv.CheckLedger(t)
		})
		t.Run("a restricted buyer cannot confirm", func(t *testing.T) {
			other := newIntlBuyer(t, srv, zfb.BehaviourPassword, 100_00)
			no := e.next("pw")
			acq := e.mustPayWaitingBy(t, other, no, "USD", 100)
			srv.RestrictBuyer(t, other.UserID, true)
			_, err := srv.Service.ActOnIntlPayment(e.ctx, acq, zfb.BuyerActionPay)
			if ze, ok := zfb.AsError(err); !ok || ze.SubCode != "USER_STATUS_ABNORMAL" {
				t.Fatalf("restricted buyer confirms: %v", err)
			}
			if s := e.status(t, no); s != intl.AcquirementStatusInit || srv.Balance(t, other.UserID) != 100_00 {
				t.Fatalf("status %s", s)
			}
		})
	})
}

// TestIntlRefund: refunds in part and in full, idempotent per
// merchantRefundId, CNY back in proportion and every fen at the end.
func TestIntlRefund(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newIntlEnv(t, srv, srv.App())

		t.Run("USD in three parts", func(t *testing.T) {
			start, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "USD")
			p := e.mustPay(t, e.next("rf"), "USD", 333) // 2398 fen
			acq := p.AcquirementID
			r1 := e.mustRefund(t, acq, "r1", "USD", 100)
			if beijing(t, r1.RefundTime).IsZero() || srv.Balance(t, e.payer.UserID) != start-2398+720 {
				t.Fatalf("after r1: buyer %d", srv.Balance(t, e.payer.UserID))
			}
			// The same merchantRefundId and amount: the first refund again.
			if again := e.mustRefund(t, acq, "r1", "USD", 100); again.RefundID != r1.RefundID || again.RefundTime != r1.RefundTime {
				t.Fatalf("repeat %+v, first %+v", again, r1)
			}
			_, err := e.refund(acq, "r1", "USD", 101)
			wantIntlError(t, err, intl.StatusFailure, "12005112", "REPEAT_REQ_INCONSISTENT")
			_, err = e.refund(acq, "r2", "USD", 234) // 233 are left
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = e.refund(acq, "r2", "HKD", 100)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = e.refund(acq, "r2", "USD", 0)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = e.refund(acq, "r 2", "USD", 1)
			wantIntlError(t, err, intl.StatusFailure, "00000004", "PARAM_ILLEGAL")
			_, err = e.refund("2026010111000000000000000000", "r2", "USD", 1)
			wantIntlError(t, err, intl.StatusFailure, "12005004", "ORDER_NOT_EXIST")
			if srv.Balance(t, e.payer.UserID) != start-2398+720 {
				t.Fatal("a refused refund moved money")
			}
			e.mustRefund(t, acq, "r2", "USD", 100)
			q := e.query(t, intl.PayQueryRequest{AcquirementID: acq})
			if q.AcquirementStatus != intl.AcquirementStatusSuccess || q.RefundAmount == nil || *q.RefundAmount != intl.NewMoney("USD", 200) {
				t.Fatalf("payQuery after two refunds %+v", q)
			}
			e.mustRefund(t, acq, "r3", "USD", 133) // the rest: 958 fen, not 957
			if s := e.status(t, p.MerchantTransID); s != intl.AcquirementStatusClosed {
				t.Fatalf("status after a full refund %s", s)
			}
			if srv.Balance(t, e.payer.UserID) != start || e.merchant(t, "USD") != merchant {
				t.Fatalf("buyer %d of %d, merchant %d of %d", srv.Balance(t, e.payer.UserID), start, e.merchant(t, "USD"), merchant)
			}
			_, err = e.refund(acq, "r4", "USD", 1)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			// The replay of an earlier refund still answers it.
			if again := e.mustRefund(t, acq, "r2", "USD", 100); again.RefundID == r1.RefundID {
				t.Fatal("refunds r1 and r2 share a refundId")
			}
			// A payment refunded in full cannot be cancelled.
			_, err = e.cancel(intl.PayCancelRequest{AcquirementID: acq})
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			pay, refunds := e.payment(t, p.MerchantTransID)
			var cny int64
			for _, r := range refunds {
				cny += r.AmountCNY
			}
			if len(refunds) != 3 || cny != 2398 || refunds[2].AmountCNY != 958 || pay.RefundedCNY != 2398 || pay.RefundedAmount != 333 {
				t.Fatalf("payment %+v, refunds %+v", pay, refunds)
			}
			srv.CheckLedger(t)
		})
		t.Run("a replay in another currency is inconsistent", func(t *testing.T) {
			// HKD 1.00 is not the USD 1.00 refunded under r1: the replay must
			// not answer success for a refund of another currency than the
			// merchant asked for (a first refund in HKD is PARAM_ILLEGAL).
			p := e.mustPay(t, e.next("rf"), "USD", 1000)
			first := e.mustRefund(t, p.AcquirementID, "r1", "USD", 100)
			r, err := e.refund(p.AcquirementID, "r1", "HKD", 100)
			if r != nil {
				t.Logf("the replay in HKD answered %+v (first %+v)", r, first)
			}
			wantIntlError(t, err, intl.StatusFailure, "12005112", "REPEAT_REQ_INCONSISTENT")
		})
		t.Run("JPY has no minor unit", func(t *testing.T) {
			start, merchant := srv.Balance(t, e.payer.UserID), e.merchant(t, "JPY")
			p := e.mustPay(t, e.next("jpy"), "JPY", 1001) // 4805 fen
			e.mustRefund(t, p.AcquirementID, "j1", "JPY", 500)
			if got := srv.Balance(t, e.payer.UserID); got != start-4805+2400 {
				t.Fatalf("after half: buyer moved by %d", got-start)
			}
			if got := e.merchant(t, "JPY"); got != merchant+501 {
				t.Fatalf("merchant JPY %d", got)
			}
			e.mustRefund(t, p.AcquirementID, "j2", "JPY", 501)
			if srv.Balance(t, e.payer.UserID) != start || e.merchant(t, "JPY") != merchant {
				t.Fatal("a full refund did not return every fen and yen")
			}
			srv.CheckLedger(t)
		})
		t.Run("what cannot be refunded", func(t *testing.T) {
			acq := e.mustPayWaiting(t, e.next("init"), "USD", 100)
			_, err := e.refund(acq, "x1", "USD", 100)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")
			srv.ActOnIntlPayment(t, acq, zfb.BuyerActionDecline)
			_, err = e.refund(acq, "x1", "USD", 100)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")

			p := e.mustPay(t, e.next("cancelled"), "USD", 100)
			e.mustCancel(t, intl.PayCancelRequest{AcquirementID: p.AcquirementID})
			_, err = e.refund(p.AcquirementID, "x1", "USD", 50)
			wantIntlError(t, err, intl.StatusFailure, "12005003", "ORDER_STATUS_INVALID")

			// Another app's payment does not exist for this one.
			other := newOwnIntlEnv(t, srv)
			op := other.mustPay(t, other.next("theirs"), "USD", 100)
			_, err = e.refund(op.AcquirementID, "x1", "USD", 50)
			wantIntlError(t, err, intl.StatusFailure, "12005004", "ORDER_NOT_EXIST")
			if e.query(t, intl.PayQueryRequest{AcquirementID: op.AcquirementID}) != nil {
				t.Fatal("payQuery shows another app's payment")
			}
			_, err = e.cancel(intl.PayCancelRequest{AcquirementID: op.AcquirementID})
			wantIntlError(t, err, intl.StatusFailure, "12005004", "ORDER_NOT_EXIST")
			if s := other.status(t, op.MerchantTransID); s != intl.AcquirementStatusSuccess {
				t.Fatalf("the other app's payment is %s", s)
			}
			srv.CheckLedger(t)
		})
	})
}

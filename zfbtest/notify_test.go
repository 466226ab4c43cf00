package zfbtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// notifyWait bounds the wait for a notification that is due: the
// dispatcher is kicked when a clock moves, and otherwise polls every second.
const notifyWait = 10 * time.Second

// quietPeriod is how long a test waits to see that nothing is sent: a send
// that is due goes out within milliseconds of the kick a clock move gives.
const quietPeriod = 250 * time.Millisecond

// wallClock is a wall clock that moves only when told, for WithClock.
type wallClock struct{ ns atomic.Int64 }

func newWallClock() *wallClock {
	c := &wallClock{}
	c.ns.Store(time.Now().Truncate(time.Second).UnixNano())
	return c
}

func (c *wallClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *wallClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// clockBackends is backends with a wall clock of the test's own.
func clockBackends(t *testing.T, fn func(t *testing.T, srv *zfbtest.Server, wall *wallClock)) {
	t.Run("sqlite", func(t *testing.T) {
		wall := newWallClock()
		fn(t, zfbtest.NewServer(t, zfbtest.WithClock(zfb.ClockFunc(wall.Now))), wall)
	})
	t.Run("postgres", func(t *testing.T) {
		db := storetest.PostgresURL(t)
		wall := newWallClock()
		fn(t, zfbtest.NewServer(t, zfbtest.WithClock(zfb.ClockFunc(wall.Now)), zfbtest.WithDatabase(db)), wall)
	})
}

// waitCount waits until rc has received at least n notifications.
func waitCount(t *testing.T, rc *zfbtest.Receiver, n int) []zfbtest.Received {
	t.Helper()
	deadline := time.Now().Add(notifyWait)
	for {
		got := rc.All()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications within %v, want %d", len(got), notifyWait, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stillCount waits quietPeriod and fails unless rc has exactly n
// notifications.
func stillCount(t *testing.T, rc *zfbtest.Receiver, n int, when string) []zfbtest.Received {
	t.Helper()
	time.Sleep(quietPeriod)
	got := rc.All()
	if len(got) != n {
		t.Fatalf("%s: %d notifications, want %d", when, len(got), n)
	}
	return got
}

// byField matches a notification whose form has every field of kv (pairs).
func byField(kv ...string) func(zfbtest.Received) bool {
	return func(r zfbtest.Received) bool {
		for i := 0; i+1 < len(kv); i += 2 {
			if r.Form.Get(kv[i]) != kv[i+1] {
				return false
			}
		}
		return true
	}
}

var notifyIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkNotifyForm fails unless form is a gateway.do notification of
// notifyType from app, signed as our SDK verifies it, with the common
// fields of spec §5.2 and no empty or repeated field.
func checkNotifyForm(t *testing.T, c *alipay.Client, app sandbox.App, form url.Values, notifyType string) {
	t.Helper()
	if err := c.VerifyNotification(form); err != nil {
		t.Fatalf("the SDK does not verify the notification: %v\n%v", err, form)
	}
	for k, vs := range form {
		if len(vs) != 1 || vs[0] == "" {
			t.Errorf("field %s = %q: want one non-empty value", k, vs)
		}
	}
	want := map[string]string{
		"notify_type": notifyType, "app_id": app.AppID, "auth_app_id": app.AppID,
		"charset": "utf-8", "version": "1.0", "sign_type": app.SignType,
	}
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if id := form.Get("notify_id"); !notifyIDPattern.MatchString(id) {
		t.Errorf("notify_id %q", id)
	}
	if _, err := time.ParseInLocation(zfb.GatewayTimeLayout, form.Get("notify_time"), zfb.Beijing); err != nil {
		t.Errorf("notify_time %q: %v", form.Get("notify_time"), err)
	}
	if form.Get("sign") == "" {
		t.Error("no sign")
	}
	if form.Has("alipay_cert_sn") {
		t.Error("alipay_cert_sn sent (spec §5.1 server rules)")
	}
}

// wantFields fails unless form has every field of want.
func wantFields(t *testing.T, what string, form url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

// wantAbsent fails if form has any of keys.
func wantAbsent(t *testing.T, what string, form url.Values, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if form.Has(k) {
			t.Errorf("%s: %s = %q, want none", what, k, form.Get(k))
		}
	}
}

// message finds the app's outbox message whose notify_id is id.
func message(t *testing.T, srv *zfbtest.Server, appID, notifyID string) *zfb.OutboxMessage {
	t.Helper()
	ms, err := srv.Service.Notifications(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.NotifyID() == notifyID {
			return m
		}
	}
	t.Fatalf("no notification %s in the outbox of %s", notifyID, appID)
	return nil
}

// waitAttempts waits until message id has n scheduled sends recorded.
func waitAttempts(t *testing.T, srv *zfbtest.Server, id int64, n int) (*zfb.OutboxMessage, []*zfb.OutboxAttempt) {
	t.Helper()
	deadline := time.Now().Add(notifyWait)
	for {
		m, as, err := srv.Service.Notification(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Attempts >= n {
			if m.Attempts != n {
				t.Fatalf("message %d: %d sends recorded, want %d", id, m.Attempts, n)
			}
			return m, as
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d: %d sends recorded within %v, want %d", id, m.Attempts, notifyWait, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// adminCall calls the admin API of srv over HTTP with its token.
func adminCall(t *testing.T, srv *zfbtest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.AdminURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Sandbox.AdminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// payTo pays amount by the buyer who pays at once, notifying notifyURL.
func (e *tradeEnv) payTo(notifyURL, outTradeNo, amount string) *alipay.TradePayResponse {
	e.t.Helper()
	r, err := e.c.TradePay(e.ctx, alipay.TradePay{
		NotifyURL: notifyURL, OutTradeNo: outTradeNo, Scene: "bar_code",
		AuthCode: e.srv.Buyer(e.t, zfb.BehaviourPays).PaymentCode, Subject: "咖啡", TotalAmount: amount,
	})
	if err != nil || r.Code != "10000" {
		e.t.Fatalf("pay %s: %v %+v", outTradeNo, err, r)
	}
	return r
}

func TestNotifyPay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		payer := srv.Buyer(t, zfb.BehaviourPays)
		rc := zfbtest.NewReceiver(t)
		no := e.outTradeNo()
		r := e.payTo(rc.URL, no, "88.88")

		n := rc.Wait(t, notifyWait, byField("out_trade_no", no))
		f := n.Form
		checkNotifyForm(t, e.c, app, f, zfb.NotifyTradeStatusSync)
		wantFields(t, "pay", f, map[string]string{
			"trade_no": r.TradeNo, "out_trade_no": no, "trade_status": alipay.TradeStatusSuccess,
			"total_amount": "88.88", "receipt_amount": "88.88", "invoice_amount": "88.88", "buyer_pay_amount": "88.88",
			"point_amount": "0.00", "gmt_payment": r.GmtPayment, "buyer_id": payer.UserID, "seller_id": app.SellerID,
			"subject": "咖啡",
		})
		wantAbsent(t, "pay", f, "refund_fee", "out_biz_no", "gmt_refund", "gmt_close")
		if f.Get("gmt_create") == "" {
			t.Error("no gmt_create")
		}
		// Masked, as the pay answer shows it.
		if logon := f.Get("buyer_logon_id"); !strings.Contains(logon, "*") || logon == payer.LogonID || logon != r.BuyerLogonID {
			t.Errorf("buyer_logon_id %q: want it masked like the answer's %q (logon id %q)", logon, r.BuyerLogonID, payer.LogonID)
		}
		// camelCase inside the notification (spec §5.2).
		bills := f.Get("fund_bill_list")
		var list []map[string]string
		if err := json.Unmarshal([]byte(bills), &list); err != nil || len(list) != 1 ||
			list[0]["fundChannel"] != "ALIPAYACCOUNT" || list[0]["amount"] != "88.88" || strings.Contains(bills, "fund_channel") {
			t.Errorf("fund_bill_list %s: %v", bills, err)
		}
		// The notify_id is the outbox message's, and the send acknowledged.
		m := message(t, srv, app.AppID, f.Get("notify_id"))
		if m.Kind != zfb.NotifyTradeStatusSync || m.Target != rc.URL {
			t.Errorf("message %+v", m)
		}
		m, as := waitAttempts(t, srv, m.ID, 1)
		if m.DeliveredAt == nil || len(as) != 1 || !as[0].Acknowledged || as[0].StatusCode != 200 || as[0].Body != "success" {
			t.Errorf("after success: message %+v, sends %+v", m, as)
		}
		// Acknowledged: nothing more, and no notification of anything else.
		stillCount(t, rc, 1, "after an acknowledged pay notification")
	})
}

func TestNotifyRefund(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		no := e.outTradeNo()
		p := e.payTo(rc.URL, no, "10.00")
		rc.Wait(t, notifyWait, byField("out_trade_no", no, "trade_status", alipay.TradeStatusSuccess))

		r, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "3.00", OutRequestNo: "r1"})
		if err != nil || r.FundChange != "Y" {
			t.Fatalf("refund: %v %+v", err, r)
		}
		n := rc.Wait(t, notifyWait, byField("out_trade_no", no, "out_biz_no", "r1"))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "partial refund", n.Form, map[string]string{
			"trade_no": p.TradeNo, "trade_status": alipay.TradeStatusSuccess, "refund_fee": "3.00",
			"total_amount": "10.00", "gmt_payment": p.GmtPayment, "gmt_refund": r.GmtRefundPay,
		})
		if n.Form.Get("gmt_refund") == "" {
			t.Error("partial refund: no gmt_refund")
		}
		wantAbsent(t, "partial refund", n.Form, "gmt_close")
		first := n.Form.Get("notify_id")

		r, err = e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "7.00", OutRequestNo: "r2"})
		if err != nil || r.FundChange != "Y" || r.RefundFee != "10.00" {
			t.Fatalf("full refund: %v %+v", err, r)
		}
		n = rc.Wait(t, notifyWait, byField("out_trade_no", no, "out_biz_no", "r2"))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "full refund", n.Form, map[string]string{
			"trade_no": p.TradeNo, "trade_status": alipay.TradeStatusClosed, "refund_fee": "10.00",
			"gmt_refund": r.GmtRefundPay,
		})
		if n.Form.Get("gmt_close") == "" || n.Form.Get("gmt_refund") == "" {
			t.Errorf("full refund: gmt_close %q, gmt_refund %q", n.Form.Get("gmt_close"), n.Form.Get("gmt_refund"))
		}
		if n.Form.Get("notify_id") == first {
			t.Error("two refunds share a notify_id")
		}

		// A repeated refund moves no money and notifies nothing.
		if r, err = e.c.TradeRefund(e.ctx, alipay.TradeRefund{OutTradeNo: no, RefundAmount: "7.00", OutRequestNo: "r2"}); err != nil || r.FundChange != "N" {
			t.Fatalf("repeated refund: %v %+v", err, r)
		}
		stillCount(t, rc, 3, "after a repeated refund")
	})
}

func TestNotifyClose(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		payer := srv.Buyer(t, zfb.BehaviourPays)

		// A created trade waits, and waiting is not notified.
		no := e.outTradeNo()
		cr, err := e.c.TradeCreate(e.ctx, alipay.TradeCreate{NotifyURL: rc.URL, OutTradeNo: no, TotalAmount: "3.00", Subject: "mini", BuyerID: payer.UserID})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		stillCount(t, rc, 0, "after a create")
		if _, err := e.c.TradeClose(e.ctx, alipay.TradeClose{TradeNo: cr.TradeNo}); err != nil {
			t.Fatalf("close: %v", err)
		}
		n := rc.Wait(t, notifyWait, byField("out_trade_no", no))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "close", n.Form, map[string]string{
			"trade_no": cr.TradeNo, "trade_status": alipay.TradeStatusClosed, "total_amount": "3.00", "buyer_id": payer.UserID,
		})
		if n.Form.Get("gmt_close") == "" {
			t.Error("close: no gmt_close")
		}
		wantAbsent(t, "close", n.Form, "gmt_payment", "fund_bill_list", "refund_fee", "receipt_amount")

		// A pay waiting for the buyer's password, closed.
		no = e.outTradeNo()
		w, err := e.c.TradePay(e.ctx, alipay.TradePay{
			NotifyURL: rc.URL, OutTradeNo: no, Scene: "bar_code",
			AuthCode: srv.Buyer(t, zfb.BehaviourPassword).PaymentCode, Subject: "x", TotalAmount: "5.00",
		})
		if err != nil || !w.InProgress() {
			t.Fatalf("password pay: %v %+v", err, w)
		}
		stillCount(t, rc, 1, "after a pay waiting for the buyer")
		if _, err := e.c.TradeClose(e.ctx, alipay.TradeClose{OutTradeNo: no}); err != nil {
			t.Fatalf("close: %v", err)
		}
		n = rc.Wait(t, notifyWait, byField("out_trade_no", no))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "close of a waiting pay", n.Form, map[string]string{"trade_no": w.TradeNo, "trade_status": alipay.TradeStatusClosed})
		stillCount(t, rc, 2, "after the closes")
	})
}

func TestNotifyFundAuth(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)

		req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
		req.NotifyURL = rc.URL
		f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
		if err != nil || f.Status != alipay.AuthOperationStatusSuccess {
			t.Fatalf("freeze: %v %+v", err, f)
		}
		n := rc.Wait(t, notifyWait, byField("notify_type", zfb.NotifyFundAuthFreeze, "auth_no", f.AuthNo))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyFundAuthFreeze)
		wantFields(t, "freeze", n.Form, map[string]string{
			"auth_no": f.AuthNo, "out_order_no": req.OutOrderNo, "operation_id": f.OperationID,
			"out_request_no": req.OutRequestNo, "operation_type": "FREEZE", "amount": "10.00", "status": "SUCCESS",
			"gmt_trans": f.GmtTrans, "payer_user_id": f.PayerUserID, "order_status": alipay.AuthOrderStatusAuthorized,
			"total_freeze_amount": "10.00", "total_unfreeze_amount": "0.00", "total_pay_amount": "0.00",
			"rest_amount": "10.00", "trans_currency": "CNY",
		})
		if n.Form.Get("gmt_create") == "" {
			t.Error("freeze: no gmt_create")
		}
		// The real freeze notification carries payer_logon_id (spec §5.2,
		// SAMPLES 2019 example), masked as in the freeze answer.
		if got := n.Form.Get("payer_logon_id"); got == "" || got != f.PayerLogonID {
			t.Errorf("freeze: payer_logon_id %q, want the answer's masked %q (spec §5.2)", got, f.PayerLogonID)
		}

		u, err := e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{NotifyURL: rc.URL, AuthNo: f.AuthNo, OutRequestNo: "u1", Amount: "4.00", Remark: "归还"})
		if err != nil || u.Status != alipay.AuthOperationStatusSuccess {
			t.Fatalf("unfreeze: %v %+v", err, u)
		}
		n = rc.Wait(t, notifyWait, byField("notify_type", zfb.NotifyFundAuthUnfreeze, "auth_no", f.AuthNo))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyFundAuthUnfreeze)
		wantFields(t, "unfreeze", n.Form, map[string]string{
			"auth_no": f.AuthNo, "out_order_no": req.OutOrderNo, "operation_id": u.OperationID, "out_request_no": "u1",
			"operation_type": "UNFREEZE", "amount": "4.00", "status": "SUCCESS", "gmt_trans": u.GmtTrans,
			"payer_user_id": f.PayerUserID, "total_freeze_amount": "10.00", "total_unfreeze_amount": "4.00",
			"rest_amount": "6.00", "trans_currency": "CNY",
		})

		g := e.mustFreeze(t, "2.00") // no notify_url, no default: no notification
		c := e.mustCancel(t, alipay.FundAuthOperationCancel{NotifyURL: rc.URL, AuthNo: g.AuthNo, OperationID: g.OperationID})
		n = rc.Wait(t, notifyWait, byField("notify_type", zfb.NotifyFundAuthOperationCancel, "auth_no", g.AuthNo))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyFundAuthOperationCancel)
		wantFields(t, "operation cancel", n.Form, map[string]string{
			"auth_no": g.AuthNo, "out_order_no": g.OutOrderNo, "operation_id": g.OperationID,
			"out_request_no": g.OutRequestNo, "action": c.Action,
		})
		if c.Action != alipay.AuthCancelActionUnfreeze {
			t.Errorf("cancel of a done freeze: action %q", c.Action)
		}
		stillCount(t, rc, 3, "after the fund authorisation calls")
	})
}

// intlReceiver is a merchant's intl notify URL: it verifies each
// notification with the intl SDK and answers the SDK's signed S response.
type intlReceiver struct {
	URL string

	mu     sync.Mutex
	bodies [][]byte
}

func newIntlReceiver(t *testing.T, app sandbox.App) *intlReceiver {
	t.Helper()
	sdk, err := intl.New(app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rc := &intlReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, body)
		rc.mu.Unlock()
		n, err := sdk.VerifyNotification(body)
		if err != nil {
			t.Errorf("the intl SDK does not verify the notification: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		ack, err := sdk.NotificationResponse(n)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(ack)
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL + "/intl/notify"
	return rc
}

func (rc *intlReceiver) all() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...)
}

func TestNotifyIntlPay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		app := srv.App()
		c := intlClient(t, srv, app)
		rc := newIntlReceiver(t, app)
		payer := srv.Buyer(t, zfb.BehaviourPays)
		ctx := context.Background()
		r, err := c.Pay(ctx, intl.PayRequest{
			MerchantTransID: "N-intl-1", IdentityCode: payer.PaymentCode, NotifyURL: rc.URL,
			Order: intl.Order{OrderTitle: intlTitle, OrderAmount: intl.NewMoney("HKD", 12345)},
		})
		if err != nil || r.AcquirementID == "" {
			t.Fatalf("intl pay: %v %+v", err, r)
		}
		deadline := time.Now().Add(notifyWait)
		for len(rc.all()) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no intl notification")
			}
			time.Sleep(2 * time.Millisecond)
		}
		body := rc.all()[0]
		env, err := sign.ExtractEnvelope(body, sign.NodeRequest)
		if err != nil {
			t.Fatalf("not a request envelope: %v\n%s", err, body)
		}
		pub, err := sign.ParsePublicKey(app.AlipayPublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := sign.VerifyEnvelope(pub, sign.RSA2, env); err != nil {
			t.Fatalf("the envelope does not verify with the app's Alipay public key: %v", err)
		}
		var v struct {
			Head map[string]string `json:"head"`
			Body struct {
				ResultInfo      map[string]string `json:"resultInfo"`
				AcquirementID   string            `json:"acquirementId"`
				MerchantTransID string            `json:"merchantTransId"`
				OrderAmount     map[string]string `json:"orderAmount"`
				PaidTime        string            `json:"paidTime"`
			} `json:"body"`
		}
		if err := json.Unmarshal(env.Value, &v); err != nil {
			t.Fatal(err)
		}
		if v.Head["function"] != intl.FunctionNotifyPay || v.Head["clientId"] != app.IntlClientID || v.Head["version"] == "" ||
			v.Head["reqTime"] == "" || !notifyIDPattern.MatchString(v.Head["reqMsgId"]) {
			t.Errorf("head %v", v.Head)
		}
		b := v.Body
		if b.ResultInfo["resultStatus"] != "S" || b.AcquirementID != r.AcquirementID || b.MerchantTransID != "N-intl-1" ||
			b.OrderAmount["currency"] != "HKD" || b.OrderAmount["value"] != "12345" || b.PaidTime != r.PaidTime {
			t.Errorf("body %s", env.Value)
		}
		// The signed S answer acknowledged it: delivered, sent once.
		m := message(t, srv, app.AppID, v.Head["reqMsgId"])
		if m.Kind != zfb.NotifyIntlPay || m.Target != rc.URL {
			t.Errorf("message %+v", m)
		}
		m, as := waitAttempts(t, srv, m.ID, 1)
		if m.DeliveredAt == nil || len(as) != 1 || !as[0].Acknowledged || as[0].Error != "" {
			t.Errorf("message %+v, sends %+v", m, as)
		}
		time.Sleep(quietPeriod)
		if n := len(rc.all()); n != 1 {
			t.Errorf("%d intl notifications, want 1", n)
		}
	})
}

func TestNotifyDefaultURL(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		byAdmin, byService, byCall := zfbtest.NewReceiver(t), zfbtest.NewReceiver(t), zfbtest.NewReceiver(t)

		// No notify_url and no default: nothing recorded.
		no := e.outTradeNo()
		e.payTo("", no, "1.00")
		before, err := srv.Service.Notifications(e.ctx, app.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if len(before) != 0 {
			t.Fatalf("%d notifications without any notify URL", len(before))
		}

		status, out := adminCall(t, srv, "POST", "/apps/"+app.AppID, `{"notify_url":"`+byAdmin.URL+`"}`)
		if status != 200 || out["notify_url"] != byAdmin.URL {
			t.Fatalf("set the default notify URL: %d %v", status, out)
		}
		no = e.outTradeNo()
		e.payTo("", no, "1.00")
		n := byAdmin.Wait(t, notifyWait, byField("out_trade_no", no))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)

		if err := srv.Service.SetAppNotifyURL(e.ctx, app.AppID, byService.URL); err != nil {
			t.Fatal(err)
		}
		no = e.outTradeNo()
		e.payTo("", no, "1.00")
		byService.Wait(t, notifyWait, byField("out_trade_no", no))

		// The call's notify_url wins over the default.
		no = e.outTradeNo()
		e.payTo(byCall.URL, no, "1.00")
		byCall.Wait(t, notifyWait, byField("out_trade_no", no))

		// Cleared: nowhere again.
		if status, out := adminCall(t, srv, "POST", "/apps/"+app.AppID, `{"notify_url":""}`); status != 200 || out["notify_url"] != nil {
			t.Fatalf("clear the default notify URL: %d %v", status, out)
		}
		no = e.outTradeNo()
		e.payTo("", no, "1.00")
		after, err := srv.Service.Notifications(e.ctx, app.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 3 {
			t.Errorf("%d notifications, want 3", len(after))
		}
		time.Sleep(quietPeriod)
		if len(byAdmin.All()) != 1 || len(byService.All()) != 1 || len(byCall.All()) != 1 {
			t.Errorf("received %d, %d, %d, want one each", len(byAdmin.All()), len(byService.All()), len(byCall.All()))
		}
	})
}

// TestNotifyRetrySchedule: a merchant that never answers "success" is sent
// the notification 8 times, at 0, +4m, +10m, +10m, +1h, +2h, +6h and +15h
// on the app's clock (spec §5.1), with one notify_id, and then never again.
// The wall clock stands still, so only the moves of the app's clock count.
func TestNotifyRetrySchedule(t *testing.T) {
	clockBackends(t, func(t *testing.T, srv *zfbtest.Server, _ *wallClock) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		rc.Answer("fail")
		t0, err := srv.Service.AppNow(e.ctx, app.AppID)
		if err != nil {
			t.Fatal(err)
		}
		no := e.outTradeNo()
		e.payTo(rc.URL, no, "1.00")

		got := waitCount(t, rc, 1)
		notifyID := got[0].Form.Get("notify_id")
		m := message(t, srv, app.AppID, notifyID)
		waitAttempts(t, srv, m.ID, 1)
		stillCount(t, rc, 1, "right after the first send")

		at := t0
		for i, delay := range zfb.NotifyRetryDelays {
			sent := i + 1
			// A second early: nothing.
			srv.AdvanceClock(t, app.AppID, delay-time.Second)
			stillCount(t, rc, sent, "after "+(delay-time.Second).String()+", a second before send "+strconv.Itoa(sent+1))
			srv.AdvanceClock(t, app.AppID, time.Second)
			at = at.Add(delay)
			got = waitCount(t, rc, sent+1)
			waitAttempts(t, srv, m.ID, sent+1)
			if len(got) != sent+1 {
				t.Fatalf("after %v: %d sends, want %d", delay, len(got), sent+1)
			}
			last := got[sent].Form
			checkNotifyForm(t, e.c, app, last, zfb.NotifyTradeStatusSync)
			if last.Get("notify_id") != notifyID {
				t.Fatalf("send %d: notify_id %q, want %q", sent+1, last.Get("notify_id"), notifyID)
			}
			if want := zfb.FormatGatewayTime(at); last.Get("notify_time") != want {
				t.Errorf("send %d: notify_time %q, want %q", sent+1, last.Get("notify_time"), want)
			}
		}
		if want := zfb.FormatGatewayTime(t0); got[0].Form.Get("notify_time") != want {
			t.Errorf("send 1: notify_time %q, want %q", got[0].Form.Get("notify_time"), want)
		}
		// Eight sends, and no ninth, however long one waits.
		srv.AdvanceClock(t, app.AppID, 24*time.Hour)
		stillCount(t, rc, zfb.MaxNotifyAttempts, "a day after the 8th send")
		srv.AdvanceClock(t, app.AppID, 24*time.Hour)
		stillCount(t, rc, zfb.MaxNotifyAttempts, "two days after the 8th send")

		status, out := adminCall(t, srv, "GET", "/apps/"+app.AppID+"/notifications", "")
		list, _ := out["notifications"].([]any)
		if status != 200 || len(list) != 1 {
			t.Fatalf("admin list: %d %v", status, out)
		}
		item := list[0].(map[string]any)
		if item["notify_id"] != notifyID || item["attempts"] != float64(8) || item["next_attempt"] != nil ||
			item["delivered_at"] != nil || !strings.Contains(item["last_error"].(string), "fail") {
			t.Errorf("admin list item %v", item)
		}
		status, out = adminCall(t, srv, "GET", "/notifications/"+strconv.FormatInt(m.ID, 10), "")
		sends, _ := out["sends"].([]any)
		if status != 200 || len(sends) != 8 {
			t.Fatalf("admin show: %d, %d sends: %v", status, len(sends), out)
		}
		for i, s := range sends {
			s := s.(map[string]any)
			if s["n"] != float64(i+1) || s["acknowledged"] != false || s["body"] != "fail" || s["status_code"] != float64(200) || s["replay"] != nil {
				t.Errorf("send %d: %v", i+1, s)
			}
		}
	})
}

// TestNotifyTimeoutClose: a trade left unpaid past its time-out is closed
// and notified by the scheduler alone, when the wall clock passes it.
func TestNotifyTimeoutClose(t *testing.T) {
	clockBackends(t, func(t *testing.T, srv *zfbtest.Server, wall *wallClock) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		t0 := wall.Now()
		no := e.outTradeNo()
		w, err := e.c.TradePay(e.ctx, alipay.TradePay{
			NotifyURL: rc.URL, OutTradeNo: no, Scene: "bar_code", TimeoutExpress: "1m",
			AuthCode: srv.Buyer(t, zfb.BehaviourPassword).PaymentCode, Subject: "x", TotalAmount: "5.00",
		})
		if err != nil || !w.InProgress() {
			t.Fatalf("password pay: %v %+v", err, w)
		}
		stillCount(t, rc, 0, "while the trade waits")

		wall.Advance(2 * time.Minute) // nothing else: no admin call, no API call
		n := rc.Wait(t, notifyWait, byField("out_trade_no", no))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "time-out", n.Form, map[string]string{
			"trade_no": w.TradeNo, "trade_status": alipay.TradeStatusClosed, "total_amount": "5.00",
			"gmt_close": zfb.FormatGatewayTime(t0.Add(time.Minute)),
		})
		wantAbsent(t, "time-out", n.Form, "gmt_payment", "fund_bill_list")
		if s := e.status(no); s != alipay.TradeStatusClosed {
			t.Fatalf("trade.query after the time-out: %s", s)
		}
		tr := srv.Trade(t, app.AppID, no)
		if tr.Status != zfb.TradeClosed {
			t.Fatalf("stored status %s", tr.Status)
		}
		stillCount(t, rc, 1, "after the time-out")
	})
}

func TestNotifyReplay(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		no := e.outTradeNo()
		e.payTo(rc.URL, no, "2.00")
		first := rc.Wait(t, notifyWait, byField("out_trade_no", no))
		notifyID := first.Form.Get("notify_id")
		m := message(t, srv, app.AppID, notifyID)
		waitAttempts(t, srv, m.ID, 1)

		id := strconv.FormatInt(m.ID, 10)
		status, out := adminCall(t, srv, "POST", "/notifications/"+id+"/replay", "")
		send, _ := out["send"].(map[string]any)
		if status != 200 || send["replay"] != true || send["acknowledged"] != true || send["n"] != float64(2) || send["status_code"] != float64(200) {
			t.Fatalf("replay: %d %v", status, out)
		}
		got := waitCount(t, rc, 2)
		checkNotifyForm(t, e.c, app, got[1].Form, zfb.NotifyTradeStatusSync)
		if got[1].Form.Get("notify_id") != notifyID || got[1].Form.Get("out_trade_no") != no {
			t.Fatalf("replayed notify_id %q, want %q", got[1].Form.Get("notify_id"), notifyID)
		}
		status, out = adminCall(t, srv, "GET", "/notifications/"+id, "")
		sends, _ := out["sends"].([]any)
		if status != 200 || len(sends) != 2 || out["attempts"] != float64(1) || out["notify_id"] != notifyID {
			t.Fatalf("show after the replay: %d %v", status, out)
		}
		if s := sends[0].(map[string]any); s["replay"] != nil || s["n"] != float64(1) {
			t.Errorf("scheduled send %v", s)
		}
		if s := sends[1].(map[string]any); s["replay"] != true || s["n"] != float64(2) || s["acknowledged"] != true {
			t.Errorf("replayed send %v", s)
		}
		stillCount(t, rc, 2, "after the replay")
	})
}

// TestNotifyCancelAndFinish: a cancel that refunds a paid trade notifies
// TRADE_CLOSED with the refund; a trade whose refund period ends notifies
// TRADE_FINISHED (spec §5.1: TRADE_SUCCESS and TRADE_FINISHED notify).
func TestNotifyCancelAndFinish(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)

		no := e.outTradeNo()
		p := e.payTo(rc.URL, no, "6.00")
		rc.Wait(t, notifyWait, byField("out_trade_no", no, "trade_status", alipay.TradeStatusSuccess))
		if r, err := e.c.TradeCancel(e.ctx, alipay.TradeCancel{OutTradeNo: no}); err != nil || r.Action != alipay.CancelActionRefund {
			t.Fatalf("cancel: %v %+v", err, r)
		}
		n := rc.Wait(t, notifyWait, byField("out_trade_no", no, "trade_status", alipay.TradeStatusClosed))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "cancel", n.Form, map[string]string{"trade_no": p.TradeNo, "refund_fee": "6.00", "gmt_payment": p.GmtPayment})
		if n.Form.Get("gmt_refund") == "" || n.Form.Get("gmt_close") == "" {
			t.Errorf("cancel: gmt_refund %q, gmt_close %q", n.Form.Get("gmt_refund"), n.Form.Get("gmt_close"))
		}

		kept := e.outTradeNo()
		k := e.payTo(rc.URL, kept, "7.00")
		rc.Wait(t, notifyWait, byField("out_trade_no", kept, "trade_status", alipay.TradeStatusSuccess))
		srv.AdvanceClock(t, app.AppID, zfb.RefundPeriod)
		n = rc.Wait(t, notifyWait, byField("out_trade_no", kept, "trade_status", alipay.TradeStatusFinished))
		checkNotifyForm(t, e.c, app, n.Form, zfb.NotifyTradeStatusSync)
		wantFields(t, "finish", n.Form, map[string]string{"trade_no": k.TradeNo, "total_amount": "7.00", "gmt_payment": k.GmtPayment})
		if s := e.status(kept); s != alipay.TradeStatusFinished {
			t.Fatalf("trade.query after the refund period: %s", s)
		}
		// The closed trade does not finish, and nothing is sent twice.
		stillCount(t, rc, 4, "after the refund period")
	})
}

// TestNotifyRetryUntilSuccess: the first "success" ends the schedule.
func TestNotifyRetryUntilSuccess(t *testing.T) {
	clockBackends(t, func(t *testing.T, srv *zfbtest.Server, _ *wallClock) {
		e := newTradeEnv(t, srv)
		app := srv.App()
		rc := zfbtest.NewReceiver(t)
		rc.Answer("SUCCESS") // not "success": not an acknowledgement
		no := e.outTradeNo()
		e.payTo(rc.URL, no, "1.00")
		first := waitCount(t, rc, 1)[0]
		m := message(t, srv, app.AppID, first.Form.Get("notify_id"))
		waitAttempts(t, srv, m.ID, 1)

		rc.Answer("success")
		srv.AdvanceClock(t, app.AppID, 4*time.Minute)
		got := waitCount(t, rc, 2)
		if got[1].Form.Get("notify_id") != first.Form.Get("notify_id") {
			t.Fatal("the retry has another notify_id")
		}
		m, as := waitAttempts(t, srv, m.ID, 2)
		if m.DeliveredAt == nil || !as[1].Acknowledged || as[0].Acknowledged {
			t.Fatalf("message %+v, sends %+v %+v", m, as[0], as[1])
		}
		srv.AdvanceClock(t, app.AppID, 48*time.Hour)
		stillCount(t, rc, 2, "after the acknowledgement")
	})
}

// TestNotifyFirstSendAtOnce: a notification is sent when the command that
// records it commits, not at the dispatcher's next poll (Dispatcher.Kick:
// "call it after moving a clock or enqueueing a message"). The poll here
// is an hour apart, so only a wake-up after the pay can send it in time.
func TestNotifyFirstSendAtOnce(t *testing.T) {
	srv := zfbtest.NewServer(t, zfbtest.WithNotifyOptions(notify.WithPollInterval(time.Hour)))
	e := newTradeEnv(t, srv)
	rc := zfbtest.NewReceiver(t)
	time.Sleep(quietPeriod) // past the dispatcher's first look at the outbox
	no := e.outTradeNo()
	e.payTo(rc.URL, no, "1.00")
	deadline := time.Now().Add(2 * time.Second)
	for len(rc.All()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the pay notification was not sent within 2s of the pay: the dispatcher waits for its next poll")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

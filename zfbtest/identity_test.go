package zfbtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// identityEnv is a fresh app of one identity mode, a client of it and a
// receiver for its notifications.
type identityEnv struct {
	srv   *zfbtest.Server
	app   sandbox.App
	c     *alipay.Client
	rc    *zfbtest.Receiver
	ctx   context.Context
	payer sandbox.Buyer // the first buyer who pays at once
	n     int
}

func newIdentityEnv(t *testing.T, srv *zfbtest.Server, mode zfb.IdentityMode) *identityEnv {
	t.Helper()
	ctx := context.Background()
	app := srv.NewApp(t, zfb.SignTypeRSA2)
	if _, err := srv.Service.UpdateApp(ctx, app.AppID, func(a *zfb.App) error { a.IdentityMode = mode; return nil }); err != nil {
		t.Fatal(err)
	}
	return &identityEnv{srv: srv, app: app, c: client(t, srv, app), rc: zfbtest.NewReceiver(t), ctx: ctx,
		payer: srv.Buyer(t, zfb.BehaviourPays)}
}

func (e *identityEnv) next(prefix string) string {
	e.n++
	return fmt.Sprintf("%s%d-%d", prefix, e.n, time.Now().UnixNano())
}

// openID is the buyer's open_id in appID, as the admin API shows it.
func (e *identityEnv) openID(t *testing.T, userID, appID string) string {
	t.Helper()
	ids, err := e.srv.Service.BuyerOpenIDs(e.ctx, userID)
	if err != nil || !openIDPattern(ids[appID]) {
		t.Fatalf("open_ids of %s: %v %v", userID, ids, err)
	}
	return ids[appID]
}

// notificationRequest is form POSTed as zfb POSTs notifications.
func notificationRequest(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func openIDPattern(s string) bool {
	if len(s) != 47 || s[0] != '0' {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// createAndPay creates a trade for the buyer named by create's buyer
// fields, has the buyer pay it, and returns the trade's notification of
// payment.
func (e *identityEnv) createAndPay(t *testing.T, create alipay.TradeCreate) (string, url.Values) {
	t.Helper()
	create.OutTradeNo, create.TotalAmount, create.Subject, create.NotifyURL = e.next("T"), "12.34", "小程序订单", e.rc.URL
	r, err := e.c.TradeCreate(e.ctx, create)
	if err != nil || r.Code != "10000" || r.TradeNo == "" {
		t.Fatalf("create %+v: %v %+v", create, err, r)
	}
	if tr := e.srv.ActAsBuyer(t, r.TradeNo, zfb.BuyerActionPay); tr.Status != zfb.TradeSuccess || tr.BuyerID != e.payer.UserID {
		t.Fatalf("paid trade %+v", tr)
	}
	got := e.rc.Wait(t, notifyWait, byField("trade_no", r.TradeNo, "trade_status", "TRADE_SUCCESS"))
	checkNotifyForm(t, e.c, e.app, got.Form, "trade_status_sync")
	return r.TradeNo, got.Form
}

// wantIDs fails unless an answer or notification names the buyer by
// userID and openID ("" meaning the field must be absent).
func wantIDs(t *testing.T, what, gotUserID, gotOpenID, userID, openID string) {
	t.Helper()
	if gotUserID != userID || gotOpenID != openID {
		t.Errorf("%s names the buyer %q / open_id %q, want %q / %q", what, gotUserID, gotOpenID, userID, openID)
	}
}

// TestBuyerIdentity: an app names buyers by its identity mode (spec
// isv-and-identity §2): openid apps take and give open_ids only, both
// apps both ids, userid apps user ids only, in answers and notifications.
func TestBuyerIdentity(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		for _, tc := range []struct {
			mode           zfb.IdentityMode
			userID, openID bool
		}{
			{zfb.IdentityOpenID, false, true},
			{zfb.IdentityBoth, true, true},
			{zfb.IdentityUserID, true, false},
		} {
			t.Run(string(tc.mode), func(t *testing.T) {
				e := newIdentityEnv(t, srv, tc.mode)
				oid := e.openID(t, e.payer.UserID, e.app.AppID)
				wantUser, wantOpen := "", ""
				if tc.userID {
					wantUser = e.payer.UserID
				}
				if tc.openID {
					wantOpen = oid
				}
				create := alipay.TradeCreate{BuyerOpenID: oid}
				if tc.mode == zfb.IdentityUserID {
					create = alipay.TradeCreate{BuyerID: e.payer.UserID}
				}
				tradeNo, form := e.createAndPay(t, create)
				wantIDs(t, "the notification", form.Get("buyer_id"), form.Get("buyer_open_id"), wantUser, wantOpen)
				if !tc.userID {
					wantAbsent(t, "the notification", form, "buyer_id")
				}
				if _, v, err := e.c.DecodeNotification(notificationRequest(form)); err != nil {
					t.Fatal(err)
				} else if n := v.(*alipay.TradeNotification); n.BuyerID != wantUser || n.BuyerOpenID != wantOpen {
					t.Errorf("the SDK's notification: buyer_id %q, buyer_open_id %q", n.BuyerID, n.BuyerOpenID)
				}

				q, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{TradeNo: tradeNo})
				if err != nil || q.TradeStatus != alipay.TradeStatusSuccess {
					t.Fatalf("query: %v %+v", err, q)
				}
				wantIDs(t, "the query", q.BuyerUserID, q.BuyerOpenID, wantUser, wantOpen)
				r, err := e.c.TradeRefund(e.ctx, alipay.TradeRefund{TradeNo: tradeNo, RefundAmount: "1.00", OutRequestNo: "R1"})
				if err != nil || r.FundChange != "Y" {
					t.Fatalf("refund: %v %+v", err, r)
				}
				wantIDs(t, "the refund", r.BuyerUserID, r.BuyerOpenID, wantUser, wantOpen)
				refunded := e.rc.Wait(t, notifyWait, byField("trade_no", tradeNo, "out_biz_no", "R1"))
				wantIDs(t, "the refund notification", refunded.Form.Get("buyer_id"), refunded.Form.Get("buyer_open_id"), wantUser, wantOpen)

				// A bar-code pay answers the same way.
				p, err := e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: e.next("P"), Scene: "bar_code",
					AuthCode: e.payer.PaymentCode, Subject: "咖啡", TotalAmount: "1.00"})
				if err != nil || p.Code != "10000" {
					t.Fatalf("pay: %v %+v", err, p)
				}
				wantIDs(t, "the pay", p.BuyerUserID, p.BuyerOpenID, wantUser, wantOpen)
			})
		}

		t.Run("refused", func(t *testing.T) {
			e := newIdentityEnv(t, srv, zfb.IdentityOpenID)
			other := e.openID(t, e.payer.UserID, srv.App().AppID) // the buyer's open_id in the sandbox app
			for _, tc := range []struct {
				name    string
				create  alipay.TradeCreate
				subCode string
			}{
				// A user id to an openid app (spec §2.5).
				{"buyer_id", alipay.TradeCreate{BuyerID: e.payer.UserID}, "ACQ.BUYER_NOT_EXIST"},
				// Another app's open_id (spec §2.5, UNCONFIRMED for v1).
				{"another app's open_id", alipay.TradeCreate{BuyerOpenID: other}, "ACQ.PAYER_UNMATCHED"},
				{"an open_id never issued", alipay.TradeCreate{BuyerOpenID: neverIssued(other)}, "ACQ.BUYER_NOT_EXIST"},
				{"op_app_id unknown", alipay.TradeCreate{OpAppID: "2021009999999999", OpBuyerOpenID: other}, "ACQ.UNBOUND_APPLICATION"},
				{"op_buyer_open_id of another app", alipay.TradeCreate{OpAppID: srv.App().AppID, OpBuyerOpenID: e.openID(t, e.payer.UserID, e.app.AppID)}, "ACQ.PAYER_UNMATCHED"},
				{"op_buyer_open_id alone", alipay.TradeCreate{OpBuyerOpenID: other}, "ACQ.INVALID_PARAMETER"},
				{"no buyer", alipay.TradeCreate{}, "ACQ.INVALID_PARAMETER"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tc.create.OutTradeNo, tc.create.TotalAmount, tc.create.Subject = e.next("X"), "1.00", "x"
					_, err := e.c.TradeCreate(e.ctx, tc.create)
					wantSubCode(t, err, "40004", tc.subCode)
					if tr, err := srv.Service.TradeByOutTradeNo(e.ctx, e.app.AppID, tc.create.OutTradeNo); err == nil {
						t.Fatalf("a refused create made trade %+v", tr)
					}
				})
			}
		})

		t.Run("op_app_id with op_buyer_open_id", func(t *testing.T) {
			// The merchant's mini program (here: the sandbox app) owns the
			// open_id; the calling app names it with op_app_id.
			e := newIdentityEnv(t, srv, zfb.IdentityOpenID)
			mini := srv.App().AppID
			_, form := e.createAndPay(t, alipay.TradeCreate{OpAppID: mini, OpBuyerOpenID: e.openID(t, e.payer.UserID, mini)})
			// Answers name the buyer by the calling app's open_id.
			wantIDs(t, "the notification", form.Get("buyer_id"), form.Get("buyer_open_id"), "", e.openID(t, e.payer.UserID, e.app.AppID))
		})

		t.Run("smartwalle's empty buyer_id", func(t *testing.T) {
			// smartwalle's TradeCreate sends buyer_id and buyer_open_id
			// always, one of them "" (spec isv-and-identity §4.3).
			e := newIdentityEnv(t, srv, zfb.IdentityOpenID)
			oid := e.openID(t, e.payer.UserID, e.app.AppID)
			var out alipay.TradeCreateResponse
			err := e.c.Do(e.ctx, alipay.Request{Method: "alipay.trade.create", BizContent: map[string]string{
				"out_trade_no": e.next("S"), "total_amount": "2.00", "subject": "x", "buyer_id": "", "buyer_open_id": oid,
			}}, &out)
			if err != nil || out.TradeNo == "" {
				t.Fatalf("create: %v %+v", err, out)
			}
		})

		t.Run("fund authorisation", func(t *testing.T) {
			e := newIdentityEnv(t, srv, zfb.IdentityOpenID)
			oid := e.openID(t, e.payer.UserID, e.app.AppID)
			no := e.next("O")
			f, err := e.c.FundAuthOrderFreeze(e.ctx, alipay.FundAuthOrderFreeze{
				NotifyURL: e.rc.URL, AuthCode: e.payer.PaymentCode, AuthCodeType: "bar_code",
				OutOrderNo: no, OutRequestNo: no + "-f", OrderTitle: "押金", Amount: "50.00", ProductCode: "PRE_AUTH",
			})
			if err != nil || f.Status != alipay.AuthOperationStatusSuccess {
				t.Fatalf("freeze: %v %+v", err, f)
			}
			wantIDs(t, "the freeze", f.PayerUserID, f.PayerOpenID, "", oid)
			d, err := e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID})
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, "the detail query", d.PayerUserID, d.PayerOpenID, "", oid)
			frozen := e.rc.Wait(t, notifyWait, byField("auth_no", f.AuthNo, "operation_type", "FREEZE"))
			wantIDs(t, "the freeze notification", frozen.Form.Get("payer_user_id"), frozen.Form.Get("payer_open_id"), "", oid)
			wantAbsent(t, "the freeze notification", frozen.Form, "payer_user_id")

			_, err = e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: e.next("A"), Subject: "租金", TotalAmount: "1.00",
				ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerID: e.payer.UserID})
			wantSubCode(t, err, "40004", "ACQ.BUYER_NOT_EXIST")
			_, err = e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: e.next("A"), Subject: "租金", TotalAmount: "1.00",
				ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerOpenID: e.openID(t, e.payer.UserID, srv.App().AppID)})
			wantSubCode(t, err, "40004", "ACQ.PAYER_UNMATCHED")
			p, err := e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: e.next("A"), Subject: "租金", TotalAmount: "20.00",
				ProductCode: "PRE_AUTH", AuthNo: f.AuthNo, BuyerOpenID: oid})
			if err != nil || p.Code != "10000" {
				t.Fatalf("pay from the authorisation: %v %+v", err, p)
			}
			wantIDs(t, "the pay from the authorisation", p.BuyerUserID, p.BuyerOpenID, "", oid)
		})

		t.Run("one open_id for pays at once", func(t *testing.T) {
			// The buyer meets a new openid app in several pays at once:
			// all answers carry one open_id.
			e := newIdentityEnv(t, srv, zfb.IdentityOpenID)
			const n = 6
			got := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p, err := e.c.TradePay(e.ctx, alipay.TradePay{OutTradeNo: fmt.Sprintf("C%d-%d", i, time.Now().UnixNano()),
						Scene: "bar_code", AuthCode: e.payer.PaymentCode, Subject: "咖啡", TotalAmount: "0.01"})
					if err != nil {
						t.Error(err)
						return
					}
					got[i] = p.BuyerOpenID
				}()
			}
			wg.Wait()
			for i := range n {
				if got[i] != got[0] || !openIDPattern(got[i]) {
					t.Fatalf("open_ids answered = %q", got)
				}
			}
			if oid := e.openID(t, e.payer.UserID, e.app.AppID); oid != got[0] {
				t.Fatalf("the admin API shows %s, the pays %s", oid, got[0])
			}
		})
	})
}

// neverIssued is an open_id of the right shape that differs from issued in
// its last character (that another issued open_id is exactly it is out of
// reach: 46 random characters).
func neverIssued(issued string) string {
	last := byte('x')
	if issued[len(issued)-1] == last {
		last = 'y'
	}
	return issued[:len(issued)-1] + string(last)
}

package zfbtest_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// authEnv is one zfb, a client of its sandbox app and the fund
// authorisation calls the tests make through the SDK. Its helpers take the
// calling test, so that a subtest fails itself.
type authEnv struct {
	srv    *zfbtest.Server
	c      *alipay.Client
	ctx    context.Context
	app    string
	seller string
	payer  sandbox.Buyer // the first buyer who pays at once

	mu sync.Mutex
	n  int
}

func newAuthEnv(t *testing.T, srv *zfbtest.Server) *authEnv {
	return &authEnv{
		srv: srv, c: client(t, srv, srv.App()), ctx: context.Background(),
		app: srv.App().AppID, seller: srv.App().SellerID, payer: srv.Buyer(t, zfb.BehaviourPays),
	}
}

// next is a fresh merchant number: prefix and a counter.
func (e *authEnv) next(prefix string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	return fmt.Sprintf("%s%d", prefix, e.n)
}

// freezeReq is a freeze of amount by the first buyer of behaviour, under a
// fresh out_order_no; its out_request_no is the out_order_no and "-f".
func (e *authEnv) freezeReq(t *testing.T, behaviour, amount string) alipay.FundAuthOrderFreeze {
	no := e.next("O")
	return alipay.FundAuthOrderFreeze{
		AuthCode: e.srv.Buyer(t, behaviour).PaymentCode, AuthCodeType: "bar_code",
		OutOrderNo: no, OutRequestNo: no + "-f", OrderTitle: "充电宝押金", Amount: amount, ProductCode: "PRE_AUTH",
	}
}

// mustFreeze freezes amount of the first pays buyer's funds.
func (e *authEnv) mustFreeze(t *testing.T, amount string) *alipay.FundAuthOrderFreezeResponse {
	t.Helper()
	req := e.freezeReq(t, zfb.BehaviourPays, amount)
	r, err := e.c.FundAuthOrderFreeze(e.ctx, req)
	if err != nil || r.Code != "10000" || r.Status != alipay.AuthOperationStatusSuccess || r.AuthNo == "" {
		t.Fatalf("freeze %s: %v %+v", amount, err, r)
	}
	return r
}

// mustFreezeWaiting freezes amount of the password buyer's funds: the
// freeze waits, INIT, for the buyer.
func (e *authEnv) mustFreezeWaiting(t *testing.T, amount string) *alipay.FundAuthOrderFreezeResponse {
	t.Helper()
	r, err := e.c.FundAuthOrderFreeze(e.ctx, e.freezeReq(t, zfb.BehaviourPassword, amount))
	if err != nil || r.Code != "10000" || r.Status != alipay.AuthOperationStatusInit || r.GmtTrans != "" || r.AuthNo == "" {
		t.Fatalf("password freeze %s: %v %+v", amount, err, r)
	}
	return r
}

func (e *authEnv) unfreeze(authNo, outRequestNo, amount string) (*alipay.FundAuthOrderUnfreezeResponse, error) {
	return e.c.FundAuthOrderUnfreeze(e.ctx, alipay.FundAuthOrderUnfreeze{AuthNo: authNo, OutRequestNo: outRequestNo, Amount: amount, Remark: "归还押金"})
}

func (e *authEnv) mustUnfreeze(t *testing.T, authNo, outRequestNo, amount string) *alipay.FundAuthOrderUnfreezeResponse {
	t.Helper()
	r, err := e.unfreeze(authNo, outRequestNo, amount)
	if err != nil || r.Code != "10000" || r.Status != alipay.AuthOperationStatusSuccess || r.Amount != amount {
		t.Fatalf("unfreeze %s of %s: %v %+v", amount, authNo, err, r)
	}
	return r
}

func (e *authEnv) query(t *testing.T, q alipay.FundAuthOperationDetailQuery) *alipay.FundAuthOperationDetailQueryResponse {
	t.Helper()
	r, err := e.c.FundAuthOperationDetailQuery(e.ctx, q)
	if err != nil || r.Code != "10000" {
		t.Fatalf("detail query %+v: %v %+v", q, err, r)
	}
	return r
}

func (e *authEnv) cancel(ref alipay.FundAuthOperationCancel) (*alipay.FundAuthOperationCancelResponse, error) {
	if ref.Remark == "" {
		ref.Remark = "撤销授权"
	}
	return e.c.FundAuthOperationCancel(e.ctx, ref)
}

func (e *authEnv) mustCancel(t *testing.T, ref alipay.FundAuthOperationCancel) *alipay.FundAuthOperationCancelResponse {
	t.Helper()
	r, err := e.cancel(ref)
	if err != nil || r.Code != "10000" {
		t.Fatalf("cancel %+v: %v %+v", ref, err, r)
	}
	return r
}

// payAuth pays amount from the authorisation f to the app's seller.
func (e *authEnv) payAuth(f *alipay.FundAuthOrderFreezeResponse, outTradeNo, amount, mode string) (*alipay.TradePayResponse, error) {
	return e.c.TradePay(e.ctx, alipay.TradePay{
		OutTradeNo: outTradeNo, Subject: "充电宝租金", TotalAmount: amount, ProductCode: "PRE_AUTH",
		AuthNo: f.AuthNo, AuthConfirmMode: mode, BuyerID: f.PayerUserID, SellerID: e.seller,
	})
}

func (e *authEnv) mustPayAuth(t *testing.T, f *alipay.FundAuthOrderFreezeResponse, outTradeNo, amount, mode string) *alipay.TradePayResponse {
	t.Helper()
	r, err := e.payAuth(f, outTradeNo, amount, mode)
	if err != nil || r.Code != "10000" || r.TradeNo == "" || r.OutTradeNo != outTradeNo || r.TotalAmount != amount || r.BuyerUserID != f.PayerUserID {
		t.Fatalf("pay %s from %s: %v %+v", amount, f.AuthNo, err, r)
	}
	return r
}

func (e *authEnv) tradeStatus(t *testing.T, outTradeNo string) string {
	t.Helper()
	r, err := e.c.TradeQuery(e.ctx, alipay.TradeQuery{OutTradeNo: outTradeNo})
	if alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST") {
		return "NOT_EXIST"
	}
	if err != nil {
		t.Fatalf("trade query %s: %v", outTradeNo, err)
	}
	return r.TradeStatus
}

// funds is what a buyer has available and frozen, and what the merchant
// holds, in minor units.
type funds struct{ available, frozen, merchant int64 }

func (e *authEnv) funds(t *testing.T, userID string) funds {
	t.Helper()
	m, err := e.srv.Store.Account(e.ctx, zfb.MerchantAccount(e.seller, zfb.CNY))
	if err != nil {
		t.Fatal(err)
	}
	return funds{e.srv.Balance(t, userID), e.srv.FrozenBalance(t, userID), m.Balance}
}

// wantFunds fails unless the buyer's and the merchant's money moved by
// exactly the deltas since before.
func (e *authEnv) wantFunds(t *testing.T, userID string, before funds, available, frozen, merchant int64) {
	t.Helper()
	got := e.funds(t, userID)
	want := funds{before.available + available, before.frozen + frozen, before.merchant + merchant}
	if got != want {
		t.Fatalf("funds of %s: available/frozen/merchant %+v, want %+v (before %+v)", userID, got, want, before)
	}
}

// wantOrder fails unless the app's order has the status and totals (minor
// units) given.
func (e *authEnv) wantOrder(t *testing.T, outOrderNo string, status zfb.AuthOrderStatus, freeze, unfreeze, pay int64) *zfb.AuthOrderDetail {
	t.Helper()
	d := e.srv.AuthOrder(t, e.app, outOrderNo)
	o := d.Order
	if o.Status != status || o.TotalFreezeAmount != freeze || o.TotalUnfreezeAmount != unfreeze || o.TotalPayAmount != pay {
		t.Fatalf("order %s: %s frozen %d unfrozen %d paid %d; want %s %d %d %d",
			outOrderNo, o.Status, o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount, status, freeze, unfreeze, pay)
	}
	return d
}

// wantNoOrder fails if the app has an order with outOrderNo.
func (e *authEnv) wantNoOrder(t *testing.T, outOrderNo string) {
	t.Helper()
	if d, err := e.srv.Service.AuthOrderByOutOrderNo(e.ctx, e.app, outOrderNo); !errors.Is(err, zfb.ErrNotFound) {
		t.Fatalf("order %s: %v %+v, want none", outOrderNo, err, d)
	}
}

var (
	authNoPattern      = regexp.MustCompile(`^\d{28}$`)
	operationIDPattern = regexp.MustCompile(`^\d{20}$`)
	gatewayTimePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
)

func TestFundAuthFreeze(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		e := newAuthEnv(t, srv)
		t.Run("pays: frozen at once, every field of the detail query", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			req := e.freezeReq(t, zfb.BehaviourPays, "100.00")
			req.ExtraParam = `{"category":"RENT_SHARABLE_CHARGERS","merchantExt":"key1=value1,key2=value2"}`
			f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if f.Code != "10000" || !authNoPattern.MatchString(f.AuthNo) || !operationIDPattern.MatchString(f.OperationID) ||
				f.OutOrderNo != req.OutOrderNo || f.OutRequestNo != req.OutRequestNo || f.Amount != "100.00" ||
				f.CreditAmount != "0.00" || f.FundAmount != "100.00" || !gatewayTimePattern.MatchString(f.GmtTrans) ||
				f.Status != alipay.AuthOperationStatusSuccess || f.PayerUserID != e.payer.UserID ||
				f.PayerLogonID == "" || f.PayerLogonID == e.payer.LogonID || !strings.Contains(f.PayerLogonID, "*") ||
				f.TransCurrency != "CNY" {
				t.Fatalf("freeze answer %+v", f)
			}
			e.wantFunds(t, e.payer.UserID, before, -10000, 10000, 0)
			d := e.wantOrder(t, req.OutOrderNo, zfb.AuthOrderAuthorized, 10000, 0, 0)
			if len(d.Operations) != 1 || d.Operations[0].OperationID != f.OperationID || d.Operations[0].Status != zfb.AuthOpSuccess {
				t.Fatalf("operations %+v", d.Operations)
			}
			want := alipay.FundAuthOperationDetailQueryResponse{
				Response: alipay.Response{Code: "10000", Msg: "Success"},
				AuthNo:   f.AuthNo, OutOrderNo: req.OutOrderNo, OrderStatus: alipay.AuthOrderStatusAuthorized,
				TotalFreezeAmount: "100.00", TotalUnfreezeAmount: "0.00", TotalPayAmount: "0.00", RestAmount: "100.00",
				OrderTitle: req.OrderTitle, PayerLogonID: f.PayerLogonID, PayerUserID: e.payer.UserID,
				PayerOpenID: e.payer.OpenID, // the sandbox's app names buyers both ways
				ExtraParam:  `{"merchantExt":"key1=value1,key2=value2"}`,
				OperationID: f.OperationID, OutRequestNo: req.OutRequestNo, Amount: "100.00",
				OperationType: alipay.AuthOperationFreeze, Status: alipay.AuthOperationStatusSuccess,
				GmtTrans: f.GmtTrans, TransCurrency: "CNY",
			}
			for _, q := range []alipay.FundAuthOperationDetailQuery{
				{AuthNo: f.AuthNo, OperationID: f.OperationID},
				{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo},
				{AuthNo: f.AuthNo, OutRequestNo: req.OutRequestNo, OperationType: alipay.AuthOperationFreeze},
			} {
				got := *e.query(t, q)
				if !gatewayTimePattern.MatchString(got.GmtCreate) || got.GmtCreate > got.GmtTrans {
					t.Fatalf("query %+v: gmt_create %q (gmt_trans %q)", q, got.GmtCreate, got.GmtTrans)
				}
				got.GmtCreate = ""
				if got != want {
					t.Fatalf("query %+v:\n got %+v\nwant %+v", q, got, want)
				}
			}
			srv.CheckLedger(t)
		})
		t.Run("extra_param without merchantExt is not answered", func(t *testing.T) {
			req := e.freezeReq(t, zfb.BehaviourPays, "1.00")
			req.ExtraParam = `{"category":"RENT_SHARABLE_CHARGERS"}`
			f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if q := e.query(t, alipay.FundAuthOperationDetailQuery{AuthNo: f.AuthNo, OperationID: f.OperationID}); q.ExtraParam != "" {
				t.Fatalf("extra_param %q", q.ExtraParam)
			}
			e.mustUnfreeze(t, f.AuthNo, "u", "1.00")
		})
		t.Run("repeats", func(t *testing.T) {
			before := e.funds(t, e.payer.UserID)
			req := e.freezeReq(t, zfb.BehaviourPays, "10.00")
			f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "FREEZE_ALREADY_SUCCESS")
			for _, change := range []func(r *alipay.FundAuthOrderFreeze){
				func(r *alipay.FundAuthOrderFreeze) { r.Amount = "10.01" },
				func(r *alipay.FundAuthOrderFreeze) { r.OutRequestNo += "x" },
				func(r *alipay.FundAuthOrderFreeze) { r.OrderTitle += "x" },
				func(r *alipay.FundAuthOrderFreeze) { r.AuthCode = srv.Buyer(t, zfb.BehaviourPassword).PaymentCode },
				func(r *alipay.FundAuthOrderFreeze) { r.ExtraParam = `{"merchantExt":"x"}` },
			} {
				other := req
				change(&other)
				_, err = e.c.FundAuthOrderFreeze(e.ctx, other)
				wantSubCode(t, err, "40004", "UNIQUE_VIOLATION")
			}
			e.wantFunds(t, e.payer.UserID, before, -1000, 1000, 0)
			e.wantOrder(t, req.OutOrderNo, zfb.AuthOrderAuthorized, 1000, 0, 0)

			// Closed: all of it unfrozen.
			e.mustUnfreeze(t, f.AuthNo, "all", "10.00")
			_, err = e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "ORDER_ALREADY_CLOSED")

			// Finished: paid from.
			req2 := e.freezeReq(t, zfb.BehaviourPays, "10.00")
			f2, err := e.c.FundAuthOrderFreeze(e.ctx, req2)
			if err != nil {
				t.Fatal(err)
			}
			e.mustPayAuth(t, f2, e.next("T"), "10.00", alipay.AuthConfirmModeNotComplete)
			_, err = e.c.FundAuthOrderFreeze(e.ctx, req2)
			wantSubCode(t, err, "40004", "ORDER_ALREADY_FINISH")
			e.wantOrder(t, req2.OutOrderNo, zfb.AuthOrderFinish, 1000, 0, 1000)
			e.wantFunds(t, e.payer.UserID, before, -1000, 0, 1000)

			// Waiting for the buyer: the same answer, once.
			w := e.freezeReq(t, zfb.BehaviourPassword, "3.00")
			first, err := e.c.FundAuthOrderFreeze(e.ctx, w)
			if err != nil || first.Status != alipay.AuthOperationStatusInit {
				t.Fatalf("password freeze %v %+v", err, first)
			}
			again, err := e.c.FundAuthOrderFreeze(e.ctx, w)
			if err != nil || again.Status != alipay.AuthOperationStatusInit || again.AuthNo != first.AuthNo || again.OperationID != first.OperationID || again.GmtTrans != "" {
				t.Fatalf("repeated password freeze %v %+v, first %+v", err, again, first)
			}
			if d := e.wantOrder(t, w.OutOrderNo, zfb.AuthOrderInit, 0, 0, 0); len(d.Operations) != 1 {
				t.Fatalf("operations %+v", d.Operations)
			}
			srv.CheckLedger(t)
		})
		t.Run("poor buyer: MONEY_NOT_ENOUGH, nothing stored", func(t *testing.T) {
			poor := srv.Buyer(t, zfb.BehaviourPoor)
			before := e.funds(t, poor.UserID)
			req := e.freezeReq(t, zfb.BehaviourPoor, "5.00")
			_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			wantSubCode(t, err, "40004", "MONEY_NOT_ENOUGH")
			e.wantNoOrder(t, req.OutOrderNo)
			_, err = e.c.FundAuthOperationDetailQuery(e.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: req.OutOrderNo, OutRequestNo: req.OutRequestNo})
			wantSubCode(t, err, "40004", "AUTH_ORDER_NOT_EXIST")
			e.wantFunds(t, poor.UserID, before, 0, 0, 0)
			// The same out_order_no, within the balance, is a fresh attempt.
			req.Amount = "0.60"
			f, err := e.c.FundAuthOrderFreeze(e.ctx, req)
			if err != nil || f.Status != alipay.AuthOperationStatusSuccess || f.PayerUserID != poor.UserID {
				t.Fatalf("freeze within the balance %v %+v", err, f)
			}
			e.wantFunds(t, poor.UserID, before, -60, 60, 0)
			e.mustUnfreeze(t, f.AuthNo, "back", "0.60")
			e.wantFunds(t, poor.UserID, before, 0, 0, 0)
			srv.CheckLedger(t)
		})
		t.Run("refusals store nothing", func(t *testing.T) {
			// The merchant's own Alipay account as a buyer.
			const sellerCode = "280000000000000001"
			seller := &zfb.Buyer{UserID: e.seller, PaymentCode: sellerCode, Behaviour: zfb.BehaviourPays, Balance: 10000}
			if err := srv.Service.CreateBuyer(e.ctx, seller); err != nil {
				t.Fatal(err)
			}
			before := e.funds(t, e.payer.UserID)
			long := strings.Repeat("9", 65)
			for _, tt := range []struct {
				name    string
				change  func(r *alipay.FundAuthOrderFreeze)
				subCode string
			}{
				{"unknown auth_code", func(r *alipay.FundAuthOrderFreeze) { r.AuthCode = "289999999999999999" }, "PAYMENT_AUTH_CODE_INVALID"},
				{"the merchant's own code", func(r *alipay.FundAuthOrderFreeze) { r.AuthCode = sellerCode }, "PAYER_PAYEE_EQUAL"},
				{"amount above 100000000.00", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "100000000.01" }, "ILLEGAL_ARGUMENT"},
				{"another payee", func(r *alipay.FundAuthOrderFreeze) { r.PayeeUserID = "2088000000000001" }, "PAYEE_NOT_EXIST"},
				{"no auth_code", func(r *alipay.FundAuthOrderFreeze) { r.AuthCode = "" }, "ILLEGAL_ARGUMENT"},
				{"no auth_code_type", func(r *alipay.FundAuthOrderFreeze) { r.AuthCodeType = "" }, "ILLEGAL_ARGUMENT"},
				{"bad auth_code_type", func(r *alipay.FundAuthOrderFreeze) { r.AuthCodeType = "qr_code" }, "ILLEGAL_ARGUMENT"},
				{"amount 0", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "0" }, "ILLEGAL_ARGUMENT"},
				{"amount 0.00", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "0.00" }, "ILLEGAL_ARGUMENT"},
				{"amount with three decimals", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "1.001" }, "ILLEGAL_ARGUMENT"},
				{"negative amount", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "-1.00" }, "ILLEGAL_ARGUMENT"},
				{"amount not a number", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "abc" }, "ILLEGAL_ARGUMENT"},
				{"no amount", func(r *alipay.FundAuthOrderFreeze) { r.Amount = "" }, "ILLEGAL_ARGUMENT"},
				{"no out_request_no", func(r *alipay.FundAuthOrderFreeze) { r.OutRequestNo = "" }, "ILLEGAL_ARGUMENT"},
				{"out_request_no too long", func(r *alipay.FundAuthOrderFreeze) { r.OutRequestNo = long }, "ILLEGAL_ARGUMENT"},
				{"no order_title", func(r *alipay.FundAuthOrderFreeze) { r.OrderTitle = "" }, "ILLEGAL_ARGUMENT"},
				{"blank order_title", func(r *alipay.FundAuthOrderFreeze) { r.OrderTitle = "   " }, "ILLEGAL_ARGUMENT"},
				{"face-to-face product_code", func(r *alipay.FundAuthOrderFreeze) { r.ProductCode = "FACE_TO_FACE_PAYMENT" }, "ILLEGAL_ARGUMENT"},
				{"bad pay_timeout", func(r *alipay.FundAuthOrderFreeze) { r.PayTimeout = "0m" }, "ILLEGAL_ARGUMENT"},
				{"pay_timeout past 15d", func(r *alipay.FundAuthOrderFreeze) { r.PayTimeout = "16d" }, "ILLEGAL_ARGUMENT"},
				{"extra_param not JSON", func(r *alipay.FundAuthOrderFreeze) { r.ExtraParam = "category=x" }, "ILLEGAL_ARGUMENT"},
				{"extra_param an array", func(r *alipay.FundAuthOrderFreeze) { r.ExtraParam = `[1]` }, "ILLEGAL_ARGUMENT"},
			} {
				req := e.freezeReq(t, zfb.BehaviourPays, "2.00")
				tt.change(&req)
				_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
				var ae *alipay.Error
				if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != tt.subCode {
					t.Fatalf("%s: got %v, want 40004 %s", tt.name, err, tt.subCode)
				}
				e.wantNoOrder(t, req.OutOrderNo)
			}
			for _, no := range []string{"", "has space", "中文", long} {
				req := e.freezeReq(t, zfb.BehaviourPays, "2.00")
				req.OutOrderNo = no
				_, err := e.c.FundAuthOrderFreeze(e.ctx, req)
				wantSubCode(t, err, "40004", "ILLEGAL_ARGUMENT")
			}
			e.wantFunds(t, e.payer.UserID, before, 0, 0, 0)
			srv.CheckLedger(t)
		})
	})
}

package main

// The log of the fault-injection suite (faultinject_test.go) and its reconciliation with zfb's
// own records.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	alipayintl "github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/sandbox"
)

// What an operation does. Each moves money of one buyer: a pay, a freeze and an intl pay (in
// CNY) take some; a refund, an unfreeze and an intl refund give some back, and so do a cancel
// and an intl payCancel of a paid payment (all of it). A cancel of a pay that never reached zfb
// moves nothing, and closes its number.
const (
	fiPay        = "pay"         // alipay.trade.pay, out_trade_no no
	fiRefund     = "refund"      // alipay.trade.refund of parent, out_request_no sub
	fiCancel     = "cancel"      // alipay.trade.cancel of parent (paid, or in doubt)
	fiFreeze     = "freeze"      // alipay.fund.auth.order.freeze, out_order_no no, out_request_no sub
	fiUnfreeze   = "unfreeze"    // alipay.fund.auth.order.unfreeze of parent, out_request_no sub
	fiIntlPay    = "intl-pay"    // offline.pay, merchantTransId no
	fiIntlRefund = "intl-refund" // common.refund of parent, merchantRefundId sub
	fiIntlCancel = "intl-cancel" // common.payCancel of parent (paid, or in doubt)
)

// fiState is what the merchant knows of an operation.
type fiState int

const (
	fiPending   fiState = iota // every answer so far was lost or left the outcome unknown
	fiAcked                    // answered as done (10000, S, or a refusal saying an earlier call did it)
	fiRefusedOp                // answered as not done
)

func (s fiState) String() string {
	return [...]string{"in doubt", "acknowledged", "refused"}[s]
}

// fiOp is one operation, with numbers of its own, and what its calls were answered. The fields
// of the second group are written by whoever makes the calls while holding the run's gate for
// reading, and by check while holding it for writing.
type fiOp struct {
	kind   string
	no     string // out_trade_no, out_order_no or merchantTransId (the parent's, for a child)
	sub    string // out_request_no or merchantRefundId
	buyer  string // whose money it moves
	amount int64  // fen; a cancel's is its trade's
	parent *fiOp  // what a refund, cancel, unfreeze or intl refund acts on
	twin   bool   // sent through two zfb at once: an answer "done already" is expected

	state     fiState
	attempts  int
	unknowns  int    // calls whose outcome was unknown
	abandoned bool   // the merchant gave up after an unknown result, as some do
	fresh     int    // answers saying this very call did it (pay 10000, fund_change Y)
	lostDone  bool   // a call whose answer was lost had done it
	sdkSeen   bool   // an SDK query has shown it done since it was acknowledged
	replays   int    // acknowledged, then sent again and answered as done already
	ref       string // trade_no, auth_no or acquirementId answered
	answer    string // the last answer, for messages
}

func (o *fiOp) String() string {
	s := o.kind + " " + o.no
	if o.sub != "" {
		s += "/" + o.sub
	}
	abandoned := ""
	if o.abandoned {
		abandoned = ", given up"
	}
	return fmt.Sprintf("%s of %s for buyer %s (%s after %d calls, %d unknown%s; last answer %s)",
		s, zfb.FormatAmount(o.amount), o.buyer, o.state, o.attempts, o.unknowns, abandoned, o.answer)
}

// delta is what o, done, did to its buyer's available balance (a cancel: if its payment had
// been made).
func (o *fiOp) delta() int64 {
	switch o.kind {
	case fiPay, fiFreeze, fiIntlPay:
		return -o.amount
	}
	return o.amount
}

// fiRun is one run against one database: the zfb of the moment, the merchants driving it, and
// the log.
type fiRun struct {
	ctx     context.Context
	seed    uint64
	cur     atomic.Pointer[fiClients]
	codes   map[string]string // user id → payment code
	payer   string            // the buyer who pays at once
	poor    string            // the buyer with 1.00
	opening map[string]int64  // user id → balance before the run

	// Each call holds gate for reading, check for writing: check sees no call in flight, and
	// every operation as its calls left it.
	gate sync.RWMutex

	mu       sync.Mutex
	ops      []*fiOp
	problems []string // answers a correct zfb would not give

	stopping atomic.Bool
	wg       sync.WaitGroup

	checks, kills int
	lateCalls     atomic.Int64 // pays sent again after their cancel
}

func newFiRun(t *testing.T, ctx context.Context, seed uint64, file *sandbox.File) *fiRun {
	t.Helper()
	s := &fiRun{ctx: ctx, seed: seed, codes: map[string]string{}, opening: map[string]int64{}}
	for _, b := range file.Buyers {
		s.codes[b.UserID] = b.PaymentCode
		bal, err := zfb.ParseAmount(b.Balance)
		if err != nil {
			t.Fatalf("buyer %s: balance %q", b.UserID, b.Balance)
		}
		s.opening[b.UserID] = bal
		switch b.Behaviour {
		case zfb.BehaviourPays:
			s.payer = b.UserID
		case zfb.BehaviourPoor:
			s.poor = b.UserID
		}
	}
	if s.payer == "" || s.poor == "" {
		t.Fatalf("the sandbox has no pays or no poor buyer: %+v", file.Buyers)
	}
	return s
}

func (s *fiRun) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// snapshot is the log so far.
func (s *fiRun) snapshot() []*fiOp {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ops)
}

// fiClients are the SDK clients, and an admin client, of one running zfb.
type fiClients struct {
	gw       *alipay.Client
	intl     *alipayintl.Client
	hc       *http.Client
	tr       *http.Transport
	adminURL string
	token    string
	appID    string
}

func newFiClients(t *testing.T, file *sandbox.File) *fiClients {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	hc := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	app := file.Apps[0]
	gw, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey,
		alipay.WithGateway(file.GatewayURL), alipay.WithHTTPClient(hc), alipay.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ic, err := alipayintl.New(app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey,
		alipayintl.WithBaseURL(file.IntlURL), alipayintl.WithPartnerID(app.IntlPartnerID),
		alipayintl.WithHTTPClient(hc), alipayintl.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return &fiClients{gw: gw, intl: ic, hc: hc, tr: tr, adminURL: file.AdminURL, token: file.AdminToken, appID: app.AppID}
}

// adminGet GETs path of the admin API into out (on 200) and returns the HTTP status.
func (c *fiClients) adminGet(ctx context.Context, path string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.adminURL+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, fmt.Errorf("admin %s: %v: %s", path, err, raw)
		}
	}
	return resp.StatusCode, nil
}

// The admin API's views (admin/trades.go, admin/fundauth.go, admin/intl.go), as far as check
// reads them.
type fiTradeView struct {
	TradeNo        string     `json:"trade_no"`
	Kind           string     `json:"kind"`
	TradeStatus    string     `json:"trade_status"`
	BuyerID        string     `json:"buyer_id"`
	TotalAmount    string     `json:"total_amount"`
	RefundedAmount string     `json:"refunded_amount"`
	CancelAction   string     `json:"cancel_action"`
	PaidAt         *time.Time `json:"paid_at"`
}

type fiOrderView struct {
	AuthNo              string `json:"auth_no"`
	OrderStatus         string `json:"order_status"`
	PayerUserID         string `json:"payer_user_id"`
	TotalFreezeAmount   string `json:"total_freeze_amount"`
	TotalUnfreezeAmount string `json:"total_unfreeze_amount"`
	TotalPayAmount      string `json:"total_pay_amount"`
	RestAmount          string `json:"rest_amount"`
	Operations          []struct {
		OutRequestNo  string `json:"out_request_no"`
		OperationType string `json:"operation_type"`
		Status        string `json:"status"`
		Amount        string `json:"amount"`
	} `json:"operations"`
}

type fiMoney struct{ Currency, Value string }

type fiIntlView struct {
	AcquirementID  string     `json:"acquirement_id"`
	Status         string     `json:"acquirement_status"`
	BuyerID        string     `json:"buyer_id"`
	OrderAmount    fiMoney    `json:"order_amount"`
	PaymentAmount  fiMoney    `json:"payment_amount"`
	RefundedAmount fiMoney    `json:"refunded_amount"`
	CancelAction   string     `json:"cancel_action"`
	PaidAt         *time.Time `json:"paid_at"`
	Refunds        []struct {
		MerchantRefundID string  `json:"merchant_refund_id"`
		RefundAmount     fiMoney `json:"refund_amount"`
		RefundCNY        fiMoney `json:"refund_cny"`
		ByCancel         bool    `json:"by_cancel"`
	} `json:"refunds"`
}

func fiCNY(fen int64) fiMoney { return fiMoney{zfb.CNY, fmt.Sprint(fen)} }

// fiFen parses an amount in yuan; an unparsable one is far from any real amount.
func fiFen(s string) int64 {
	v, err := zfb.ParseAmount(s)
	if err != nil {
		return -1 << 62
	}
	return v
}

// fiParallel runs fn for each of n items on a few goroutines.
func fiParallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// fiRecords is what zfb has of the objects the log names: trades, authorisation orders and intl
// payments through the admin API, and some refunds through alipay.trade.fastpay.refund.query
// (the admin API does not list a trade's refunds).
type fiRecords struct {
	trades  map[string]*fiTradeView // by out_trade_no
	orders  map[string]*fiOrderView // by out_order_no
	intls   map[string]*fiIntlView  // by merchantTransId
	refunds map[*fiOp]bool          // looked up: found
}

// records reads zfb's records of ops; with all, every refund is looked up, else those in doubt
// and those no SDK query has shown yet.
func (s *fiRun) records(c *fiClients, ops []*fiOp, all bool) (*fiRecords, []string) {
	r := &fiRecords{trades: map[string]*fiTradeView{}, orders: map[string]*fiOrderView{}, intls: map[string]*fiIntlView{}, refunds: map[*fiOp]bool{}}
	var look []*fiOp
	for _, o := range ops {
		if o.parent == nil || (o.kind == fiRefund && (all || !o.sdkSeen || o.state == fiPending)) {
			look = append(look, o)
		}
	}
	var mu sync.Mutex
	var errs []string
	fiParallel(len(look), func(i int) {
		o := look[i]
		var v any
		var path string
		switch o.kind {
		case fiRefund:
			found, err := fiRefundFound(s.ctx, c, o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", o, err))
			}
			r.refunds[o] = found
			return
		case fiPay:
			v, path = new(fiTradeView), "/apps/"+c.appID+"/trades/"+url.PathEscape(o.no)
		case fiFreeze:
			v, path = new(fiOrderView), "/apps/"+c.appID+"/fund-auth/orders/"+url.PathEscape(o.no)
		case fiIntlPay:
			v, path = new(fiIntlView), "/apps/"+c.appID+"/intl/payments/"+url.PathEscape(o.no)
		}
		code, err := c.adminGet(s.ctx, path, v)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil || (code != http.StatusOK && code != http.StatusNotFound):
			errs = append(errs, fmt.Sprintf("admin GET %s: HTTP %d, %v", path, code, err))
		case code == http.StatusNotFound:
		case o.kind == fiPay:
			r.trades[o.no] = v.(*fiTradeView)
		case o.kind == fiFreeze:
			r.orders[o.no] = v.(*fiOrderView)
		default:
			r.intls[o.no] = v.(*fiIntlView)
		}
	})
	return r, errs
}

// fiRefundFound asks alipay.trade.fastpay.refund.query whether refund o went through.
func fiRefundFound(ctx context.Context, c *fiClients, o *fiOp) (bool, error) {
	q, err := fiQuery(func() (*alipay.TradeFastpayRefundQueryResponse, error) {
		return c.gw.TradeFastpayRefundQuery(ctx, alipay.TradeFastpayRefundQuery{OutTradeNo: o.no, OutRequestNo: o.sub})
	})
	switch {
	case alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST"):
		return false, nil
	case err != nil:
		return false, err
	case q.RefundStatus != alipay.RefundStatusSuccess:
		return false, nil
	case fiFen(q.RefundAmount) != o.amount || q.OutRequestNo != o.sub:
		return true, fmt.Errorf("fastpay.refund.query answers refund_amount %s, out_request_no %s", q.RefundAmount, q.OutRequestNo)
	}
	return true, nil
}

// done tells whether zfb's records have o done, and what in them does not match o.
func (r *fiRecords) done(o *fiOp) (bool, []string) {
	var bad []string
	mismatch := func(format string, args ...any) { bad = append(bad, o.String()+": "+fmt.Sprintf(format, args...)) }
	switch o.kind {
	case fiPay:
		tv := r.trades[o.no]
		if tv != nil && (tv.Kind != "pay" || tv.BuyerID != o.buyer || fiFen(tv.TotalAmount) != o.amount || tv.PaidAt == nil) {
			mismatch("zfb has trade %+v", *tv)
		}
		return tv != nil, bad
	case fiRefund:
		if found, ok := r.refunds[o]; ok {
			return found, nil
		}
		// Shown by an SDK query before; the trade's refunded amount checks it still is.
		return o.state == fiAcked, nil
	case fiCancel:
		// The number a cancel closed before any pay came is in no view of the admin API; a
		// pay sent after the cancel shows it is closed (fiRun.payAfterCancel).
		tv := r.trades[o.no]
		return tv != nil && tv.CancelAction != "" || tv == nil && o.state == fiAcked, nil
	case fiFreeze:
		ov := r.orders[o.no]
		if ov == nil {
			return false, nil
		}
		freezes := 0
		for _, op := range ov.Operations {
			if op.OperationType == alipay.AuthOperationFreeze {
				freezes++
				if op.OutRequestNo != o.sub || op.Status != alipay.AuthOperationStatusSuccess || fiFen(op.Amount) != o.amount {
					mismatch("zfb has the freeze operation %+v", op)
				}
			}
		}
		if freezes != 1 || ov.PayerUserID != o.buyer || fiFen(ov.TotalFreezeAmount) != o.amount {
			mismatch("zfb has order %s with %d freeze operations, payer %s, total_freeze_amount %s", ov.AuthNo, freezes, ov.PayerUserID, ov.TotalFreezeAmount)
		}
		return true, bad
	case fiUnfreeze:
		found := false
		if ov := r.orders[o.no]; ov != nil {
			for _, op := range ov.Operations {
				if op.OperationType == alipay.AuthOperationUnfreeze && op.OutRequestNo == o.sub {
					found = true
					if fiFen(op.Amount) != o.amount || op.Status != alipay.AuthOperationStatusSuccess {
						mismatch("zfb has the unfreeze operation %+v", op)
					}
				}
			}
		}
		return found, bad
	case fiIntlPay:
		iv := r.intls[o.no]
		if iv != nil && (iv.BuyerID != o.buyer || iv.OrderAmount != fiCNY(o.amount) || iv.PaymentAmount != fiCNY(o.amount) || iv.PaidAt == nil) {
			mismatch("zfb has intl payment %+v", *iv)
		}
		return iv != nil, bad
	case fiIntlCancel:
		iv := r.intls[o.no]
		return iv != nil && iv.CancelAction != "" || iv == nil && o.state == fiAcked, nil
	case fiIntlRefund:
		found := false
		if iv := r.intls[o.no]; iv != nil {
			for _, ref := range iv.Refunds {
				if ref.MerchantRefundID == o.sub {
					found = true
					if ref.RefundAmount != fiCNY(o.amount) || ref.RefundCNY != fiCNY(o.amount) || ref.ByCancel {
						mismatch("zfb has the refund %+v", ref)
					}
				}
			}
		}
		return found, bad
	}
	panic(o.kind)
}

// moved is what o, done or not, did to its buyer's available balance by zfb's records.
func (r *fiRecords) moved(o *fiOp, done bool) int64 {
	switch {
	case !done:
		return 0
	case o.kind == fiCancel:
		if tv := r.trades[o.no]; tv == nil || tv.CancelAction != alipay.CancelActionRefund {
			return 0
		}
	case o.kind == fiIntlCancel:
		if iv := r.intls[o.no]; iv == nil || iv.CancelAction != "refund" {
			return 0
		}
	}
	return o.delta()
}

// totals checks that what zfb has of parent (a trade, an order, an intl payment) adds up to
// exactly the operations done on it: nothing applied twice, nothing nobody asked for.
func (r *fiRecords) totals(parent *fiOp, children []*fiOp, done map[*fiOp]bool) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, parent.String()+": "+fmt.Sprintf(format, args...)) }
	var sum int64 // refunded or unfrozen by the operations done
	asked := map[string]bool{}
	cancelled := false // refunded by a cancel
	for _, ch := range children {
		asked[ch.sub] = true
		moved := r.moved(ch, done[ch])
		sum += moved
		if ch.kind == fiCancel || ch.kind == fiIntlCancel {
			cancelled = cancelled || moved > 0
			asked[parent.no] = true // the refund of a payCancel bears the merchantTransId
		}
	}
	if !done[parent] {
		return nil
	}
	switch parent.kind {
	case fiPay:
		tv := r.trades[parent.no]
		status, action := alipay.TradeStatusSuccess, ""
		if sum == parent.amount {
			status = alipay.TradeStatusClosed
		}
		if cancelled {
			action = alipay.CancelActionRefund
		}
		if fiFen(tv.RefundedAmount) != sum || tv.TradeStatus != status || tv.CancelAction != action {
			fail("zfb's trade %s is %s, refunded %s, cancel_action %q; the operations done on it make it %s, refunded %s, cancel_action %q",
				tv.TradeNo, tv.TradeStatus, tv.RefundedAmount, tv.CancelAction, status, zfb.FormatAmount(sum), action)
		}
	case fiFreeze:
		ov := r.orders[parent.no]
		seen := map[string]bool{}
		var ops int64
		for _, op := range ov.Operations {
			if op.OperationType != alipay.AuthOperationUnfreeze {
				continue
			}
			ops += fiFen(op.Amount)
			if !asked[op.OutRequestNo] {
				fail("zfb's order %s has an unfreeze %s nobody asked for", ov.AuthNo, op.OutRequestNo)
			}
			if seen[op.OutRequestNo] {
				fail("DOUBLED: zfb's order %s has unfreeze %s twice", ov.AuthNo, op.OutRequestNo)
			}
			seen[op.OutRequestNo] = true
		}
		status := alipay.AuthOrderStatusAuthorized
		if sum == parent.amount {
			status = alipay.AuthOrderStatusClosed
		}
		if fiFen(ov.TotalUnfreezeAmount) != sum || ops != sum || fiFen(ov.RestAmount) != parent.amount-sum ||
			fiFen(ov.TotalPayAmount) != 0 || ov.OrderStatus != status {
			fail("zfb's order %s is %s, unfrozen %s (its operations %s), rest %s; the operations done on it make it %s, unfrozen %s",
				ov.AuthNo, ov.OrderStatus, ov.TotalUnfreezeAmount, zfb.FormatAmount(ops), ov.RestAmount, status, zfb.FormatAmount(sum))
		}
	case fiIntlPay:
		iv := r.intls[parent.no]
		seen := map[string]bool{}
		for _, ref := range iv.Refunds {
			if !asked[ref.MerchantRefundID] {
				fail("zfb's payment %s has a refund %s nobody asked for", iv.AcquirementID, ref.MerchantRefundID)
			}
			if seen[ref.MerchantRefundID] {
				fail("DOUBLED: zfb's payment %s has refund %s twice", iv.AcquirementID, ref.MerchantRefundID)
			}
			seen[ref.MerchantRefundID] = true
			if ref.ByCancel != (ref.MerchantRefundID == parent.no) {
				fail("zfb's payment %s has refund %+v", iv.AcquirementID, ref)
			}
		}
		status, action := alipayintl.AcquirementStatusSuccess, ""
		switch {
		case cancelled:
			status, action = alipayintl.AcquirementStatusCancelled, "refund"
		case sum == parent.amount:
			status = alipayintl.AcquirementStatusClosed
		}
		if iv.RefundedAmount != fiCNY(sum) || iv.Status != status || iv.CancelAction != action {
			fail("zfb's payment %s is %s, refunded %s, cancel_action %q; the operations done on it make it %s, refunded %d, cancel_action %q",
				iv.AcquirementID, iv.Status, iv.RefundedAmount.Value, iv.CancelAction, status, sum, action)
		}
	}
	return bad
}

// check reconciles the log with zfb's records; the caller holds the gate for writing, so no
// call is in flight. It fails:
//   - the ledger check;
//   - LOST: an acknowledged operation zfb has no record of; PHANTOM: a refused one it has done;
//   - a trade, order or intl payment whose totals are not what the operations done on it add
//     up to (DOUBLED: an unfreeze or refund number twice);
//   - BALANCE: a buyer whose balance is not the opening one moved by exactly the operations
//     done: those acknowledged, and of those in doubt (answers lost, merchant retrying or given
//     up) those zfb's records have;
//   - what the SDK's queries (trade.query, fastpay.refund.query, the fund authorisation detail
//     query, payQuery) answer against that: with all, for every operation; else for those in
//     doubt and those acknowledged since the last check.
//
// It returns the failures, and how many operations were in doubt and how many of them done.
func (s *fiRun) check(all bool) (failures []string, inDoubt, inDoubtDone int) {
	c := s.cur.Load()
	var ledger struct {
		OK       bool     `json:"ok"`
		Failures []string `json:"failures"`
	}
	if code, err := c.adminGet(s.ctx, "/ledger/check", &ledger); err != nil || code != http.StatusOK {
		return []string{fmt.Sprintf("admin GET /ledger/check: HTTP %d, %v", code, err)}, 0, 0
	}
	s.checks++
	if !ledger.OK {
		failures = append(failures, fmt.Sprintf("the ledger check fails: %v", ledger.Failures))
	}

	ops := s.snapshot()
	rec, errs := s.records(c, ops, all)
	if len(errs) > 0 {
		return append(failures, errs...), 0, 0
	}
	done := map[*fiOp]bool{}
	children := map[*fiOp][]*fiOp{}
	for _, o := range ops {
		d, bad := rec.done(o)
		done[o] = d
		failures = append(failures, bad...)
		switch {
		case o.state == fiAcked && !d:
			failures = append(failures, fmt.Sprintf("LOST: %s: acknowledged, and zfb has no record of it", o))
		case o.state == fiRefusedOp && d:
			failures = append(failures, fmt.Sprintf("PHANTOM: %s: refused, and zfb has it done", o))
		case o.state == fiPending:
			inDoubt++
			if d {
				inDoubtDone++
				o.lostDone = true
			}
		}
		if o.parent != nil {
			children[o.parent] = append(children[o.parent], o)
			// (A cancel closes the number of a pay that never came.)
			if d && !done[o.parent] && o.kind != fiCancel && o.kind != fiIntlCancel {
				failures = append(failures, fmt.Sprintf("%s: done, on something zfb has no record of", o))
			}
		}
	}
	for _, o := range ops {
		if o.parent == nil {
			failures = append(failures, rec.totals(o, children[o], done)...)
		}
	}
	moved := map[*fiOp]int64{}
	for _, o := range ops {
		moved[o] = rec.moved(o, done[o])
	}
	failures = append(failures, s.balances(c, ops, moved)...)

	var look []*fiOp // what the SDK's queries show: a cancel or an intl refund through its payment
	for _, o := range ops {
		if o.kind != fiRefund && (all || !o.sdkSeen || o.state == fiPending) {
			if o.kind == fiCancel || o.kind == fiIntlRefund || o.kind == fiIntlCancel {
				o = o.parent
			}
			if !slices.Contains(look, o) {
				look = append(look, o)
			}
		}
	}
	var mu sync.Mutex
	var sdk []string
	fiParallel(len(look), func(i int) {
		if msg := s.sdkCheck(c, look[i], done, children); msg != "" {
			mu.Lock()
			sdk = append(sdk, msg)
			mu.Unlock()
		}
	})
	sort.Strings(sdk)
	failures = append(failures, sdk...)
	if len(failures) == 0 {
		for _, o := range ops {
			o.sdkSeen = o.state == fiAcked
		}
	}
	return failures, inDoubt, inDoubtDone
}

// balances compares every buyer's balance with the opening one moved by the operations done.
func (s *fiRun) balances(c *fiClients, ops []*fiOp, moved map[*fiOp]int64) []string {
	var buyers struct {
		Buyers []sandbox.Buyer `json:"buyers"`
	}
	if code, err := c.adminGet(s.ctx, "/buyers", &buyers); err != nil || code != http.StatusOK {
		return []string{fmt.Sprintf("admin GET /buyers: HTTP %d, %v", code, err)}
	}
	got := map[string]int64{}
	for _, b := range buyers.Buyers {
		got[b.UserID] = fiFen(b.Balance)
	}
	want := maps.Clone(s.opening)
	for _, o := range ops {
		want[o.buyer] += moved[o]
	}
	var bad []string
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if got[id] == want[id] {
			continue
		}
		var acked int64
		for _, o := range ops {
			if o.buyer == id && o.state == fiAcked {
				acked += moved[o]
			}
		}
		bad = append(bad, fmt.Sprintf("BALANCE: buyer %s has %s; opening %s, moved by what was acknowledged %s and by all zfb has done %s: want %s (off by %s)",
			id, zfb.FormatAmount(got[id]), zfb.FormatAmount(s.opening[id]), zfb.FormatAmount(acked),
			zfb.FormatAmount(want[id]-s.opening[id]), zfb.FormatAmount(want[id]), zfb.FormatAmount(got[id]-want[id])))
	}
	return bad
}

// fiQuery makes a query call, again while its outcome is unknown (the intl rate limit, say).
func fiQuery[T any](call func() (T, error)) (T, error) {
	for try := 1; ; try++ {
		r, err := call()
		if err == nil || fiClassify(err).out != fiUnknown || try == 20 {
			return r, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sdkCheck looks o (a pay, a freeze, an unfreeze or an intl pay) up through the SDK's queries, as
// its merchant would, and returns what is not as zfb's records (done) say, if anything.
func (s *fiRun) sdkCheck(c *fiClients, o *fiOp, done map[*fiOp]bool, children map[*fiOp][]*fiOp) string {
	ctx := s.ctx
	var sum int64
	cancelled := false
	for _, ch := range children[o] {
		if done[ch] && (ch.kind == fiCancel || ch.kind == fiIntlCancel) {
			cancelled = true
		}
		if done[ch] {
			sum += ch.amount
		}
	}
	switch o.kind {
	case fiPay:
		q, err := fiQuery(func() (*alipay.TradeQueryResponse, error) {
			return c.gw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: o.no})
		})
		if !done[o] {
			if !alipay.IsCode(err, "ACQ.TRADE_NOT_EXIST") {
				return fmt.Sprintf("%s: not done, and trade.query answers %+v, %v", o, q, err)
			}
			return ""
		}
		if err != nil {
			return fmt.Sprintf("%s: trade.query: %v", o, err)
		}
		status := alipay.TradeStatusSuccess
		if sum == o.amount {
			status = alipay.TradeStatusClosed
		}
		if q.TradeStatus != status || fiFen(q.TotalAmount) != o.amount || q.BuyerUserID != o.buyer {
			return fmt.Sprintf("%s: trade.query answers %s, total_amount %s, buyer %s; want %s", o, q.TradeStatus, q.TotalAmount, q.BuyerUserID, status)
		}
	case fiFreeze:
		q, err := fiQuery(func() (*alipay.FundAuthOperationDetailQueryResponse, error) {
			return c.gw.FundAuthOperationDetailQuery(ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: o.no, OutRequestNo: o.sub, OperationType: alipay.AuthOperationFreeze})
		})
		if !done[o] {
			if !alipay.IsCode(err, "AUTH_ORDER_NOT_EXIST") {
				return fmt.Sprintf("%s: not done, and the detail query answers %+v, %v", o, q, err)
			}
			return ""
		}
		if err != nil {
			return fmt.Sprintf("%s: detail query: %v", o, err)
		}
		if q.OperationType != alipay.AuthOperationFreeze || q.Status != alipay.AuthOperationStatusSuccess || fiFen(q.Amount) != o.amount ||
			fiFen(q.TotalFreezeAmount) != o.amount || fiFen(q.RestAmount) != o.amount-sum || q.PayerUserID != o.buyer {
			return fmt.Sprintf("%s: the detail query answers %s %s of %s, total_freeze_amount %s, rest_amount %s, payer %s; want rest %s",
				o, q.OperationType, q.Status, q.Amount, q.TotalFreezeAmount, q.RestAmount, q.PayerUserID, zfb.FormatAmount(o.amount-sum))
		}
	case fiUnfreeze:
		q, err := fiQuery(func() (*alipay.FundAuthOperationDetailQueryResponse, error) {
			return c.gw.FundAuthOperationDetailQuery(ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: o.no, OutRequestNo: o.sub, OperationType: alipay.AuthOperationUnfreeze})
		})
		if !done[o] {
			if !alipay.IsCode(err, "AUTH_OPERATION_NOT_EXIST") {
				return fmt.Sprintf("%s: not done, and the detail query answers %+v, %v", o, q, err)
			}
			return ""
		}
		if err != nil {
			return fmt.Sprintf("%s: detail query: %v", o, err)
		}
		if q.OperationType != alipay.AuthOperationUnfreeze || q.Status != alipay.AuthOperationStatusSuccess || fiFen(q.Amount) != o.amount {
			return fmt.Sprintf("%s: the detail query answers %s %s of %s", o, q.OperationType, q.Status, q.Amount)
		}
	case fiIntlPay:
		q, err := fiQuery(func() (*alipayintl.PayQueryResponse, error) {
			return c.intl.PayQuery(ctx, alipayintl.PayQueryRequest{MerchantTransID: o.no})
		})
		if !done[o] {
			if !alipayintl.IsCode(err, alipayintl.CodeOrderNotExist) {
				return fmt.Sprintf("%s: not done, and payQuery answers %+v, %v", o, q, err)
			}
			return ""
		}
		if err != nil {
			return fmt.Sprintf("%s: payQuery: %v", o, err)
		}
		status := alipayintl.AcquirementStatusSuccess
		switch {
		case cancelled:
			status = alipayintl.AcquirementStatusCancelled
		case sum == o.amount:
			status = alipayintl.AcquirementStatusClosed
		}
		var refunded int64
		if q.RefundAmount != nil {
			refunded, _ = q.RefundAmount.MinorUnits()
		}
		if q.AcquirementStatus != status || q.OrderAmount != alipayintl.NewMoney(zfb.CNY, o.amount) || refunded != sum {
			return fmt.Sprintf("%s: payQuery answers %s, orderAmount %+v, refundAmount %+v; want %s, refunded %d", o, q.AcquirementStatus, q.OrderAmount, q.RefundAmount, status, sum)
		}
	}
	return ""
}

// fiCounts sums up the log.
type fiCounts struct{ acked, refused, unknown, lostDone, abandoned, replays int }

func fiCount(ops []*fiOp) fiCounts {
	var n fiCounts
	for _, o := range ops {
		switch o.state {
		case fiAcked:
			n.acked++
		case fiRefusedOp:
			n.refused++
		}
		if o.unknowns > 0 {
			n.unknown++
		}
		if o.lostDone {
			n.lostDone++
		}
		if o.abandoned {
			n.abandoned++
		}
		n.replays += o.replays
	}
	return n
}

// fiKinds counts the log by kind.
func fiKinds(ops []*fiOp) string {
	n := map[string]int{}
	for _, o := range ops {
		n[o.kind]++
	}
	var parts []string
	for _, k := range []string{fiPay, fiRefund, fiCancel, fiFreeze, fiUnfreeze, fiIntlPay, fiIntlRefund, fiIntlCancel} {
		parts = append(parts, fmt.Sprintf("%d %ss", n[k], k))
	}
	return strings.Join(parts, ", ")
}

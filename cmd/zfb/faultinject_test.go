package main

// Fault injection: `zfb serve` runs as a child process (TestMain in notify_restart_test.go) while
// merchants (goroutines) drive pays, refunds, cancels, fund-authorisation freezes and unfreezes,
// and intl pays, refunds and payCancels, through the Go SDKs, every one with numbers of its own.
// At random moments zfb is killed with SIGKILL in the middle of that load and started again on
// the same data. Merchants retry what ended without an answer with the same numbers, as Alipay
// tells them to, and take a refusal that says it was done already (ACQ.TRADE_HAS_SUCCESS,
// FREEZE_ALREADY_SUCCESS, fund_change N) as the answer of the lost call. Some give up on a pay
// after an unknown result and cancel it instead (and the pay may come again later: it must be
// refused), some just give up; what became of those is read from zfb's own records. Now and then
// an acknowledged operation is sent again, and must be answered as done already. After every
// restart, and at the end, check (faultinject_helpers_test.go) reconciles the log of what was
// answered with what zfb has: nothing acknowledged lost, nothing done twice, every buyer's
// balance exactly what was done to it. On PostgreSQL, two zfb on one database then race the
// same operations (the same out_trade_no paid through both at once, the same refund…, a pay
// through one and its cancel through the other): each happens once.
//
// A run is random, from a seed it logs: ZFB_FAULT_SEED=<seed> replays the kill schedule and each
// merchant's choices (the interleaving of goroutines and the moment a kill lands in a request
// are the scheduler's).

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	alipayintl "github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/storetest"
)

const (
	fiKills     = 8    // kills per backend
	fiMerchants = 6    // goroutines driving operations
	fiAbandon   = 0.25 // the share of operations given up after their first unknown result
)

// fiSeed is ZFB_FAULT_SEED, or a new seed.
func fiSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("ZFB_FAULT_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ZFB_FAULT_SEED=%q: %v", v, err)
		}
		return seed
	}
	return rand.Uint64() >> 1
}

// TestFaultInjectionSQLite runs the suite on SQLite (the data directory's zfb.db).
func TestFaultInjectionSQLite(t *testing.T) {
	data := t.TempDir()
	testFaultInjection(t, data, filepath.Join(data, "zfb.db"), false)
}

// TestFaultInjectionPostgres runs it on PostgreSQL (ZFB_TEST_POSTGRES; skipped without it,
// except when CI=true), then races two zfb on the one database.
func TestFaultInjectionPostgres(t *testing.T) {
	testFaultInjection(t, t.TempDir(), storetest.PostgresURL(t), true)
}

func testFaultInjection(t *testing.T, data, db string, twoInstances bool) {
	seed := fiSeed(t)
	t.Logf("seed %d", seed)
	defer func() {
		if t.Failed() {
			t.Logf("replay: ZFB_FAULT_SEED=%d go test -race -count=1 -run '%s$' ./cmd/zfb/", seed, t.Name())
		}
	}()
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rng := rand.New(rand.NewPCG(seed, 0))

	p := startZfb(t, data, db)
	s := newFiRun(t, ctx, seed, p.file)
	s.cur.Store(newFiClients(t, p.file))
	for w := range fiMerchants {
		s.wg.Add(1)
		go s.merchant(w)
	}
	stopped := false
	stopMerchants := func() {
		if !stopped {
			stopped = true
			s.stopping.Store(true)
			s.wg.Wait()
		}
	}
	defer func() {
		cancel() // after a Fatal, the merchants give up their retries at once
		stopMerchants()
	}()

	// report fails the test with what check found, and with the odd answers seen so far.
	report := func(when string, failures []string) {
		t.Helper()
		s.mu.Lock()
		failures = append(failures, s.problems...)
		s.problems = nil
		s.mu.Unlock()
		if len(failures) == 0 {
			return
		}
		const most = 40
		if len(failures) > most {
			failures = append(failures[:most], fmt.Sprintf("… and %d more", len(failures)-most))
		}
		t.Errorf("%s (seed %d, after %d kills):\n  %s", when, seed, s.kills, strings.Join(failures, "\n  "))
	}
	raceFree := func(p *zfbProcess) {
		t.Helper()
		if strings.Contains(p.stderr.String(), "DATA RACE") {
			t.Errorf("the race detector found a data race in zfb serve:\n%s", p.output())
		}
	}

	var kills []string
	for k := 1; k <= fiKills && !t.Failed(); k++ {
		time.Sleep(time.Duration(300+rng.IntN(600)) * time.Millisecond)
		attempted := len(s.snapshot())
		p.kill(t)
		s.kills++
		raceFree(p)
		// Down for a while: the merchants' calls fail at once (connection refused) and are
		// retried.
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		old := s.cur.Load()
		p = startZfb(t, data, db)
		// The state zfb recovered, before any merchant reaches the new process.
		s.gate.Lock()
		s.cur.Store(newFiClients(t, p.file))
		old.tr.CloseIdleConnections()
		failures, inDoubt, done := s.check(false)
		s.gate.Unlock()
		kills = append(kills, fmt.Sprintf("%d ops (%d in doubt, %d of them done)", attempted, inDoubt, done))
		report(fmt.Sprintf("after restart %d", k), failures)
	}
	if !t.Failed() {
		time.Sleep(time.Duration(300+rng.IntN(600)) * time.Millisecond)
	}
	stopMerchants()
	s.gate.Lock()
	failures, _, _ := s.check(true)
	s.gate.Unlock()
	report("at the end", failures)

	twins := ""
	if twoInstances && !t.Failed() {
		raced := s.raceTwoInstances(t, rng, t.TempDir(), db)
		s.gate.Lock()
		failures, _, _ := s.check(true)
		s.gate.Unlock()
		report("after two instances raced", failures)
		twins = ", two instances on one database: " + raced
	}
	p.stop(t)
	raceFree(p)

	ops := s.snapshot()
	n := fiCount(ops)
	verdict := "nothing lost or doubled"
	if t.Failed() {
		verdict = "FAILED"
	}
	t.Logf("killed at: %s", strings.Join(kills, "; "))
	t.Logf("operations: %s", fiKinds(ops))
	t.Logf("kills survived: %d, operations acknowledged: %d, attempted: %d (refused %d; %d met an unknown result, of which %d had been done: "+
		"answered as done already on retry, or found in zfb's records; %d given up), replays of acknowledged ones: %d, pays sent again after their cancel: %d, "+
		"ledger checks: %d%s, %s (seed %d, %v)",
		s.kills, n.acked, len(ops), n.refused, n.unknown, n.lostDone, n.abandoned, n.replays, s.lateCalls.Load(), s.checks, twins, verdict, seed,
		time.Since(began).Round(100*time.Millisecond))
}

// raceTwoInstances starts a second zfb on the database of the running one and sends each of a
// set of operations through both at once: pays of one out_trade_no, freezes of one out_order_no
// and intl pays of one merchantTransId, then, on them, refunds, cancels, unfreezes, intl refunds
// and payCancels of one number each. One of two pays (or freezes) must say it did it and the
// other that it was done already; one of two refunds fund_change Y; both unfreezes (intl pays,
// intl refunds) the same operation. It also races a pay through one against a cancel of its
// number through the other: either the pay came first and the cancel refunded it, or the cancel
// closed the number and the pay is refused. The caller's check then finds each done once. It
// returns what raced, and how.
func (s *fiRun) raceTwoInstances(t *testing.T, rng *rand.Rand, data, db string) string {
	t.Helper()
	second := startZfb(t, data, db)
	a, b := s.cur.Load(), newFiClients(t, second.file)
	defer b.tr.CloseIdleConnections()

	var first [][2]*fiOp
	twice := func(o *fiOp) { first = append(first, [2]*fiOp{o, o}) }
	for i := range 8 {
		twice(&fiOp{kind: fiPay, no: fmt.Sprintf("twin_p%d", i), buyer: s.payer, amount: 1 + rng.Int64N(2000), twin: true})
	}
	for i := range 6 {
		no := fmt.Sprintf("twin_f%d", i)
		twice(&fiOp{kind: fiFreeze, no: no, sub: no + "_freeze", buyer: s.payer, amount: 100 + rng.Int64N(5000), twin: true})
	}
	for i := range 4 {
		twice(&fiOp{kind: fiIntlPay, no: fmt.Sprintf("twin_i%d", i), buyer: s.payer, amount: 1 + rng.Int64N(2000), twin: true})
	}
	for i := range 8 {
		kind, cancel, no := fiPay, fiCancel, fmt.Sprintf("twin_pc%d", i)
		if i%2 == 1 {
			kind, cancel, no = fiIntlPay, fiIntlCancel, fmt.Sprintf("twin_ic%d", i)
		}
		pay := &fiOp{kind: kind, no: no, buyer: s.payer, amount: 1 + rng.Int64N(2000), twin: true}
		first = append(first, [2]*fiOp{pay, {kind: cancel, no: no, buyer: s.payer, amount: pay.amount, parent: pay, twin: true}})
	}
	s.race(first, a, b)

	var then [][2]*fiOp
	for i, pair := range first {
		o := pair[0]
		if o.state != fiAcked || pair[1] != o {
			continue
		}
		child := &fiOp{no: o.no, sub: o.no + "_2", buyer: o.buyer, amount: 1 + rng.Int64N(o.amount), parent: o, twin: true}
		switch {
		case o.kind == fiPay && i%3 == 2:
			child.kind, child.sub, child.amount = fiCancel, "", o.amount
		case o.kind == fiPay:
			child.kind = fiRefund
		case o.kind == fiFreeze:
			if o.ref == "" && !s.learnAuthNo(o) {
				continue
			}
			child.kind = fiUnfreeze
		case o.kind == fiIntlPay && i%2 == 1:
			child.kind, child.sub, child.amount = fiIntlCancel, "", o.amount
		case o.kind == fiIntlPay:
			child.kind = fiIntlRefund
		}
		then = append(then, [2]*fiOp{child, child})
	}
	s.race(then, a, b)
	second.stop(t)
	if strings.Contains(second.stderr.String(), "DATA RACE") {
		t.Errorf("the race detector found a data race in the second zfb serve:\n%s", second.output())
	}
	mixed, paidFirst := 0, 0
	for _, pair := range first {
		if pair[1] != pair[0] {
			mixed++
			if pair[0].state == fiAcked {
				paidFirst++
			}
		}
	}
	return fmt.Sprintf("%d races of one operation through both, %d of a pay through one and its cancel through the other (%d paid first, then refunded; %d closed first)",
		len(first)+len(then)-mixed, mixed, paidFirst, mixed-paidFirst)
}

// race sends, for each pair, the first operation through a and the second through b, all at
// once, each side retrying an unknown result, and logs what was answered.
func (s *fiRun) race(pairs [][2]*fiOp, a, b *fiClients) {
	answers := make([][2][]fiAnswer, len(pairs))
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i, pair := range pairs {
		for side, c := range []*fiClients{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				for try := 0; try < 100 && s.ctx.Err() == nil; try++ {
					ans := s.attempt(s.ctx, c, pair[side])
					answers[i][side] = append(answers[i][side], ans)
					if ans.out != fiUnknown {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			}()
		}
	}
	close(ready)
	wg.Wait()

	s.gate.Lock()
	defer s.gate.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, pair := range pairs {
		var finals [2]*fiAnswer
		for side, o := range pair {
			var texts []string
			for _, ans := range answers[i][side] {
				o.attempts++
				if ans.out == fiUnknown {
					o.unknowns++
				}
				if ans.odd != "" {
					s.problems = append(s.problems, fmt.Sprintf("%s: %s", o, ans.odd))
				}
				if ans.fresh {
					o.fresh++
				}
				texts = append(texts, fmt.Sprintf("%c: %s", "ab"[side], ans.text))
			}
			if n := len(answers[i][side]); n > 0 && answers[i][side][n-1].out != fiUnknown {
				finals[side] = &answers[i][side][n-1]
				switch {
				case finals[side].out == fiAck:
					o.state = fiAcked
					if o.ref == "" {
						o.ref = finals[side].ref
					}
				case o.state != fiAcked:
					o.state = fiRefusedOp
				}
			} else {
				s.problems = append(s.problems, fmt.Sprintf("%s: no answer from zfb %c", o, "ab"[side]))
			}
			if o.answer != "" {
				texts = append([]string{o.answer}, texts...)
			}
			o.answer = strings.Join(texts, "; ")
			if side == 0 || pair[1] != pair[0] {
				s.ops = append(s.ops, o)
			}
		}
		o := pair[0]
		switch {
		case pair[1] != o || finals[0] == nil || finals[1] == nil:
		case o.fresh > 1:
			s.problems = append(s.problems, fmt.Sprintf("DOUBLED: %s: both zfb answered that they did it", o))
		case o.fresh == 0 && o.unknowns == 0 && (o.kind == fiPay || o.kind == fiFreeze || o.kind == fiRefund):
			s.problems = append(s.problems, fmt.Sprintf("%s: neither zfb answered that it did it", o))
		case (o.kind == fiUnfreeze || o.kind == fiIntlPay || o.kind == fiIntlRefund) && finals[0].ref != finals[1].ref:
			s.problems = append(s.problems, fmt.Sprintf("DOUBLED: %s: the two zfb answered different operations", o))
		}
	}
}

// merchant is one worker: a merchant with its own numbers, trades, authorisations and intl
// payments, doing one operation at a time until the run stops.
func (s *fiRun) merchant(w int) {
	defer s.wg.Done()
	rng := rand.New(rand.NewPCG(s.seed, uint64(w)+1))
	// What the merchant may still refund or unfreeze.
	type holding struct {
		op      *fiOp
		left    int64
		touched bool // refunded in part: not to be cancelled
	}
	var trades, orders, intls []*holding
	var done []*fiOp // acknowledged refunds, cancels, unfreezes and intl refunds
	n := 0
	number := func(prefix string) string {
		n++
		return fmt.Sprintf("fi_w%d_%s%d", w, prefix, n)
	}
	pick := func(hs []*holding, ok func(*holding) bool) *holding {
		var cands []*holding
		for _, h := range hs {
			if ok == nil || ok(h) {
				cands = append(cands, h)
			}
		}
		if len(cands) == 0 {
			return nil
		}
		return cands[rng.IntN(len(cands))]
	}
	drop := func(hs *[]*holding, h *holding) {
		*hs = slices.DeleteFunc(*hs, func(x *holding) bool { return x == h })
	}
	// run executes o and, now and then, replays it at once.
	run := func(o *fiOp) fiState {
		state := s.execute(o, rng)
		if state == fiAcked && rng.IntN(10) == 0 {
			s.replay(o, rng)
		}
		if state == fiAcked && o.parent != nil {
			done = append(done, o)
		}
		return state
	}
	// cancelDoubt cancels, now and then, a pay given up after an unknown result, as Alipay tells
	// merchants to: a paid one is refunded, one zfb never saw is closed in advance.
	// Then, now and then, the pay comes again, as a late copy of the lost call would: it must be
	// refused.
	cancelDoubt := func(o *fiOp, kind string) {
		if o.state != fiPending || !o.abandoned || rng.IntN(3) == 0 {
			return
		}
		if run(&fiOp{kind: kind, no: o.no, buyer: o.buyer, amount: o.amount, parent: o}) == fiAcked && rng.IntN(3) > 0 {
			s.payAfterCancel(o, rng)
		}
	}
	pay := func(buyer, prefix string, amount int64) {
		o := &fiOp{kind: fiPay, no: number(prefix), buyer: buyer, amount: amount}
		if run(o) == fiAcked {
			trades = append(trades, &holding{op: o, left: o.amount})
		}
		cancelDoubt(o, fiCancel)
	}
	freeze := func() {
		no := number("f")
		o := &fiOp{kind: fiFreeze, no: no, sub: no + "_freeze", buyer: s.payer, amount: 100 + rng.Int64N(5000)}
		if run(o) == fiAcked && (o.ref != "" || s.learnAuthNo(o)) {
			orders = append(orders, &holding{op: o, left: o.amount})
		}
	}
	intlPay := func() {
		o := &fiOp{kind: fiIntlPay, no: number("i"), buyer: s.payer, amount: 1 + rng.Int64N(2000)}
		if run(o) == fiAcked {
			intls = append(intls, &holding{op: o, left: o.amount})
		}
		cancelDoubt(o, fiIntlCancel)
	}
	// part refunds (unfreezes) part of h, now and then all that is left; h is kept while
	// something is left and the outcome is known.
	part := func(hs *[]*holding, h *holding, kind, prefix string) {
		amount := h.left
		if h.left > 1 && rng.IntN(5) > 0 {
			amount = 1 + rng.Int64N(h.left-1)
		}
		o := &fiOp{kind: kind, no: h.op.no, sub: number(prefix), buyer: h.op.buyer, amount: amount, parent: h.op}
		h.touched = true
		if run(o) == fiAcked {
			h.left -= o.amount
		} else {
			h.left = 0
		}
		if h.left == 0 {
			drop(hs, h)
		}
	}
	for !s.stopping.Load() && s.ctx.Err() == nil {
		switch r := rng.IntN(100); {
		case r < 3 && len(done) > 0:
			// A refund, cancel or unfreeze acknowledged a while ago (perhaps by a zfb killed
			// since), sent again.
			s.replay(done[rng.IntN(len(done))], rng)
		case r < 6:
			// The poor buyer: refused once the balance is gone.
			pay(s.poor, "q", 30+rng.Int64N(120))
		case r < 40:
			pay(s.payer, "p", 1+rng.Int64N(2000))
		case r < 57:
			if h := pick(trades, nil); h != nil {
				part(&trades, h, fiRefund, "r")
			} else {
				pay(s.payer, "p", 1+rng.Int64N(2000))
			}
		case r < 63:
			h := pick(trades, func(h *holding) bool { return !h.touched })
			if h == nil {
				pay(s.payer, "p", 1+rng.Int64N(2000))
				continue
			}
			run(&fiOp{kind: fiCancel, no: h.op.no, buyer: h.op.buyer, amount: h.op.amount, parent: h.op})
			drop(&trades, h)
		case r < 76:
			freeze()
		case r < 88:
			if h := pick(orders, nil); h != nil {
				part(&orders, h, fiUnfreeze, "u")
			} else {
				freeze()
			}
		case r < 92:
			intlPay()
		case r < 94:
			h := pick(intls, func(h *holding) bool { return !h.touched })
			if h == nil {
				intlPay()
				continue
			}
			run(&fiOp{kind: fiIntlCancel, no: h.op.no, buyer: h.op.buyer, amount: h.op.amount, parent: h.op})
			drop(&intls, h)
		default:
			if h := pick(intls, nil); h != nil {
				part(&intls, h, fiIntlRefund, "j")
			} else {
				intlPay()
			}
		}
	}
}

// payAfterCancel sends pay o again after a cancel of its number was acknowledged: it must be
// refused (ACQ.TRADE_HAS_CLOSE; the intl ORDER_STATUS_INVALID), whether the cancel refunded it
// or closed the number before any pay came.
func (s *fiRun) payAfterCancel(o *fiOp, rng *rand.Rand) {
	want := "ACQ.TRADE_HAS_CLOSE"
	if o.kind == fiIntlPay {
		want = alipayintl.CodeOrderStatusInvalid
	}
	for try := 0; try < 200 && s.ctx.Err() == nil; try++ {
		s.gate.RLock()
		a := s.attempt(s.ctx, s.cur.Load(), o)
		if a.out != fiUnknown {
			s.lateCalls.Add(1)
			if a.out != fiRefused || !strings.HasPrefix(a.text, want+" ") {
				s.problem("%s: sent again after its cancel was acknowledged, answered %s; want %s", o, a.text, want)
			}
		} else if a.odd != "" {
			s.problem("%s: %s", o, a.odd)
		}
		s.gate.RUnlock()
		if a.out != fiUnknown || s.stopping.Load() {
			return
		}
		time.Sleep(time.Duration(20+rng.IntN(40)) * time.Millisecond)
	}
}

// replay sends acknowledged o again with the same numbers, as a merchant unsure of an answer
// does: it must be answered as done already (ACQ.TRADE_HAS_SUCCESS, FREEZE_ALREADY_SUCCESS,
// fund_change N, the same operation), and do nothing.
func (s *fiRun) replay(o *fiOp, rng *rand.Rand) {
	for try := 0; try < 200 && s.ctx.Err() == nil; try++ {
		s.gate.RLock()
		a := s.attempt(s.ctx, s.cur.Load(), o)
		switch {
		case a.out == fiUnknown:
		case a.odd != "":
		case a.out == fiRefused:
			a.odd = "a replay was refused: " + a.text
		case a.fresh:
			a.odd = "DOUBLED: a replay answered that it did it: " + a.text
		case a.ref != "" && a.ref != o.ref:
			a.odd = "a replay answered another operation: " + a.text
		}
		if a.out != fiUnknown {
			o.replays++
		}
		if a.odd != "" {
			s.problem("%s: %s", o, a.odd)
		}
		s.gate.RUnlock()
		if a.out != fiUnknown || s.stopping.Load() {
			return
		}
		time.Sleep(time.Duration(20+rng.IntN(40)) * time.Millisecond)
	}
}

// execute runs o until it is answered, retrying an unknown result with the same numbers, and
// returns its state. After its first unknown result the merchant gives up on it now and then
// (fiAbandon). While the run stops it still retries, for up to 20s.
func (s *fiRun) execute(o *fiOp, rng *rand.Rand) fiState {
	var drainUntil time.Time
	for first := true; s.ctx.Err() == nil; first = false {
		s.gate.RLock()
		if first {
			s.mu.Lock()
			s.ops = append(s.ops, o)
			s.mu.Unlock()
		}
		a := s.attempt(s.ctx, s.cur.Load(), o)
		o.attempts++
		o.answer = a.text
		switch a.out {
		case fiAck:
			o.state = fiAcked
			if a.fresh {
				o.fresh++
			}
			if a.ref != "" {
				o.ref = a.ref
			}
			if !a.fresh && o.unknowns > 0 && (o.kind == fiPay || o.kind == fiFreeze || o.kind == fiRefund) {
				o.lostDone = true // answered as done already: the lost call did it
			}
		case fiRefused:
			o.state = fiRefusedOp
		case fiUnknown:
			o.unknowns++
			if o.unknowns == 1 && rng.Float64() < fiAbandon {
				o.abandoned = true
			}
		}
		if a.odd != "" {
			s.problem("%s: %s", o, a.odd)
		}
		state, abandoned := o.state, o.abandoned
		s.gate.RUnlock()
		if a.out != fiUnknown || abandoned {
			return state
		}
		if s.stopping.Load() {
			if drainUntil.IsZero() {
				drainUntil = time.Now().Add(20 * time.Second)
			} else if time.Now().After(drainUntil) {
				return state
			}
		}
		time.Sleep(time.Duration(20+rng.IntN(40)) * time.Millisecond)
	}
	return fiPending
}

// learnAuthNo asks zfb for the auth_no of a freeze acknowledged by FREEZE_ALREADY_SUCCESS (which
// carries none), as a merchant must before it unfreezes.
func (s *fiRun) learnAuthNo(f *fiOp) bool {
	for i := 0; i < 200 && s.ctx.Err() == nil; i++ {
		q, err := s.cur.Load().gw.FundAuthOperationDetailQuery(s.ctx, alipay.FundAuthOperationDetailQuery{OutOrderNo: f.no, OutRequestNo: f.sub})
		if err == nil {
			s.gate.RLock()
			f.ref = q.AuthNo
			s.gate.RUnlock()
			return true
		}
		if a := fiClassify(err); a.out == fiRefused {
			s.gate.RLock()
			s.problem("%s: acknowledged, but the detail query answers %s", f, a.text)
			s.gate.RUnlock()
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// fiOutcome is what one call was answered.
type fiOutcome int

const (
	fiUnknown fiOutcome = iota // no answer, or one that leaves the outcome unknown
	fiAck                      // done, by this call or an earlier one
	fiRefused                  // not done
)

type fiAnswer struct {
	out   fiOutcome
	fresh bool   // this very call did it
	ref   string // trade_no, auth_no, acquirementId, operation_id, refundId
	text  string
	odd   string // set when a correct zfb never answers so here
}

// fiClassify sorts an SDK error: an unknown result, or a refusal with its code.
func fiClassify(err error) fiAnswer {
	var ae *alipay.Error
	var ie *alipayintl.Error
	switch {
	case errors.As(err, &ae) && ae.UnknownResult():
		return fiAnswer{out: fiUnknown, text: err.Error()}
	case errors.As(err, &ae):
		return fiAnswer{out: fiRefused, text: ae.SubCode + " " + ae.SubMsg}
	case errors.As(err, &ie) && (ie.UnknownResult() || ie.ResultCode == alipayintl.CodeRequestTrafficExceedLimit):
		// Over the rate limit nothing was done, but the merchant must try again.
		return fiAnswer{out: fiUnknown, text: err.Error()}
	case errors.As(err, &ie):
		return fiAnswer{out: fiRefused, text: ie.ResultCode + " " + ie.ResultMsg}
	case errors.Is(err, alipay.ErrSignature), errors.Is(err, alipayintl.ErrSignature):
		return fiAnswer{out: fiUnknown, text: err.Error(), odd: "an answer that does not verify: " + err.Error()}
	}
	// A transport error (the process was killed), an HTTP error, a deadline.
	return fiAnswer{out: fiUnknown, text: err.Error()}
}

// fiRefusal classifies err, an answer to a call of what; a refusal is one a correct zfb never
// gives here.
func fiRefusal(err error, what string) fiAnswer {
	a := fiClassify(err)
	if a.out == fiRefused {
		a.odd = what + " refused: " + a.text
	}
	return a
}

// attempt makes one call of o through c.
func (s *fiRun) attempt(ctx context.Context, c *fiClients, o *fiOp) fiAnswer {
	amount := zfb.FormatAmount(o.amount)
	switch o.kind {
	case fiPay:
		r, err := c.gw.TradePay(ctx, alipay.TradePay{OutTradeNo: o.no, Scene: "bar_code", AuthCode: s.codes[o.buyer],
			Subject: "fault injection", TotalAmount: amount})
		switch {
		case err == nil && r.Code == alipay.CodeSuccess:
			a := fiAnswer{out: fiAck, fresh: true, ref: r.TradeNo, text: "10000 " + r.TradeNo}
			if r.TotalAmount != amount || r.BuyerUserID != o.buyer {
				a.odd = fmt.Sprintf("pay answered total_amount %s, buyer %s", r.TotalAmount, r.BuyerUserID)
			}
			return a
		case err == nil:
			return fiAnswer{out: fiUnknown, text: r.Code + " " + r.Msg, odd: "pay answered " + r.Code + " for a buyer who pays at once"}
		case alipay.IsCode(err, "ACQ.TRADE_HAS_SUCCESS"):
			a := fiAnswer{out: fiAck, text: "ACQ.TRADE_HAS_SUCCESS"}
			if o.unknowns == 0 && !o.twin && o.state != fiAcked {
				a.odd = "ACQ.TRADE_HAS_SUCCESS on the first call of a new out_trade_no"
			}
			return a
		case alipay.IsCode(err, "ACQ.BUYER_BALANCE_NOT_ENOUGH") && o.buyer == s.poor,
			alipay.IsCode(err, "ACQ.TRADE_HAS_CLOSE") && o.twin: // raced by a cancel that came first
			return fiClassify(err)
		}
		return fiRefusal(err, "pay")
	case fiRefund:
		r, err := c.gw.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: o.no, RefundAmount: amount, OutRequestNo: o.sub})
		if err != nil {
			return fiRefusal(err, "refund")
		}
		a := fiAnswer{out: fiAck, fresh: r.FundChange == "Y", text: "10000 fund_change " + r.FundChange}
		if r.FundChange == "N" && o.unknowns == 0 && !o.twin && o.state != fiAcked {
			a.odd = "fund_change N on the first call of a new out_request_no"
		}
		return a
	case fiCancel:
		r, err := c.gw.TradeCancel(ctx, alipay.TradeCancel{OutTradeNo: o.no})
		if err != nil {
			return fiRefusal(err, "cancel")
		}
		if r.ShouldRetry() {
			return fiAnswer{out: fiUnknown, text: "10000 retry_flag Y"}
		}
		a := fiAnswer{out: fiAck, text: "10000 action " + r.Action}
		if r.Action != alipay.CancelActionRefund && o.parent.state == fiAcked {
			a.odd = "the cancel of a paid trade answered action " + r.Action
		}
		return a
	case fiFreeze:
		r, err := c.gw.FundAuthOrderFreeze(ctx, alipay.FundAuthOrderFreeze{AuthCode: s.codes[o.buyer], AuthCodeType: alipay.AuthCodeTypeBarCode,
			OutOrderNo: o.no, OutRequestNo: o.sub, OrderTitle: "fault injection", Amount: amount, ProductCode: alipay.ProductCodePreAuth})
		switch {
		case err == nil && r.Status == alipay.AuthOperationStatusSuccess:
			a := fiAnswer{out: fiAck, fresh: true, ref: r.AuthNo, text: "10000 SUCCESS " + r.AuthNo}
			if r.Amount != amount || r.PayerUserID != o.buyer {
				a.odd = fmt.Sprintf("freeze answered amount %s, payer %s", r.Amount, r.PayerUserID)
			}
			return a
		case err == nil:
			return fiAnswer{out: fiUnknown, text: r.Code + " " + r.Status, odd: "freeze answered status " + r.Status + " for a buyer who pays at once"}
		case alipay.IsCode(err, "FREEZE_ALREADY_SUCCESS"):
			a := fiAnswer{out: fiAck, text: "FREEZE_ALREADY_SUCCESS"}
			if o.unknowns == 0 && !o.twin && o.state != fiAcked {
				a.odd = "FREEZE_ALREADY_SUCCESS on the first call of a new out_order_no"
			}
			return a
		}
		return fiRefusal(err, "freeze")
	case fiUnfreeze:
		r, err := c.gw.FundAuthOrderUnfreeze(ctx, alipay.FundAuthOrderUnfreeze{AuthNo: o.parent.ref, OutRequestNo: o.sub, Amount: amount, Remark: "fault injection"})
		if err != nil {
			return fiRefusal(err, "unfreeze")
		}
		a := fiAnswer{out: fiAck, ref: r.OperationID, text: "10000 " + r.OperationID}
		if r.Amount != amount || r.Status != alipay.AuthOperationStatusSuccess {
			a.odd = fmt.Sprintf("unfreeze answered amount %s, status %s", r.Amount, r.Status)
		}
		return a
	case fiIntlPay:
		r, err := c.intl.Pay(ctx, alipayintl.PayRequest{MerchantTransID: o.no, IdentityCode: s.codes[o.buyer],
			Order: alipayintl.Order{OrderAmount: alipayintl.NewMoney(zfb.CNY, o.amount), OrderTitle: "fault injection"}})
		if alipayintl.IsCode(err, alipayintl.CodeOrderStatusInvalid) && o.twin { // raced by a payCancel that came first
			return fiClassify(err)
		}
		if err != nil {
			return fiRefusal(err, "intl pay")
		}
		a := fiAnswer{out: fiAck, ref: r.AcquirementID, text: "S " + r.AcquirementID}
		if r.OrderAmount != alipayintl.NewMoney(zfb.CNY, o.amount) {
			a.odd = fmt.Sprintf("intl pay answered orderAmount %+v", r.OrderAmount)
		}
		return a
	case fiIntlRefund:
		r, err := c.intl.Refund(ctx, alipayintl.RefundRequest{AcquirementID: o.parent.ref, MerchantRefundID: o.sub,
			RefundAmount: alipayintl.NewMoney(zfb.CNY, o.amount)})
		if err != nil {
			return fiRefusal(err, "intl refund")
		}
		return fiAnswer{out: fiAck, ref: r.RefundID, text: "S " + r.RefundID}
	case fiIntlCancel:
		r, err := c.intl.PayCancel(ctx, alipayintl.PayCancelRequest{MerchantTransID: o.no})
		if err != nil {
			return fiRefusal(err, "payCancel")
		}
		return fiAnswer{out: fiAck, text: "S " + r.AcquirementID}
	}
	panic("unknown operation " + o.kind)
}

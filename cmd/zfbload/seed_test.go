package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestSeedTradesSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zfb.db")
	testSeedTrades(t, zfbtest.NewServer(t, zfbtest.WithDatabase(db)), db)
}

func TestSeedTradesPostgres(t *testing.T) {
	db := storetest.PostgresURL(t)
	testSeedTrades(t, zfbtest.NewServer(t, zfbtest.WithDatabase(db)), db)
}

// testSeedTrades: seeding, in several transactions and while the zfb
// runs on the database, leaves the ledger's invariants holding (each
// trade's money moved from its buyer to the merchant, once), and every
// seeded trade answers alipay.trade.query, paid, over HTTP.
func testSeedTrades(t *testing.T, srv *zfbtest.Server, db string) {
	ctx := context.Background()
	s, err := newSigner(srv.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	// 4 buyers: on PostgreSQL 4 workers seed at once, each its own buyer's.
	if err := s.addBuyers(ctx, srv.Sandbox, 3); err != nil {
		t.Fatal(err)
	}
	app := srv.App()
	merchant := zfb.MerchantAccount(app.SellerID, zfb.CNY)
	before, err := srv.Store.Account(ctx, merchant)
	if err != nil {
		t.Fatal(err)
	}

	const n = 23 // batches of 6, the last short
	var progress bytes.Buffer
	err = seedTrades(ctx, db, seedPlan{
		appID: app.AppID, buyerIDs: s.buyerIDs, n: n,
		outTradeNo: func(i int) string { return s.number("S", i) },
		now:        time.Now(), days: 3, batch: 6,
	}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "seeded 23 of 23 trades") {
		t.Errorf("progress %q does not say all were seeded", progress.String())
	}

	report, err := srv.Store.CheckLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK {
		t.Fatalf("the ledger check fails after seeding: %v", report.Failures)
	}
	var paid int64
	buyers := map[string]bool{}
	for i := range n {
		tr, err := srv.Store.TradeByOutTradeNo(ctx, app.AppID, s.number("S", i))
		if err != nil {
			t.Fatalf("seeded trade %d: %v", i, err)
		}
		if tr.Status != zfb.TradeSuccess || tr.PaidAt.IsZero() || tr.TotalAmount <= 0 || tr.TotalAmount > seedMaxAmount {
			t.Errorf("seeded trade %d: status %s, paid at %v, amount %d", i, tr.Status, tr.PaidAt, tr.TotalAmount)
		}
		if age := time.Since(tr.CreatedAt); age < 0 || age > 3*24*time.Hour+time.Minute {
			t.Errorf("seeded trade %d made %v ago, not within the 3 days asked", i, age)
		}
		transfers, err := srv.Store.Transfers(ctx, tr.TradeNo)
		if err != nil {
			t.Fatal(err)
		}
		if len(transfers) != 1 || transfers[0].Amount != tr.TotalAmount || transfers[0].Kind != zfb.TransferPay ||
			transfers[0].Debit != zfb.BuyerAccount(tr.BuyerID, zfb.CNY) || transfers[0].Credit != merchant {
			t.Errorf("seeded trade %d (%s, %d fen from %s): transfers %+v", i, tr.TradeNo, tr.TotalAmount, tr.BuyerID, transfers)
		}
		paid += tr.TotalAmount
		buyers[tr.BuyerID] = true
	}
	if len(buyers) != len(s.buyerIDs) {
		t.Errorf("the trades are paid by %d buyers, not spread over the %d", len(buyers), len(s.buyerIDs))
	}
	after, err := srv.Store.Account(ctx, merchant)
	if err != nil {
		t.Fatal(err)
	}
	if after.Balance-before.Balance != paid {
		t.Errorf("the merchant got %d fen, the trades are worth %d", after.Balance-before.Balance, paid)
	}

	// bigquery asks for distinct seeded trades, and each is answered paid.
	// A second bigquery workload asks for the trades the first did not.
	s.seeded = seedIndexes(n)
	first, err := s.requests("bigquery", n-3)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.requests("bigquery", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != n-3 || len(second) != 3 {
		t.Fatalf("bigquery made %d and %d requests for %d seeded trades", len(first), len(second), n)
	}
	if _, err := s.requests("bigquery", 1); err == nil {
		t.Error("a third bigquery found seeded trades not asked for yet")
	}
	reqs := append(first, second...)
	seen := map[string]bool{}
	for i, req := range reqs {
		if seen[string(req.body)] {
			t.Fatalf("bigquery request %d repeats an earlier one", i)
		}
		seen[string(req.body)] = true
		d := newDriver([]string{srv.URL}, 1, 0)
		answer, err := d.send(ctx, srv.URL, req)
		if err != nil {
			t.Fatal(err)
		}
		if !req.succeeded(answer) || !bytes.Contains(answer, []byte(`"trade_status":"TRADE_SUCCESS"`)) ||
			!bytes.Contains(answer, []byte(s.number("S", s.seeded[i])+`"`)) {
			t.Errorf("bigquery of seeded trade %d: %s", s.seeded[i], answer)
		}
	}
}

// TestPayFingerprint: the fingerprint seeded trades get is the one
// alipay.trade.pay gives a trade (so a repeated pay treats both alike).
func TestPayFingerprint(t *testing.T) {
	srv := zfbtest.NewServer(t)
	s, err := newSigner(srv.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := s.requests("pay", 1)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := newDriver([]string{srv.URL}, 1, 0).send(context.Background(), srv.URL, reqs[0])
	if err != nil || !reqs[0].succeeded(answer) {
		t.Fatalf("pay: %s, %v", answer, err)
	}
	tr := srv.Trade(t, srv.App().AppID, s.number("P", 0))
	if want := zfb.PayFingerprint(1, "zfbload"); tr.Fingerprint != want {
		t.Errorf("pay stored fingerprint %s, PayFingerprint says %s", tr.Fingerprint, want)
	}
}

// TestSeedTradesRefusesBuyersShortOfMoney: a buyer who cannot pay their
// share is refused before anything is stored, not minutes into seeding.
func TestSeedTradesRefusesBuyersShortOfMoney(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zfb.db")
	srv := zfbtest.NewServer(t, zfbtest.WithDatabase(db))
	poor := srv.Buyer(t, zfb.BehaviourPoor)
	err := seedTrades(context.Background(), db, seedPlan{
		appID: srv.App().AppID, buyerIDs: []string{poor.UserID}, n: 100000,
		outTradeNo: func(i int) string { return fmt.Sprintf("R%07d", i) },
		now:        time.Now(), days: 1, batch: 10,
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "give more --buyers") {
		t.Fatalf("seeding 100000 trades on the poor buyer: %v, want a refusal", err)
	}
	if _, err := srv.Store.TradeByOutTradeNo(context.Background(), srv.App().AppID, "R0000000"); !errors.Is(err, zfb.ErrNotFound) {
		t.Errorf("a refused seeding stored its first trade: %v", err)
	}
}

// TestRSSSampler: the sampler sees a live process's RSS, and its peak is
// at least its last sample.
func TestRSSSampler(t *testing.T) {
	var log bytes.Buffer
	var answered int64 = 7
	r := startRSS(os.Getpid(), "test", func() int64 { return answered }, &log, time.Millisecond)
	time.Sleep(3 * rssSampleInterval)
	peak, last := r.end()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	if last <= 0 || peak < last {
		t.Errorf("peak %d KiB, last %d KiB", peak, last)
	}
	if !strings.Contains(log.String(), "test at") || !strings.Contains(log.String(), "7 answers") {
		t.Errorf("the RSS log says %q", log.String())
	}
	if p, l := startRSS(0, "none", nil, nil, 0).end(); p != 0 || l != 0 {
		t.Errorf("no process: peak %d, last %d", p, l)
	}
}

func TestSeedWorkers(t *testing.T) {
	for buyers, want := range map[int]int{64: 16, 8: 8, 4: 4, 6: 2, 3: 1, 1: 1} {
		if got := seedWorkers(buyers); got != want {
			t.Errorf("seedWorkers(%d) = %d, want %d", buyers, got, want)
		}
	}
}

func TestDefaultWorkloads(t *testing.T) {
	if w := defaultWorkloads(0); strings.Contains(w, "bigquery") || !strings.Contains(w, "query") {
		t.Errorf("without seeded trades: %s", w)
	}
	if w := defaultWorkloads(10); !strings.Contains(w, "query,bigquery") {
		t.Errorf("with seeded trades: %s", w)
	}
}

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sqlstore"
)

// seedPlan is what seedTrades stores: n paid trades of one app, spread
// over buyers and over the days before now.
type seedPlan struct {
	appID    string
	buyerIDs []string // user ids of the paying buyers, each with money enough
	n        int
	// outTradeNo is the i-th trade's out_trade_no: the harness's, so that
	// bigquery can ask for them.
	outTradeNo func(i int) string
	now        time.Time
	days       int // gmt_create spreads over this many days before now
	batch      int // trades per transaction
}

// Seeded trades are paid 1 fen to 1 yuan and made over the last days
// (well inside zfb.RefundPeriod, so that the scheduler does not start
// finishing them under the load).
const (
	seedMaxAmount = 100 // fen
	seedDays      = 30
	// seedBatch trades a transaction: about half a second of the SQLite
	// write lock on an idle machine, so that zfb's own writes meanwhile
	// wait well inside its 5 s busy timeout even on a machine ten times as
	// loaded. (zfb's outbox claim, one UPDATE that reads before it writes,
	// can still get SQLITE_BUSY at once when a seeding commit lands between
	// the two: it logs it and claims again at its next tick.)
	seedBatch   = 1000
	seedSubject = "zfbload seeded trade"
)

// seedTrades stores p.n paid trades (TRADE_SUCCESS) in the database at
// dbURL — the one the zfb under load uses — through the store's own
// queries, as alipay.trade.pay stores them: the trade, and its pay
// transfer from the buyer to the merchant in the ledger, in one
// transaction per p.batch trades. Each batch is durable when it returns.
// No notification is queued: these trades are old, theirs went out long
// ago.
//
// On SQLite zfb keeps running meanwhile: the file is in WAL mode and each
// batch holds the write lock for well under zfb's busy timeout. progress
// gets a line now and then.
func seedTrades(ctx context.Context, dbURL string, p seedPlan, progress io.Writer) error {
	if p.n <= 0 {
		return nil
	}
	if len(p.buyerIDs) == 0 {
		return fmt.Errorf("seeding trades: no buyers")
	}
	p.days, p.batch = max(p.days, 1), max(p.batch, 1)
	store, err := sqlstore.Open(ctx, dbURL, nil)
	if err != nil {
		return fmt.Errorf("seeding trades: %w", err)
	}
	defer store.Close()
	app, err := store.App(ctx, p.appID)
	if err != nil {
		return fmt.Errorf("seeding trades: %w", err)
	}
	// Each buyer pays at most seedMaxAmount a trade: check that every one
	// can, rather than fail after minutes.
	perBuyer := int64((p.n + len(p.buyerIDs) - 1) / len(p.buyerIDs))
	for _, id := range p.buyerIDs {
		b, err := store.Buyer(ctx, id)
		if err != nil {
			return fmt.Errorf("seeding trades: %w", err)
		}
		if need := perBuyer * seedMaxAmount; b.Balance < need {
			return fmt.Errorf("seeding trades: buyer %s has %s, may need %s for %d trades: give more --buyers",
				id, zfb.FormatAmount(b.Balance), zfb.FormatAmount(need), perBuyer)
		}
	}
	// trade_no as zfb makes them (the date, 22001, 15 digits), the digits
	// this run's 4 random ones and the trade's index: distinct among
	// themselves, and from zfb's random ones but by a 1-in-10¹⁵ chance each.
	var r [2]byte
	_, _ = rand.Read(r[:])
	run := fmt.Sprintf("%04d", (int(r[0])<<8|int(r[1]))%10000)
	span := time.Duration(p.days) * 24 * time.Hour
	trade := func(rng *mrand.Rand, i int) (*zfb.Trade, *zfb.Transfer) {
		// Older trades first, as a store fills.
		created := p.now.Add(-span + time.Duration(float64(span)*float64(i)/float64(p.n)) + time.Duration(rng.Int64N(int64(time.Minute))))
		if created.After(p.now) {
			created = p.now
		}
		created = created.Truncate(time.Second)
		paid := created.Add(time.Duration(1+rng.IntN(20)) * time.Second)
		amount := 1 + rng.Int64N(seedMaxAmount)
		t := &zfb.Trade{
			TradeNo: created.In(zfb.Beijing).Format("20060102") + "22001" + run + fmt.Sprintf("%011d", i),
			AppID:   app.ID, OutTradeNo: p.outTradeNo(i), Kind: zfb.TradeKindPay,
			Status: zfb.TradeSuccess, SellerID: app.SellerID, BuyerID: p.buyerIDs[i%len(p.buyerIDs)],
			Subject: seedSubject, TotalAmount: amount, Fingerprint: zfb.PayFingerprint(amount, seedSubject),
			Scanned: true, NotifyURL: app.NotifyURL, ExpiresAt: created.Add(3 * time.Hour), CreatedAt: created,
			PaidAt: paid,
		}
		return t, &zfb.Transfer{
			Kind: zfb.TransferPay, Ref: t.TradeNo, Currency: zfb.CNY, Amount: amount, CreatedAt: paid,
			Debit: zfb.BuyerAccount(t.BuyerID, zfb.CNY), Credit: zfb.MerchantAccount(t.SellerID, zfb.CNY),
		}
	}
	// On PostgreSQL each statement is a round trip, so several workers
	// seed at once, each in its own transactions; worker w takes the
	// trades i ≡ w (mod workers), whose buyers (i mod len(buyers)) no other
	// worker debits, so that none waits for another's buyer rows (the
	// merchant's credits are pending entries there, which lock nothing).
	// SQLite has one writer: one worker.
	workers := 1
	if store.Backend() == "postgres" {
		workers = seedWorkers(len(p.buyerIDs))
	}
	var (
		done     atomic.Int64
		start    = time.Now()
		mu       sync.Mutex
		lastSaid = time.Now()
	)
	say := func() {
		mu.Lock()
		defer mu.Unlock()
		n := done.Load()
		if progress != nil && (time.Since(lastSaid) >= 10*time.Second || n == int64(p.n)) {
			lastSaid = time.Now()
			elapsed := time.Since(start)
			fmt.Fprintf(progress, "zfbload: seeded %d of %d trades in %s (%.0f/s)\n",
				n, p.n, elapsed.Round(time.Second), float64(n)/elapsed.Seconds())
		}
	}
	seedWorker := func(ctx context.Context, w int) error {
		rng := mrand.New(mrand.NewPCG(uint64(r[0])<<8|uint64(r[1]), uint64(w)))
		for from := w; from < p.n; from += p.batch * workers {
			var count int64
			err := store.InTx(ctx, func(q zfb.Queries) error {
				count = 0
				for i := from; i < p.n && i < from+p.batch*workers; i += workers {
					t, transfer := trade(rng, i)
					if err := q.CreateTrade(ctx, t); err != nil {
						return err
					}
					if err := q.PostTransfer(ctx, transfer); err != nil {
						return err
					}
					count++
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("seeding trades from %d: %w", from, err)
			}
			done.Add(count)
			say()
		}
		return nil
	}
	// The first failure stops the other workers.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[w] = seedWorker(ctx, w); errs[w] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// seedWorkers is how many workers seed PostgreSQL: 16, or fewer so that
// it divides the number of buyers (each worker then has buyers of its own).
func seedWorkers(buyers int) int {
	for _, w := range []int{16, 8, 4, 2} {
		if buyers%w == 0 {
			return w
		}
	}
	return 1
}

// seedIndexes are the indexes of the seeded trades 0…seeded-1 in random
// order: bigquery asks for each of those trades once.
func seedIndexes(seeded int) []int { return mrand.Perm(seeded) }

// formatCount is n with thousands separated, for the report.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

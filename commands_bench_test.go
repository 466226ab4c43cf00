package zfb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/storetest"
)

// The fund authorisation and international commands and reads, beside their trade
// counterparts measured in the same run as baselines, on the default
// SQLite store, without HTTP or RSA (BenchmarkGateway in openapi/ measures
// those). Every operation touches a distinct order or trade: nothing here
// is answered by a cache.

type benchEnv struct {
	svc   *zfb.Service
	app   *zfb.App
	payer *zfb.Buyer
	now   time.Time
}

func newBenchEnv(b *testing.B) *benchEnv {
	return newBenchEnvOn(b, filepath.Join(b.TempDir(), "zfb.db"))
}

// newBenchEnvOn is newBenchEnv on the database at url.
func newBenchEnvOn(b *testing.B, url string) *benchEnv {
	svc, sb := newSandboxServiceOn(b, url)
	e := &benchEnv{svc: svc, app: sb.Apps[0], now: time.Now()}
	for _, buyer := range sb.Buyers {
		if buyer.Behaviour == zfb.BehaviourPays {
			e.payer = buyer
		}
	}
	return e
}

func (e *benchEnv) pay(b *testing.B, i int) *zfb.PayResult { return e.payAt(b, i, e.now) }

func (e *benchEnv) payAt(b *testing.B, i int, now time.Time) *zfb.PayResult {
	r, err := e.svc.Pay(context.Background(), e.app, now, zfb.PayCommand{
		OutTradeNo: fmt.Sprintf("T%d", i), TotalAmount: "0.01", Subject: "bench", AuthCode: e.payer.PaymentCode,
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func (e *benchEnv) freeze(b *testing.B, i int) *zfb.FreezeResult {
	r, err := e.svc.Freeze(context.Background(), e.app, e.now, zfb.FreezeCommand{
		AuthCode: e.payer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: fmt.Sprintf("O%d", i),
		OutRequestNo: fmt.Sprintf("R%d", i), OrderTitle: "bench", Amount: "0.01",
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkTradePayCommand is the baseline write: a new paid trade per op.
func BenchmarkTradePayCommand(b *testing.B) {
	e := newBenchEnv(b)
	for i := 0; b.Loop(); i++ {
		e.pay(b, i)
	}
}

// BenchmarkTradePayCommandParallel: new paid trades from 16 writers per
// core, as many as the load harness's connections on two cores, so that
// SQLite's group commit shares each commit among many payments: closer to
// a pay's CPU under load than the serial benchmark, whose time is mostly
// its own fsync.
func BenchmarkTradePayCommandParallel(b *testing.B) {
	e := newBenchEnv(b)
	benchPayParallel(b, e, func() time.Time { return e.now })
}

// BenchmarkTradePayCommandParallelNow is BenchmarkTradePayCommandParallel
// with each pay at the time it is made, as a gateway's are, rather than
// all at one instant: trade numbers then follow the clock, as they do in
// the indexes of a store that has been taking pays for a while.
func BenchmarkTradePayCommandParallelNow(b *testing.B) {
	benchPayParallel(b, newBenchEnv(b), time.Now)
}

// benchPayParallel pays from 16 goroutines per core, each pay at the time
// at gives, and reports the process's CPU per pay.
func benchPayParallel(b *testing.B, e *benchEnv, at func() time.Time) {
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e.payAt(b, int(next.Add(1)), at())
		}
	})
	reportCPUPerOp(b, cpu0)
}

// reportCPUPerOp reports the process's CPU (user and system, of every
// goroutine: the store's writer and checkpointer too) per op since cpu0.
// On a shared machine it moves less than the wall clock, and with group
// commit the wall clock is mostly the writer's fsyncs anyway.
func reportCPUPerOp(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the user and system time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTradePayCommandPostgres is BenchmarkTradePayCommandParallel on
// PostgreSQL (ZFB_TEST_POSTGRES), with 64 paying buyers as zfbload has:
// on PostgreSQL a buyer's payments queue on the buyer's row, which one
// buyer paying everything would measure instead of the payment.
func BenchmarkTradePayCommandPostgres(b *testing.B) {
	benchPayFrom64Buyers(b, storetest.PostgresURL(b), "")
}

// BenchmarkTradePayCommandNotifyURL and …PostgresNotifyURL: the same pays
// with a notify_url, as merchants send them: each also records its
// notification in the outbox.
func BenchmarkTradePayCommandNotifyURL(b *testing.B) {
	benchPayFrom64Buyers(b, filepath.Join(b.TempDir(), "zfb.db"), "http://127.0.0.1:9/notify")
}

func BenchmarkTradePayCommandPostgresNotifyURL(b *testing.B) {
	benchPayFrom64Buyers(b, storetest.PostgresURL(b), "http://127.0.0.1:9/notify")
}

// benchPayFrom64Buyers pays new trades on the store at url from 16
// goroutines per core, each pay from the next of 64 buyers.
func benchPayFrom64Buyers(b *testing.B, url, notifyURL string) {
	svc, sb := newSandboxServiceOn(b, url)
	app, now := sb.Apps[0], time.Now()
	codes := make([]string, 64)
	for i := range codes {
		buyer := &zfb.Buyer{UserID: fmt.Sprintf("20889%011d", i), LogonID: fmt.Sprintf("bench%d@example.com", i),
			PaymentCode: fmt.Sprintf("2899%014d", i), Behaviour: zfb.BehaviourPays, Balance: 1_000_000_00, CreatedAt: now}
		if err := svc.CreateBuyer(b.Context(), buyer); err != nil {
			b.Fatal(err)
		}
		codes[i] = buyer.PaymentCode
	}
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	defer reportCPUPerOp(b, cpu0)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			_, err := svc.Pay(context.Background(), app, now, zfb.PayCommand{
				OutTradeNo: fmt.Sprintf("T%d", i), TotalAmount: "0.01", Subject: "bench", AuthCode: codes[i%len(codes)],
				NotifyURL: notifyURL,
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkFreezeCommand: a new frozen authorisation per op.
func BenchmarkFreezeCommand(b *testing.B) {
	e := newBenchEnv(b)
	for i := 0; b.Loop(); i++ {
		e.freeze(b, i)
	}
}

const benchOrders = 500

// BenchmarkTradeQueryRead is the baseline read: alipay.trade.query over
// benchOrders distinct paid trades, from parallel readers.
func BenchmarkTradeQueryRead(b *testing.B) {
	e := newBenchEnv(b)
	refs := make([]zfb.TradeRef, benchOrders)
	for i := range refs {
		refs[i] = zfb.TradeRef{TradeNo: e.pay(b, i).Trade.TradeNo}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := e.svc.Query(context.Background(), e.app, e.now, refs[i%len(refs)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkOperationDetailQueryRead: alipay.fund.auth.operation.detail.query
// over benchOrders distinct authorisations, from parallel readers.
func BenchmarkOperationDetailQueryRead(b *testing.B) {
	e := newBenchEnv(b)
	cmds := make([]zfb.DetailQueryCommand, benchOrders)
	for i := range cmds {
		r := e.freeze(b, i)
		cmds[i] = zfb.DetailQueryCommand{AuthNo: r.Order.AuthNo, OperationID: r.Operation.OperationID}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := e.svc.OperationDetailQuery(context.Background(), e.app, e.now, cmds[i%len(cmds)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTradeQueryReadPostgres and BenchmarkOperationDetailQueryReadPostgres
// are the reads above on PostgreSQL (ZFB_TEST_POSTGRES), each after
// Service.App as the gateway calls it: the app's version comes from memory
// while the store hears PostgreSQL announce changes of apps, so a query is
// one round trip, and the detail query too.
func BenchmarkTradeQueryReadPostgres(b *testing.B) {
	e := newBenchEnvOn(b, storetest.PostgresURL(b))
	refs := make([]zfb.TradeRef, benchOrders)
	for i := range refs {
		refs[i] = zfb.TradeRef{TradeNo: e.pay(b, i).Trade.TradeNo}
	}
	e.readAfterApp(b, func(ctx context.Context, app *zfb.App, i int) error {
		_, err := e.svc.Query(ctx, app, e.now, refs[i%len(refs)])
		return err
	})
}

func BenchmarkOperationDetailQueryReadPostgres(b *testing.B) {
	e := newBenchEnvOn(b, storetest.PostgresURL(b))
	cmds := make([]zfb.DetailQueryCommand, benchOrders)
	for i := range cmds {
		r := e.freeze(b, i)
		cmds[i] = zfb.DetailQueryCommand{OutOrderNo: r.Order.OutOrderNo, OutRequestNo: r.Operation.OutRequestNo}
	}
	e.readAfterApp(b, func(ctx context.Context, app *zfb.App, i int) error {
		_, err := e.svc.OperationDetailQuery(ctx, app, e.now, cmds[i%len(cmds)])
		return err
	})
}

// readAfterApp runs read from 16 goroutines per core, each time after
// finding the app as the gateway does, and reports the CPU per op of this
// process (PostgreSQL's is not in it).
func (e *benchEnv) readAfterApp(b *testing.B, read func(ctx context.Context, app *zfb.App, i int) error) {
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	defer reportCPUPerOp(b, cpu0)
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			app, err := e.svc.App(ctx, e.app.ID)
			if err == nil {
				err = read(ctx, app, int(next.Add(1)))
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUnfreezeCommand: a partial unfreeze of a distinct authorisation
// per op.
func BenchmarkUnfreezeCommand(b *testing.B) {
	e := newBenchEnv(b)
	var orders []string
	for i := 0; b.Loop(); i++ {
		if i == len(orders) {
			b.StopTimer()
			for j := range 200 {
				orders = append(orders, e.freeze(b, i+j).Order.AuthNo)
			}
			b.StartTimer()
		}
		if _, err := e.svc.Unfreeze(context.Background(), e.app, e.now, zfb.UnfreezeCommand{
			AuthNo: orders[i], OutRequestNo: "U", Amount: "0.01", Remark: "bench",
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIntlPayCommand: a new international payment per op, in USD (the
// buyer pays CNY through the exchange accounts: four ledger entries more
// than a trade).
func BenchmarkIntlPayCommand(b *testing.B) {
	e := newBenchEnv(b)
	for i := 0; b.Loop(); i++ {
		e.intlPay(b, i)
	}
}

// BenchmarkIntlPayQueryRead: payQuery over benchOrders distinct payments,
// from parallel readers.
func BenchmarkIntlPayQueryRead(b *testing.B) {
	e := newBenchEnv(b)
	refs := make([]zfb.IntlRef, benchOrders)
	for i := range refs {
		refs[i] = zfb.IntlRef{AcquirementID: e.intlPay(b, i).Payment.AcquirementID}
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := e.svc.IntlPayQuery(context.Background(), e.app, e.now, refs[i%len(refs)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func (e *benchEnv) intlPay(b *testing.B, i int) *zfb.IntlPayResult {
	r, err := e.svc.IntlPay(context.Background(), e.app, e.now, zfb.IntlPayCommand{
		MerchantTransID: fmt.Sprintf("M%d", i), IdentityCode: e.payer.PaymentCode, OrderTitle: "bench",
		Currency: "USD", Value: "1",
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

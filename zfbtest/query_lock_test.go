package zfbtest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// errReleased rolls back the transaction holdTx keeps open.
var errReleased = errors.New("released by the test")

// holdTx opens a write transaction on srv's store, runs lock in it (which
// takes the locks the test wants held) and keeps it open until release is
// called (at the latest when the test ends); it then rolls back.
func holdTx(t *testing.T, srv *zfbtest.Server, lock func(ctx context.Context, q zfb.Queries) error) (release func()) {
	t.Helper()
	ctx := context.Background()
	held := make(chan error, 1)
	let := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- srv.Store.InTx(ctx, func(q zfb.Queries) error {
			if err := lock(ctx, q); err != nil {
				held <- err
				return err
			}
			held <- nil
			<-let
			return errReleased
		})
	}()
	select {
	case err := <-held:
		if err != nil {
			t.Fatalf("taking the lock: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the locking transaction did not start")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(let)
			if err := <-done; !errors.Is(err, errReleased) {
				t.Errorf("the locking transaction ended with %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// queryAnswers fails unless alipay.trade.query of outTradeNo answers want
// within a short time-out while the test holds its lock.
func queryAnswers(t *testing.T, srv *zfbtest.Server, outTradeNo, want string) {
	t.Helper()
	const patience = 2 * time.Second
	quick := client(t, srv, srv.App(), alipay.WithTimeout(patience))
	start := time.Now()
	r, err := quick.TradeQuery(context.Background(), alipay.TradeQuery{OutTradeNo: outTradeNo})
	if err != nil {
		t.Fatalf("trade.query of %s while a writer holds its lock: %v (after %v)", outTradeNo, err, time.Since(start))
	}
	if r.TradeStatus != want {
		t.Fatalf("trade.query of %s: %s, want %s", outTradeNo, r.TradeStatus, want)
	}
	t.Logf("trade.query of %s answered %s in %v", outTradeNo, r.TradeStatus, time.Since(start))
}

// closeAsync closes outTradeNo through the SDK in the background.
func closeAsync(srv *zfbtest.Server, c *alipay.Client, outTradeNo string) <-chan error {
	out := make(chan error, 1)
	go func() {
		_, err := c.TradeClose(context.Background(), alipay.TradeClose{OutTradeNo: outTradeNo})
		out <- err
	}()
	return out
}

// waitingPay makes the password buyer pay: a trade waiting for them.
func (e *tradeEnv) waitingPay(outTradeNo string) *alipay.TradePayResponse {
	e.t.Helper()
	r, err := e.pay(outTradeNo, "3.00", zfb.BehaviourPassword)
	if err != nil || !r.InProgress() {
		e.t.Fatalf("password pay %s: %v %+v", outTradeNo, err, r)
	}
	return r
}

// wantBlocked fails if done answers within 200 ms.
func wantBlocked(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s answered (%v) while the lock was held: it did not wait", what, err)
	case <-time.After(200 * time.Millisecond):
	}
}

// wantAnswered fails unless done answers success within a few seconds.
func wantAnswered(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not answer", what)
	}
}

// TestQueryTakesNoWriteLock: alipay.trade.query reads from a snapshot; it
// answers while a writer holds SQLite's one write lock, or PostgreSQL's row
// lock on the trade, where a write waits.
func TestQueryTakesNoWriteLock(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		wall := newWallClock()
		srv := zfbtest.NewServer(t, zfbtest.WithClock(zfb.ClockFunc(wall.Now)))
		e := newTradeEnv(t, srv)
		paid, waiting, toClose, expiring := e.outTradeNo(), e.outTradeNo(), e.outTradeNo(), e.outTradeNo()
		e.mustPay(paid, "10.00")
		e.waitingPay(waiting)
		e.waitingPay(toClose)
		if r, err := e.c.TradePay(e.ctx, alipay.TradePay{
			OutTradeNo: expiring, Scene: "bar_code", TimeoutExpress: "1m",
			AuthCode: srv.Buyer(t, zfb.BehaviourPassword).PaymentCode, Subject: "x", TotalAmount: "1.00",
		}); err != nil || !r.InProgress() {
			t.Fatalf("password pay: %v %+v", err, r)
		}

		release := holdTx(t, srv, func(ctx context.Context, q zfb.Queries) error {
			// BEGIN IMMEDIATE has the write lock already; a write makes sure.
			return q.PutSetting(ctx, "query_lock_test", "held")
		})
		queryAnswers(t, srv, paid, alipay.TradeStatusSuccess)
		queryAnswers(t, srv, waiting, alipay.TradeStatusWaitBuyerPay)
		// Its time ran out, and nobody can close it while the writer is
		// held (the scheduler waits too): the query answers it closed all
		// the same, without writing.
		wall.Advance(2 * time.Minute)
		queryAnswers(t, srv, expiring, alipay.TradeStatusClosed)

		// The contrast: a write waits for the writer.
		closed := closeAsync(srv, client(t, srv, srv.App(), alipay.WithTimeout(10*time.Second)), toClose)
		wantBlocked(t, closed, "trade.close")
		release()
		wantAnswered(t, closed, "trade.close after the release")
		if s := e.status(toClose); s != alipay.TradeStatusClosed {
			t.Fatalf("closed trade: %s", s)
		}
		if s := e.status(waiting); s != alipay.TradeStatusWaitBuyerPay {
			t.Fatalf("untouched trade: %s", s)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		srv := zfbtest.NewServer(t, zfbtest.WithDatabase(storetest.PostgresURL(t)))
		e := newTradeEnv(t, srv)
		paid, locked, other := e.outTradeNo(), e.outTradeNo(), e.outTradeNo()
		p := e.mustPay(paid, "10.00")
		w := e.waitingPay(locked)
		e.waitingPay(other)

		// UPDATE … at its version: holds the rows' locks until the end.
		lockTrades := func(tradeNos ...string) func(ctx context.Context, q zfb.Queries) error {
			return func(ctx context.Context, q zfb.Queries) error {
				for _, no := range tradeNos {
					tr, err := q.Trade(ctx, no)
					if err != nil {
						return err
					}
					if err := q.UpdateTrade(ctx, tr); err != nil {
						return err
					}
				}
				return nil
			}
		}
		release := holdTx(t, srv, lockTrades(p.TradeNo, w.TradeNo))
		queryAnswers(t, srv, paid, alipay.TradeStatusSuccess)
		queryAnswers(t, srv, locked, alipay.TradeStatusWaitBuyerPay)

		patient := client(t, srv, srv.App(), alipay.WithTimeout(10*time.Second))
		// Another trade's write does not wait for these row locks…
		wantAnswered(t, closeAsync(srv, patient, other), "trade.close of an unlocked trade")
		// …and a write of the locked trade does.
		closed := closeAsync(srv, patient, locked)
		wantBlocked(t, closed, "trade.close of the locked trade")
		release()
		wantAnswered(t, closed, "trade.close after the release")
		if s := e.status(locked); s != alipay.TradeStatusClosed {
			t.Fatalf("closed trade: %s", s)
		}
	})
}

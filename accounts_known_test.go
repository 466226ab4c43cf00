package zfb_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// ensureCounter is a Store whose transactions count EnsureAccount calls.
type ensureCounter struct {
	zfb.Store
	n *atomic.Int64
}

func (c ensureCounter) InTx(ctx context.Context, fn func(q zfb.Queries) error) error {
	return c.Store.InTx(ctx, func(q zfb.Queries) error { return fn(ensureCountingQueries{q, c.n}) })
}

type ensureCountingQueries struct {
	zfb.Queries
	n *atomic.Int64
}

func (q ensureCountingQueries) EnsureAccount(ctx context.Context, a *zfb.Account) error {
	q.n.Add(1)
	return q.Queries.EnsureAccount(ctx, a)
}

// TestIntlPayEnsuresItsAccountsOnce: an international pay opens the
// exchange and merchant accounts of its currencies until a pay that
// opened them has committed, and not after; a pay that rolled back opened
// nothing for good, so the next one opens them again.
func TestIntlPayEnsuresItsAccountsOnce(t *testing.T) {
	ctx := context.Background()
	var ensures atomic.Int64
	svc, sb := newWrappedSandboxService(t, filepath.Join(t.TempDir(), "zfb.db"), func(s zfb.Store) zfb.Store {
		return ensureCounter{s, &ensures}
	})
	codes := map[string]string{}
	for _, b := range sb.Buyers {
		codes[b.Behaviour] = b.PaymentCode
	}
	n := 0
	pay := func(behaviour, currency string, wantEnsures int64) error {
		t.Helper()
		n++
		ensures.Store(0)
		_, err := svc.IntlPay(ctx, sb.Apps[0], time.Now(), zfb.IntlPayCommand{
			MerchantTransID: "M" + string(rune('A'+n)), IdentityCode: codes[behaviour], OrderTitle: "accounts",
			Currency: currency, Value: "100",
		})
		if got := ensures.Load(); got != wantEnsures {
			t.Errorf("pay %d (%s, %s): %d accounts ensured, want %d", n, behaviour, currency, got, wantEnsures)
		}
		return err
	}
	if err := pay(zfb.BehaviourPoor, "USD", 3); !errors.Is(err, zfb.ErrIntlBuyerBalanceNotEnough) {
		t.Fatalf("a poor buyer's pay: %v, want the balance refused", err)
	}
	for _, tc := range []struct {
		currency string
		ensures  int64
	}{
		{"USD", 3}, // the refused pay's accounts were rolled back with it: not known
		{"USD", 0},
		{"EUR", 2}, // the CNY exchange account is known
		{"EUR", 0},
	} {
		if err := pay(zfb.BehaviourPays, tc.currency, tc.ensures); err != nil {
			t.Fatal(err)
		}
	}
}

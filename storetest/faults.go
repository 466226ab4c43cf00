package storetest

import (
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func sameFaults(t *testing.T, got, want []*zfb.Fault) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d faults, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := *got[i], *want[i]
		sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("fault %d = %+v\nwant %+v", i, g, w)
		}
	}
}

func testFaults(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateApp(ctx, b))

	fs, err := s.Faults(ctx, a.ID)
	ok(t, err)
	if len(fs) != 0 {
		t.Fatalf("%d faults of an app without any", len(fs))
	}

	f1 := &zfb.Fault{AppID: a.ID, Method: "alipay.trade.pay", OutTradeNo: "T-*", Effect: zfb.FaultErrorAfter, SubCode: "ACQ.SYSTEM_ERROR", CreatedAt: at(3)}
	f2 := &zfb.Fault{AppID: a.ID, Method: "alipay.trade.query", Effect: zfb.FaultErrorBefore, CreatedAt: at(1)}
	g1 := &zfb.Fault{AppID: b.ID, Method: "alipay.trade.pay", OutTradeNo: "*", Effect: zfb.FaultDelay, DelayMS: 15000, CreatedAt: at(2)}
	f3 := &zfb.Fault{AppID: a.ID, Method: "alipay.trade.refund", OutTradeNo: "[a-z]?", Effect: zfb.FaultDelay, DelayMS: 2500, SubCode: "isp.unknow-error", CreatedAt: at(2)}
	var lastID int64
	for _, f := range []*zfb.Fault{f1, f2, g1, f3} {
		ok(t, s.CreateFault(ctx, f))
		if f.ID <= lastID {
			t.Errorf("fault ID %d after %d", f.ID, lastID)
		}
		lastID = f.ID
	}
	fs, err = s.Faults(ctx, a.ID)
	ok(t, err)
	sameFaults(t, fs, []*zfb.Fault{f1, f2, f3})

	// An app cannot delete another's rule.
	wantErr(t, s.DeleteFault(ctx, b.ID, f1.ID), zfb.ErrNotFound)
	wantErr(t, s.DeleteFault(ctx, a.ID, g1.ID), zfb.ErrNotFound)
	wantErr(t, s.DeleteFault(ctx, a.ID, lastID+1000), zfb.ErrNotFound)
	fs, err = s.Faults(ctx, b.ID)
	ok(t, err)
	sameFaults(t, fs, []*zfb.Fault{g1})

	ok(t, s.DeleteFault(ctx, a.ID, f2.ID))
	wantErr(t, s.DeleteFault(ctx, a.ID, f2.ID), zfb.ErrNotFound)
	ok(t, s.InTx(ctx, func(q zfb.Queries) error { return q.DeleteFault(ctx, a.ID, f3.ID) }))
	fs, err = s.Faults(ctx, a.ID)
	ok(t, err)
	sameFaults(t, fs, []*zfb.Fault{f1})

	// A new rule comes after the deleted ones: ids are not reused.
	f4 := &zfb.Fault{AppID: a.ID, Method: "alipay.trade.close", Effect: zfb.FaultErrorBefore, CreatedAt: at(0)}
	ok(t, s.CreateFault(ctx, f4))
	if f4.ID <= lastID {
		t.Errorf("new fault ID %d, want above %d", f4.ID, lastID)
	}
	fs, err = s.Faults(ctx, a.ID)
	ok(t, err)
	sameFaults(t, fs, []*zfb.Fault{f1, f4})

	ok(t, s.DeleteFaults(ctx, a.ID))
	ok(t, s.DeleteFaults(ctx, a.ID)) // none left: no error
	fs, err = s.Faults(ctx, a.ID)
	ok(t, err)
	sameFaults(t, fs, nil)
	fs, err = s.Faults(ctx, b.ID)
	ok(t, err)
	sameFaults(t, fs, []*zfb.Fault{g1})
}

package zfb

import (
	"strings"
	"testing"
	"time"
)

func TestSettleAuthOrder(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, Beijing)
	waiting := func() (*AuthOrder, *AuthOperation) {
		return &AuthOrder{Status: AuthOrderInit, ExpiresAt: now},
			&AuthOperation{Type: AuthOpFreeze, Status: AuthOpInit}
	}
	o, op := waiting()
	if settleAuthOrder(o, op, now.Add(-time.Second)) || o.Status != AuthOrderInit || op.Status != AuthOpInit {
		t.Fatalf("settled before its time: %v %v", o.Status, op.Status)
	}
	if !settleAuthOrder(o, op, now) || o.Status != AuthOrderClosed || op.Status != AuthOpClosed || !o.ClosedAt.Equal(now) || !op.ClosedAt.Equal(now) {
		t.Fatalf("not closed at its time: %+v %+v", o, op)
	}
	if settleAuthOrder(o, op, now.Add(time.Hour)) {
		t.Fatal("a closed order settled again")
	}
	// An authorised order never expires, and an unfreeze operation is
	// never closed by the order's time-out.
	a := &AuthOrder{Status: AuthOrderAuthorized, ExpiresAt: now}
	if settleAuthOrder(a, nil, now.Add(time.Hour)) || a.Status != AuthOrderAuthorized {
		t.Fatal("an authorised order expired")
	}
	o, _ = waiting()
	unfreeze := &AuthOperation{Type: AuthOpUnfreeze, Status: AuthOpInit}
	settleAuthOrder(o, unfreeze, now)
	if unfreeze.Status != AuthOpInit {
		t.Fatal("an unfreeze operation was closed")
	}
}

func TestSettleAfterRelease(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		freeze, unfreeze, pay int64
		want                  AuthOrderStatus
	}{
		{100, 40, 0, AuthOrderAuthorized},
		{100, 100, 0, AuthOrderClosed},
		{100, 60, 40, AuthOrderFinish},
		{100, 0, 100, AuthOrderFinish},
		{100, 0, 30, AuthOrderAuthorized},
	} {
		o := &AuthOrder{Status: AuthOrderAuthorized, TotalFreezeAmount: tc.freeze, TotalUnfreezeAmount: tc.unfreeze, TotalPayAmount: tc.pay}
		settleAfterRelease(o, now)
		if o.Status != tc.want {
			t.Errorf("%+v: status %s, want %s", tc, o.Status, tc.want)
		}
		if (o.Status == AuthOrderAuthorized) != o.ClosedAt.IsZero() {
			t.Errorf("%+v: closed at %v", tc, o.ClosedAt)
		}
		if o.RestAmount() != tc.freeze-tc.unfreeze-tc.pay {
			t.Errorf("%+v: rest %d", tc, o.RestAmount())
		}
	}
}

func TestFaultMatches(t *testing.T) {
	f := &Fault{Method: "alipay.fund.auth.order.freeze", OutTradeNo: "HOTEL-*"}
	for _, tc := range []struct {
		method  string
		numbers []string
		want    bool
	}{
		{"alipay.fund.auth.order.freeze", []string{"", "HOTEL-1", "R1"}, true},
		{"alipay.fund.auth.order.freeze", []string{"", "X", "HOTEL-R"}, true},
		{"alipay.fund.auth.order.freeze", []string{"", "X", "Y"}, false},
		{"alipay.fund.auth.order.freeze", nil, false},
		{"alipay.trade.pay", []string{"HOTEL-1"}, false},
	} {
		if got := f.Matches(tc.method, tc.numbers...); got != tc.want {
			t.Errorf("Matches(%s, %q) = %v, want %v", tc.method, tc.numbers, got, tc.want)
		}
	}
	wildcard := &Fault{Method: "alipay.trade.pay"}
	if !wildcard.Matches("alipay.trade.pay") || wildcard.Matches("alipay.trade.query") {
		t.Error("a rule without a pattern must match every call of its method, and only those")
	}
	for sub, want := range map[string]*Error{"": ErrUnknown, "isp.unknow-error": ErrUnknown, "ACQ.SYSTEM_ERROR": ErrTradeSystemError, "SYSTEM_ERROR": ErrAuthSystemError} {
		if got := (&Fault{SubCode: sub}).Answer(); got != want {
			t.Errorf("Answer for %q = %v, want %v", sub, got, want)
		}
	}
}

func TestNumbersShapedLikeAlipays(t *testing.T) {
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC) // 2026-11-30 in Beijing
	if n := newAuthNo(now); len(n) != 28 || n[:16] != "2026113000002001" {
		t.Errorf("auth_no %q", n)
	}
	if n := newOperationID(now); len(n) != 20 || n[:8] != "20261130" {
		t.Errorf("operation_id %q", n)
	}
}

func TestFitsLetters(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want bool
	}{
		{strings.Repeat("a", 100), 100, true},
		{strings.Repeat("a", 101), 100, false},
		{strings.Repeat("押", 50), 100, true},
		{strings.Repeat("押", 51), 100, false},
		{strings.Repeat("押", 49) + "ab", 100, true},
		{strings.Repeat("押", 49) + "abc", 100, false},
	} {
		if got := fitsLetters(tc.s, tc.n); got != tc.want {
			t.Errorf("fitsLetters(%d runes, %d) = %v, want %v", len([]rune(tc.s)), tc.n, got, tc.want)
		}
	}
}

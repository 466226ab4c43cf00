package zfb

import (
	"testing"
	"time"
)

func TestToCNY(t *testing.T) {
	for _, tc := range []struct {
		currency string
		amount   int64
		want     int64
	}{
		{"CNY", 12345, 12345},
		{"USD", 100, 720},   // 1.00 USD = 7.20 CNY
		{"USD", 1, 7},       // 0.01 USD = 0.072 CNY, half up to 0.07
		{"HKD", 1000, 920},  // 10.00 HKD
		{"JPY", 1000, 4800}, // 1000 yen, no minor unit
		{"KRW", 1, 1},       // 0.0052 CNY is 0.52 fen: half up to 1 fen
		{"USD", maxIntlAmount, 72 * maxIntlAmount / 10},
	} {
		if got := toCNY(tc.currency, tc.amount); got != tc.want {
			t.Errorf("toCNY(%s, %d) = %d, want %d", tc.currency, tc.amount, got, tc.want)
		}
	}
}

func TestParseIntlAmount(t *testing.T) {
	for _, bad := range [][2]string{{"XXX", "100"}, {"USD", ""}, {"USD", "0"}, {"USD", "-1"}, {"USD", "1.5"}, {"USD", "1e3"}, {"USD", "100000000001"}, {"usd", "100"}} {
		if _, err := parseIntlAmount(bad[0], bad[1]); err == nil {
			t.Errorf("parseIntlAmount(%q, %q) accepted", bad[0], bad[1])
		} else if e, ok := AsError(err); !ok || e.SubCode != "PARAM_ILLEGAL" {
			t.Errorf("parseIntlAmount(%q, %q): %v, want PARAM_ILLEGAL", bad[0], bad[1], err)
		}
	}
	if n, err := parseIntlAmount("USD", "001000"); err != nil || n != 1000 {
		t.Errorf("parseIntlAmount(USD, 001000) = %d, %v", n, err)
	}
}

// TestRefundCNY: partial refunds give back CNY in proportion, and the
// refund that completes the payment's gives back exactly what is left, so
// that every fen paid returns.
func TestRefundCNY(t *testing.T) {
	p := &IntlPayment{Currency: "USD", Amount: 333, PaidCNY: toCNY("USD", 333)} // 23.98 CNY
	var back int64
	for _, part := range []int64{100, 100, 133} {
		r := &IntlRefund{Amount: part}
		addIntlRefund(p, r)
		back += r.AmountCNY
	}
	if back != p.PaidCNY || p.RefundedCNY != p.PaidCNY || p.RefundedAmount != p.Amount {
		t.Fatalf("refunded %d CNY of %d paid (payment %+v)", back, p.PaidCNY, p)
	}
}

func TestIntlCancelDeadline(t *testing.T) {
	created := time.Date(2026, 11, 29, 23, 50, 0, 0, Beijing)
	want := time.Date(2026, 11, 30, 0, 15, 0, 0, Beijing)
	if got := intlCancelDeadline(created); !got.Equal(want) {
		t.Errorf("deadline of %v = %v, want %v", created, got, want)
	}
	// 18:00 UTC is 02:00 the next day in Beijing: that day's deadline.
	utc := time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)
	if got, want := intlCancelDeadline(utc), time.Date(2026, 12, 1, 0, 15, 0, 0, Beijing); !got.Equal(want) {
		t.Errorf("deadline of %v = %v, want %v", utc, got, want)
	}
}

package zfb

import (
	"testing"
	"time"
)

func TestTradeLimitsExpiresAt(t *testing.T) {
	now := time.Date(2026, 11, 29, 21, 30, 0, 0, Beijing)
	at := func(s string) time.Time {
		t.Helper()
		tm, err := ParseGatewayTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name   string
		limits tradeLimits
		want   time.Time // zero: ACQ.INVALID_PARAMETER
	}{
		{"nothing given: the default", tradeLimits{}, now.Add(3 * time.Hour)},
		{"timeout_express 90m", tradeLimits{TimeoutExpress: "90m"}, now.Add(90 * time.Minute)},
		{"timeout_express 1h", tradeLimits{TimeoutExpress: "1h"}, now.Add(time.Hour)},
		{"timeout_express 1d", tradeLimits{TimeoutExpress: "1d"}, now.Add(24 * time.Hour)},
		{"timeout_express 1c: the end of the day, Beijing time", tradeLimits{TimeoutExpress: "1c"}, at("2026-11-30 00:00:00")},
		{"timeout_express 15d", tradeLimits{TimeoutExpress: "15d"}, now.Add(15 * 24 * time.Hour)},
		{"timeout_express 16d", tradeLimits{TimeoutExpress: "16d"}, time.Time{}},
		{"timeout_express 2c", tradeLimits{TimeoutExpress: "2c"}, time.Time{}},
		{"timeout_express 1.5h", tradeLimits{TimeoutExpress: "1.5h"}, time.Time{}},
		{"time_expire", tradeLimits{TimeExpire: "2026-11-29 22:00:00"}, at("2026-11-29 22:00:00")},
		{"time_expire without seconds", tradeLimits{TimeExpire: "2026-11-29 22:00"}, at("2026-11-29 22:00:00")},
		{"time_expire days away", tradeLimits{TimeExpire: "2026-12-20 08:00:00"}, at("2026-12-20 08:00:00")},
		{"time_expire wins over timeout_express, later", tradeLimits{TimeExpire: "2026-11-29 23:00:00", TimeoutExpress: "10m"}, at("2026-11-29 23:00:00")},
		{"time_expire wins over timeout_express, earlier", tradeLimits{TimeExpire: "2026-11-29 21:40:00", TimeoutExpress: "2h"}, at("2026-11-29 21:40:00")},
		{"time_expire now", tradeLimits{TimeExpire: "2026-11-29 21:30:00"}, time.Time{}},
		{"time_expire in the past", tradeLimits{TimeExpire: "2026-11-28 21:30:00"}, time.Time{}},
		{"time_expire malformed", tradeLimits{TimeExpire: "2026/11/29 22:00:00"}, time.Time{}},
		{"time_expire RFC 3339", tradeLimits{TimeExpire: "2026-11-29T22:00:00+08:00"}, time.Time{}},
		{"timeout_express malformed beside a good time_expire", tradeLimits{TimeExpire: "2026-11-29 22:00:00", TimeoutExpress: "soon"}, time.Time{}},
		{"qr_code_timeout_express earlier", tradeLimits{TimeoutExpress: "1h", QRCodeTimeoutExpress: "10m"}, now.Add(10 * time.Minute)},
		{"qr_code_timeout_express later", tradeLimits{TimeoutExpress: "1h", QRCodeTimeoutExpress: "2h"}, now.Add(time.Hour)},
		{"qr_code_timeout_express before time_expire", tradeLimits{TimeExpire: "2026-11-29 23:00:00", QRCodeTimeoutExpress: "5m"}, now.Add(5 * time.Minute)},
		{"qr_code_timeout_express malformed", tradeLimits{QRCodeTimeoutExpress: "0m"}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.limits.expiresAt(now, 3*time.Hour)
			if tc.want.IsZero() {
				e, ok := AsError(err)
				if !ok || e.SubCode != "ACQ.INVALID_PARAMETER" {
					t.Fatalf("got %v, %v; want ACQ.INVALID_PARAMETER", got, err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	// Just before midnight, 1c is the coming midnight; at midnight, the next.
	for _, tc := range []struct{ now, want string }{
		{"2026-11-29 23:59:59", "2026-11-30 00:00:00"},
		{"2026-11-30 00:00:00", "2026-12-01 00:00:00"},
	} {
		got, err := tradeLimits{TimeoutExpress: "1c"}.expiresAt(at(tc.now), time.Hour)
		if err != nil || !got.Equal(at(tc.want)) {
			t.Errorf("1c at %s: got %v, %v; want %s", tc.now, got, err, tc.want)
		}
	}
}

// FuzzTradeLimits: any limits either give a deadline after now, no later
// than the longest a limit allows when time_expire is absent, or are
// refused with ACQ.INVALID_PARAMETER.
func FuzzTradeLimits(f *testing.F) {
	for _, s := range [][3]string{
		{"", "", ""}, {"2026-11-29 22:00:00", "", ""}, {"", "90m", "15m"}, {"", "1c", ""},
		{"2026-11-29 22:00", "1d", "2h"}, {"9999-12-31 23:59:59", "", ""}, {"2026-02-30 10:00:00", "", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 11, 29, 21, 30, 0, 0, Beijing)
	f.Fuzz(func(t *testing.T, timeExpire, timeout, qr string) {
		l := tradeLimits{TimeExpire: timeExpire, TimeoutExpress: timeout, QRCodeTimeoutExpress: qr}
		at, err := l.expiresAt(now, time.Hour)
		if err != nil {
			if e, ok := AsError(err); !ok || e.SubCode != "ACQ.INVALID_PARAMETER" {
				t.Fatalf("%+v: %v", l, err)
			}
			return
		}
		if !at.After(now) {
			t.Fatalf("%+v: deadline %v not after now", l, at)
		}
		if timeExpire == "" && at.After(now.Add(15*24*time.Hour)) {
			t.Fatalf("%+v: deadline %v past 15d", l, at)
		}
	})
}

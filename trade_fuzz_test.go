package zfb

import (
	"testing"
	"time"
)

// FuzzParseTimeoutExpress: what parses lies within Alipay's 1m–15d.
func FuzzParseTimeoutExpress(f *testing.F) {
	for _, s := range []string{"90m", "1h", "15d", "16d", "1c", "2c", "0m", "-1h", "m", "1", "999999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseTimeoutExpress(s, time.Hour)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("%q: %v is not an Alipay error", s, err)
			}
			return
		}
		if s != "" && (d < time.Minute || d > 15*24*time.Hour) {
			t.Fatalf("%q parsed to %v, outside 1m–15d", s, d)
		}
	})
}

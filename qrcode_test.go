package zfb

import (
	"regexp"
	"testing"
	"time"
)

func TestQRCodeRoundTrip(t *testing.T) {
	shape := regexp.MustCompile(`^https://qr\.alipay\.com/bax[0-9a-z]{21}$`)
	for range 200 {
		no := newTradeNo(time.Now())
		code := qrCodeURL(no)
		if !shape.MatchString(code) {
			t.Fatalf("QR code %q is not shaped like Alipay's", code)
		}
		got, ok := TradeNoOfQRCode(QRCodeName(code))
		if !ok || got != no {
			t.Fatalf("TradeNoOfQRCode(%q) = %q %v, want %q", code, got, ok, no)
		}
	}
	for _, bad := range []string{"", "bax", "bax0", "baxABCDEFGHIJKLMNOPQRSTU", "abc000000000000000000000", "bax-00000000000000000001", "bax0000000000000000000001"} {
		if no, ok := TradeNoOfQRCode(bad); ok {
			t.Errorf("TradeNoOfQRCode(%q) = %q, want refused", bad, no)
		}
	}
}

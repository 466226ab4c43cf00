package zfb

import (
	"math/big"
	"strings"
)

// A precreated trade's QR code is shaped like Alipay's: "bax" and 21
// lowercase letters and digits (spec web-and-app-pay.md §6). zfb's 21
// characters are the trade_no in base 36, so that the cashier finds the
// trade a scanned code names without a lookup table; the code's host is
// the server's (the adapter's business), here Alipay's.

const (
	qrCodePrefix = "bax"
	qrCodeDigits = 21
	qrCodeHost   = "https://qr.alipay.com/"
)

// qrCodeURL is the QR code of the trade tradeNo, a 28-digit number.
func qrCodeURL(tradeNo string) string {
	n, ok := new(big.Int).SetString(tradeNo, 10)
	if !ok {
		return qrCodeHost + qrCodePrefix + randomToken(qrCodeDigits)
	}
	s := n.Text(36)
	return qrCodeHost + qrCodePrefix + strings.Repeat("0", max(qrCodeDigits-len(s), 0)) + s
}

// QRCodeName is the last part of a QR code URL: "bax…".
func QRCodeName(qrCode string) string { return qrCode[strings.LastIndexByte(qrCode, '/')+1:] }

// TradeNoOfQRCode is the trade_no a QR code name ("bax…") stands for.
func TradeNoOfQRCode(name string) (string, bool) {
	digits, ok := strings.CutPrefix(name, qrCodePrefix)
	if !ok || len(digits) != qrCodeDigits {
		return "", false
	}
	n, ok := new(big.Int).SetString(digits, 36)
	if !ok || n.Sign() < 0 || strings.ToLower(digits) != digits {
		return "", false
	}
	return n.Text(10), true
}

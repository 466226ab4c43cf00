package zfb

import (
	"crypto/rand"
	"math/big"
	"time"
)

// newTradeNo makes a trade number shaped like Alipay's: the date, "22001",
// and 15 random digits (28 digits in all).
func newTradeNo(now time.Time) string {
	return now.In(Beijing).Format("20060102") + "22001" + randomDigits(15)
}

// newAuthNo makes an authorisation order number shaped like Alipay's auth_no:
// the date, "00002001" and 12 random digits (28 digits).
func newAuthNo(now time.Time) string {
	return now.In(Beijing).Format("20060102") + "00002001" + randomDigits(12)
}

// newOperationID makes a fund operation number shaped like Alipay's
// operation_id: the date and 12 random digits (20 digits).
func newOperationID(now time.Time) string {
	return now.In(Beijing).Format("20060102") + randomDigits(12)
}

func randomDigits(n int) string { return randomString("0123456789", n) }

func randomToken(n int) string { return randomString("abcdefghijklmnopqrstuvwxyz0123456789", n) }

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet)))) // crypto/rand does not fail
		b[i] = alphabet[d.Int64()]
	}
	return string(b)
}

// newIntlAcquirementID makes an acquirementId shaped like Alipay's: the
// date, "11" and 18 random digits (28 digits).
func newIntlAcquirementID(now time.Time) string {
	return now.In(Beijing).Format("20060102") + "11" + randomDigits(18)
}

// newIntlRefundID makes a refundId: the date, "12" and 18 random digits.
func newIntlRefundID(now time.Time) string {
	return now.In(Beijing).Format("20060102") + "12" + randomDigits(18)
}

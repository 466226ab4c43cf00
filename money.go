package zfb

import (
	"errors"
	"strconv"
)

// Money is an amount in minor units (fen for CNY) and its ISO 4217 currency.
// float64 never holds money.
type Money struct {
	Amount   int64
	Currency string
}

// CNY is the currency of gateway.do trades.
const CNY = "CNY"

// MaxAmount is the largest amount gateway.do accepts: 100,000,000.00 yuan.
const MaxAmount int64 = 100_000_000_00

var errAmountSyntax = errors.New("amount must be digits with at most two decimals, like 0.01")

// ParseAmount parses an Alipay amount ("88.88", "1", "0.5") into minor units.
// It is strict: digits only, one optional point, at most two decimals, no
// sign, no exponent, no spaces, and at most MaxAmount.
func ParseAmount(s string) (int64, error) {
	if s == "" || len(s) > 13 {
		return 0, errAmountSyntax
	}
	var units, frac int64
	decimals := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if decimals >= 0 || i == 0 || i == len(s)-1 {
				return 0, errAmountSyntax
			}
			decimals = 0
		case c >= '0' && c <= '9':
			if decimals >= 0 {
				if decimals == 2 {
					return 0, errAmountSyntax
				}
				frac = frac*10 + int64(c-'0')
				decimals++
			} else {
				units = units*10 + int64(c-'0')
			}
		default:
			return 0, errAmountSyntax
		}
	}
	if decimals == 1 {
		frac *= 10
	}
	v := units*100 + frac
	if v > MaxAmount {
		return 0, errors.New("amount is above 100000000.00")
	}
	return v, nil
}

// FormatAmount renders minor units as Alipay does: always two decimals.
func FormatAmount(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	b := make([]byte, 0, 24)
	if neg {
		b = append(b, '-')
	}
	b = strconv.AppendInt(b, v/100, 10)
	b = append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
	return string(b)
}

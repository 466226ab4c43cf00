package zfb

import (
	"math/big"
	"strconv"
)

// The currencies international payments may be made in, with the number of
// decimals of their minor unit and the sandbox's fixed exchange rate: CNY
// per major unit, in ten-thousandths. The rates are round, plausible
// figures for testing, not market rates.
var currencies = map[string]struct {
	decimals int
	cnyRate  int64 // CNY per major unit × 10^4
}{
	"CNY": {2, 1_0000}, "USD": {2, 7_2000}, "HKD": {2, 9200}, "EUR": {2, 7_8000},
	"GBP": {2, 9_1000}, "JPY": {0, 480}, "KRW": {0, 52}, "SGD": {2, 5_3500},
	"AUD": {2, 4_7000}, "CAD": {2, 5_2000}, "NZD": {2, 4_3000}, "CHF": {2, 8_1000},
	"THB": {2, 2000}, "MYR": {2, 1_5500}, "MOP": {2, 8900},
}

// maxIntlAmount bounds an international amount in minor units: 10^11 (a
// billion major units of a two-decimal currency).
const maxIntlAmount = 100_000_000_000

// parseIntlAmount reads a Money value: minor units of currency as decimal
// digits, no sign, more than zero.
func parseIntlAmount(currency, value string) (int64, error) {
	if _, ok := currencies[currency]; !ok {
		return 0, IntlParamIllegal("currency " + strconv.Quote(currency) + " is not supported")
	}
	if value == "" || len(value) > 12 {
		return 0, IntlParamIllegal("the amount value must be 1 to 12 digits of minor units")
	}
	for i := 0; i < len(value); i++ {
		if value[i] < '0' || value[i] > '9' {
			return 0, IntlParamIllegal("the amount value must be digits of minor units, like \"1000\" for 10.00")
		}
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n <= 0 || n > maxIntlAmount {
		return 0, IntlParamIllegal("the amount value must be between 1 and 100000000000")
	}
	return n, nil
}

// toCNY converts amount minor units of currency to CNY fen at the
// sandbox's rate, rounding half up.
func toCNY(currency string, amount int64) int64 {
	c := currencies[currency]
	if currency == CNY {
		return amount
	}
	// fen = amount × rate × 100 / (10^4 × 10^decimals)
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(c.cnyRate*100))
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(4+c.decimals)), nil)
	num.Add(num, new(big.Int).Quo(den, big.NewInt(2)))
	return num.Quo(num, den).Int64()
}

// refundCNY is the CNY a refund of amount gives back to the buyer of p: in
// proportion to what was paid, and, for the refund that completes the
// payment's, exactly what is left, so that a payment refunded in full
// returns every fen the buyer paid.
func refundCNY(p *IntlPayment, amount int64) int64 {
	if p.RefundedAmount+amount == p.Amount {
		return p.PaidCNY - p.RefundedCNY
	}
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(p.PaidCNY))
	return min(num.Quo(num, big.NewInt(p.Amount)).Int64(), p.PaidCNY-p.RefundedCNY)
}

package zfb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Trade time-outs when the merchant gives none (spec §4.1, §4.6).
const (
	defaultPayTimeout       = 3 * time.Hour
	defaultPrecreateTimeout = 2 * time.Hour
	// CancelWindow is how long after payment alipay.trade.cancel may refund.
	CancelWindow = 24 * time.Hour
	// RefundPeriod is how long after payment a trade may be refunded; then
	// it is TRADE_FINISHED. Alipay's default for face-to-face payments is
	// three months (可退款期限; a merchant may have it extended):
	// UNCONFIRMED as an exact figure, so 90 days.
	RefundPeriod = 90 * 24 * time.Hour
)

// settleTrade applies to t, in memory, what the app's clock says has
// happened to it by now: a waiting trade whose time is up is closed, and a
// paid one whose refund period is over is finished. It reports whether t
// changed. Reads show a trade settled; commands write the settled trade
// (expire) before acting on it, and the scheduler writes it when it falls
// due, so time-outs follow the app's clock exactly, however it is moved.
func settleTrade(t *Trade, now time.Time) bool {
	switch {
	case t.Status == TradeWaitBuyerPay && !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		t.Status, t.ClosedAt = TradeClosed, t.ExpiresAt
		return true
	case t.Status == TradeSuccess && !t.PaidAt.IsZero() && !now.Before(t.PaidAt.Add(RefundPeriod)):
		t.Status = TradeFinished
		return true
	}
	return false
}

// closeTrade closes a trade waiting for payment, writes it and records the
// TRADE_CLOSED notification; known is what the caller has read of the
// trade's app and buyer in its transaction.
func (s *Service) closeTrade(ctx context.Context, q Queries, t *Trade, now time.Time, known tradeParties) error {
	t.Status, t.ClosedAt = TradeClosed, now
	if err := q.UpdateTrade(ctx, t); err != nil {
		return err
	}
	return s.notifyKnowing(ctx, q, t, now, nil, known)
}

// expire settles t and, when that changed it, writes it and records the
// notification of its new status.
func (s *Service) expire(ctx context.Context, q Queries, t *Trade, now time.Time) error {
	if !settleTrade(t, now) {
		return nil
	}
	if err := q.UpdateTrade(ctx, t); err != nil {
		return err
	}
	return s.notify(ctx, q, t, now, nil)
}

// validateTrade checks the fields every trade needs and parses the amount.
func validateTrade(outTradeNo, totalAmount, subject string) (int64, error) {
	if outTradeNo == "" || len(outTradeNo) > 64 {
		return 0, InvalidTradeParameter("out_trade_no 须为 1 到 64 个字符")
	}
	if !validOutNo(outTradeNo) {
		return 0, InvalidTradeParameter("out_trade_no 只能包含字母、数字、下划线")
	}
	amount, err := ParseAmount(totalAmount)
	if err != nil || amount == 0 {
		return 0, InvalidTradeParameter("total_amount 须为 0.01 到 100000000.00 之间的金额")
	}
	// Alipay's pages advise against "/", "=" and "&" in a subject (spec
	// §4.1) but its gateway takes them: any printable text is accepted.
	// Control characters, NUL and invalid UTF-8 are refused at the
	// adapters' input boundary (openapi/boundary.go).
	if strings.TrimSpace(subject) == "" || len([]rune(subject)) > 256 {
		return 0, InvalidTradeParameter("subject 不能为空且不能超过 256 个字符")
	}
	return amount, nil
}

// validOutNo reports whether s is a merchant number zfb accepts: 1 to 64
// characters, letters, digits and underscores as Alipay documents, and
// hyphens and dots, which merchants use widely.
func validOutNo(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// faceToFace accepts the product codes of face-to-face trades.
func faceToFace(productCode string) error {
	switch productCode {
	case "", "FACE_TO_FACE_PAYMENT", "OFFLINE_PAYMENT", "QUICK_MSECURITY_PAY", "JSAPI_PAY":
		return nil
	}
	return InvalidTradeParameter("product_code " + productCode + " 不支持")
}

// parseTimeoutExpress reads Alipay's timeout_express: 1m to 15d, in m, h or
// d, or "1c" (the end of the current day).
func parseTimeoutExpress(s string, fallback time.Duration) (time.Duration, error) {
	if s == "" {
		return fallback, nil
	}
	invalid := InvalidTradeParameter("timeout_express 取值范围为 1m～15d")
	if len(s) < 2 {
		return 0, invalid
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 {
		return 0, invalid
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'c':
		if n != 1 {
			return 0, invalid
		}
		return 24 * time.Hour, nil // at most a day; "the end of today" needs a date
	default:
		return 0, invalid
	}
	// Compare before multiplying: a large count would overflow.
	const longest = 15 * 24 * time.Hour
	if n > int(longest/unit) {
		return 0, invalid
	}
	return time.Duration(n) * unit, nil
}

// PayFingerprint is the fingerprint alipay.trade.pay gives a new trade of
// amount (fen) and subject, by which a repeated pay with other parameters
// is refused. For tools that store paid trades directly (zfbload --trades),
// so that theirs answer a repeated pay like any other.
func PayFingerprint(amount int64, subject string) string {
	return fingerprint(TradeKindPay, amount, subject)
}

// fingerprint digests the parameters that define a trade.
func fingerprint(kind string, amount int64, subject string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strconv.FormatInt(amount, 10) + "\x00" + subject))
	return hex.EncodeToString(sum[:16])
}

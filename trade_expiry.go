package zfb

import (
	"time"
)

// tradeLimits are the time limits a merchant may put on a new trade
// (spec/openapi.md §4.1, §4.6; spec/web-and-app-pay.md §2.4, §6).
type tradeLimits struct {
	// TimeExpire is the absolute time the trade closes unpaid, Beijing
	// time "yyyy-MM-dd HH:mm:ss" (the 2020 wap and app models use
	// "yyyy-MM-dd HH:mm"; both are accepted).
	TimeExpire string
	// TimeoutExpress is relative: 1m to 15d in m, h or d, or "1c", the end
	// of the current day (Beijing time).
	TimeoutExpress string
	// QRCodeTimeoutExpress (precreate only) is how long the QR code can be
	// paid, counted from its creation, in the units of TimeoutExpress.
	QRCodeTimeoutExpress string
}

// timeExpireLayouts are the forms of time_expire Alipay's models document.
var timeExpireLayouts = []string{GatewayTimeLayout, "2006-01-02 15:04"}

// expiresAt is when a trade created at now closes unpaid. Each limit given
// must be well formed (else ACQ.INVALID_PARAMETER, and nothing is created).
//
//   - time_expire, when given, decides, over timeout_express: Alipay's doc
//     text says that when both are sent time_expire is used
//     (spec/web-and-app-pay.md §2.4). One not after now is refused.
//   - else timeout_express, counted from now; else fallback (the product's
//     default time-out).
//   - qr_code_timeout_express limits how long a precreated trade's QR code
//     can be paid: the trade closes at the earlier of it and the above. On
//     Alipay timeout_express starts only when the buyer scans (spec
//     web-and-app-pay.md §6); zfb keeps one deadline per trade and starts
//     every limit at creation, so a precreated trade can close earlier
//     than on Alipay by the time the buyer took to scan, never later.
func (l tradeLimits) expiresAt(now time.Time, fallback time.Duration) (time.Time, error) {
	at := now.Add(fallback)
	if l.TimeoutExpress != "" {
		t, err := timeoutDeadline("timeout_express", l.TimeoutExpress, now)
		if err != nil {
			return time.Time{}, err
		}
		at = t
	}
	if l.TimeExpire != "" {
		t, err := parseTimeExpire(l.TimeExpire)
		if err != nil {
			return time.Time{}, err
		}
		if !t.After(now) {
			return time.Time{}, InvalidTradeParameter("time_expire 不能早于当前时间")
		}
		at = t
	}
	if l.QRCodeTimeoutExpress != "" {
		t, err := timeoutDeadline("qr_code_timeout_express", l.QRCodeTimeoutExpress, now)
		if err != nil {
			return time.Time{}, err
		}
		if t.Before(at) {
			at = t
		}
	}
	return at, nil
}

// parseTimeExpire reads time_expire as Beijing time.
func parseTimeExpire(s string) (time.Time, error) {
	for _, layout := range timeExpireLayouts {
		if t, err := time.ParseInLocation(layout, s, Beijing); err == nil {
			return t, nil
		}
	}
	return time.Time{}, InvalidTradeParameter("time_expire 格式须为 yyyy-MM-dd HH:mm:ss")
}

// timeoutDeadline is the end of a relative limit given at now: "1c" is the
// next midnight, Beijing time; the rest as parseTimeoutExpress reads them.
// field names the parameter in the error.
func timeoutDeadline(field, s string, now time.Time) (time.Time, error) {
	if s == "1c" {
		y, m, d := now.In(Beijing).Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, Beijing), nil
	}
	d, err := parseTimeoutExpress(s, 0)
	if err != nil {
		return time.Time{}, InvalidTradeParameter(field + " 取值范围为 1m～15d")
	}
	return now.Add(d), nil
}

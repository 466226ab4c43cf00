package reqlog

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
)

// refKeys are the JSON fields, in requests and answers of both dialects,
// that number an object: a search for their value finds the call.
var refKeys = map[string]bool{
	"out_trade_no": true, "trade_no": true, "out_request_no": true, "auth_no": true,
	"out_order_no": true, "operation_id": true, "acquirementId": true,
	"merchantTransId": true, "refundId": true, "merchantRefundId": true,
}

// How secrets are masked wherever they occur in a record. Payment codes
// debit a buyer at any till: like the dashboard, the log shows their first
// two and last four digits. Tokens act for a merchant: their first and
// last four characters.
var secretKeys = map[string]func(string) string{
	"auth_code":         paymentCode, // gateway.do trade.pay, fund.auth freeze
	"identityCode":      paymentCode, // intl offline pay
	"app_auth_token":    token,
	"app_refresh_token": token,
	"refresh_token":     token, // alipay.open.auth.token.app's biz_content
}

// minSecret is the shortest value masked wherever it occurs; a shorter one
// is masked where it stands only, so that "1" does not mask every digit.
const minSecret = 6

// prepare masks the record's secrets, finds its references and bounds its
// texts. It runs on the recorder's goroutine, after Complete.
func prepare(r *zfb.RequestRecord) {
	found := map[string]string{} // secret value → masked
	var refs []string
	visit := func(name, value string) {
		if value == "" {
			return
		}
		if m, ok := secretKeys[name]; ok {
			found[value] = m(value)
		}
		if refKeys[name] {
			refs = append(refs, value)
		}
	}
	walk := func(text string) {
		if looksLikeJSON(text) {
			eachString(text, visit)
		}
	}
	for k, v := range r.Params {
		if m, ok := secretKeys[k]; ok && v != "" {
			found[v] = m(v)
		}
		walk(v)
	}
	if s, ok := r.Params["sign"]; ok && s != "" {
		r.Params["sign"] = signature(s)
	}
	walk(r.Answer)
	r.Refs = append(r.Refs, refs...)

	var pairs []string
	for secret, masked := range found {
		if len(secret) >= minSecret {
			pairs = append(pairs, secret, masked)
		}
	}
	replace := func(s string) string { return s }
	if len(pairs) > 0 {
		rep := strings.NewReplacer(pairs...)
		replace = rep.Replace
	}
	for k, v := range r.Params {
		if m, ok := secretKeys[k]; ok && v != "" && len(v) < minSecret {
			v = m(v)
		}
		r.Params[k] = bound(replace(v))
	}
	r.SignContent = bound(replace(r.SignContent))
	answer := replace(r.Answer)
	if len(answer) > zfb.MaxRecordedAnswer {
		answer, r.AnswerTruncated = cut(answer, zfb.MaxRecordedAnswer), true
	}
	r.Answer = answer
	for i, ref := range r.Refs {
		r.Refs[i] = replace(ref)
	}
}

func looksLikeJSON(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// paymentCode shows a payment code's first two and last four characters.
func paymentCode(s string) string {
	c := []rune(s)
	if len(c) <= 6 {
		return strings.Repeat("*", len(c))
	}
	return string(c[:2]) + strings.Repeat("*", len(c)-6) + string(c[len(c)-4:])
}

// token shows a token's first and last four characters.
func token(s string) string {
	c := []rune(s)
	if len(c) <= 8 {
		return strings.Repeat("*", len(c))
	}
	return string(c[:4]) + "****" + string(c[len(c)-4:])
}

// signature shows the start of a sign value and its length: enough to tell
// two apart, not to copy.
func signature(s string) string {
	c := []rune(s)
	if len(c) <= 12 {
		return strings.Repeat("*", len(c))
	}
	return string(c[:8]) + "…(" + strconv.Itoa(len(c)) + " characters)"
}

// maxText bounds each text of a record but the answer.
const maxText = 64 << 10

func bound(s string) string {
	if len(s) <= maxText {
		return s
	}
	return cut(s, maxText) + "…(cut)"
}

// cut cuts s at n bytes at most, on a character boundary.
func cut(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Package mask hides what Alipay's answers and notifications show of a
// buyer only in part: their logon id.
package mask

import "strings"

// LogonID hides most of a logon id, as Alipay's answers show a buyer's:
// "138****5678" for a phone number, "tes***@example.com" for an e-mail. It
// counts characters, not bytes, so a Chinese id is never cut inside a
// character, and it always hides something of an id of two or more
// characters. An id holding '*' is taken as masked already and left as it
// is (Alipay logon ids are phone numbers and e-mail addresses, which hold
// none).
func LogonID(id string) string {
	if strings.IndexByte(id, '*') >= 0 {
		return id
	}
	if at := strings.IndexByte(id, '@'); at > 0 {
		local := []rune(id[:at])
		keep := min(3, len(local)-1)
		return string(local[:max(keep, 1)]) + "***" + id[at:]
	}
	r := []rune(id)
	switch n := len(r); {
	case n >= 11: // a phone number's length or more: 3 shown, 4 at the end
		return string(r[:3]) + "****" + string(r[n-4:])
	case n >= 3: // short: the first and last character
		return string(r[:1]) + "****" + string(r[n-1:])
	case n == 2:
		return string(r[:1]) + "*"
	}
	return id
}

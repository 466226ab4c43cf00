package intl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb/internal/jsontext"
	"github.com/zfbpay/zfb/internal/textcheck"
)

// The input boundary of the dialect. Every key and string of the request
// value — head and body, at any depth — is checked here once, before the
// API runs: no control characters, and at most the documented length. (The
// envelope is already known to be JSON in UTF-8.) head.clientId is checked
// before it is looked up, so that a NUL in it is a PARAM_ILLEGAL on every
// backend rather than an error of PostgreSQL's, which refuses NUL in TEXT.
// What passes can be stored by either backend unchanged.

// DefaultTimestampSkew is how far head.reqTime may be from zfb's clock by
// default, so that a request captured on another day cannot be replayed.
// It is gateway.do's window (openapi.DefaultTimestampSkew), for one rule in
// both dialects; the intl clients write reqTime with its offset, so they
// need less, but the window refuses nothing an honest client sends.
const DefaultTimestampSkew = 24 * time.Hour

const (
	// maxKey is the length of a member name.
	maxKey = 128
	// maxOther is the length, in bytes, of a string of a member that has
	// no documented length of its own.
	maxOther = 4 << 10
)

// textClass is what a string may contain besides printable characters.
type textClass = textcheck.Class

const (
	identifier = textcheck.Identifier
	freeText   = textcheck.FreeText
)

type limit struct {
	max   int // characters
	class textClass
}

// limits are the lengths of the members of the request value, by path
// (arrays take their member's path): seed 001 and spec §2.1 for the head
// (version String(8), function String(128), clientId String(32), reqMsgId
// String(64), reserve String(256), signType and accessToken String(64)),
// spec §4.1 and §4.4 for the body (partnerId String(32), merchantId,
// merchantTransId, acquirementId String(64), refundReason 256, extendInfo
// 2048). orderTitle 256 and merchantRefundId 64 are the siblings' (AMS
// orderDescription, refundRequestId); currency is ISO 4217's three
// letters. The rest are zfb's generous choices.
var limits = map[string]limit{
	"head.version":                    {8, identifier},
	"head.function":                   {128, identifier},
	"head.clientId":                   {32, identifier},
	"head.reqTime":                    {64, identifier},
	"head.reqMsgId":                   {64, identifier},
	"head.reserve":                    {256, freeText},
	"head.signType":                   {64, identifier},
	"head.accessToken":                {64, identifier},
	"body.partnerId":                  {32, identifier},
	"body.merchantId":                 {64, identifier},
	"body.merchantTransId":            {64, identifier},
	"body.acquirementId":              {64, identifier},
	"body.merchantRefundId":           {64, identifier},
	"body.productCode":                {64, identifier},
	"body.codeType":                   {64, identifier},
	"body.identityCode":               {64, identifier},
	"body.settleContractId":           {64, identifier},
	"body.notifyUrl":                  {1024, identifier},
	"body.order.orderTitle":           {256, freeText},
	"body.order.orderAmount.currency": {3, identifier},
	"body.order.orderAmount.value":    {32, identifier},
	"body.refundAmount.currency":      {3, identifier},
	"body.refundAmount.value":         {32, identifier},
	"body.refundReason":               {256, freeText},
	"body.extendInfo":                 {2048, freeText},
}

// objectLimits bound members that may be sent as a JSON string or as the
// object itself: as an object, its compact text.
var objectLimits = map[string]int{"reserve": 256, "extendInfo": 2048}

// checkClientID checks head.clientId before it is looked up.
func checkClientID(clientID string) *outcome {
	if detail := checkText(clientID, limits["head.clientId"]); detail != "" {
		return paramIllegal("head.clientId " + detail)
	}
	return nil
}

// checkRequest checks every key and string of the request value (head
// and body) against its boundary.
func checkRequest(req *request) *outcome {
	if !plainRequestPasses(string(req.env.Value)) {
		var v any
		if err := json.Unmarshal(req.env.Value, &v); err != nil {
			return paramIllegal("the request must be a JSON object")
		}
		if detail := checkValue(v, ""); detail != "" {
			return paramIllegal(detail)
		}
	}
	if r := req.head.reserve; len(r) > 0 && r[0] != '"' && len(r) > objectLimits["reserve"] {
		return paramIllegal("head.reserve must be at most " + strconv.Itoa(objectLimits["reserve"]) + " characters")
	}
	if body, err := req.bodyObject(); err == nil {
		if ext := body["extendInfo"]; len(ext) > 0 && ext[0] != '"' && compactLen(ext) > objectLimits["extendInfo"] {
			return paramIllegal("extendInfo must be at most " + strconv.Itoa(objectLimits["extendInfo"]) + " characters")
		}
	}
	return nil
}

func compactLen(raw json.RawMessage) int {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return len(raw)
	}
	return buf.Len()
}

// checkValue checks v, found at path, and what it holds; "" means it
// passes, else the detail names the member.
func checkValue(v any, path string) string {
	switch v := v.(type) {
	case string:
		l, limited := limits[path]
		if detail := checkString(v, l, limited); detail != "" {
			return path + " " + detail
		}
	case []any:
		for _, e := range v {
			if detail := checkValue(e, path); detail != "" {
				return detail
			}
		}
	case map[string]any:
		for k, e := range v {
			member := k
			if path != "" {
				member = path + "." + k
			}
			if detail := checkText(k, keyLimit); detail != "" {
				return "the name of " + strconv.QuoteToASCII(member) + " " + detail
			}
			if detail := checkValue(e, member); detail != "" {
				return detail
			}
		}
	}
	return ""
}

// keyLimit is the boundary of every member name.
var keyLimit = limit{maxKey, identifier}

// checkString checks a string value against l when it is limited, else as
// free text of maxOther bytes; "" means it passes, else the detail follows
// the value's path.
func checkString(v string, l limit, limited bool) string {
	if limited {
		return checkText(v, l)
	}
	if len(v) > maxOther {
		return "must be at most " + strconv.Itoa(maxOther) + " bytes"
	}
	return checkClass(v, freeText)
}

// maxPlainDepth is how deep plainRequestPasses follows objects; a deeper
// request goes to the full check.
const maxPlainDepth = 16

// plainRequestPasses is checkRequest's fast path for the usual request
// value (valid JSON in UTF-8, as ExtractEnvelope found it): objects whose
// members are strings without escapes (encoding/json decodes those to
// their bytes), objects, true, false or null. It checks every name and
// string where it stands, by the path checkValue gives it, without
// decoding the value into maps and interfaces, and reports true only when
// all pass, so when checkValue would pass them too. false means another
// shape (an array, a number, an escape) or a failure, for the full check
// to decide and word.
func plainRequestPasses(value string) bool {
	var buf [64]byte
	path := buf[:0]
	i, ok := plainObjectPasses(value, jsontext.SkipSpace(value, 0), &path, 0)
	return ok && jsontext.SkipSpace(value, i) == len(value)
}

// plainObjectPasses checks the object at s[i:], whose members' paths
// extend *path, and returns the index after it.
func plainObjectPasses(s string, i int, path *[]byte, depth int) (int, bool) {
	if depth > maxPlainDepth || i == len(s) || s[i] != '{' {
		return 0, false
	}
	if i = jsontext.SkipSpace(s, i+1); i < len(s) && s[i] == '}' {
		return i + 1, true
	}
	base := len(*path) // each member's path replaces the one before
	for {
		name, next, ok := jsontext.PlainString(s, i)
		if !ok || checkText(name, keyLimit) != "" {
			return 0, false
		}
		*path = (*path)[:base]
		if base > 0 {
			*path = append(*path, '.')
		}
		*path = append(*path, name...)
		if i = jsontext.SkipSpace(s, next); i == len(s) || s[i] != ':' {
			return 0, false
		}
		i = jsontext.SkipSpace(s, i+1)
		switch rest := s[i:]; {
		case strings.HasPrefix(rest, `"`):
			v, next, ok := jsontext.PlainString(s, i)
			if !ok {
				return 0, false
			}
			l, limited := limits[string(*path)]
			if checkString(v, l, limited) != "" {
				return 0, false
			}
			i = next
		case strings.HasPrefix(rest, "{"):
			if i, ok = plainObjectPasses(s, i, path, depth+1); !ok {
				return 0, false
			}
		case strings.HasPrefix(rest, "true"), strings.HasPrefix(rest, "null"):
			i += 4
		case strings.HasPrefix(rest, "false"):
			i += 5
		default:
			return 0, false
		}
		switch i = jsontext.SkipSpace(s, i); {
		case i == len(s):
			return 0, false
		case s[i] == ',':
			i = jsontext.SkipSpace(s, i+1)
		case s[i] == '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// checkText checks s against l; "" means it passes.
func checkText(s string, l limit) string {
	if detail := checkClass(s, l.class); detail != "" {
		return detail
	}
	if textcheck.Longer(s, l.max) {
		return "must be at most " + strconv.Itoa(l.max) + " characters"
	}
	return ""
}

// checkClass refuses invalid UTF-8 and the control characters (C0, DEL,
// C1) class does not allow; "" means s passes.
func checkClass(s string, class textClass) string {
	switch textcheck.Check(s, class) {
	case textcheck.InvalidUTF8:
		return "must be UTF-8"
	case textcheck.Control:
		return "must not contain control characters"
	}
	return ""
}

// timely reports whether reqTime is within the window of zfb's clock or
// of the app's (appNow), which a tester may have moved: clients stamp
// their wall clock, and one that stamps the app's moved time passes too.
func (h *Handler) timely(reqTime, appNow time.Time) bool {
	d := h.timestampSkew
	if d <= 0 {
		return true
	}
	within := func(now time.Time) bool { return !reqTime.Before(now.Add(-d)) && !reqTime.After(now.Add(d)) }
	return within(h.svc.Clock.Now()) || within(appNow)
}

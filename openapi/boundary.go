package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/jsontext"
	"github.com/zfbpay/zfb/internal/textcheck"
)

// The input boundary of gateway.do. Every string that enters — each form
// key and value, and each key and string value of biz_content at any depth —
// is checked here once, before anything reads the store or runs a method:
// valid text in the request charset (readRequest), no control characters,
// and at most Alipay's documented length. What passes can be stored by
// either backend unchanged (PostgreSQL's TEXT refuses NUL, SQLite's does
// not), so both answer the same.

const (
	// maxParams is how many form parameters a request may carry, query and
	// body together. A gateway.do call has about fifteen.
	maxParams = 1000
	// maxKey is the length of a parameter name, and of a biz_content key.
	maxKey = 128
	// maxOther is the length of a parameter, or of a biz_content string,
	// that has no documented length of its own.
	maxOther = 4 << 10
	// maxBizContent is the length of biz_content, in bytes. Alipay writes
	// "最大长度不限" (unlimited); 64 KiB is some thirty times the largest
	// real request (goods_detail with dozens of items).
	maxBizContent = 64 << 10
)

// textClass is what a string may contain besides printable characters.
type textClass = textcheck.Class

const (
	identifier = textcheck.Identifier
	freeText   = textcheck.FreeText
)

// limit is the boundary of one field: its length in characters (runes;
// with letters, a character outside ASCII counts as two, Alipay's "n
// letters or n/2 Chinese characters") and what it may contain.
type limit struct {
	max     int
	class   textClass
	letters bool
}

// commonLimits are the documented maximum lengths of the common
// parameters (spec §1.2; Alipay's "公共请求参数" table, whose copies in
// public code give app_id 32, method 128, format 40, return_url 256,
// charset 10, sign_type 10, sign 344, timestamp 19, version 3, notify_url
// 256, app_auth_token 40). sign is 344 Base64 characters for a 2048-bit
// key; zfb allows 1024 so that a 4096-bit key (684) fits. The rest are
// zfb's generous choices for parameters Alipay gives no length.
var commonLimits = map[string]limit{
	"app_id":              {32, identifier, false},
	"method":              {128, identifier, false},
	"format":              {40, identifier, false},
	"charset":             {10, identifier, false},
	"sign_type":           {10, identifier, false},
	"sign":                {1024, identifier, false},
	"timestamp":           {19, identifier, false},
	"version":             {3, identifier, false},
	"notify_url":          {256, identifier, false},
	"return_url":          {256, identifier, false},
	"app_auth_token":      {40, identifier, false},
	"auth_token":          {40, identifier, false},
	"encrypt_type":        {10, identifier, false},
	"app_cert_sn":         {64, identifier, false},
	"alipay_root_cert_sn": {256, identifier, false},
	"alipay_sdk":          {128, identifier, false},
	"prod_code":           {128, identifier, false},
	"terminal_type":       {128, identifier, false},
	"target_app_id":       {32, identifier, false},
	"biz_content":         {maxBizContent, freeText, false}, // bytes, see checkParam
}

// commonOrder is the order in which the common parameters are checked, so
// that a request with several faults always gets the same answer.
var commonOrder = []string{
	"app_id", "method", "format", "charset", "sign_type", "sign", "timestamp", "version",
	"notify_url", "return_url", "app_auth_token", "auth_token", "encrypt_type", "app_cert_sn",
	"alipay_root_cert_sn", "alipay_sdk", "prod_code", "terminal_type", "target_app_id", "biz_content",
}

// commonErrors are the specific codes of the common parameters that have
// one (spec §3); any other parameter is 40002 isv.invalid-parameter.
var commonErrors = map[string]*zfb.Error{
	"app_id":       zfb.ErrInvalidAppID,
	"method":       zfb.ErrInvalidMethod,
	"format":       zfb.ErrInvalidFormat,
	"charset":      zfb.ErrInvalidCharset,
	"sign_type":    zfb.ErrInvalidSignatureType,
	"timestamp":    zfb.ErrInvalidTimestamp,
	"sign":         zfb.NewError(zfb.CodeInvalidArguments, "isv.invalid-signature", "无效签名"),
	"encrypt_type": zfb.NewError(zfb.CodeInvalidArguments, "isv.invalid-encrypt-type", "无效的加密类型"),
}

// bizLimits are the documented lengths of biz_content's top-level fields
// (the API pages of alipay.trade.* and alipay.fund.auth.*: out_trade_no,
// trade_no 64, subject 256, body 128, notify_url 256; auth_code 32; the
// fund authorisation's out_order_no, out_request_no, auth_no, operation_id
// 64, order_title and remark "100 letters or 50 Chinese characters";
// refund_reason 256). Amounts, codes and user ids are identifiers of
// zfb's generous lengths. A field not listed is free text of maxOther
// bytes; nested values are too (goods_detail.body, say, has a length of
// its own).
var bizLimits = map[string]limit{
	"out_trade_no":      {64, identifier, false},
	"trade_no":          {64, identifier, false},
	"out_request_no":    {64, identifier, false},
	"out_order_no":      {64, identifier, false},
	"auth_no":           {64, identifier, false},
	"operation_id":      {64, identifier, false},
	"auth_code":         {32, identifier, false},
	"notify_url":        {256, identifier, false},
	"subject":           {256, freeText, false},
	"body":              {128, freeText, false},
	"refund_reason":     {256, freeText, false},
	"order_title":       {100, freeText, true},
	"remark":            {100, freeText, true},
	"total_amount":      {32, identifier, false},
	"refund_amount":     {32, identifier, false},
	"amount":            {32, identifier, false},
	"buyer_id":          {64, identifier, false},
	"buyer_open_id":     {128, identifier, false},
	"seller_id":         {64, identifier, false},
	"payee_user_id":     {64, identifier, false},
	"payer_user_id":     {64, identifier, false},
	"scene":             {64, identifier, false},
	"product_code":      {64, identifier, false},
	"auth_code_type":    {64, identifier, false},
	"auth_confirm_mode": {64, identifier, false},
	"timeout_express":   {64, identifier, false},
	"pay_timeout":       {64, identifier, false},
	"trans_currency":    {64, identifier, false},
	"passback_params":   {512, freeText, false},
}

// commonParamError is the answer to common parameter name that fails its
// boundary: its specific code where Alipay has one, else
// isv.invalid-parameter, naming it either way.
func commonParamError(name, detail string) *zfb.Error {
	if e, ok := commonErrors[name]; ok {
		return zfb.NewError(e.Code, e.SubCode, e.SubMsg+": "+name+" "+detail)
	}
	return zfb.InvalidParameter(name + " " + detail)
}

// checkParams checks every form parameter against its boundary: the
// common ones in commonOrder, then the others in name order. The request's
// text is already known to be valid in its charset (readRequest).
func checkParams(params map[string]string) *zfb.Error {
	for _, name := range commonOrder {
		if v, ok := params[name]; ok {
			if detail := checkParam(name, v); detail != "" {
				return commonParamError(name, detail)
			}
		}
	}
	var others []string
	for name := range params {
		if _, common := commonLimits[name]; !common {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		if detail := checkText(name, limit{maxKey, identifier, false}); detail != "" {
			return zfb.InvalidParameter("参数名 " + strconv.QuoteToASCII(name) + " " + detail)
		}
		if detail := checkParam(name, params[name]); detail != "" {
			return zfb.InvalidParameter(name + " " + detail)
		}
	}
	return nil
}

// checkParam checks one parameter's value; "" means it passes.
func checkParam(name, v string) string {
	if name == "biz_content" {
		if len(v) > maxBizContent {
			return "不能超过 " + strconv.Itoa(maxBizContent) + " 字节"
		}
		return checkClass(v, freeText)
	}
	l, ok := commonLimits[name]
	if !ok {
		if len(v) > maxOther {
			return "不能超过 " + strconv.Itoa(maxOther) + " 字节"
		}
		return checkClass(v, freeText)
	}
	return checkText(v, l)
}

// checkText checks s against l; "" means it passes.
func checkText(s string, l limit) string {
	if detail := checkClass(s, l.class); detail != "" {
		return detail
	}
	if l.letters {
		if textcheck.Width(s) > l.max {
			return "不能超过 " + strconv.Itoa(l.max) + " 个字母或 " + strconv.Itoa(l.max/2) + " 个汉字"
		}
		return ""
	}
	if textcheck.Longer(s, l.max) {
		return "不能超过 " + strconv.Itoa(l.max) + " 个字符"
	}
	return ""
}

// checkClass refuses invalid UTF-8 and the control characters (C0, DEL,
// C1) class does not allow; "" means s passes.
func checkClass(s string, class textClass) string {
	switch textcheck.Check(s, class) {
	case textcheck.InvalidUTF8:
		return "不是有效的 UTF-8"
	case textcheck.Control:
		return "不能含有控制字符"
	}
	return ""
}

// checkBizContent checks every key and string value of biz (valid JSON)
// against its boundary: a top-level field against bizLimits (matched
// without regard to case, as encoding/json matches the methods' fields),
// anything else as free text of maxOther bytes. A failure is the API
// family's invalid-parameter answer.
func checkBizContent(method, biz string) error {
	if flatBizPasses(biz) {
		return nil
	}
	return checkDecodedBizContent(method, biz)
}

// checkDecodedBizContent is checkBizContent on biz decoded by
// encoding/json, for any shape.
func checkDecodedBizContent(method, biz string) error {
	var v any
	if err := json.Unmarshal([]byte(biz), &v); err != nil {
		return bizError(method, "biz_content 不是合法的 JSON 对象")
	}
	if detail := checkBizValue(v, "", 0); detail != "" {
		return bizError(method, detail)
	}
	return nil
}

// bizKeyLimit is the boundary of every key in biz_content.
var bizKeyLimit = limit{maxKey, identifier, false}

// flatBizPasses is checkBizContent's fast path for the usual biz_content,
// valid JSON that is one object of string values, none with an escape
// (every query's): it checks each key and value as they stand in biz,
// without decoding biz into maps and interfaces. It reports true only
// when every key and value passes, so when checkBizValue would pass them
// too; false means another shape or a failure, for the full check to
// decide and word.
func flatBizPasses(biz string) bool {
	i := jsontext.SkipSpace(biz, 0)
	if i == len(biz) || biz[i] != '{' {
		return false
	}
	i = jsontext.SkipSpace(biz, i+1)
	if i < len(biz) && biz[i] == '}' {
		return jsontext.SkipSpace(biz, i+1) == len(biz)
	}
	for {
		key, next, ok := jsontext.PlainString(biz, i)
		if !ok {
			return false
		}
		i = jsontext.SkipSpace(biz, next)
		if i == len(biz) || biz[i] != ':' {
			return false
		}
		value, next, ok := jsontext.PlainString(biz, jsontext.SkipSpace(biz, i+1))
		if !ok || checkText(key, bizKeyLimit) != "" || checkBizString(value, key, 1) != "" {
			return false
		}
		i = jsontext.SkipSpace(biz, next)
		switch {
		case i == len(biz):
			return false
		case biz[i] == ',':
			i = jsontext.SkipSpace(biz, i+1)
		case biz[i] == '}':
			return jsontext.SkipSpace(biz, i+1) == len(biz)
		default:
			return false
		}
	}
}

func checkBizValue(v any, field string, depth int) string {
	switch v := v.(type) {
	case string:
		return checkBizString(v, field, depth)
	case []any:
		for _, e := range v {
			if detail := checkBizValue(e, field, depth); detail != "" {
				return detail
			}
		}
	case map[string]any:
		for k, e := range v {
			if detail := checkText(k, bizKeyLimit); detail != "" {
				return "biz_content 的键 " + strconv.QuoteToASCII(k) + " " + detail
			}
			if detail := checkBizValue(e, k, depth+1); detail != "" {
				return detail
			}
		}
	}
	return ""
}

// checkBizString checks a string value of field at depth in biz_content
// (1: a top-level field); "" means it passes.
func checkBizString(v, field string, depth int) string {
	if depth == 1 {
		if l, ok := bizLimit(field); ok {
			if detail := checkText(v, l); detail != "" {
				return field + " " + detail
			}
			return ""
		}
	}
	if len(v) > maxOther {
		return field + " 不能超过 " + strconv.Itoa(maxOther) + " 字节"
	}
	if detail := checkClass(v, freeText); detail != "" {
		return field + " " + detail
	}
	return ""
}

// bizLimit finds the limit of a top-level field: by its exact name, or one
// that encoding/json would take for it (case-insensitively).
func bizLimit(field string) (limit, bool) {
	if l, ok := bizLimits[field]; ok {
		return l, true
	}
	for name, l := range bizLimits {
		if strings.EqualFold(name, field) {
			return l, true
		}
	}
	return limit{}, false
}

// bizError is the invalid-parameter answer of the method's API family:
// ACQ.INVALID_PARAMETER for alipay.trade.*, ILLEGAL_ARGUMENT for
// alipay.fund.auth.*, 40002 isv.invalid-parameter for anything else.
func bizError(method, detail string) error {
	switch {
	case strings.HasPrefix(method, "alipay.trade."):
		return zfb.InvalidTradeParameter(detail)
	case strings.HasPrefix(method, "alipay.fund.auth."):
		return zfb.IllegalArgument(detail)
	}
	return zfb.InvalidParameter(detail)
}

// addressable reports whether a method name can address an answer: the
// node is named after it, so a name that fails its boundary is answered
// under error_response.
func addressable(method string) bool { return checkText(method, commonLimits["method"]) == "" }

var errSemicolon = errors.New("invalid semicolon separator in query")

// addressing are the parameters that address and sign an answer; past
// maxParams, or in a body cut at the size limit, only they are read.
var addressing = map[string]bool{"app_id": true, "method": true, "charset": true, "sign_type": true}

// formPair is one key=value pair of a form or query string, unescaped.
type formPair struct{ key, value string }

// parseForm parses s as url.ParseQuery does, keeping every pair up to keep
// pairs and past that only the addressing ones; n counts every pair. The
// pairs come in the order sent, in one slice (a form of a dozen
// parameters is one allocation, not a map and a slice per key).
func parseForm(s string, keep int) (pairs []formPair, n int, err error) {
	if s != "" {
		pairs = make([]formPair, 0, min(strings.Count(s, "&")+1, maxParams+len(addressing)))
	}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if strings.Contains(pair, ";") {
			if err == nil {
				err = errSemicolon
			}
			continue
		}
		if pair == "" {
			continue
		}
		n++
		k, v, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(k)
		if kerr != nil {
			if err == nil {
				err = kerr
			}
			continue
		}
		if n > keep && !addressing[key] {
			continue
		}
		value, verr := url.QueryUnescape(v)
		if verr != nil {
			if err == nil {
				err = verr
			}
			continue
		}
		pairs = append(pairs, formPair{key, value})
	}
	return pairs, n, err
}

// completePairs cuts a body read up to the size limit after its last '&',
// dropping the pair the limit cut.
func completePairs(body []byte) []byte {
	if i := bytes.LastIndexByte(body, '&'); i >= 0 {
		return body[:i]
	}
	return nil
}

package alipay

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zfbpay/zfb/sign"
)

// Gateway codes a caller branches on (spec/openapi.md §3).
const (
	CodeSuccess      = "10000"
	CodeInProgress   = "10003" // alipay.trade.pay: order created, buyer still paying
	CodeUnavailable  = "20000" // system busy: the outcome is unknown
	CodeBusinessFail = "40004" // see SubCode
)

// Response is the part every OpenAPI answer shares. Typed responses embed it.
type Response struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code,omitempty"`
	SubMsg  string `json:"sub_msg,omitempty"`
}

// InProgress reports a 10003 answer: alipay.trade.pay created the order but
// the buyer has not finished paying (e.g. is entering a password). Poll
// alipay.trade.query; cancel if it does not settle.
func (r Response) InProgress() bool { return r.Code == CodeInProgress }

// Error is an answer whose code is neither 10000 nor 10003: a gateway error
// (40001 missing argument, 40002 invalid signature…) or a business failure
// (40004 with a sub_code such as ACQ.TRADE_HAS_SUCCESS).
type Error struct {
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
	Method  string // the API called, e.g. "alipay.trade.pay"
	// Body is the response node as UTF-8 JSON (the object holding code, msg,
	// …). Business errors can carry business fields too (a failed refund
	// still reports refund_fee); json.Unmarshal Body into the typed response
	// to read them.
	Body []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("alipay: ")
	b.WriteString(e.Method)
	b.WriteString(": ")
	b.WriteString(e.Code)
	if e.Msg != "" {
		b.WriteByte(' ')
		b.WriteString(strings.TrimSpace(e.Msg))
	}
	if e.SubCode != "" {
		b.WriteString(": ")
		b.WriteString(e.SubCode)
	}
	if e.SubMsg != "" {
		b.WriteString(" (")
		b.WriteString(e.SubMsg)
		b.WriteByte(')')
	}
	return b.String()
}

// UnknownResult reports an error after which the outcome of the call is
// unknown, so it may still have taken effect: code 20000, sub_code
// isp.unknow-error, an aop.* sub_code (except the 20001 token errors, which
// the gateway rejects before the call runs), ACQ.SYSTEM_ERROR, or
// SYSTEM_ERROR (the fund authorisation APIs' sub_codes carry no "ACQ."
// prefix). Alipay's guidance (spec/openapi.md §6.2): for a payment, query,
// then cancel; retry a refund with the same out_request_no; retry a query or
// close. For a freeze, query, then cancel the operation (§4.12); retry an
// unfreeze with the same out_request_no and amount (§4.11).
func (e *Error) UnknownResult() bool {
	switch {
	case e.Code == CodeUnavailable,
		e.SubCode == "isp.unknow-error",
		e.SubCode == "ACQ.SYSTEM_ERROR",
		e.SubCode == "SYSTEM_ERROR":
		return true
	case strings.HasPrefix(e.SubCode, "aop."):
		return e.Code != "20001"
	}
	return false
}

// IsCode reports whether err is (or wraps) an *Error whose sub_code — or, for
// a numeric argument such as "40004", whose code — equals code.
func IsCode(err error, code string) bool {
	var e *Error
	if !errors.As(err, &e) || code == "" {
		return false
	}
	return e.SubCode == code || e.Code == code
}

// ErrSignature is matched (errors.Is) by every failure to verify a response or
// a notification: a bad signature, or none where one is required. It wraps
// sign.ErrVerification, so errors.Is(err, sign.ErrVerification) holds too.
var ErrSignature error = sentinel{}

type sentinel struct{}

func (sentinel) Error() string { return "alipay: signature verification failed" }
func (sentinel) Unwrap() error { return sign.ErrVerification }

// signatureError names what failed to verify; it unwraps to ErrSignature and
// to the cause from package sign, if any.
type signatureError struct {
	what   string // "alipay.trade.pay response", "notification"
	reason string // when err is nil
	err    error
}

func (e *signatureError) Error() string {
	if e.err != nil {
		return "alipay: " + e.what + ": " + e.err.Error()
	}
	return "alipay: " + e.what + ": signature verification failed: " + e.reason
}

func (e *signatureError) Unwrap() []error {
	if e.err != nil {
		return []error{ErrSignature, e.err}
	}
	return []error{ErrSignature}
}

// HTTPError is a gateway answer with an HTTP status other than 200. Alipay
// answers every gateway and business error with 200, so this is a transport
// failure (a proxy, a load balancer, a wrong URL). For a money-moving call the
// outcome is unknown.
type HTTPError struct {
	Method     string
	StatusCode int
	Body       []byte // at most the first 4 KiB
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("alipay: %s: HTTP status %d", e.Method, e.StatusCode)
}

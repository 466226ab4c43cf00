package intl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/zfbpay/zfb/sign"
)

// ResultInfo is the resultInfo of every response body and notification
// (spec §2.3).
type ResultInfo struct {
	ResultStatus string `json:"resultStatus"`        // StatusSuccess, StatusFailure or StatusUnknown
	ResultCodeID string `json:"resultCodeId"`        // 8 digits; "00000000" for SUCCESS
	ResultCode   string `json:"resultCode"`          // SUCCESS, ORDER_NOT_EXIST, UNKNOWN_EXCEPTION…
	ResultMsg    string `json:"resultMsg,omitempty"` // free text
}

// Error is an answer whose resultStatus is not S.
type Error struct {
	Function     string // the function called, e.g. "alipay.intl.acquiring.common.payCancel"
	ResultStatus string // StatusFailure or StatusUnknown (anything but S)
	ResultCodeID string
	ResultCode   string
	ResultMsg    string
	// Body is response.body as received (JSON). A failure may still carry
	// business fields; json.Unmarshal Body into the typed response to read
	// them.
	Body []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("intl: ")
	b.WriteString(e.Function)
	b.WriteString(": ")
	b.WriteString(e.ResultStatus)
	if e.ResultCodeID != "" {
		b.WriteByte(' ')
		b.WriteString(e.ResultCodeID)
	}
	if e.ResultCode != "" {
		b.WriteByte(' ')
		b.WriteString(e.ResultCode)
	}
	if msg := strings.TrimSpace(e.ResultMsg); msg != "" {
		b.WriteString(" (")
		b.WriteString(msg)
		b.WriteByte(')')
	}
	return b.String()
}

// UnknownResult reports an answer after which the outcome of the call is
// unknown, so it may still have taken effect: resultStatus U (e.g.
// UNKNOWN_EXCEPTION), or a status other than F that the SDK does not know.
// For a payment, call payQuery, then payCancel with the same ids until it
// answers S or F (spec §4.6); retry a refund with the same merchantRefundId;
// retry a query or a cancel as it is.
func (e *Error) UnknownResult() bool { return e.ResultStatus != StatusFailure }

// IsCode reports whether err is (or wraps) an *Error whose resultCode — or,
// for an 8-digit argument, whose resultCodeId — equals code.
func IsCode(err error, code string) bool {
	var e *Error
	if !errors.As(err, &e) || code == "" {
		return false
	}
	return e.ResultCode == code || e.ResultCodeID == code
}

// ErrSignature is matched (errors.Is) by every failure to verify a response
// or a notification: a bad signature, or none where one is required. It
// wraps sign.ErrVerification, so errors.Is(err, sign.ErrVerification)
// holds too.
var ErrSignature error = sentinel{}

type sentinel struct{}

func (sentinel) Error() string { return "intl: signature verification failed" }
func (sentinel) Unwrap() error { return sign.ErrVerification }

// signatureError names what failed to verify; it unwraps to ErrSignature and
// to the cause from package sign, if any.
type signatureError struct {
	what   string // "alipay.intl.acquiring.offline.pay response", "notification"
	reason string // when err is nil
	err    error
}

func (e *signatureError) Error() string {
	if e.err != nil {
		return "intl: " + e.what + ": " + e.err.Error()
	}
	return "intl: " + e.what + ": signature verification failed: " + e.reason
}

func (e *signatureError) Unwrap() []error {
	if e.err != nil {
		return []error{ErrSignature, e.err}
	}
	return []error{ErrSignature}
}

// ErrMismatch is matched (errors.Is) by a verified answer that is not the
// answer to this request: its head does not echo the reqMsgId, the function
// or the clientId sent. The outcome of the request is unknown.
var ErrMismatch = errors.New("intl: response does not match the request")

type mismatchError struct {
	function, field, got, want string
}

func (e *mismatchError) Error() string {
	return fmt.Sprintf("intl: %s: response head.%s %q, want %q", e.function, e.field, e.got, e.want)
}

func (e *mismatchError) Unwrap() error { return ErrMismatch }

// HTTPError is an answer with an HTTP status other than 200. For a
// money-moving call the outcome is unknown.
type HTTPError struct {
	Function   string
	StatusCode int
	Body       []byte // at most the first 4 KiB
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("intl: %s: HTTP status %d", e.Function, e.StatusCode)
}

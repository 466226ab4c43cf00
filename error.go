package zfb

import (
	"errors"
	"fmt"
)

// Gateway result codes and the msg Alipay pairs with each (spec/openapi.md §3).
const (
	CodeSuccess               = "10000"
	CodePayInProcess          = "10003"
	CodeUnavailable           = "20000"
	CodeInsufficientToken     = "20001"
	CodeMissingArguments      = "40001"
	CodeInvalidArguments      = "40002"
	CodeInsufficientCondition = "40003"
	CodeBusinessFailed        = "40004"
	CodeCallLimited           = "40005"
	CodeInsufficientPerms     = "40006"
)

var codeMsgs = map[string]string{
	CodeSuccess:               "Success",
	CodePayInProcess:          " order success pay inprocess", // the leading space is Alipay's
	CodeUnavailable:           "Service Currently Unavailable",
	CodeInsufficientToken:     "Insufficient Token Permissions",
	CodeMissingArguments:      "Missing Required Arguments",
	CodeInvalidArguments:      "Invalid Arguments",
	CodeInsufficientCondition: "Insufficient Conditions",
	CodeBusinessFailed:        "Business Failed",
	CodeCallLimited:           "Call Limited",
	CodeInsufficientPerms:     "Insufficient Permissions",
}

// CodeMsg returns the msg Alipay sends with a gateway code.
func CodeMsg(code string) string { return codeMsgs[code] }

// Error is an answer Alipay gives instead of a result: a gateway code, its
// msg, and the sub_code and sub_msg that say what went wrong. Every layer
// passes it through unchanged; adapters render it in their dialect.
type Error struct {
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("alipay %s %s: %s %s", e.Code, e.Msg, e.SubCode, e.SubMsg)
}

// NewError builds an Error with the msg that belongs to code.
func NewError(code, subCode, subMsg string) *Error {
	return &Error{Code: code, Msg: CodeMsg(code), SubCode: subCode, SubMsg: subMsg}
}

// AsError reports whether err is, or wraps, a *Error and returns it.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// The gateway-level errors, with the sub_msg texts Alipay documents.
var (
	ErrMissingMethod        = NewError(CodeMissingArguments, "isv.missing-method", "缺少方法名参数")
	ErrMissingSignature     = NewError(CodeMissingArguments, "isv.missing-signature", "缺少签名参数")
	ErrMissingSignatureType = NewError(CodeMissingArguments, "isv.missing-signature-type", "缺少签名类型参数")
	ErrMissingAppID         = NewError(CodeMissingArguments, "isv.missing-app-id", "缺少appId参数")
	ErrMissingTimestamp     = NewError(CodeMissingArguments, "isv.missing-timestamp", "缺少时间戳参数")
	ErrMissingVersion       = NewError(CodeMissingArguments, "isv.missing-version", "缺少版本参数")
	ErrInvalidMethod        = NewError(CodeInvalidArguments, "isv.invalid-method", "不存在的方法名")
	ErrInvalidFormat        = NewError(CodeInvalidArguments, "isv.invalid-format", "无效的数据格式")
	ErrInvalidSignatureType = NewError(CodeInvalidArguments, "isv.invalid-signature-type", "无效的签名类型")
	ErrInvalidAppID         = NewError(CodeInvalidArguments, "isv.invalid-app-id", "无效的AppID参数")
	ErrInvalidTimestamp     = NewError(CodeInvalidArguments, "isv.invalid-timestamp", "非法的时间戳参数")
	ErrInvalidCharset       = NewError(CodeInvalidArguments, "isv.invalid-charset", "字符集错误")
	ErrMissingSignConfig    = NewError(CodeInvalidArguments, "isv.missing-signature-config", "验签出错, 未配置对应签名算法的公钥或者证书")
	ErrInsufficientISVPerms = NewError(CodeInsufficientPerms, "isv.insufficient-isv-permissions", "ISV权限不足")
	ErrUnknown              = NewError(CodeUnavailable, "isp.unknow-error", "服务暂不可用（业务系统不可用）")
)

// InvalidSignature is the answer to a request whose signature does not
// verify. Like Alipay, it shows the string the gateway verified, so that the
// merchant can diff it against the string their SDK signed.
func InvalidSignature(signString string) *Error {
	return NewError(CodeInvalidArguments, "isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："+signString)
}

// InvalidParameter is 40002 isv.invalid-parameter naming what is wrong.
func InvalidParameter(detail string) *Error {
	return NewError(CodeInvalidArguments, "isv.invalid-parameter", "参数无效: "+detail)
}

// MissingParameter is 40001 isv.missing-parameter naming what is absent.
func MissingParameter(name string) *Error {
	return NewError(CodeMissingArguments, "isv.missing-parameter", "缺少必选参数: "+name)
}

// ErrNotFound is returned by a Store when the row asked for does not exist.
var ErrNotFound = errors.New("zfb: not found")

// ErrConflict is returned by a Store when a unique key is already taken.
var ErrConflict = errors.New("zfb: already exists")

// ErrInsufficientFunds is returned by a Store when a transfer would take an
// account below its floor. The transaction that tried it is rolled back.
var ErrInsufficientFunds = errors.New("zfb: insufficient funds")

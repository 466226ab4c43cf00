package intl

// resultInfo.resultStatus values (spec §2.3).
const (
	StatusSuccess = "S"
	StatusFailure = "F"
	StatusUnknown = "U" // the outcome is unknown: query, then cancel
)

// Result codes of alipay.intl.acquiring.common.payCancel 2.0.2 (seed 001),
// each with its resultCodeId (CodeID…) and, in the comment, its
// resultStatus. Untyped strings, so they compare with Error.ResultCode and
// ResultInfo alike; IsCode takes either form.
//
// Basic result codes, shared by every function:
const (
	CodeSuccess                     = "SUCCESS" // S
	CodeIDSuccess                   = "00000000"
	CodeProcessFail                 = "PROCESS_FAIL" // F: general business failure
	CodeIDProcessFail               = "00000019"
	CodeUnknownException            = "UNKNOWN_EXCEPTION" // U: failed for unknown reasons
	CodeIDUnknownException          = "00000901"
	CodeParamIllegal                = "PARAM_ILLEGAL" // F: a parameter is incorrect
	CodeIDParamIllegal              = "00000004"
	CodeInvalidSignature            = "INVALID_SIGNATURE" // F
	CodeIDInvalidSignature          = "00000007"
	CodeKeyNoFound                  = "KEY_NO_FOUND" // F: the key is not found (sic)
	CodeIDKeyNoFound                = "00000008"
	CodeNoInterfaceDef              = "NO_INTERFACE_DEF" // F: the API is undefined
	CodeIDNoInterfaceDef            = "00000013"
	CodeAPIIsInvalid                = "API_IS_INVALID" // F: the API is invalid or not activated
	CodeIDAPIIsInvalid              = "00000014"
	CodeOAuthFailed                 = "OAUTH_FAILED" // F
	CodeIDOAuthFailed               = "00000016"
	CodeAccessDenied                = "ACCESS_DENIED" // F
	CodeIDAccessDenied              = "00000021"
	CodeClientForbiddenAccessAPI    = "CLIENT_FORBIDDEN_ACCESS_API" // F: the client may not use this API
	CodeIDClientForbiddenAccessAPI  = "12014152"
	CodeUnknownClient               = "UNKNOWN_CLIENT" // F: the clientId is unknown (such an answer may come unsigned)
	CodeIDUnknownClient             = "12014155"
	CodeInvalidClientStatus         = "INVALID_CLIENT_STATUS" // F
	CodeIDInvalidClientStatus       = "12014156"
	CodeRequestTrafficExceedLimit   = "REQUEST_TRAFFIC_EXCEED_LIMIT" // F (seed 001; the AMS lists say U)
	CodeIDRequestTrafficExceedLimit = "00000024"
)

// Functional result codes of payCancel:
const (
	CodeUserNotExist               = "USER_NOT_EXIST" // F
	CodeIDUserNotExist             = "12002005"
	CodeUserStatusAbnormal         = "USER_STATUS_ABNORMAL" // F
	CodeIDUserStatusAbnormal       = "12002006"
	CodeOrderStatusInvalid         = "ORDER_STATUS_INVALID" // F
	CodeIDOrderStatusInvalid       = "12005003"
	CodeOrderNotExist              = "ORDER_NOT_EXIST" // F
	CodeIDOrderNotExist            = "12005004"
	CodeMerchantBalanceNotEnough   = "MERCHANT_BALANCE_NOT_ENOUGH" // F
	CodeIDMerchantBalanceNotEnough = "12006009"
	CodeOrderCancelWindowExpired   = "ORDER_CANCEL_WINDOW_EXPIRED" // F: past T+1 00:15 UTC+8; refund instead
	CodeIDOrderCancelWindowExpired = "12002018"
	CodeSignTypeInvalid            = "SIGN_TYPE_INVALID" // F
	CodeIDSignTypeInvalid          = "12005134"
	CodeSignTypeNotSupport         = "SIGN_TYPE_NOT_SUPPORT" // F
	CodeIDSignTypeNotSupport       = "12005135"
)

// acquirementStatus values of payQuery (UNCONFIRMED for Alipay: the sibling
// spec's enum, spec §4.3).
const (
	AcquirementStatusInit      = "INIT"      // created, not paid
	AcquirementStatusSuccess   = "SUCCESS"   // paid
	AcquirementStatusClosed    = "CLOSED"    // closed unpaid, or fully refunded
	AcquirementStatusCancelled = "CANCELLED" // cancelled by payCancel
)

// Request constants of offline.pay.
const (
	ProductCodeOfflinePay = "OFFLINE_PAY" // the merchant scans the buyer's code
	CodeTypeBarcode       = "BARCODE"
)

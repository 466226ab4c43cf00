package intl

// Result codes of the dialect: every answer's body.resultInfo carries the
// symbolic resultCode, its 8-digit resultCodeId and its resultStatus.
const (
	codeSuccess                   = "SUCCESS"
	codeProcessFail               = "PROCESS_FAIL"
	codeUnknownException          = "UNKNOWN_EXCEPTION"
	codeParamIllegal              = "PARAM_ILLEGAL"
	codeInvalidSignature          = "INVALID_SIGNATURE"
	codeKeyNoFound                = "KEY_NO_FOUND"
	codeNoInterfaceDef            = "NO_INTERFACE_DEF"
	codeClientForbiddenAccessAPI  = "CLIENT_FORBIDDEN_ACCESS_API"
	codeUnknownClient             = "UNKNOWN_CLIENT"
	codeRequestTrafficExceedLimit = "REQUEST_TRAFFIC_EXCEED_LIMIT"
	codeSignTypeInvalid           = "SIGN_TYPE_INVALID"
	codeSignTypeNotSupport        = "SIGN_TYPE_NOT_SUPPORT"
	codeFunctionNotMatch          = "FUNCTION_NOT_MATCH"
	codeUserPaying                = "USER_PAYING"
)

// Result statuses.
const (
	statusSuccess = "S"
	statusFailure = "F"
	statusUnknown = "U"
)

// resultCode is one row of the result code tables.
type resultCode struct {
	id     string // resultCodeId
	status string // resultStatus
	remark string // the resultMsg of an answer that has no text of its own
}

// resultCodes holds both tables of seed 001 (payCancel 2.0.2: "Functional
// logic result code" and "Basic result code") exactly as the seed prints
// them; the seed wins over every other source. Codes the seed lacks come
// from the fallback table of spec/intl-acquiring.md §5 (Ant's gateway as
// TNGD and DANA document it; UNCONFIRMED for Alipay itself), with remarks
// written here.
var resultCodes = map[string]resultCode{
	// Seed 001, functional logic result codes.
	"USER_NOT_EXIST":              {"12002005", statusFailure, "The user does not exist."},
	"USER_STATUS_ABNORMAL":        {"12002006", statusFailure, "Abnormal user status"},
	"ORDER_STATUS_INVALID":        {"12005003", statusFailure, "The transaction status is invalid."},
	"ORDER_NOT_EXIST":             {"12005004", statusFailure, "The transaction does not exist."},
	"MERCHANT_BALANCE_NOT_ENOUGH": {"12006009", statusFailure, "Insufficient balance of the merchant"},
	"ORDER_CANCEL_WINDOW_EXPIRED": {"12002018", statusFailure, "Expired to cancel the transaction."},
	codeSignTypeInvalid:           {"12005134", statusFailure, "The signature type is invalid."},
	codeSignTypeNotSupport:        {"12005135", statusFailure, "The signature type is not supported."},

	// Seed 001, basic result codes.
	codeSuccess:                   {"00000000", statusSuccess, "Success"},
	codeProcessFail:               {"00000019", statusFailure, "General business failure"},
	codeUnknownException:          {"00000901", statusUnknown, "API failed because of unknown reasons"},
	codeParamIllegal:              {"00000004", statusFailure, "The parameter is incorrect."},
	codeInvalidSignature:          {"00000007", statusFailure, "The signature is invalid."},
	codeKeyNoFound:                {"00000008", statusFailure, "The key is not found."},
	codeNoInterfaceDef:            {"00000013", statusFailure, "The API is undefined."},
	"API_IS_INVALID":              {"00000014", statusFailure, "The API is invalid or nonactivated."},
	"OAUTH_FAILED":                {"00000016", statusFailure, "The oAuth authentication failed."},
	"ACCESS_DENIED":               {"00000021", statusFailure, "Access denied"},
	codeClientForbiddenAccessAPI:  {"12014152", statusFailure, "The Client is not authorized to use this API."},
	codeUnknownClient:             {"12014155", statusFailure, "Unknown client"},
	"INVALID_CLIENT_STATUS":       {"12014156", statusFailure, "Invalid client status"},
	codeRequestTrafficExceedLimit: {"00000024", statusFailure, "The request traffic exceeds the limit."},
	// (F as the seed has it; the AMS-style AlipayHK list in spec §5 says U.)

	// Spec §5 fallback table, for codes seed 001 does not list.
	codeFunctionNotMatch:      {"00000017", statusFailure, "The function does not match the URL."},
	"REPEAT_REQ_INCONSISTENT": {"12005112", statusFailure, "The repeated request is inconsistent with the first."},
	codeUserPaying:            {"12005012", statusUnknown, "The user is paying; query the payment for its result."},
}

// successMsg is the resultMsg of a success: seed 001's sample response
// writes "success" (its table's remark is "Success"; the sample is what
// goes on the wire).
const successMsg = "success"

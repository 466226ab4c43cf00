package zfb

// Failures of the international acquiring APIs. They are zfb.Errors like
// every other (code 40004), with the dialect's resultCode as the SubCode;
// the intl adapter renders them as resultInfo with the resultCodeId and
// resultStatus of seed 001's tables (or, for codes the seed lacks, of the
// fallback table in spec/intl-acquiring.md §5).
var (
	ErrIntlUserNotExist              = NewError(CodeBusinessFailed, "USER_NOT_EXIST", "The user does not exist.")
	ErrIntlUserStatusAbnormal        = NewError(CodeBusinessFailed, "USER_STATUS_ABNORMAL", "Abnormal user status.")
	ErrIntlOrderStatusInvalid        = NewError(CodeBusinessFailed, "ORDER_STATUS_INVALID", "The transaction status is invalid.")
	ErrIntlOrderNotExist             = NewError(CodeBusinessFailed, "ORDER_NOT_EXIST", "The transaction does not exist.")
	ErrIntlMerchantBalanceNotEnough  = NewError(CodeBusinessFailed, "MERCHANT_BALANCE_NOT_ENOUGH", "Insufficient balance of the merchant.")
	ErrIntlOrderCancelWindowExpired  = NewError(CodeBusinessFailed, "ORDER_CANCEL_WINDOW_EXPIRED", "Expired to cancel the transaction.")
	ErrIntlRepeatRequestInconsistent = NewError(CodeBusinessFailed, "REPEAT_REQ_INCONSISTENT", "The repeated request is inconsistent with the first.")
	ErrIntlBuyerBalanceNotEnough     = NewError(CodeBusinessFailed, "PROCESS_FAIL", "The buyer's balance is not enough.")
)

// IntlParamIllegal is PARAM_ILLEGAL naming what is wrong.
func IntlParamIllegal(detail string) *Error {
	return NewError(CodeBusinessFailed, "PARAM_ILLEGAL", "The parameter is incorrect: "+detail)
}

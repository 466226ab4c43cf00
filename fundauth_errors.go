package zfb

// Business failures of the fund authorisation APIs: 40004 Business Failed
// with a sub_code that, unlike the trade APIs', has no ACQ. prefix (spec
// §4.8–4.13; seeds 000 and 002 spell them so). sub_msg texts follow the
// official error tables.
var (
	ErrAuthOrderNotExist      = NewError(CodeBusinessFailed, "AUTH_ORDER_NOT_EXIST", "支付宝资金授权订单不存在")
	ErrAuthOperationNotExist  = NewError(CodeBusinessFailed, "AUTH_OPERATION_NOT_EXIST", "支付宝资金操作流水不存在")
	ErrAuthAccessForbidden    = NewError(CodeBusinessFailed, "ACCESS_FORBIDDEN", "商户无权限查看该笔订单信息")
	ErrOrderAlreadyFinish     = NewError(CodeBusinessFailed, "ORDER_ALREADY_FINISH", "订单已完结，不允许再进行资金操作")
	ErrOrderAlreadyClosed     = NewError(CodeBusinessFailed, "ORDER_ALREADY_CLOSED", "订单已关闭")
	ErrFreezeAlreadySuccess   = NewError(CodeBusinessFailed, "FREEZE_ALREADY_SUCCESS", "冻结已成功")
	ErrUniqueViolation        = NewError(CodeBusinessFailed, "UNIQUE_VIOLATION", "商户订单号或请求流水号已被使用，且请求信息不一致")
	ErrCancelOperationTimeOut = NewError(CodeBusinessFailed, "CANCEL_OPERATION_TIME_OUT", "撤销操作超时，只能撤销24小时内的冻结操作")
	ErrRequestAmountExceed    = NewError(CodeBusinessFailed, "REQUEST_AMOUNT_EXCEED", "请求金额超过可操作金额")
	ErrAuthIllegalStatus      = NewError(CodeBusinessFailed, "ILLEGAL_STATUS", "订单状态不合法")
	ErrAuthPaymentCodeInvalid = NewError(CodeBusinessFailed, "PAYMENT_AUTH_CODE_INVALID", "支付授权码无效")
	ErrMoneyNotEnough         = NewError(CodeBusinessFailed, "MONEY_NOT_ENOUGH", "用户余额不足")
	ErrPayerPayeeEqual        = NewError(CodeBusinessFailed, "PAYER_PAYEE_EQUAL", "付款方和收款方不能相同")
	ErrPayeeNotExist          = NewError(CodeBusinessFailed, "PAYEE_NOT_EXIST", "收款方不存在")
	ErrAuthSystemError        = NewError(CodeBusinessFailed, "SYSTEM_ERROR", "系统错误")
	ErrPayerUserStatusLimit   = NewError(CodeBusinessFailed, "PAYER_USER_STATUS_LIMIT", "付款方支付宝账户状态受限")
)

// IllegalArgument is ILLEGAL_ARGUMENT naming what is wrong.
func IllegalArgument(detail string) *Error {
	return NewError(CodeBusinessFailed, "ILLEGAL_ARGUMENT", "参数异常或参数缺失: "+detail)
}

// Failures of alipay.trade.pay from a fund authorisation (spec §4.1; the
// meanings are inferred from the names, as the spec marks them).
var (
	ErrAuthNoError                 = acq("ACQ.AUTH_NO_ERROR", "授权号错误")
	ErrAuthAmountNotEnough         = acq("ACQ.AUTH_AMOUNT_NOT_ENOUGH", "授权剩余金额不足")
	ErrAuthOrderNotPaid            = acq("ACQ.AUTH_ORDER_NOT_PAID", "授权订单未授权成功")
	ErrAuthOrderHasFinished        = acq("ACQ.AUTH_ORDER_HAS_FINISHED", "授权订单已完结")
	ErrAuthOrderHasClosed          = acq("ACQ.AUTH_ORDER_HAS_CLOSED", "授权订单已关闭")
	ErrPreAuthProdCodeInconsistent = acq("ACQ.PRE_AUTH_PROD_CODE_INCONSISTENT", "预授权产品码不一致")
	ErrPayerUnmatched              = acq("ACQ.PAYER_UNMATCHED", "付款人不匹配")
)

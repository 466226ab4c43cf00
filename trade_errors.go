package zfb

// Business failures of the trade APIs: 40004 Business Failed with an ACQ.*
// sub_code (spec/openapi.md §4.1–4.7; sub_msg texts from the same tables).
func acq(subCode, subMsg string) *Error { return NewError(CodeBusinessFailed, subCode, subMsg) }

var (
	ErrTradeNotExist           = acq("ACQ.TRADE_NOT_EXIST", "交易不存在")
	ErrTradeHasSuccess         = acq("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
	ErrTradeHasClose           = acq("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
	ErrTradeHasFinished        = acq("ACQ.TRADE_HAS_FINISHED", "交易已经完结")
	ErrTradeStatusError        = acq("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
	ErrContextInconsistent     = acq("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
	ErrPaymentAuthCodeInvalid  = acq("ACQ.PAYMENT_AUTH_CODE_INVALID", "支付授权码无效")
	ErrBuyerBalanceNotEnough   = acq("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足")
	ErrBuyerSellerEqual        = acq("ACQ.BUYER_SELLER_EQUAL", "买卖家不能相同")
	ErrBuyerNotExist           = acq("ACQ.BUYER_NOT_EXIST", "买家不存在")
	ErrBuyerEnableStatusForbid = acq("ACQ.BUYER_ENABLE_STATUS_FORBID", "买家状态非法")
	ErrTradeCancelTimeOut      = acq("ACQ.TRADE_CANCEL_TIME_OUT", "超过撤销时间范围")
	ErrRefundFeeErr            = acq("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效")
	ErrRefundAmtNotEqualTotal  = acq("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "撤销或退款金额与订单金额不一致")
	ErrDiscordantRepeatRequest = acq("ACQ.DISCORDANT_REPEAT_REQUEST", "比较和原有的退款请求信息不一致")
	ErrSellerBalanceNotEnough  = acq("ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")
	ErrTradeSystemError        = acq("ACQ.SYSTEM_ERROR", "系统错误")
)

// InvalidTradeParameter is ACQ.INVALID_PARAMETER naming what is wrong.
func InvalidTradeParameter(detail string) *Error {
	return acq("ACQ.INVALID_PARAMETER", "参数无效: "+detail)
}

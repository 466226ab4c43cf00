package openapi

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/zfbpay/zfb"
)

// queryOptions is a call's query_options: the extra fields the merchant
// asks the answer to carry (alipay.trade.query: fund_bill_list,
// voucher_detail_list, trade_settle_info…; alipay.trade.refund and
// fastpay.refund.query: refund_detail_item_list; spec §4.2, §4.4). Alipay
// returns those fields only when asked; an option zfb has nothing for is
// ignored, as one Alipay does not know is.
type queryOptions []string

// UnmarshalJSON takes Alipay's String[]; a lone string is taken as a list
// of one, which is how a merchant building biz_content by hand often sends
// it.
func (o *queryOptions) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*o = list
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return fmt.Errorf("query_options: want an array of strings, not %.20s", b)
	}
	*o = queryOptions{one}
	return nil
}

func (o queryOptions) has(name string) bool { return slices.Contains(o, name) }

// Every zfb buyer pays from their Alipay balance, so a payment's and a
// refund's one funding channel is ALIPAYACCOUNT, for the whole amount; no
// voucher, discount or settlement ever applies, so those lists are empty
// (present, since they were asked for).
const balanceChannel = "ALIPAYACCOUNT"

// balanceBills is the fund_bill_list of amount paid from the balance; an
// empty list when nothing was paid.
func balanceBills(amount int64) *[]fundBill {
	bills := []fundBill{}
	if amount > 0 {
		bills = append(bills, fundBill{Amount: zfb.FormatAmount(amount), FundChannel: balanceChannel})
	}
	return &bills
}

// refundItem is one line of refund_detail_item_list.
type refundItem struct {
	Amount      string `json:"amount"`
	FundChannel string `json:"fund_channel"`
	RealAmount  string `json:"real_amount"`
}

// balanceRefundItems is the refund_detail_item_list of amount returned to
// the balance.
func balanceRefundItems(amount int64) *[]refundItem {
	a := zfb.FormatAmount(amount)
	return &[]refundItem{{Amount: a, FundChannel: balanceChannel, RealAmount: a}}
}

// voucherDetail is one line of voucher_detail_list: zfb has no vouchers,
// so the list it answers is always empty.
type voucherDetail struct{}

// tradeSettleInfo is trade_settle_info: no royalty or settlement
// movements in zfb, so its detail list is empty.
type tradeSettleInfo struct {
	TradeSettleDetailList []struct{} `json:"trade_settle_detail_list"`
}

// queryExtras fills the fields alipay.trade.query's options ask for.
func queryExtras(out *queryResponse, tr *zfb.Trade, opts queryOptions) {
	if opts.has("fund_bill_list") {
		paid := int64(0)
		if !tr.PaidAt.IsZero() {
			paid = tr.TotalAmount
		}
		out.FundBillList = balanceBills(paid)
	}
	if opts.has("voucher_detail_list") {
		out.VoucherDetailList = &[]voucherDetail{}
	}
	if opts.has("trade_settle_info") {
		out.TradeSettleInfo = &tradeSettleInfo{TradeSettleDetailList: []struct{}{}}
	}
}

package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/mask"
)

// RegisterTrades serves the face-to-face trade APIs on g.
func RegisterTrades(g *Gateway, svc *zfb.Service) {
	t := tradeAPI{svc}
	g.Register("alipay.trade.pay", Method{Handle: t.pay})
	g.Register("alipay.trade.precreate", Method{Handle: t.precreate})
	g.Register("alipay.trade.create", Method{Handle: t.create})
	g.Register("alipay.trade.query", Method{Handle: t.query, ErrorFields: queryErrorFields})
	g.Register("alipay.trade.cancel", Method{Handle: t.cancel, ErrorFields: cancelErrorFields})
	g.Register("alipay.trade.close", Method{Handle: t.close})
	g.Register("alipay.trade.refund", Method{Handle: t.refund, ErrorFields: refundErrorFields})
	g.Register("alipay.trade.fastpay.refund.query", Method{Handle: t.refundQuery})
}

type tradeAPI struct{ svc *zfb.Service }

// text is a biz_content value read as Alipay's JSON parser reads it: a
// string, or a number or boolean taken as its literal text ("refund_amount":
// 200.12 is common in SDK samples).
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		// b is a whole string literal (the decoder checked it): without an
		// escape or an invalid byte (decoded as U+FFFD) it is its text.
		if inner := b[1:]; len(inner) > 0 && inner[len(inner)-1] == '"' {
			if inner = inner[:len(inner)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
				*t = text(inner)
				return nil
			}
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9' || b[0] == 't' || b[0] == 'f'):
		*t = text(b)
	default:
		return fmt.Errorf("want a string, not %.20s", b)
	}
	return nil
}

func (t text) String() string { return string(t) }

// decodeBiz reads biz_content into v; a value of the wrong shape is
// ACQ.INVALID_PARAMETER naming the field.
func decodeBiz(c *Call, v any) error {
	if err := json.Unmarshal(c.BizContent, v); err != nil {
		detail := "biz_content"
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			detail = te.Field
		}
		return zfb.InvalidTradeParameter(detail + " 的类型不正确")
	}
	return nil
}

type tradeRefFields struct {
	TradeNo    text `json:"trade_no"`
	OutTradeNo text `json:"out_trade_no"`
}

func (f tradeRefFields) ref() zfb.TradeRef {
	return zfb.TradeRef{TradeNo: f.TradeNo.String(), OutTradeNo: f.OutTradeNo.String()}
}

type fundBill struct {
	Amount      string `json:"amount"`
	FundChannel string `json:"fund_channel"`
}

// payResponse is alipay.trade.pay's answer. Fields are in Alipay's order:
// alphabetical after code and msg.
type payResponse struct {
	code           string
	BuyerLogonID   string     `json:"buyer_logon_id,omitempty"`
	BuyerOpenID    string     `json:"buyer_open_id,omitempty"`
	BuyerPayAmount string     `json:"buyer_pay_amount"`
	BuyerUserID    string     `json:"buyer_user_id,omitempty"`
	FundBillList   []fundBill `json:"fund_bill_list,omitempty"`
	GmtPayment     string     `json:"gmt_payment,omitempty"`
	InvoiceAmount  string     `json:"invoice_amount"`
	OutTradeNo     string     `json:"out_trade_no"`
	PointAmount    string     `json:"point_amount"`
	ReceiptAmount  string     `json:"receipt_amount"`
	TotalAmount    string     `json:"total_amount"`
	TradeNo        string     `json:"trade_no"`
}

func (r *payResponse) GatewayCode() string { return r.code }

func (t tradeAPI) pay(ctx context.Context, c *Call) (any, error) {
	var in struct {
		OutTradeNo     text `json:"out_trade_no"`
		TotalAmount    text `json:"total_amount"`
		Subject        text `json:"subject"`
		Body           text `json:"body"`
		Scene          text `json:"scene"`
		AuthCode       text `json:"auth_code"`
		ProductCode    text `json:"product_code"`
		TimeoutExpress text `json:"timeout_express"`
		TimeExpire     text `json:"time_expire"`
		// A payment from a fund authorisation.
		AuthNo          text `json:"auth_no"`
		AuthConfirmMode text `json:"auth_confirm_mode"`
		BuyerID         text `json:"buyer_id"`
		BuyerOpenID     text `json:"buyer_open_id"`
		SellerID        text `json:"seller_id"`
	}
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := t.svc.Pay(ctx, c.App, c.Now, zfb.PayCommand{
		OutTradeNo: in.OutTradeNo.String(), TotalAmount: in.TotalAmount.String(), Subject: in.Subject.String(),
		Body: in.Body.String(), Scene: in.Scene.String(), AuthCode: in.AuthCode.String(),
		ProductCode: in.ProductCode.String(), TimeoutExpress: in.TimeoutExpress.String(), NotifyURL: c.Params["notify_url"],
		TimeExpire: in.TimeExpire.String(), AuthNo: in.AuthNo.String(), AuthConfirmMode: in.AuthConfirmMode.String(),
		BuyerID: in.BuyerID.String(), SellerID: in.SellerID.String(), BuyerOpenID: in.BuyerOpenID.String(),
	})
	if err != nil {
		return nil, err
	}
	tr := res.Trade
	out := &payResponse{
		code: zfb.CodeSuccess, OutTradeNo: tr.OutTradeNo, TradeNo: tr.TradeNo,
		TotalAmount: zfb.FormatAmount(tr.TotalAmount), PointAmount: "0.00",
		BuyerLogonID: buyerLogonID(res.Buyer), BuyerUserID: res.BuyerIDs.UserID, BuyerOpenID: res.BuyerIDs.OpenID,
	}
	if res.InProgress {
		// The real 10003 answer carries the trade with nothing received yet.
		out.code = zfb.CodePayInProcess
		out.BuyerPayAmount, out.InvoiceAmount, out.ReceiptAmount = "0.00", "0.00", "0.00"
		return out, nil
	}
	paid := zfb.FormatAmount(tr.TotalAmount)
	out.BuyerPayAmount, out.InvoiceAmount, out.ReceiptAmount = paid, paid, paid
	out.GmtPayment = zfb.FormatGatewayTime(tr.PaidAt)
	out.FundBillList = []fundBill{{Amount: paid, FundChannel: "ALIPAYACCOUNT"}}
	return out, nil
}

type createFields struct {
	OutTradeNo     text `json:"out_trade_no"`
	TotalAmount    text `json:"total_amount"`
	Subject        text `json:"subject"`
	Body           text `json:"body"`
	ProductCode    text `json:"product_code"`
	TimeoutExpress text `json:"timeout_express"`
	TimeExpire     text `json:"time_expire"`
	QRCodeTimeout  text `json:"qr_code_timeout_express"`
	BuyerID        text `json:"buyer_id"`
	BuyerLogonID   text `json:"buyer_logon_id"`
	BuyerOpenID    text `json:"buyer_open_id"`
	OpAppID        text `json:"op_app_id"`
	OpBuyerOpenID  text `json:"op_buyer_open_id"`
}

func (f createFields) command(c *Call) zfb.CreateCommand {
	return zfb.CreateCommand{
		OutTradeNo: f.OutTradeNo.String(), TotalAmount: f.TotalAmount.String(), Subject: f.Subject.String(),
		Body: f.Body.String(), ProductCode: f.ProductCode.String(), TimeoutExpress: f.TimeoutExpress.String(),
		NotifyURL: c.Params["notify_url"], BuyerID: f.BuyerID.String(), BuyerLogonID: f.BuyerLogonID.String(),
		BuyerOpenID: f.BuyerOpenID.String(), OpAppID: f.OpAppID.String(), OpBuyerOpenID: f.OpBuyerOpenID.String(),
		TimeExpire: f.TimeExpire.String(), QRCodeTimeoutExpress: f.QRCodeTimeout.String(),
	}
}

func (t tradeAPI) precreate(ctx context.Context, c *Call) (any, error) {
	var in createFields
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	tr, err := t.svc.Precreate(ctx, c.App, c.Now, in.command(c))
	if err != nil {
		return nil, err
	}
	return struct {
		OutTradeNo string `json:"out_trade_no"`
		QRCode     string `json:"qr_code"`
	}{tr.OutTradeNo, qrCodeURL(c, tr.QRCode)}, nil
}

func (t tradeAPI) create(ctx context.Context, c *Call) (any, error) {
	var in createFields
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	tr, err := t.svc.Create(ctx, c.App, c.Now, in.command(c))
	if err != nil {
		return nil, err
	}
	return tradeNos{tr.OutTradeNo, tr.TradeNo}, nil
}

type tradeNos struct {
	OutTradeNo string `json:"out_trade_no"`
	TradeNo    string `json:"trade_no,omitempty"`
}

// queryResponse is alipay.trade.query's answer; the list fields are
// present only when query_options asks for them (queryExtras).
type queryResponse struct {
	BuyerLogonID      string           `json:"buyer_logon_id,omitempty"`
	BuyerOpenID       string           `json:"buyer_open_id,omitempty"`
	BuyerPayAmount    string           `json:"buyer_pay_amount"`
	BuyerUserID       string           `json:"buyer_user_id,omitempty"`
	FundBillList      *[]fundBill      `json:"fund_bill_list,omitempty"`
	InvoiceAmount     string           `json:"invoice_amount"`
	OutTradeNo        string           `json:"out_trade_no"`
	PointAmount       string           `json:"point_amount"`
	ReceiptAmount     string           `json:"receipt_amount"`
	SendPayDate       string           `json:"send_pay_date,omitempty"`
	Subject           string           `json:"subject,omitempty"`
	TotalAmount       string           `json:"total_amount"`
	TradeNo           string           `json:"trade_no"`
	TradeSettleInfo   *tradeSettleInfo `json:"trade_settle_info,omitempty"`
	TradeStatus       string           `json:"trade_status"`
	VoucherDetailList *[]voucherDetail `json:"voucher_detail_list,omitempty"`
}

func (t tradeAPI) query(ctx context.Context, c *Call) (any, error) {
	var in struct {
		tradeRefFields
		QueryOptions queryOptions `json:"query_options"`
	}
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := t.svc.Query(ctx, c.App, c.Now, in.ref())
	if err != nil {
		return nil, err
	}
	tr := res.Trade
	out := &queryResponse{
		OutTradeNo: tr.OutTradeNo, TradeNo: tr.TradeNo, TradeStatus: string(tr.Status), Subject: tr.Subject,
		TotalAmount: zfb.FormatAmount(tr.TotalAmount), BuyerLogonID: mask.LogonID(res.BuyerLogonID), BuyerUserID: res.BuyerIDs.UserID,
		BuyerOpenID:    res.BuyerIDs.OpenID,
		BuyerPayAmount: "0.00", InvoiceAmount: "0.00", PointAmount: "0.00", ReceiptAmount: "0.00",
	}
	if !tr.PaidAt.IsZero() {
		paid := zfb.FormatAmount(tr.TotalAmount)
		out.BuyerPayAmount, out.InvoiceAmount, out.ReceiptAmount = paid, paid, paid
		out.SendPayDate = zfb.FormatGatewayTime(tr.PaidAt)
	}
	queryExtras(out, tr, in.QueryOptions)
	return out, nil
}

func (t tradeAPI) cancel(ctx context.Context, c *Call) (any, error) {
	var in tradeRefFields
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := t.svc.Cancel(ctx, c.App, c.Now, in.ref())
	if err != nil {
		return cancelRefusal(res, err), err
	}
	out := struct {
		Action       string `json:"action,omitempty"`
		GmtRefundPay string `json:"gmt_refund_pay,omitempty"`
		OutTradeNo   string `json:"out_trade_no,omitempty"`
		RetryFlag    string `json:"retry_flag"`
		TradeNo      string `json:"trade_no,omitempty"`
	}{Action: res.Action, OutTradeNo: in.OutTradeNo.String(), TradeNo: in.TradeNo.String(), RetryFlag: "N"}
	if tr := res.Trade; tr != nil {
		out.OutTradeNo, out.TradeNo = tr.OutTradeNo, tr.TradeNo
		if res.Action == "refund" {
			out.GmtRefundPay = zfb.FormatGatewayTime(tr.ClosedAt)
		}
	}
	return out, nil
}

func (t tradeAPI) close(ctx context.Context, c *Call) (any, error) {
	var in tradeRefFields
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	tr, err := t.svc.Close(ctx, c.App, c.Now, in.ref())
	if err != nil {
		return nil, err
	}
	return tradeNos{tr.OutTradeNo, tr.TradeNo}, nil
}

func (t tradeAPI) refund(ctx context.Context, c *Call) (any, error) {
	var in struct {
		tradeRefFields
		RefundAmount text         `json:"refund_amount"`
		OutRequestNo text         `json:"out_request_no"`
		RefundReason text         `json:"refund_reason"`
		QueryOptions queryOptions `json:"query_options"`
	}
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := t.svc.Refund(ctx, c.App, c.Now, zfb.RefundCommand{
		TradeRef: in.ref(), RefundAmount: in.RefundAmount.String(),
		OutRequestNo: in.OutRequestNo.String(), RefundReason: in.RefundReason.String(),
	})
	if err != nil {
		return nil, err
	}
	fundChange := "N"
	if res.FundChange {
		fundChange = "Y"
	}
	out := struct {
		BuyerLogonID         string        `json:"buyer_logon_id,omitempty"`
		BuyerOpenID          string        `json:"buyer_open_id,omitempty"`
		BuyerUserID          string        `json:"buyer_user_id,omitempty"`
		FundChange           string        `json:"fund_change"`
		GmtRefundPay         string        `json:"gmt_refund_pay"`
		OutTradeNo           string        `json:"out_trade_no"`
		RefundDetailItemList *[]refundItem `json:"refund_detail_item_list,omitempty"`
		RefundFee            string        `json:"refund_fee"`
		SendBackFee          string        `json:"send_back_fee,omitempty"`
		TradeNo              string        `json:"trade_no"`
	}{
		BuyerLogonID: buyerLogonID(res.Buyer), BuyerUserID: res.BuyerIDs.UserID, BuyerOpenID: res.BuyerIDs.OpenID,
		FundChange:   fundChange,
		GmtRefundPay: zfb.FormatGatewayTime(res.Refund.CreatedAt), OutTradeNo: res.Trade.OutTradeNo,
		RefundFee: zfb.FormatAmount(res.Trade.RefundedAmount), TradeNo: res.Trade.TradeNo,
	}
	if in.QueryOptions.has("refund_detail_item_list") {
		// send_back_fee, what this refund returned, comes with the
		// details (spec §4.4: "only with query_options").
		out.RefundDetailItemList = balanceRefundItems(res.Refund.Amount)
		out.SendBackFee = zfb.FormatAmount(res.Refund.Amount)
	}
	return out, nil
}

func (t tradeAPI) refundQuery(ctx context.Context, c *Call) (any, error) {
	var in struct {
		tradeRefFields
		OutRequestNo text         `json:"out_request_no"`
		QueryOptions queryOptions `json:"query_options"`
	}
	if err := decodeBiz(c, &in); err != nil {
		return nil, err
	}
	tr, refund, err := t.svc.RefundQuery(ctx, c.App, in.ref(), in.OutRequestNo.String())
	if err != nil {
		return nil, err
	}
	if refund == nil {
		// Alipay: no refund data means the refund did not happen.
		return tradeNos{tr.OutTradeNo, tr.TradeNo}, nil
	}
	out := struct {
		GmtRefundPay         string        `json:"gmt_refund_pay"`
		OutRequestNo         string        `json:"out_request_no"`
		OutTradeNo           string        `json:"out_trade_no"`
		RefundAmount         string        `json:"refund_amount"`
		RefundDetailItemList *[]refundItem `json:"refund_detail_item_list,omitempty"`
		RefundStatus         string        `json:"refund_status"`
		SendBackFee          string        `json:"send_back_fee,omitempty"`
		TotalAmount          string        `json:"total_amount"`
		TradeNo              string        `json:"trade_no"`
	}{
		GmtRefundPay: zfb.FormatGatewayTime(refund.CreatedAt), OutRequestNo: refund.OutRequestNo,
		OutTradeNo: tr.OutTradeNo, RefundAmount: zfb.FormatAmount(refund.Amount), RefundStatus: "REFUND_SUCCESS",
		TotalAmount: zfb.FormatAmount(tr.TotalAmount), TradeNo: tr.TradeNo,
	}
	if in.QueryOptions.has("refund_detail_item_list") {
		out.RefundDetailItemList = balanceRefundItems(refund.Amount)
		out.SendBackFee = zfb.FormatAmount(refund.Amount)
	}
	return out, nil
}

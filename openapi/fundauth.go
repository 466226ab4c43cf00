package openapi

import (
	"context"
	"encoding/json"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/mask"
)

// RegisterFundAuth serves the fund authorisation APIs on g (spec
// §4.8–4.13, seeds 000 and 002). A payment from an authorisation is
// alipay.trade.pay with auth_no (RegisterTrades).
func RegisterFundAuth(g *Gateway, svc *zfb.Service) {
	f := fundAuthAPI{svc}
	g.Register("alipay.fund.auth.order.freeze", Method{Handle: f.freeze})
	g.Register("alipay.fund.auth.order.voucher.create", Method{Handle: f.voucherCreate})
	g.Register("alipay.fund.auth.order.unfreeze", Method{Handle: f.unfreeze})
	g.Register("alipay.fund.auth.operation.cancel", Method{Handle: f.operationCancel})
	g.Register("alipay.fund.auth.operation.detail.query", Method{Handle: f.detailQuery})
}

type fundAuthAPI struct{ svc *zfb.Service }

// decodeAuthBiz reads biz_content into v; a value of the wrong shape is
// ILLEGAL_ARGUMENT naming the field, as the fund authorisation APIs answer
// bad parameters.
func decodeAuthBiz(c *Call, v any) error {
	if err := json.Unmarshal(c.BizContent, v); err != nil {
		detail := "biz_content"
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			detail = te.Field
		}
		return zfb.IllegalArgument(detail + " 的类型不正确")
	}
	return nil
}

// jsonText is a biz_content value that is a JSON object sent as a string,
// as Alipay's SDKs send extra_param, or sent as the object itself (some
// merchants do): either way it is kept as the object's text.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		*t = jsonText(b)
		return nil
	}
	var s text
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = jsonText(s)
	return nil
}

type freezeFields struct {
	AuthCode       text     `json:"auth_code"`
	AuthCodeType   text     `json:"auth_code_type"`
	OutOrderNo     text     `json:"out_order_no"`
	OutRequestNo   text     `json:"out_request_no"`
	OrderTitle     text     `json:"order_title"`
	Amount         text     `json:"amount"`
	ProductCode    text     `json:"product_code"`
	PayeeUserID    text     `json:"payee_user_id"`
	PayTimeout     text     `json:"pay_timeout"`
	TimeoutExpress text     `json:"timeout_express"`
	ExtraParam     jsonText `json:"extra_param"`
}

func (f freezeFields) command(c *Call) zfb.FreezeCommand {
	timeout := f.PayTimeout
	if timeout == "" {
		timeout = f.TimeoutExpress
	}
	return zfb.FreezeCommand{
		AuthCode: f.AuthCode.String(), AuthCodeType: f.AuthCodeType.String(),
		OutOrderNo: f.OutOrderNo.String(), OutRequestNo: f.OutRequestNo.String(),
		OrderTitle: f.OrderTitle.String(), Amount: f.Amount.String(), ProductCode: f.ProductCode.String(),
		PayeeUserID: f.PayeeUserID.String(), PayTimeout: timeout.String(), ExtraParam: string(f.ExtraParam),
		NotifyURL: c.Params["notify_url"],
	}
}

// freezeResponse is the answer of a freeze, and of an unfreeze (which has
// no payer fields). Fields are in Alipay's order: alphabetical after code
// and msg.
type freezeResponse struct {
	Amount        string `json:"amount"`
	AuthNo        string `json:"auth_no"`
	CreditAmount  string `json:"credit_amount"`
	FundAmount    string `json:"fund_amount"`
	GmtTrans      string `json:"gmt_trans,omitempty"`
	OperationID   string `json:"operation_id"`
	OutOrderNo    string `json:"out_order_no"`
	OutRequestNo  string `json:"out_request_no"`
	PayerLogonID  string `json:"payer_logon_id,omitempty"`
	PayerOpenID   string `json:"payer_open_id,omitempty"`
	PayerUserID   string `json:"payer_user_id,omitempty"`
	Status        string `json:"status"`
	TransCurrency string `json:"trans_currency,omitempty"`
}

func operationResponse(o *zfb.AuthOrder, op *zfb.AuthOperation) *freezeResponse {
	out := &freezeResponse{
		Amount: zfb.FormatAmount(op.Amount), AuthNo: o.AuthNo, CreditAmount: "0.00", FundAmount: zfb.FormatAmount(op.Amount),
		OperationID: op.OperationID, OutOrderNo: o.OutOrderNo, OutRequestNo: op.OutRequestNo, Status: string(op.Status),
	}
	if !op.TransAt.IsZero() {
		out.GmtTrans = zfb.FormatGatewayTime(op.TransAt)
	}
	return out
}

func (f fundAuthAPI) freeze(ctx context.Context, c *Call) (any, error) {
	var in freezeFields
	if err := decodeAuthBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := f.svc.Freeze(ctx, c.App, c.Now, in.command(c))
	if err != nil {
		return nil, err
	}
	// A freeze waiting for the buyer's password answers 10000 with status
	// INIT (spec §4.8: the code Alipay uses is UNCONFIRMED; every SDK
	// takes 10000, and the status says the freeze is not done).
	out := operationResponse(res.Order, res.Operation)
	out.PayerLogonID, out.PayerUserID, out.TransCurrency = buyerLogonID(res.Payer), res.PayerIDs.UserID, zfb.CNY
	out.PayerOpenID = res.PayerIDs.OpenID
	return out, nil
}

func (f fundAuthAPI) voucherCreate(ctx context.Context, c *Call) (any, error) {
	var in freezeFields
	if err := decodeAuthBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := f.svc.VoucherCreate(ctx, c.App, c.Now, in.command(c))
	if err != nil {
		return nil, err
	}
	return struct {
		CodeType     string `json:"code_type"`
		CodeURL      string `json:"code_url"`
		CodeValue    string `json:"code_value"`
		OutOrderNo   string `json:"out_order_no"`
		OutRequestNo string `json:"out_request_no"`
	}{
		// UNCONFIRMED: the code_type value Alipay writes for a QR code.
		CodeType: "qrCode", CodeValue: res.Order.CodeValue,
		CodeURL:    res.Order.CodeValue + "?picSize=M",
		OutOrderNo: res.Order.OutOrderNo, OutRequestNo: res.Operation.OutRequestNo,
	}, nil
}

func (f fundAuthAPI) unfreeze(ctx context.Context, c *Call) (any, error) {
	var in struct {
		AuthNo       text     `json:"auth_no"`
		OutRequestNo text     `json:"out_request_no"`
		Amount       text     `json:"amount"`
		Remark       text     `json:"remark"`
		ExtraParam   jsonText `json:"extra_param"`
	}
	if err := decodeAuthBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := f.svc.Unfreeze(ctx, c.App, c.Now, zfb.UnfreezeCommand{
		AuthNo: in.AuthNo.String(), OutRequestNo: in.OutRequestNo.String(), Amount: in.Amount.String(),
		Remark: in.Remark.String(), ExtraParam: string(in.ExtraParam), NotifyURL: c.Params["notify_url"],
	})
	if err != nil {
		return nil, err
	}
	return operationResponse(res.Order, res.Operation), nil
}

// orderRefFields name an order and one of its operations.
type orderRefFields struct {
	AuthNo       text `json:"auth_no"`
	OutOrderNo   text `json:"out_order_no"`
	OperationID  text `json:"operation_id"`
	OutRequestNo text `json:"out_request_no"`
}

func (f fundAuthAPI) operationCancel(ctx context.Context, c *Call) (any, error) {
	var in struct {
		orderRefFields
		Remark text `json:"remark"`
	}
	if err := decodeAuthBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := f.svc.OperationCancel(ctx, c.App, c.Now, zfb.OperationCancelCommand{
		AuthNo: in.AuthNo.String(), OutOrderNo: in.OutOrderNo.String(), OperationID: in.OperationID.String(),
		OutRequestNo: in.OutRequestNo.String(), Remark: in.Remark.String(), NotifyURL: c.Params["notify_url"],
	})
	if err != nil {
		return nil, err
	}
	// Without an action (nothing to cancel), the numbers asked about are
	// echoed, as alipay.trade.cancel does.
	out := struct {
		Action       string `json:"action,omitempty"`
		AuthNo       string `json:"auth_no,omitempty"`
		OperationID  string `json:"operation_id,omitempty"`
		OutOrderNo   string `json:"out_order_no,omitempty"`
		OutRequestNo string `json:"out_request_no,omitempty"`
	}{
		Action: res.Action, AuthNo: in.AuthNo.String(), OperationID: in.OperationID.String(),
		OutOrderNo: in.OutOrderNo.String(), OutRequestNo: in.OutRequestNo.String(),
	}
	if o := res.Order; o != nil {
		out.AuthNo, out.OutOrderNo = o.AuthNo, o.OutOrderNo
	}
	if op := res.Operation; op != nil {
		out.OperationID, out.OutRequestNo = op.OperationID, op.OutRequestNo
	}
	return out, nil
}

// detailQueryResponse is alipay.fund.auth.operation.detail.query's answer:
// every field of seed 002's table, plus order_status and the totals. Amounts
// are two-decimal strings, as real answers carry them (the seed's sample
// shows numbers; the official SDKs parse both).
type detailQueryResponse struct {
	Amount              string `json:"amount"`
	AuthNo              string `json:"auth_no"`
	ExtraParam          string `json:"extra_param,omitempty"`
	GmtCreate           string `json:"gmt_create"`
	GmtTrans            string `json:"gmt_trans,omitempty"`
	OperationID         string `json:"operation_id"`
	OperationType       string `json:"operation_type"`
	OrderStatus         string `json:"order_status"`
	OrderTitle          string `json:"order_title"`
	OutOrderNo          string `json:"out_order_no"`
	OutRequestNo        string `json:"out_request_no"`
	PayerLogonID        string `json:"payer_logon_id,omitempty"`
	PayerOpenID         string `json:"payer_open_id,omitempty"`
	PayerUserID         string `json:"payer_user_id,omitempty"`
	Remark              string `json:"remark,omitempty"`
	RestAmount          string `json:"rest_amount"`
	Status              string `json:"status"`
	TotalFreezeAmount   string `json:"total_freeze_amount"`
	TotalPayAmount      string `json:"total_pay_amount"`
	TotalUnfreezeAmount string `json:"total_unfreeze_amount"`
	TransCurrency       string `json:"trans_currency"`
}

func (f fundAuthAPI) detailQuery(ctx context.Context, c *Call) (any, error) {
	var in struct {
		orderRefFields
		OperationType text `json:"operation_type"`
	}
	if err := decodeAuthBiz(c, &in); err != nil {
		return nil, err
	}
	res, err := f.svc.OperationDetailQuery(ctx, c.App, c.Now, zfb.DetailQueryCommand{
		AuthNo: in.AuthNo.String(), OutOrderNo: in.OutOrderNo.String(), OperationID: in.OperationID.String(),
		OutRequestNo: in.OutRequestNo.String(), OperationType: in.OperationType.String(),
	})
	if err != nil {
		return nil, err
	}
	o, op := res.Order, res.Operation
	out := &detailQueryResponse{
		Amount: zfb.FormatAmount(op.Amount), AuthNo: o.AuthNo, ExtraParam: merchantExt(o.ExtraParam),
		GmtCreate: zfb.FormatGatewayTime(op.CreatedAt), OperationID: op.OperationID, OperationType: string(op.Type),
		OrderStatus: string(o.Status), OrderTitle: o.OrderTitle, OutOrderNo: o.OutOrderNo, OutRequestNo: op.OutRequestNo,
		PayerLogonID: mask.LogonID(res.PayerLogonID), PayerUserID: res.PayerIDs.UserID, PayerOpenID: res.PayerIDs.OpenID,
		Remark:     op.Remark,
		RestAmount: zfb.FormatAmount(o.RestAmount()), Status: string(op.Status),
		TotalFreezeAmount: zfb.FormatAmount(o.TotalFreezeAmount), TotalPayAmount: zfb.FormatAmount(o.TotalPayAmount),
		TotalUnfreezeAmount: zfb.FormatAmount(o.TotalUnfreezeAmount), TransCurrency: zfb.CNY,
	}
	if !op.TransAt.IsZero() {
		out.GmtTrans = zfb.FormatGatewayTime(op.TransAt)
	}
	return out, nil
}

// merchantExt is the extra_param a detail query answers: only the
// merchantExt entry of what the merchant sent (seed 002), as a JSON object
// text, or "" when there is none.
func merchantExt(extraParam string) string {
	var all map[string]json.RawMessage
	if json.Unmarshal([]byte(extraParam), &all) != nil {
		return ""
	}
	ext, ok := all["merchantExt"]
	if !ok {
		return ""
	}
	b, err := marshal(map[string]json.RawMessage{"merchantExt": ext})
	if err != nil {
		return ""
	}
	return string(b)
}

package alipay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
)

// notify_type values of the notifications Alipay (and zfb) POSTs to a
// notify_url (spec/openapi.md §5.2). DecodeNotification decodes each into its
// typed struct.
const (
	NotifyTypeTradeStatusSync         = "trade_status_sync"          // *TradeNotification: a trade was paid, refunded, closed or finished
	NotifyTypeFundAuthFreeze          = "fund_auth_freeze"           // *FundAuthNotification: funds were frozen
	NotifyTypeFundAuthUnfreeze        = "fund_auth_unfreeze"         // *FundAuthNotification: frozen funds were released
	NotifyTypeFundAuthOperationCancel = "fund_auth_operation_cancel" // *FundAuthCancelNotification: a freeze was cancelled
)

// Notification holds the fields every asynchronous notification carries
// (spec/openapi.md §5.2), and the whole verified form. Like the rest of the
// package it keeps the values as the strings on the wire (NotifyTime is
// "yyyy-MM-dd HH:mm:ss", Beijing time), decoded to UTF-8.
//
// NotifyID stays the same across Alipay's retries of one notification:
// dedupe by it.
type Notification struct {
	NotifyID   string `json:"notify_id,omitempty"`
	NotifyTime string `json:"notify_time,omitempty"`
	NotifyType string `json:"notify_type,omitempty"` // NotifyTypeTradeStatusSync…
	AppID      string `json:"app_id,omitempty"`
	AuthAppID  string `json:"auth_app_id,omitempty"` // app_id unless an ISV acts for the merchant
	Charset    string `json:"charset,omitempty"`
	Version    string `json:"version,omitempty"`
	SignType   string `json:"sign_type,omitempty"`
	Sign       string `json:"sign,omitempty"`

	// Form is every field as received and verified (UTF-8), including
	// those the typed structs lack (voucher_detail_list, the cross-border
	// and pre-authorisation extras…).
	Form url.Values `json:"-"`
}

// TradeNotification is a trade_status_sync notification: sent when a trade
// is paid (TRADE_SUCCESS), finished (TRADE_FINISHED), closed (TRADE_CLOSED)
// and refunded. A refund's carries OutBizNo (the refund's out_request_no),
// RefundFee (the total refunded so far) and GmtRefund; TradeStatus is then
// TRADE_SUCCESS after a partial refund and TRADE_CLOSED after a full one.
// Check TotalAmount and SellerID against your order before acting on it.
type TradeNotification struct {
	TradeNo        string     `json:"trade_no,omitempty"`
	OutTradeNo     string     `json:"out_trade_no,omitempty"`
	OutBizNo       string     `json:"out_biz_no,omitempty"` // refund notifications: the refund's out_request_no
	BuyerID        string     `json:"buyer_id,omitempty"`
	BuyerLogonID   string     `json:"buyer_logon_id,omitempty"` // masked
	BuyerOpenID    string     `json:"buyer_open_id,omitempty"`
	SellerID       string     `json:"seller_id,omitempty"`
	SellerEmail    string     `json:"seller_email,omitempty"`
	TradeStatus    string     `json:"trade_status,omitempty"` // TradeStatusSuccess, TradeStatusFinished, TradeStatusClosed
	TotalAmount    string     `json:"total_amount,omitempty"`
	ReceiptAmount  string     `json:"receipt_amount,omitempty"`
	InvoiceAmount  string     `json:"invoice_amount,omitempty"`
	BuyerPayAmount string     `json:"buyer_pay_amount,omitempty"`
	PointAmount    string     `json:"point_amount,omitempty"`
	RefundFee      string     `json:"refund_fee,omitempty"` // total refunded so far
	Subject        string     `json:"subject,omitempty"`
	Body           string     `json:"body,omitempty"`
	GmtCreate      string     `json:"gmt_create,omitempty"`
	GmtPayment     string     `json:"gmt_payment,omitempty"`
	GmtRefund      string     `json:"gmt_refund,omitempty"`
	GmtClose       string     `json:"gmt_close,omitempty"`
	FundBillList   []FundBill `json:"fund_bill_list,omitempty"` // decoded from the form's JSON string
	PassbackParams string     `json:"passback_params,omitempty"`
}

// FundAuthNotification is a fund_auth_freeze or fund_auth_unfreeze
// notification: an operation on an authorisation order went through
// (OperationType AuthOperationFreeze or AuthOperationUnfreeze, Status
// AuthOperationStatusSuccess), with the order's totals after it.
type FundAuthNotification struct {
	AuthNo        string `json:"auth_no,omitempty"`
	OutOrderNo    string `json:"out_order_no,omitempty"`
	OperationID   string `json:"operation_id,omitempty"`
	OutRequestNo  string `json:"out_request_no,omitempty"`
	OperationType string `json:"operation_type,omitempty"` // FREEZE, UNFREEZE
	Amount        string `json:"amount,omitempty"`         // this operation's
	Status        string `json:"status,omitempty"`         // this operation's: SUCCESS…
	GmtCreate     string `json:"gmt_create,omitempty"`
	GmtTrans      string `json:"gmt_trans,omitempty"`
	PayerUserID   string `json:"payer_user_id,omitempty"`
	PayerLogonID  string `json:"payer_logon_id,omitempty"` // masked
	// PayerOpenID is the payer's open_id in the app, in place of (openid
	// mode) or beside PayerUserID. That Alipay sends it here is
	// UNCONFIRMED (spec isv-and-identity §2.2, by analogy with the answers).
	PayerOpenID         string `json:"payer_open_id,omitempty"`
	PayeeUserID         string `json:"payee_user_id,omitempty"`
	OrderStatus         string `json:"order_status,omitempty"` // the order's: AUTHORIZED, FINISH, CLOSED…
	TotalFreezeAmount   string `json:"total_freeze_amount,omitempty"`
	TotalUnfreezeAmount string `json:"total_unfreeze_amount,omitempty"`
	TotalPayAmount      string `json:"total_pay_amount,omitempty"`
	RestAmount          string `json:"rest_amount,omitempty"` // still frozen
	TransCurrency       string `json:"trans_currency,omitempty"`
}

// FundAuthCancelNotification is a fund_auth_operation_cancel notification:
// alipay.fund.auth.operation.cancel cancelled a freeze. Action says what it
// did: AuthCancelActionClose (nothing had been frozen) or
// AuthCancelActionUnfreeze (the frozen money was released).
type FundAuthCancelNotification struct {
	AuthNo       string `json:"auth_no,omitempty"`
	OutOrderNo   string `json:"out_order_no,omitempty"`
	OperationID  string `json:"operation_id,omitempty"`
	OutRequestNo string `json:"out_request_no,omitempty"`
	Action       string `json:"action,omitempty"`
}

// DecodeNotification reads the notification Alipay POSTed with r, verifies
// it (ParseNotification, VerifyNotification) and decodes it. The second value
// is the typed notification its notify_type names:
//
//	NotifyTypeTradeStatusSync          *TradeNotification
//	NotifyTypeFundAuthFreeze           *FundAuthNotification
//	NotifyTypeFundAuthUnfreeze         *FundAuthNotification
//	NotifyTypeFundAuthOperationCancel  *FundAuthCancelNotification
//
// and nil for any other notify_type (read those from Notification.Form). It
// returns an error, matching ErrSignature when the signature is wrong or
// missing, only if the notification cannot be read or does not verify.
//
// A fund_bill_list that is not the JSON array expected leaves
// TradeNotification.FundBillList nil rather than failing a notification that
// verified; the string is still in Notification.Form.
func (c *Client) DecodeNotification(r *http.Request) (*Notification, any, error) {
	form, err := c.ParseNotification(r)
	if err != nil {
		return nil, nil, err
	}
	n, v := decodeNotification(form)
	return n, v, nil
}

// decodeNotification decodes a verified form.
func decodeNotification(f url.Values) (*Notification, any) {
	n := &Notification{
		NotifyID:   f.Get("notify_id"),
		NotifyTime: f.Get("notify_time"),
		NotifyType: f.Get("notify_type"),
		AppID:      f.Get("app_id"),
		AuthAppID:  f.Get("auth_app_id"),
		Charset:    f.Get("charset"),
		Version:    f.Get("version"),
		SignType:   f.Get("sign_type"),
		Sign:       f.Get("sign"),
		Form:       f,
	}
	switch n.NotifyType {
	case NotifyTypeTradeStatusSync:
		return n, &TradeNotification{
			TradeNo:        f.Get("trade_no"),
			OutTradeNo:     f.Get("out_trade_no"),
			OutBizNo:       f.Get("out_biz_no"),
			BuyerID:        f.Get("buyer_id"),
			BuyerLogonID:   f.Get("buyer_logon_id"),
			BuyerOpenID:    f.Get("buyer_open_id"),
			SellerID:       f.Get("seller_id"),
			SellerEmail:    f.Get("seller_email"),
			TradeStatus:    f.Get("trade_status"),
			TotalAmount:    f.Get("total_amount"),
			ReceiptAmount:  f.Get("receipt_amount"),
			InvoiceAmount:  f.Get("invoice_amount"),
			BuyerPayAmount: f.Get("buyer_pay_amount"),
			PointAmount:    f.Get("point_amount"),
			RefundFee:      f.Get("refund_fee"),
			Subject:        f.Get("subject"),
			Body:           f.Get("body"),
			GmtCreate:      f.Get("gmt_create"),
			GmtPayment:     f.Get("gmt_payment"),
			GmtRefund:      f.Get("gmt_refund"),
			GmtClose:       f.Get("gmt_close"),
			FundBillList:   decodeNotifyFundBills(f.Get("fund_bill_list")),
			PassbackParams: f.Get("passback_params"),
		}
	case NotifyTypeFundAuthFreeze, NotifyTypeFundAuthUnfreeze:
		return n, &FundAuthNotification{
			AuthNo:              f.Get("auth_no"),
			OutOrderNo:          f.Get("out_order_no"),
			OperationID:         f.Get("operation_id"),
			OutRequestNo:        f.Get("out_request_no"),
			OperationType:       f.Get("operation_type"),
			Amount:              f.Get("amount"),
			Status:              f.Get("status"),
			GmtCreate:           f.Get("gmt_create"),
			GmtTrans:            f.Get("gmt_trans"),
			PayerUserID:         f.Get("payer_user_id"),
			PayerLogonID:        f.Get("payer_logon_id"),
			PayerOpenID:         f.Get("payer_open_id"),
			PayeeUserID:         f.Get("payee_user_id"),
			OrderStatus:         f.Get("order_status"),
			TotalFreezeAmount:   f.Get("total_freeze_amount"),
			TotalUnfreezeAmount: f.Get("total_unfreeze_amount"),
			TotalPayAmount:      f.Get("total_pay_amount"),
			RestAmount:          f.Get("rest_amount"),
			TransCurrency:       f.Get("trans_currency"),
		}
	case NotifyTypeFundAuthOperationCancel:
		return n, &FundAuthCancelNotification{
			AuthNo:       f.Get("auth_no"),
			OutOrderNo:   f.Get("out_order_no"),
			OperationID:  f.Get("operation_id"),
			OutRequestNo: f.Get("out_request_no"),
			Action:       f.Get("action"),
		}
	}
	return n, nil
}

// notifyFundBill is one element of a notification's fund_bill_list, which
// Alipay writes in camelCase ([{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}],
// spec/openapi.md §5.2), unlike the snake_case API answers. The snake_case
// spellings are read too.
type notifyFundBill struct {
	FundChannel      flexString `json:"fundChannel"`
	FundChannelSnake flexString `json:"fund_channel"`
	BankCode         flexString `json:"bankCode"`
	BankCodeSnake    flexString `json:"bank_code"`
	Amount           flexString `json:"amount"`
	RealAmount       flexString `json:"realAmount"`
	RealAmountSnake  flexString `json:"real_amount"`
	FundType         flexString `json:"fundType"`
	FundTypeSnake    flexString `json:"fund_type"`
}

func decodeNotifyFundBills(s string) []FundBill {
	if s == "" {
		return nil
	}
	var raw []notifyFundBill
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil
	}
	out := make([]FundBill, len(raw))
	for i, b := range raw {
		out[i] = FundBill{
			FundChannel: firstNonEmpty(b.FundChannel, b.FundChannelSnake),
			BankCode:    firstNonEmpty(b.BankCode, b.BankCodeSnake),
			Amount:      string(b.Amount),
			RealAmount:  firstNonEmpty(b.RealAmount, b.RealAmountSnake),
			FundType:    firstNonEmpty(b.FundType, b.FundTypeSnake),
		}
	}
	return out
}

func firstNonEmpty(a, b flexString) string {
	if a != "" {
		return string(a)
	}
	return string(b)
}

// flexString reads a JSON string, or a number as its literal text ("88.88"
// for 88.88), so an amount written either way is kept as on the wire.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*s = flexString(n)
	return nil
}

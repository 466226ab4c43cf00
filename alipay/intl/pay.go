package intl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Typed calls of the offline (merchant-scans-buyer) payment family, in the
// style of stripe-go: one request and one response struct per function,
// JSON tags as the wire's camelCase names, amounts as Money and times as the
// RFC 3339 strings on the wire; the SDK neither parses nor reformats them.
//
// The request bodies are the 2.0.2 pages' (settlement id "partnerId"). The
// response fields beyond resultInfo are UNCONFIRMED for Alipay itself (its
// pages are truncated in every stored copy, spec §4.2–4.4); they are the
// sibling spec's names, which zfb answers with. A field the structs lack can
// be sent or read with Client.Do.

// Money is an amount in the smallest unit of its currency: USD 1.00 is
// {Currency: "USD", Value: "100"} (spec §2.3).
type Money struct {
	Currency string `json:"currency"` // ISO 4217, e.g. "USD", "HKD", "CNY"
	Value    string `json:"value"`    // minor units, as a decimal string
}

// NewMoney returns minor units of currency as Money.
func NewMoney(currency string, minor int64) Money {
	return Money{Currency: currency, Value: strconv.FormatInt(minor, 10)}
}

// MinorUnits parses Value strictly: ASCII digits only, no sign, no leading
// zero (but "0"), within int64.
func (m Money) MinorUnits() (int64, error) {
	v := m.Value
	if v == "" || (len(v) > 1 && v[0] == '0') {
		return 0, fmt.Errorf("intl: money value %q: want minor units", v)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, fmt.Errorf("intl: money value %q: want minor units", v)
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("intl: money value %q: %w", v, err)
	}
	return n, nil
}

// Order is the order of a payment.
type Order struct {
	OrderAmount Money  `json:"orderAmount"`
	OrderTitle  string `json:"orderTitle"`
	OrderMemo   string `json:"orderMemo,omitempty"` // UNCONFIRMED name
}

// PayRequest is the body of alipay.intl.acquiring.offline.pay: the merchant
// scanned the buyer's payment code (IdentityCode).
type PayRequest struct {
	PartnerID        string `json:"partnerId"`           // default: WithPartnerID
	ProductCode      string `json:"productCode"`         // default ProductCodeOfflinePay
	MerchantTransID  string `json:"merchantTransId"`     // the merchant's id of the payment
	CodeType         string `json:"codeType"`            // default CodeTypeBarcode
	IdentityCode     string `json:"identityCode"`        // the digits of the buyer's code
	Order            Order  `json:"order"`               //
	NotifyURL        string `json:"notifyUrl,omitempty"` // UNCONFIRMED name; where notify.pay is sent
	SettleContractID string `json:"settleContractId,omitempty"`
	ExtendInfo       string `json:"extendInfo,omitempty"` // a JSON object, as a string
}

// PayResponse is the answer of offline.pay.
type PayResponse struct {
	ResultInfo      ResultInfo `json:"resultInfo"`
	AcquirementID   string     `json:"acquirementId"`           // Alipay's id of the payment
	MerchantTransID string     `json:"merchantTransId"`         //
	OrderAmount     Money      `json:"orderAmount"`             //
	PaymentAmount   *Money     `json:"paymentAmount,omitempty"` // what the buyer paid (CNY), when known
	CreateTime      string     `json:"createTime,omitempty"`
	PaidTime        string     `json:"paidTime,omitempty"`
}

// PayQueryRequest is the body of offline.payQuery. Give AcquirementID or
// MerchantTransID; AcquirementID wins when both are set.
type PayQueryRequest struct {
	PartnerID       string `json:"partnerId"`
	AcquirementID   string `json:"acquirementId,omitempty"`
	MerchantTransID string `json:"merchantTransId,omitempty"`
}

// PayQueryResponse is the answer of offline.payQuery.
type PayQueryResponse struct {
	ResultInfo        ResultInfo `json:"resultInfo"`
	AcquirementID     string     `json:"acquirementId"`
	MerchantTransID   string     `json:"merchantTransId"`
	AcquirementStatus string     `json:"acquirementStatus"` // AcquirementStatusInit, …Success, …Closed, …Cancelled
	OrderAmount       Money      `json:"orderAmount"`
	PaymentAmount     *Money     `json:"paymentAmount,omitempty"`
	CreateTime        string     `json:"createTime,omitempty"`
	PaidTime          string     `json:"paidTime,omitempty"`
	CancelTime        string     `json:"cancelTime,omitempty"`
	RefundAmount      *Money     `json:"refundAmount,omitempty"` // refunded so far, when any
	// StatusDetail is where the sibling spec puts acquirementStatus; when
	// the top-level field is empty, PayQuery copies it from here.
	StatusDetail *struct {
		AcquirementStatus string `json:"acquirementStatus"`
	} `json:"statusDetail,omitempty"`
}

// PayCancelRequest is the body of common.payCancel. Give AcquirementID or
// MerchantTransID; AcquirementID wins when both are set.
type PayCancelRequest struct {
	PartnerID       string `json:"partnerId"`
	AcquirementID   string `json:"acquirementId,omitempty"`
	MerchantTransID string `json:"merchantTransId,omitempty"`
}

// PayCancelResponse is the answer of common.payCancel (seed 001).
type PayCancelResponse struct {
	ResultInfo      ResultInfo `json:"resultInfo"`
	AcquirementID   string     `json:"acquirementId"`
	MerchantTransID string     `json:"merchantTransId"`
	CancelTime      string     `json:"cancelTime,omitempty"`
}

// Pay calls alipay.intl.acquiring.offline.pay: it charges the buyer whose
// code the merchant scanned.
//
//   - nil error: paid.
//   - an *Error whose UnknownResult() is true (UNKNOWN_EXCEPTION,
//     USER_PAYING…), a timeout, a transport error, an *HTTPError or a
//     mismatched answer: the buyer may or may not have been charged. With
//     an *Error the response is returned too, holding what the answer
//     carried (USER_PAYING's acquirementId). Call PayQuery; if it does not
//     show SUCCESS or the sale must be abandoned, PayCancel with the same
//     ids until it answers S or F (spec §4.6). Never retry with a new
//     MerchantTransID before that.
//   - any other *Error: nothing was charged; a retry needs a new
//     MerchantTransID.
func (c *Client) Pay(ctx context.Context, p PayRequest) (*PayResponse, error) {
	p.PartnerID = c.partner(p.PartnerID)
	if p.ProductCode == "" {
		p.ProductCode = ProductCodeOfflinePay
	}
	if p.CodeType == "" {
		p.CodeType = CodeTypeBarcode
	}
	return call[PayResponse](ctx, c, FunctionPay, &p)
}

// PayQuery calls alipay.intl.acquiring.offline.payQuery: it reports a
// payment's AcquirementStatus. On an unknown result, retry.
func (c *Client) PayQuery(ctx context.Context, p PayQueryRequest) (*PayQueryResponse, error) {
	p.PartnerID = c.partner(p.PartnerID)
	if p.AcquirementID == "" && p.MerchantTransID == "" {
		return nil, errors.New("intl: payQuery: want AcquirementID or MerchantTransID")
	}
	r, err := call[PayQueryResponse](ctx, c, FunctionPayQuery, &p)
	if err == nil && r.AcquirementStatus == "" && r.StatusDetail != nil {
		r.AcquirementStatus = r.StatusDetail.AcquirementStatus
	}
	return r, err
}

// PayCancel calls alipay.intl.acquiring.common.payCancel, the way out of a
// payment whose outcome is unknown: an unpaid payment is closed, a paid one
// fully refunded, one Alipay never saw cancelled in advance; afterwards the
// merchant may assume it never happened. It works for the current day
// (Beijing time) plus 15 minutes: ORDER_CANCEL_WINDOW_EXPIRED means use
// Refund. After an unknown result, call it again with the same ids.
func (c *Client) PayCancel(ctx context.Context, p PayCancelRequest) (*PayCancelResponse, error) {
	p.PartnerID = c.partner(p.PartnerID)
	if p.AcquirementID == "" && p.MerchantTransID == "" {
		return nil, errors.New("intl: payCancel: want AcquirementID or MerchantTransID")
	}
	return call[PayCancelResponse](ctx, c, FunctionPayCancel, &p)
}

// partner returns id, or the client's default partnerId when id is empty.
func (c *Client) partner(id string) string {
	if id == "" {
		return c.partnerID
	}
	return id
}

// call makes one typed call, decoding a successful body into a T.
func call[T any](ctx context.Context, c *Client, function string, body any) (*T, error) {
	r := new(T)
	if _, err := c.Do(ctx, function, body, r); err != nil {
		var e *Error
		if errors.As(err, &e) && e.UnknownResult() {
			// A verified U answer may carry ids worth keeping
			// (USER_PAYING gives the acquirementId to query).
			return r, err
		}
		return nil, err
	}
	return r, nil
}

package intl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/zfbpay/zfb/sign"
)

// maxNotificationBytes bounds what ParseNotification reads.
const maxNotificationBytes = 1 << 20

// Notification is a verified payment notification
// (alipay.intl.acquiring.offline.notify.pay, spec §4.5): a signed "request"
// envelope Alipay POSTs to the merchant. Fields beyond resultInfo,
// acquirementId, merchantTransId and orderAmount are UNCONFIRMED; Body holds
// the whole body for anything else.
type Notification struct {
	// From request.head.
	Version  string
	Function string // e.g. FunctionNotifyPay
	ClientID string
	ReqTime  string
	ReqMsgID string // echo it in the answer (NotificationResponse does)

	ResultInfo      ResultInfo
	AcquirementID   string // when ResultInfo is SUCCESS
	MerchantTransID string
	OrderAmount     *Money
	PaymentAmount   *Money
	PaidTime        string

	Body json.RawMessage // request.body as received
}

type notifyHead struct {
	Version  string `json:"version"`
	Function string `json:"function"`
	ClientID string `json:"clientId"`
	ReqTime  string `json:"reqTime"`
	ReqMsgID string `json:"reqMsgId"`
	SignType string `json:"signType"`
}

type notifyBody struct {
	ResultInfo      ResultInfo `json:"resultInfo"`
	AcquirementID   string     `json:"acquirementId"`
	MerchantTransID string     `json:"merchantTransId"`
	OrderAmount     *Money     `json:"orderAmount"`
	PaymentAmount   *Money     `json:"paymentAmount"`
	PaidTime        string     `json:"paidTime"`
}

// VerifyNotification verifies a notification body as POSTed by Alipay: the
// signature (required) must verify with Alipay's public key over the exact
// text of the "request" value, under the algorithm head.signType names (RSA2
// or RSA; the client's sign type when absent, UNCONFIRMED), and head.clientId,
// when set, must be the client's. It returns the notification only if all
// holds; a bad or missing signature matches ErrSignature.
//
// After it succeeds, act on the notification idempotently (Alipay may
// resend it; its retry schedule is UNCONFIRMED) and answer with the body
// NotificationResponse returns.
func (c *Client) VerifyNotification(body []byte) (*Notification, error) {
	env, err := sign.ExtractEnvelope(body, sign.NodeRequest)
	if err != nil {
		return nil, fmt.Errorf("intl: notification: %w", err)
	}
	var v struct {
		Head notifyHead      `json:"head"`
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(env.Value, &v); err != nil {
		return nil, fmt.Errorf("intl: notification: %w", err)
	}
	alg := c.signType
	if v.Head.SignType != "" {
		alg = sign.Algorithm(v.Head.SignType)
		if !alg.Valid() {
			return nil, &signatureError{what: "notification", reason: fmt.Sprintf("signType %q not supported", v.Head.SignType)}
		}
	}
	if env.Signature == "" {
		return nil, &signatureError{what: "notification", reason: "no signature"}
	}
	if err := sign.VerifyEnvelope(c.pub, alg, env); err != nil {
		return nil, &signatureError{what: "notification", err: err}
	}
	if v.Head.ClientID != "" && v.Head.ClientID != c.clientID {
		return nil, fmt.Errorf("intl: notification: clientId %q is not this client's %q", v.Head.ClientID, c.clientID)
	}
	if v.Head.Function == "" {
		return nil, errors.New("intl: notification: no head.function")
	}
	if len(v.Body) == 0 || v.Body[0] != '{' {
		return nil, errors.New("intl: notification: no body object")
	}
	var b notifyBody
	if err := json.Unmarshal(v.Body, &b); err != nil {
		return nil, fmt.Errorf("intl: notification body: %w", err)
	}
	return &Notification{
		Version: v.Head.Version, Function: v.Head.Function, ClientID: v.Head.ClientID,
		ReqTime: v.Head.ReqTime, ReqMsgID: v.Head.ReqMsgID,
		ResultInfo: b.ResultInfo, AcquirementID: b.AcquirementID, MerchantTransID: b.MerchantTransID,
		OrderAmount: b.OrderAmount, PaymentAmount: b.PaymentAmount, PaidTime: b.PaidTime,
		Body: bytes.Clone(v.Body),
	}, nil
}

// ParseNotification reads a notification from an HTTP request (at most
// 1 MiB) and verifies it with VerifyNotification.
func (c *Client) ParseNotification(r *http.Request) (*Notification, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("intl: notification: method %s, want POST", r.Method)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBytes+1))
	if err != nil {
		return nil, fmt.Errorf("intl: notification: %w", err)
	}
	if len(body) > maxNotificationBytes {
		return nil, fmt.Errorf("intl: notification: larger than %d bytes", maxNotificationBytes)
	}
	return c.VerifyNotification(body)
}

// NotificationResponse returns the answer to a notification: a "response"
// envelope echoing its version, function and reqMsgId, with respTime from
// the clock and resultInfo S/00000000/SUCCESS, signed with the merchant's
// key (Alipay's need for the signature is UNCONFIRMED; the sibling spec
// requires it). Send it with Content-Type "application/json;
// charset=utf-8".
func (c *Client) NotificationResponse(n *Notification) ([]byte, error) {
	if n == nil {
		return nil, errors.New("intl: NotificationResponse: nil notification")
	}
	version := n.Version
	if version == "" {
		version = c.version
	}
	var buf bytes.Buffer
	buf.WriteString(`{"head":`)
	head := responseHead{
		Version:  version,
		Function: n.Function,
		ClientID: c.clientID,
		RespTime: c.now().Format(reqTimeLayout),
		ReqMsgID: n.ReqMsgID,
	}
	if err := encodeJSON(&buf, head); err != nil {
		return nil, fmt.Errorf("intl: NotificationResponse: %w", err)
	}
	buf.WriteString(`,"body":{"resultInfo":`)
	ok := ResultInfo{ResultStatus: StatusSuccess, ResultCodeID: CodeIDSuccess, ResultCode: CodeSuccess, ResultMsg: "success"}
	if err := encodeJSON(&buf, ok); err != nil {
		return nil, fmt.Errorf("intl: NotificationResponse: %w", err)
	}
	buf.WriteString(`}}`)
	sig, err := sign.SignEnvelopeValue(c.priv, c.signType, buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("intl: NotificationResponse: signing: %w", err)
	}
	return sign.EnvelopeJSON(sign.NodeResponse, buf.Bytes(), sig), nil
}

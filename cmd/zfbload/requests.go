package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// request is one HTTP request, signed before the clock starts.
type request struct {
	path        string
	contentType string
	body        []byte
	success     []byte // a substring every successful answer holds
}

const (
	formType = "application/x-www-form-urlencoded;charset=utf-8"
	jsonType = "application/json; charset=utf-8"
)

var (
	gatewaySuccess = []byte(`"code":"10000"`)
	intlSuccess    = []byte(`"resultStatus":"S"`)
)

// signer makes the requests of one app and its paying buyers.
type signer struct {
	app   sandbox.App
	key   *rsa.PrivateKey
	alg   sign.Algorithm
	codes []string // the paying buyers' payment codes (addBuyers adds more)
	// buyerIDs are the same buyers' user ids, in the same order.
	buyerIDs []string
	// seeded are the indexes of the seeded trades (number("S", i)) in
	// random order; each bigquery workload asks for the next ones, so
	// that no answer repeats, within or across workloads.
	seeded     []int
	seededUsed int
	prefix     string // makes this run's merchant numbers unique
	clockNo    func() time.Time
}

func newSigner(f *sandbox.File) (*signer, error) {
	app := f.Apps[0]
	key, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("the first app's private key (sandbox.json holds it only for apps zfb made): %w", err)
	}
	var code, userID string
	for _, b := range f.Buyers {
		if b.Behaviour == zfb.BehaviourPays && !b.Restricted {
			code, userID = b.PaymentCode, b.UserID
			break
		}
	}
	if code == "" {
		return nil, fmt.Errorf("sandbox.json has no buyer who pays at once")
	}
	var r [4]byte
	_, _ = rand.Read(r[:])
	return &signer{app: app, key: key, alg: sign.Algorithm(app.SignType), codes: []string{code}, buyerIDs: []string{userID},
		prefix: "L" + hex.EncodeToString(r[:]), clockNo: time.Now}, nil
}

// gateway signs a gateway.do call of method with biz (marshalled as is).
func (s *signer) gateway(method string, biz map[string]any) (request, error) {
	bizJSON, err := json.Marshal(biz)
	if err != nil {
		return request{}, err
	}
	p := map[string]string{
		"app_id": s.app.AppID, "method": method, "charset": "utf-8", "format": "JSON",
		"sign_type": string(s.alg), "timestamp": zfb.FormatGatewayTime(s.clockNo()), "version": "1.0",
		"biz_content": string(bizJSON),
	}
	if err := sign.SignRequest(s.key, s.alg, p); err != nil {
		return request{}, err
	}
	form := make(url.Values, len(p))
	for k, v := range p {
		form.Set(k, v)
	}
	return request{path: "/gateway.do", contentType: formType, body: []byte(form.Encode()), success: gatewaySuccess}, nil
}

// intl signs an international acquiring call of function with body.
func (s *signer) intl(function string, body map[string]any) (request, error) {
	path, err := intl.FunctionPath(function)
	if err != nil {
		return request{}, err
	}
	var msgID [16]byte
	_, _ = rand.Read(msgID[:])
	head := map[string]string{
		"version": intl.DefaultVersion, "function": function, "clientId": s.app.IntlClientID,
		"reqTime": s.clockNo().Format("2006-01-02T15:04:05-07:00"), "reqMsgId": hex.EncodeToString(msgID[:]),
		"signType": string(s.alg),
	}
	value, err := json.Marshal(map[string]any{"head": head, "body": body})
	if err != nil {
		return request{}, err
	}
	sig, err := sign.SignEnvelopeValue(s.key, s.alg, value)
	if err != nil {
		return request{}, err
	}
	return request{path: path, contentType: jsonType, body: sign.EnvelopeJSON(sign.NodeRequest, value, sig), success: intlSuccess}, nil
}

// number is the i-th merchant number of a kind ("P" pay, "F" freeze, "I"
// intl, "S" seeded trade).
func (s *signer) number(kind string, i int) string { return fmt.Sprintf("%s%s%06d", s.prefix, kind, i) }

// requests builds the n requests of workload w, signing on every core.
func (s *signer) requests(w string, n int) ([]request, error) {
	var seeded []int
	if w == "bigquery" {
		if len(s.seeded) == 0 {
			return nil, errors.New("bigquery asks for seeded trades: give --trades")
		}
		if s.seededUsed == len(s.seeded) {
			return nil, errors.New("bigquery has asked for every seeded trade: give more --trades")
		}
		n = min(n, len(s.seeded)-s.seededUsed)
		seeded = s.seeded[s.seededUsed : s.seededUsed+n]
		s.seededUsed += n
	}
	build := func(i int) (request, error) {
		switch w {
		case "pay", "stub":
			if w == "stub" { // the stub answers queries; what it is asked is irrelevant to it
				return s.gateway("alipay.trade.query", map[string]any{"out_trade_no": s.number("P", i)})
			}
			return s.gateway("alipay.trade.pay", map[string]any{
				"out_trade_no": s.number("P", i), "scene": "bar_code", "auth_code": s.code(i),
				"subject": "zfbload", "total_amount": "0.01",
			})
		case "query":
			return s.gateway("alipay.trade.query", map[string]any{"out_trade_no": s.number("P", i)})
		case "bigquery":
			return s.gateway("alipay.trade.query", map[string]any{"out_trade_no": s.number("S", seeded[i])})
		case "poll":
			return s.gateway("alipay.trade.query", map[string]any{"out_trade_no": s.number("P", 0)})
		case "freeze":
			no := s.number("F", i)
			return s.gateway("alipay.fund.auth.order.freeze", map[string]any{
				"auth_code": s.code(i), "auth_code_type": "bar_code", "out_order_no": no, "out_request_no": no,
				"order_title": "zfbload", "amount": "0.01", "product_code": "PREAUTH_PAY",
			})
		case "detail":
			no := s.number("F", i)
			return s.gateway("alipay.fund.auth.operation.detail.query", map[string]any{"out_order_no": no, "out_request_no": no})
		case "intlpay":
			return s.intl(intl.FunctionPay, map[string]any{
				"partnerId": s.app.IntlPartnerID, "productCode": intl.ProductCodeOfflinePay,
				"merchantTransId": s.number("I", i), "codeType": intl.CodeTypeBarcode, "identityCode": s.code(i),
				"order": map[string]any{"orderAmount": map[string]string{"currency": "USD", "value": "1"}, "orderTitle": "zfbload"},
			})
		case "intlquery":
			return s.intl(intl.FunctionPayQuery, map[string]any{"partnerId": s.app.IntlPartnerID, "merchantTransId": s.number("I", i)})
		}
		return request{}, fmt.Errorf("no requests for workload %q", w)
	}
	out := make([]request, n)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += len(errs) {
				if out[i], errs[g] = build(i); errs[g] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// succeeded reports whether answer is a success of req.
func (r request) succeeded(answer []byte) bool { return bytes.Contains(answer, r.success) }

package interop

// These tests drive zfb's gateway.do with the most used third-party Go SDK,
// github.com/smartwalle/alipay/v3, pinned in go.mod to smartwalleVersion. What v3.2.30 does
// (read from its source in the module cache):
//
//   - alipay.New(appID, privateKey, isProduction, opts...) parses the private key as PKCS#1, then
//     PKCS#8; a key starting with '-' is PEM-decoded, anything else is taken as bare base64 DER.
//     So sandbox.json's app_private_key (PKCS#1 PEM) works as it is.
//   - It always signs RSA2 (sign_type=RSA2, SHA256withRSA) and sends every parameter,
//     biz_content included, in a POST form body (charset=utf-8, timestamp in time.Local).
//   - WithProductionGateway(url) replaces the gateway when isProduction is true (and
//     WithSandboxGateway when it is false).
//   - LoadAliPayPublicKey takes a PKIX public key (PEM or bare base64): sandbox.json's
//     alipay_public_key.
//   - Response verification is ON for every trade API and cannot be turned off by the caller:
//     doRequest → decode(…, param.NeedVerify()), and every request type embeds AuxParam, whose
//     NeedVerify() is true. decode takes the raw bytes of the "<method>_response" value
//     (json.RawMessage) and verifies "sign" over them with the loaded key; a failure is the
//     error of the call (crypto/rsa.ErrVerification). An answer WITHOUT "sign" comes back as an
//     *alipay.Error built from the node — an error even for code 10000 — so a call that returns
//     no error was verified. With no key loaded it fails with ErrAliPublicKeyNotFound (sandbox)
//     or downloads Alipay's certificate (production): it never skips the check.
//   - OnReceivedData's handler runs only on that verifying path; the tests count it.
//   - The request structs have no omitempty on several optional fields, so it sends empty
//     strings such as "product_code":"", "buyer_id":"", "trade_no":"", "discountable_amount":"",
//     "operator_id":"": the gateway must read "" as absent.
//   - Business codes are not errors: the result's embedded alipay.Error carries code, msg,
//     sub_code, sub_msg; 10003 counts as IsSuccess().

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb/zfbtest"
)

// smartwalleVersion is the exact github.com/smartwalle/alipay/v3 version go.mod pins.
const smartwalleVersion = "v3.2.30"

// swRecorder is the SDK's HTTP transport: it keeps the last request's biz_content and the last
// raw response, for checks and failure messages.
type swRecorder struct {
	mu      sync.Mutex
	bizReq  string
	rawResp []byte
}

func (r *swRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var biz string
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if form, err := url.ParseQuery(string(b)); err == nil {
			biz = form.Get("biz_content")
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.bizReq, r.rawResp = biz, body
	r.mu.Unlock()
	return resp, nil
}

func (r *swRecorder) last() (biz string, raw []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bizReq, r.rawResp
}

// swClient is a smartwalle client on zfb that counts the answers it took down its verifying path.
type swClient struct {
	*alipay.Client
	rec *swRecorder

	mu       sync.Mutex
	verified map[string]int // response node name → answers handed to OnReceivedData
}

// newSmartwalle configures smartwalle as a merchant would for production, pointed at zfb.
func newSmartwalle(t *testing.T, srv *zfbtest.Server, appID, privateKey, alipayPublicKey string) *swClient {
	t.Helper()
	sw := &swClient{rec: &swRecorder{}, verified: map[string]int{}}
	c, err := alipay.New(appID, privateKey, true,
		alipay.WithProductionGateway(srv.GatewayURL),
		alipay.WithHTTPClient(&http.Client{Transport: sw.rec, Timeout: 30 * time.Second}))
	if err != nil {
		t.Fatalf("smartwalle alipay.New: %v", err)
	}
	if err := c.LoadAliPayPublicKey(alipayPublicKey); err != nil {
		t.Fatalf("smartwalle LoadAliPayPublicKey: %v", err)
	}
	c.OnReceivedData(func(_ context.Context, node string, _ []byte) {
		sw.mu.Lock()
		sw.verified[node]++
		sw.mu.Unlock()
	})
	sw.Client = c
	return sw
}

func (sw *swClient) verifiedCount(node string) int {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.verified[node]
}

// responseNode is the name of method's answer node: alipay.trade.pay → alipay_trade_pay_response.
func responseNode(method string) string { return strings.ReplaceAll(method, ".", "_") + "_response" }

// swCall makes one call. It fails the test unless smartwalle returned no error (so it verified
// zfb's sign), took its verifying path for method's node, parsed code wantCode, and the raw node
// looks like Alipay's. It returns the typed result.
func swCall[R any](t *testing.T, sw *swClient, method string, wantCode alipay.Code, call func(context.Context) (*R, error)) *R {
	t.Helper()
	node := responseNode(method)
	n := sw.verifiedCount(node)
	rsp, err := call(t.Context())
	biz, raw := sw.rec.last()
	ctx := fmt.Sprintf("%s\n  biz_content sent: %s\n  raw response: %s", method, biz, raw)
	if err != nil {
		t.Fatalf("smartwalle %s: %v (%T)", ctx, err, err)
	}
	if rsp == nil {
		t.Fatalf("smartwalle %s: nil result", ctx)
	}
	if got := sw.verifiedCount(node); got != n+1 {
		t.Fatalf("smartwalle %s: OnReceivedData ran %d times for %s, want once: the answer did not go down the verifying path", ctx, got-n, node)
	}
	code := reflect.ValueOf(rsp).Elem().FieldByName("Error").Interface().(alipay.Error)
	if code.Code != wantCode {
		t.Fatalf("smartwalle %s: code %q msg %q sub_code %q sub_msg %q, want code %q", ctx, code.Code, code.Msg, code.SubCode, code.SubMsg, wantCode)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("smartwalle %s: the raw response is not a JSON object: %v", ctx, err)
	}
	var sign string
	if err := json.Unmarshal(env["sign"], &sign); err != nil || sign == "" {
		t.Errorf("smartwalle %s: no sign", ctx)
	}
	var m map[string]any
	if err := json.Unmarshal(env[node], &m); err != nil {
		t.Fatalf("smartwalle %s: node %s is not a JSON object: %v", ctx, node, err)
	}
	for _, bad := range alipayLike(m) {
		t.Errorf("smartwalle %s: not Alipay-like: %s", ctx, bad)
	}
	if !t.Failed() {
		t.Logf("smartwalle %s %s: %s", smartwalleVersion, method, raw)
	}
	return rsp
}

// swWant compares got with want and reports the last raw response when they differ.
func swWant(t *testing.T, sw *swClient, field, got, want string) {
	t.Helper()
	if got != want {
		_, raw := sw.rec.last()
		t.Errorf("%s = %q, want %q\n  raw response: %s", field, got, want, raw)
	}
}

func swNonEmpty(t *testing.T, sw *swClient, field, got string) {
	t.Helper()
	if got == "" {
		_, raw := sw.rec.last()
		t.Errorf("%s is empty\n  raw response: %s", field, raw)
	}
}

// swPay makes a bar-code payment the way smartwalle's own example does: no product_code.
func swPay(t *testing.T, sw *swClient, outTradeNo, authCode, amount string) *alipay.TradePayRsp {
	t.Helper()
	p := alipay.TradePay{Scene: "bar_code", AuthCode: authCode}
	p.Subject, p.OutTradeNo, p.TotalAmount = interopSubject, outTradeNo, amount
	return swCall(t, sw, "alipay.trade.pay", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradePayRsp, error) {
		return sw.TradePay(ctx, p)
	})
}

func swQuery(t *testing.T, sw *swClient, outTradeNo string, wantCode alipay.Code) *alipay.TradeQueryRsp {
	t.Helper()
	return swCall(t, sw, "alipay.trade.query", wantCode, func(ctx context.Context) (*alipay.TradeQueryRsp, error) {
		return sw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: outTradeNo})
	})
}

// TestSmartwalle proves that smartwalle/alipay/v3, unchanged and with its response verification
// on, runs the face-to-face trade flows against zfb, and that the verification is real.
func TestSmartwalle(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	if app.SignType != "RSA2" {
		t.Fatalf("the sandbox app signs %s; smartwalle only does RSA2", app.SignType)
	}
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	pays := sandboxBuyer(t, srv, buyerPays)

	t.Run("private key formats: PKCS#1 PEM, bare base64, PKCS#8 PEM", func(t *testing.T) {
		block, _ := pem.Decode([]byte(app.AppPrivateKey))
		if block == nil || block.Type != "RSA PRIVATE KEY" {
			t.Fatalf("sandbox app_private_key is not a PKCS#1 PEM: %.40q", app.AppPrivateKey)
		}
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ name, key string }{
			{"PKCS#1 PEM (sandbox.json)", app.AppPrivateKey},
			{"PKCS#1 bare base64", base64.StdEncoding.EncodeToString(block.Bytes)},
			{"PKCS#8 PEM", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := newSmartwalle(t, srv, app.AppID, tc.key, app.AlipayPublicKey)
				// zfb accepts the request signature and answers, signed, that there is no such trade.
				q := swQuery(t, c, newOutTradeNo(t, "sw_nokey"), alipay.CodeBusinessFailed)
				swWant(t, c, "sub_code", q.SubCode, "ACQ.TRADE_NOT_EXIST")
			})
		}
	})

	t.Run("pay, query, partial refund, same refund again, refund query", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_refund")
		before := buyerBalance(t, srv, pays.UserID)

		pay := swPay(t, sw, out, pays.PaymentCode, "2.00")
		swNonEmpty(t, sw, "trade_no", pay.TradeNo)
		swWant(t, sw, "out_trade_no", pay.OutTradeNo, out)
		swWant(t, sw, "total_amount", pay.TotalAmount, "2.00")
		swWant(t, sw, "receipt_amount", pay.ReceiptAmount, "2.00")
		swWant(t, sw, "buyer_pay_amount", pay.BuyerPayAmount, "2.00")
		swWant(t, sw, "buyer_user_id", pay.BuyerUserId, pays.UserID)
		swNonEmpty(t, sw, "gmt_payment", pay.GmtPayment)

		q := swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_no", q.TradeNo, pay.TradeNo)
		swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusSuccess))
		swWant(t, sw, "total_amount", q.TotalAmount, "2.00")
		swWant(t, sw, "buyer_user_id", q.BuyerUserId, pays.UserID)

		refund := alipay.TradeRefund{OutTradeNo: out, RefundAmount: "0.50", OutRequestNo: out + "_r1", RefundReason: "部分退款"}
		for i, wantChange := range []string{"Y", "N"} { // the repeat must not refund twice (spec §6.1)
			r := swCall(t, sw, "alipay.trade.refund", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeRefundRsp, error) {
				return sw.TradeRefund(ctx, refund)
			})
			t.Logf("refund call %d", i+1)
			swWant(t, sw, "trade_no", r.TradeNo, pay.TradeNo)
			swWant(t, sw, "out_trade_no", r.OutTradeNo, out)
			swWant(t, sw, "fund_change", r.FundChange, wantChange)
			swWant(t, sw, "refund_fee", r.RefundFee, "0.50")
		}

		q = swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_status after a partial refund", string(q.TradeStatus), string(alipay.TradeStatusSuccess))

		rq := swCall(t, sw, "alipay.trade.fastpay.refund.query", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeFastPayRefundQueryRsp, error) {
			return sw.TradeFastPayRefundQuery(ctx, alipay.TradeFastPayRefundQuery{OutTradeNo: out, OutRequestNo: refund.OutRequestNo})
		})
		swWant(t, sw, "trade_no", rq.TradeNo, pay.TradeNo)
		swWant(t, sw, "out_request_no", rq.OutRequestNo, refund.OutRequestNo)
		swWant(t, sw, "refund_amount", rq.RefundAmount, "0.50")
		swWant(t, sw, "total_amount", rq.TotalAmount, "2.00")
		swWant(t, sw, "refund_status", rq.RefundStatus, "REFUND_SUCCESS")

		if after := buyerBalance(t, srv, pays.UserID); cents(t, after) != cents(t, before)-150 {
			t.Errorf("buyer balance %s after paying 2.00 and getting 0.50 back, want %s - 1.50", after, before)
		}
	})

	t.Run("refunds without out_request_no are full refunds", func(t *testing.T) {
		// smartwalle sends "out_request_no":"" when OutRequestNo is unset; Alipay reads that as
		// absent, which makes the refund a full one (spec §4.4).
		out := newOutTradeNo(t, "sw_full")
		pay := swPay(t, sw, out, pays.PaymentCode, "2.00")
		refund := func(amount string, wantCode alipay.Code) *alipay.TradeRefundRsp {
			t.Helper()
			return swCall(t, sw, "alipay.trade.refund", wantCode, func(ctx context.Context) (*alipay.TradeRefundRsp, error) {
				return sw.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: out, RefundAmount: amount})
			})
		}
		r := refund("0.50", alipay.CodeBusinessFailed)
		swWant(t, sw, "sub_code", r.SubCode, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
		for _, wantChange := range []string{"Y", "N"} {
			r = refund("2.00", alipay.CodeSuccess)
			swWant(t, sw, "trade_no", r.TradeNo, pay.TradeNo)
			swWant(t, sw, "fund_change", r.FundChange, wantChange)
			swWant(t, sw, "refund_fee", r.RefundFee, "2.00")
		}
		q := swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_status after a full refund", string(q.TradeStatus), string(alipay.TradeStatusClosed))
	})

	t.Run("cancel a paid trade refunds it", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_cancel")
		pay := swPay(t, sw, out, pays.PaymentCode, "1.00")
		// smartwalle sends "trade_no":"" along with out_trade_no.
		c := swCall(t, sw, "alipay.trade.cancel", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeCancelRsp, error) {
			return sw.TradeCancel(ctx, alipay.TradeCancel{OutTradeNo: out})
		})
		swWant(t, sw, "trade_no", c.TradeNo, pay.TradeNo)
		swWant(t, sw, "out_trade_no", c.OutTradeNo, out)
		swWant(t, sw, "action", c.Action, "refund")
		swWant(t, sw, "retry_flag", c.RetryFlag, "N")
		q := swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusClosed))
		swWant(t, sw, "total_amount", q.TotalAmount, "1.00")
	})

	t.Run("precreate, create, close", func(t *testing.T) {
		qr := newOutTradeNo(t, "sw_qr")
		var pre alipay.TradePreCreate // sends "discountable_amount":"", "operator_id":"", "terminal_id":""
		pre.Subject, pre.OutTradeNo, pre.TotalAmount = interopSubject, qr, "0.01"
		p := swCall(t, sw, "alipay.trade.precreate", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradePreCreateRsp, error) {
			return sw.TradePreCreate(ctx, pre)
		})
		swWant(t, sw, "out_trade_no", p.OutTradeNo, qr)
		swNonEmpty(t, sw, "qr_code", p.QRCode)

		out := newOutTradeNo(t, "sw_create")
		create := alipay.TradeCreate{BuyerId: pays.UserID} // sends "buyer_open_id":"" too
		create.Subject, create.OutTradeNo, create.TotalAmount = interopSubject, out, "0.01"
		cr := swCall(t, sw, "alipay.trade.create", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeCreateRsp, error) {
			return sw.TradeCreate(ctx, create)
		})
		swNonEmpty(t, sw, "trade_no", cr.TradeNo)
		swWant(t, sw, "out_trade_no", cr.OutTradeNo, out)
		q := swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusWaitBuyerPay))

		cl := swCall(t, sw, "alipay.trade.close", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeCloseRsp, error) {
			return sw.TradeClose(ctx, alipay.TradeClose{OutTradeNo: out})
		})
		swWant(t, sw, "trade_no", cl.TradeNo, cr.TradeNo)
		q = swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusClosed))
	})

	t.Run("wrong alipay public key fails on the same call", func(t *testing.T) {
		out := newOutTradeNo(t, "sw_wrongkey")
		swPay(t, sw, out, pays.PaymentCode, "0.01")
		swQuery(t, sw, out, alipay.CodeSuccess) // the right key verifies this answer

		_, otherPub := newKeyPair(t)
		wrong := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, otherPub)
		rsp, err := wrong.TradeQuery(t.Context(), alipay.TradeQuery{OutTradeNo: out})
		_, raw := wrong.rec.last()
		if err == nil {
			t.Fatalf("smartwalle returned %+v and no error for an answer verified with the wrong key\n  raw response: %s", rsp, raw)
		}
		if !errors.Is(err, rsa.ErrVerification) {
			t.Errorf("error %v (%T), want crypto/rsa.ErrVerification\n  raw response: %s", err, err, raw)
		}
		if wrong.verifiedCount(responseNode("alipay.trade.query")) != 1 {
			t.Errorf("the answer did not go down smartwalle's verifying path")
		}
		// zfb's answer was a good one; only the verification failed.
		for _, want := range []string{`{"alipay_trade_query_response":{"code":"10000"`, `"trade_status":"TRADE_SUCCESS"`, `},"sign":"`} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("raw response does not contain %s: %s", want, raw)
			}
		}
		if !t.Failed() {
			t.Logf("smartwalle %s rejected as it must: %v", smartwalleVersion, err)
		}
	})

	requireLedgerOK(t, srv)
}

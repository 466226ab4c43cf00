package interop

// Content encryption (encrypt_type=AES, spec/openapi.md §1.6) with smartwalle/alipay/v3 v3.2.30,
// unchanged. What it does (read from its source in the module cache, alipay.go):
//
//   - SetEncryptKey(key) Base64-decodes the key and sets AES-CBC, zero IV, PKCS#7. URLValues then
//     encrypts the JSON biz_content of every request whose param says NeedEncrypt() (AuxParam:
//     true; trade pay, query and refund embed it), sends it in standard Base64 and adds
//     encrypt_type=AES before signing, all in the form body.
//   - decode takes the raw "<method>_response" member (json.RawMessage); when it starts with '"'
//     it strips the quotes, Base64-decodes and decrypts it; it verifies "sign" over the RAW member,
//     quotes included, the way Java and Python cut it, and hands the plaintext to OnReceivedData.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// swEncrypted makes one encrypted call with sw. It fails the test unless the request went out
// with Base64 ciphertext for biz_content, the answer's node is a quoted string that verifies with
// the app's key (checked here too, independently of smartwalle), smartwalle returned no error
// (so it verified and decrypted the answer) down its verifying path, and the code is wantCode.
func swEncrypted[R any](t *testing.T, sw *swClient, alipayPublicKey, method string, wantCode alipay.Code, call func(context.Context) (*R, error)) *R {
	t.Helper()
	node := responseNode(method)
	n := sw.verifiedCount(node)
	rsp, err := call(t.Context())
	biz, raw := sw.rec.last()
	ctx := fmt.Sprintf("%s\n  biz_content sent: %s\n  raw response: %s", method, biz, raw)
	if err != nil {
		t.Fatalf("smartwalle %s: %v (%T)", ctx, err, err)
	}
	if biz == "" || strings.Contains(biz, "{") {
		t.Fatalf("smartwalle %s: biz_content was not encrypted", ctx)
	}
	if got := sw.verifiedCount(node); got != n+1 {
		t.Fatalf("smartwalle %s: OnReceivedData ran %d times for %s, want once", ctx, got-n, node)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(raw, &env); err != nil || len(env[node]) == 0 || env[node][0] != '"' {
		t.Fatalf("smartwalle %s: the answer's node is not an encrypted string", ctx)
	}
	pub, err := sign.ParsePublicKey(alipayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.VerifyResponse(pub, sign.RSA2, raw, node); err != nil {
		t.Fatalf("smartwalle %s: zfb's signature: %v", ctx, err)
	}
	code := reflect.ValueOf(rsp).Elem().FieldByName("Error").Interface().(alipay.Error)
	if code.Code != wantCode {
		t.Fatalf("smartwalle %s: code %q sub_code %q sub_msg %q, want %q", ctx, code.Code, code.SubCode, code.SubMsg, wantCode)
	}
	return rsp
}

// TestSmartwalleEncryption pays, queries and refunds with smartwalle's content encryption on.
func TestSmartwalleEncryption(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)
	if err := sw.SetEncryptKey(app.AESKey); err != nil {
		t.Fatalf("smartwalle SetEncryptKey(%q): %v", app.AESKey, err)
	}
	pays := sandboxBuyer(t, srv, buyerPays)
	out := newOutTradeNo(t, "sw_aes")
	pub := app.AlipayPublicKey

	p := alipay.TradePay{Scene: "bar_code", AuthCode: pays.PaymentCode}
	p.Subject, p.OutTradeNo, p.TotalAmount = interopSubject, out, "0.03"
	pay := swEncrypted(t, sw, pub, "alipay.trade.pay", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradePayRsp, error) {
		return sw.TradePay(ctx, p)
	})
	swNonEmpty(t, sw, "trade_no", pay.TradeNo)
	swWant(t, sw, "total_amount", pay.TotalAmount, "0.03")

	q := swEncrypted(t, sw, pub, "alipay.trade.query", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeQueryRsp, error) {
		return sw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: out})
	})
	swWant(t, sw, "trade_no", q.TradeNo, pay.TradeNo)
	swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusSuccess))

	r := swEncrypted(t, sw, pub, "alipay.trade.refund", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeRefundRsp, error) {
		return sw.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: out, RefundAmount: "0.01", OutRequestNo: out + "_r1", RefundReason: "加密退款"})
	})
	swWant(t, sw, "fund_change", r.FundChange, "Y")
	swWant(t, sw, "refund_fee", r.RefundFee, "0.01")

	// A business error is encrypted too; smartwalle decrypts it into the result.
	missing := swEncrypted(t, sw, pub, "alipay.trade.query", alipay.CodeBusinessFailed, func(ctx context.Context) (*alipay.TradeQueryRsp, error) {
		return sw.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: out + "_none"})
	})
	swWant(t, sw, "sub_code", missing.SubCode, "ACQ.TRADE_NOT_EXIST")
	if !t.Failed() {
		_, raw := sw.rec.last()
		t.Logf("smartwalle %s with SetEncryptKey: last raw answer %s", smartwalleVersion, raw)
	}
}

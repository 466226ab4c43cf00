package interop

// smartwalle/alipay/v3 v3.2.30 in public-key-certificate mode (read from its alipay.go):
//
//   - LoadAppCertPublicKeyFromFile sets app_cert_sn (getCertSN: MD5 of cert.Issuer.String() and
//     the decimal serial); LoadAliPayRootCertFromFile joins the SNs of the root file's
//     SHA256WithRSA and SHA1WithRSA certificates with "_"; both are sent (in the body) and signed.
//   - LoadAlipayCertPublicKeyFromFile registers a verifier under the certificate's SN. An answer
//     is verified with the verifier of its alipay_cert_sn. Unknown SN: in production
//     (isProduction=true) the client downloads the certificate with
//     alipay.open.app.alipaycert.download and registers it under its computed SN; in the sandbox
//     (isProduction=false) the call fails with ErrAliPublicKeyNotFound.

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// newSmartwalleCert configures smartwalle in certificate mode with app's files, for production
// or the sandbox, pointed at zfb; loadAlipayCert false leaves the Alipay certificate out.
func newSmartwalleCert(t *testing.T, srv *zfbtest.Server, app sandbox.App, production, loadAlipayCert bool) *swClient {
	t.Helper()
	sw := &swClient{rec: &swRecorder{}, verified: map[string]int{}}
	gateway := alipay.WithSandboxGateway(srv.GatewayURL)
	if production {
		gateway = alipay.WithProductionGateway(srv.GatewayURL)
	}
	c, err := alipay.New(app.AppID, app.AppPrivateKey, production, gateway,
		alipay.WithHTTPClient(&http.Client{Transport: sw.rec, Timeout: 30 * time.Second}))
	if err != nil {
		t.Fatalf("smartwalle alipay.New: %v", err)
	}
	if err := c.LoadAppCertPublicKeyFromFile(app.AppCertPath); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadAliPayRootCertFromFile(app.AlipayRootCertPath); err != nil {
		t.Fatal(err)
	}
	if loadAlipayCert {
		if err := c.LoadAlipayCertPublicKeyFromFile(app.AlipayCertPath); err != nil {
			t.Fatal(err)
		}
	}
	c.OnReceivedData(func(_ context.Context, node string, _ []byte) {
		sw.mu.Lock()
		sw.verified[node]++
		sw.mu.Unlock()
	})
	sw.Client = c
	return sw
}

// TestSmartwalleCertMode: smartwalle in certificate mode pays and queries against the
// certificate-mode app, verifying zfb's signatures by the answers' alipay_cert_sn: with the
// three files (production and sandbox flag alike), and in production without the Alipay
// certificate, which it then downloads from zfb by that SN.
func TestSmartwalleCertMode(t *testing.T) {
	srv := zfbtest.NewServer(t)
	certApp, _ := certFiles(t, srv)
	pays := sandboxBuyer(t, srv, buyerPays)

	for _, tc := range []struct {
		name       string
		production bool
	}{
		{"sandbox flag, three files", false},
		{"production flag, three files", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sw := newSmartwalleCert(t, srv, certApp, tc.production, true)
			out := newOutTradeNo(t, "swcert")
			pay := swPay(t, sw, out, pays.PaymentCode, "0.01")
			q := swQuery(t, sw, out, alipay.CodeSuccess)
			swWant(t, sw, "trade_no", q.TradeNo, pay.TradeNo)
			swWant(t, sw, "trade_status", string(q.TradeStatus), "TRADE_SUCCESS")
		})
	}

	t.Run("production flag, Alipay certificate downloaded", func(t *testing.T) {
		sw := newSmartwalleCert(t, srv, certApp, true, false)
		out := newOutTradeNo(t, "swcert")
		p := alipay.TradePay{Scene: "bar_code", AuthCode: pays.PaymentCode}
		p.Subject, p.OutTradeNo, p.TotalAmount = interopSubject, out, "0.01"
		// The pay's answer names a certificate smartwalle does not hold: it downloads it (the
		// last exchange the recorder saw), registers it under its SN and verifies the pay.
		pay, err := sw.TradePay(t.Context(), p)
		biz, raw := sw.rec.last()
		if err != nil || pay.Code != alipay.CodeSuccess || sw.verifiedCount("alipay_trade_pay_response") != 1 {
			t.Fatalf("pay: %v, %+v\n  last request: %s\n  last answer: %s", err, pay, biz, raw)
		}
		if biz != `{"alipay_cert_sn":"`+certApp.AlipayCertSN+`"}` {
			t.Fatalf("smartwalle did not download the certificate: last biz_content %s", biz)
		}
		// Held now: the query is verified without another download.
		q := swQuery(t, sw, out, alipay.CodeSuccess)
		swWant(t, sw, "trade_no", q.TradeNo, pay.TradeNo)
	})

	t.Run("sandbox flag without the Alipay certificate: ErrAliPublicKeyNotFound", func(t *testing.T) {
		sw := newSmartwalleCert(t, srv, certApp, false, false)
		_, err := sw.TradeQuery(t.Context(), alipay.TradeQuery{OutTradeNo: newOutTradeNo(t, "swcert")})
		if !errors.Is(err, alipay.ErrAliPublicKeyNotFound) {
			t.Fatalf("got %v, want ErrAliPublicKeyNotFound (smartwalle downloads only in production)", err)
		}
	})
	requireLedgerOK(t, srv)
}

package zfbtest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestSDKCertificateMode: the Go SDK in certificate mode pays and queries
// with the sandbox's certificate-mode app (its SNs sent, its answers
// verified with the key of the Alipay certificate); it refuses an answer
// that names another certificate or none; and a request without SNs to
// that app is refused without paying.
func TestSDKCertificateMode(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		app := srv.CertApp()
		if app.KeyMode != "cert" || app.AppCertSN == "" {
			t.Fatalf("cert app %s: key_mode %q", app.AppID, app.KeyMode)
		}
		c, err := alipay.New(app.AppID, app.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
			alipay.WithCertificates(app.AppCert, app.AlipayCert, app.AlipayRootCert))
		if err != nil {
			t.Fatal(err)
		}
		buyer := srv.Buyer(t, zfb.BehaviourPays)
		pay, err := c.TradePay(ctx, alipay.TradePay{OutTradeNo: "cert-1", Scene: "bar_code", AuthCode: buyer.PaymentCode, Subject: "cert", TotalAmount: "1.00"})
		if err != nil {
			t.Fatal(err)
		}
		q, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "cert-1"})
		if err != nil || q.TradeNo != pay.TradeNo || q.TradeStatus != "TRADE_SUCCESS" {
			t.Fatalf("query: %+v, %v", q, err)
		}

		// The same files, loaded from disk.
		dir := t.TempDir()
		if err := srv.Sandbox.WriteCertificates(dir); err != nil {
			t.Fatal(err)
		}
		fromFiles, err := alipay.New(app.AppID, app.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
			alipay.WithCertificateFiles(filepath.Join(dir, app.AppID, "appCertPublicKey_"+app.AppID+".crt"),
				filepath.Join(dir, app.AppID, "alipayCertPublicKey_RSA2.crt"), filepath.Join(dir, app.AppID, "alipayRootCert.crt")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fromFiles.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "cert-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, srv.App().AppID, "alipayRootCert.crt")); err != nil {
			t.Errorf("the key-mode app's certificates were not written: %v", err)
		}

		// Configured with another Alipay certificate (another app's): the
		// answer's SN is not its own.
		other := srv.NewApp(t, zfb.SignTypeRSA2)
		wrong, err := alipay.New(app.AppID, app.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
			alipay.WithCertificates(app.AppCert, other.AlipayCert, app.AlipayRootCert))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wrong.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "cert-1"}); !errors.Is(err, alipay.ErrCertSN) || !errors.Is(err, alipay.ErrSignature) {
			t.Fatalf("answer with another alipay_cert_sn: %v, want ErrCertSN", err)
		}
		// A key-mode app answers without alipay_cert_sn: a certificate-mode
		// client refuses a success, as Java's certificateExecute does, and
		// verifies an error as usual.
		keyApp := srv.App()
		certClient, err := alipay.New(keyApp.AppID, keyApp.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
			alipay.WithCertificates(keyApp.AppCert, keyApp.AlipayCert, keyApp.AlipayRootCert))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := certClient.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "none"}); !alipay.IsCode(err, "40004") {
			t.Fatalf("key-mode error answer to a certificate-mode client: %v", err)
		}
		if _, err := certClient.TradePay(ctx, alipay.TradePay{OutTradeNo: "key-1", Scene: "bar_code", AuthCode: buyer.PaymentCode, Subject: "key", TotalAmount: "1.00"}); !errors.Is(err, alipay.ErrCertSN) {
			t.Fatalf("key-mode success answer to a certificate-mode client: %v, want ErrCertSN", err)
		}

		// A key-mode client (no SNs) calling the certificate-mode app: 40002
		// isv.missing-app-cert-sn, and no trade.
		keyClient, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, alipay.WithGateway(srv.GatewayURL))
		if err != nil {
			t.Fatal(err)
		}
		_, err = keyClient.TradePay(ctx, alipay.TradePay{OutTradeNo: "cert-2", Scene: "bar_code", AuthCode: buyer.PaymentCode, Subject: "cert", TotalAmount: "1.00"})
		var ae *alipay.Error
		if !errors.As(err, &ae) || ae.Code != "40002" || ae.SubCode != "isv.missing-app-cert-sn" {
			t.Fatalf("key-mode request to a certificate-mode app: %v", err)
		}
		if _, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "cert-2"}); !alipay.IsCode(err, "40004") {
			t.Fatalf("the refused pay created a trade: %v", err)
		}
	})
}

// TestNotifyCertificateMode: a certificate-mode app's notifications are
// signed with the gateway key its Alipay certificate holds, so an SDK in
// certificate mode verifies them; they carry no alipay_cert_sn (spec
// openapi.md §5.1: smartwalle leaves it out of the sign string and Java
// keeps it in, so a notification with it would fail one of them; whether
// Alipay sends it is UNCONFIRMED).
func TestNotifyCertificateMode(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.CertApp()
	c, err := alipay.New(app.AppID, app.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
		alipay.WithCertificates(app.AppCert, app.AlipayCert, app.AlipayRootCert))
	if err != nil {
		t.Fatal(err)
	}
	rc := zfbtest.NewReceiver(t)
	buyer := srv.Buyer(t, zfb.BehaviourPays)
	if _, err := c.TradePay(context.Background(), alipay.TradePay{NotifyURL: rc.URL, OutTradeNo: "cert-notify", Scene: "bar_code", AuthCode: buyer.PaymentCode, Subject: "cert", TotalAmount: "2.00"}); err != nil {
		t.Fatal(err)
	}
	n := rc.Wait(t, notifyWait, byField("out_trade_no", "cert-notify"))
	if err := c.VerifyNotification(n.Form); err != nil {
		t.Fatalf("certificate-mode client: %v", err)
	}
	if n.Form.Has("alipay_cert_sn") || n.Form.Get("app_id") != app.AppID {
		t.Fatalf("notification %v", n.Form)
	}
}

// TestSwitchToCertificateMode: an app that answered in key mode (its keys
// cached by the gateway) switches to certificate mode: from the next call
// on, a key-mode request is refused and a certificate-mode one answered
// with alipay_cert_sn; switched back, key mode works again.
func TestSwitchToCertificateMode(t *testing.T) {
	srv := zfbtest.NewServer(t)
	ctx := context.Background()
	app := srv.App()
	keyClient := client(t, srv, app)
	certClient, err := alipay.New(app.AppID, app.AppPrivateKey, "", alipay.WithGateway(srv.GatewayURL),
		alipay.WithCertificates(app.AppCert, app.AlipayCert, app.AlipayRootCert))
	if err != nil {
		t.Fatal(err)
	}
	query := func(c *alipay.Client) error {
		_, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "none"})
		return err
	}
	if err := query(keyClient); !alipay.IsCode(err, "40004") {
		t.Fatalf("key mode: %v", err)
	}
	setMode := func(on bool) {
		t.Helper()
		if _, err := srv.Service.UpdateApp(ctx, app.AppID, func(a *zfb.App) error { a.CertMode = on; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setMode(true)
	var ae *alipay.Error
	if err := query(keyClient); !errors.As(err, &ae) || ae.SubCode != "isv.missing-app-cert-sn" {
		t.Fatalf("key-mode client after the switch: %v", err)
	}
	if _, err := certClient.TradePay(ctx, alipay.TradePay{OutTradeNo: "switched", Scene: "bar_code", AuthCode: srv.Buyer(t, zfb.BehaviourPays).PaymentCode, Subject: "s", TotalAmount: "1.00"}); err != nil {
		t.Fatalf("certificate-mode client after the switch: %v", err)
	}
	setMode(false)
	if _, err := keyClient.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "switched"}); err != nil {
		t.Fatalf("key mode again: %v", err)
	}
}

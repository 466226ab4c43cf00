package interop

// The official Node SDK in public-key-certificate mode (公钥证书模式). alipay-sdk 4.14.0 (read
// from node_modules/alipay-sdk/src/alipay.ts and antcertutil.ts):
//
//   - new AlipaySdk({appCertPath, alipayPublicCertPath, alipayRootCertPath, …}) computes
//     config.appCertSn, config.alipayCertSn and config.alipayRootCertSn with its own getSN
//     (issuer attributes reversed, MD5 with the decimal serial; the root over its RSA-signed
//     certificates) and takes alipayPublicKey from the Alipay certificate.
//   - exec() sends app_cert_sn and alipay_root_cert_sn in the URL query, signed; it ignores the
//     answer's alipay_cert_sn (only the v3 curl() API compares it), and with validateSign it
//     verifies the sign with the certificate's key.

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// certFiles writes the sandbox's certificate files to a temporary directory and returns the
// sandbox.json entries, with their paths, of the certificate-mode app and the key-mode app.
func certFiles(t *testing.T, srv *zfbtest.Server) (certApp, keyApp sandbox.App) {
	t.Helper()
	if err := srv.Sandbox.WriteCertificates(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	certApp, keyApp = srv.CertApp(), srv.App()
	if certApp.KeyMode != sandbox.KeyModeCert || certApp.AppCertPath == "" || keyApp.AppCertPath == "" {
		t.Fatalf("sandbox.json: cert app %s key_mode %q, paths %q %q", certApp.AppID, certApp.KeyMode, certApp.AppCertPath, keyApp.AppCertPath)
	}
	return certApp, keyApp
}

// nodeCertSNs runs certsn.mjs: the SNs the Node SDK computes for app's certificate files.
func nodeCertSNs(t *testing.T, node string, app sandbox.App) map[string]string {
	t.Helper()
	in, _ := json.Marshal(map[string]string{
		"appId": app.AppID, "privateKey": app.AppPrivateKey,
		"appCertPath": app.AppCertPath, "alipayPublicCertPath": app.AlipayCertPath, "alipayRootCertPath": app.AlipayRootCertPath,
	})
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "certsn.mjs")
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node certsn.mjs: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var out map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("node certsn.mjs: %v\n%s", err, stdout.String())
	}
	return out
}

// TestNodeSDKCertMode: the Node SDK computes the SNs sandbox.json shows for zfb's certificates;
// configured with the three files it pays, queries and refunds against the certificate-mode app
// with validateSign on; and zfb refuses it, changing nothing, when it sends no SNs (a key-mode
// configuration) or another app's SNs.
func TestNodeSDKCertMode(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	certApp, keyApp := certFiles(t, srv)

	t.Run("the SDK's SNs are sandbox.json's", func(t *testing.T) {
		for _, app := range []sandbox.App{certApp, keyApp} {
			got := nodeCertSNs(t, node, app)
			want := map[string]string{"appCertSn": app.AppCertSN, "alipayCertSn": app.AlipayCertSN, "alipayRootCertSn": app.AlipayRootCertSN}
			for k, v := range want {
				if got[k] != v || v == "" {
					t.Errorf("app %s: Node %s = %q, sandbox.json %q", app.AppID, k, got[k], v)
				}
			}
		}
	})

	base := nodeCall{
		Gateway: srv.GatewayURL, AppID: certApp.AppID, PrivateKey: certApp.AppPrivateKey, SignType: "RSA2",
		ValidateSign: true, AppCertPath: certApp.AppCertPath, AlipayPublicCertPath: certApp.AlipayCertPath, AlipayRootCertPath: certApp.AlipayRootCertPath,
	}
	pays := sandboxBuyer(t, srv, buyerPays)

	t.Run("pay, query, refund with validateSign", func(t *testing.T) {
		out := newOutTradeNo(t, "cert")
		res := runNodeCalls(t, node, base,
			payStep(out, pays.PaymentCode, "0.02"),
			queryStep(out),
			nodeStep{Method: "alipay.trade.refund", BizContent: map[string]any{"out_trade_no": out, "refund_amount": "0.02"}},
			queryStep(newOutTradeNo(t, "absent")),
		)
		for i, want := range []string{"10000", "10000", "10000", "40004"} {
			if !res[i].OK || res[i].Result["code"] != want {
				t.Fatalf("call %d: want code %s\n%s", i, want, res[i])
			}
			for _, bad := range alipayLike(res[i].Result) {
				t.Errorf("call %d: not Alipay-like: %s", i, bad)
			}
		}
		if res[1].Result["tradeStatus"] != "TRADE_SUCCESS" || res[2].Result["refundFee"] != "0.02" {
			t.Fatalf("query/refund:\n%s", res[1])
		}
		requireLedgerOK(t, srv)
	})

	t.Run("no SNs or another app's SNs: refused, nothing paid", func(t *testing.T) {
		keyMode := base
		keyMode.AppCertPath, keyMode.AlipayPublicCertPath, keyMode.AlipayRootCertPath = "", "", ""
		keyMode.AlipayPublicKey = certApp.AlipayPublicKey
		otherSNs := base
		otherSNs.AppCertPath = keyApp.AppCertPath // the key-mode app's certificate: another SN
		for name, tc := range map[string]struct {
			cfg     nodeCall
			subCode string
		}{
			"key-mode SDK":        {keyMode, "isv.missing-app-cert-sn"},
			"another app_cert_sn": {otherSNs, "isv.app-cert-not-exist"},
		} {
			out := newOutTradeNo(t, "certrefused")
			res := runNodeCalls(t, node, tc.cfg, payStep(out, pays.PaymentCode, "0.01"))
			r := res[0]
			if !r.OK || r.Result["code"] != "40002" || r.Result["subCode"] != tc.subCode {
				t.Fatalf("%s: want 40002 %s (verified)\n%s", name, tc.subCode, r)
			}
			check := runNodeCalls(t, node, base, queryStep(out))[0]
			if check.Result["code"] != "40004" || check.Result["subCode"] != "ACQ.TRADE_NOT_EXIST" {
				t.Fatalf("%s: the refused pay left a trade\n%s", name, check)
			}
		}
		requireLedgerOK(t, srv)
	})
}

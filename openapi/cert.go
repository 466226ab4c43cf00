package openapi

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/appkeys"
)

// Public-key-certificate mode (公钥证书模式, spec openapi.md §1.7). The
// sub_codes are those real gateway answers show: 40002
// isv.missing-app-cert-sn 缺少应用公钥证书序列号 (answers pasted in public
// code) and isv.app-cert-not-exist 应用公钥证书不存在 (alipay-sdk-nodejs-all
// issue #56, a request with a wrong SN); isv.invalid-alipay-root-cert-sn
// 无效支付宝根证书序列号 (yansongda/pay issue #491). isv.missing-alipay-root-
// cert-sn is in the gateway's list of sub_codes, its text is UNCONFIRMED.
// All four are 40002, as the live missing-app-cert-sn answer was (not 40001
// like the other missing-* codes).
var (
	errMissingAppCertSN    = zfb.NewError(zfb.CodeInvalidArguments, "isv.missing-app-cert-sn", "缺少应用公钥证书序列号")
	errAppCertNotExist     = zfb.NewError(zfb.CodeInvalidArguments, "isv.app-cert-not-exist", "应用公钥证书不存在")
	errMissingRootCertSN   = zfb.NewError(zfb.CodeInvalidArguments, "isv.missing-alipay-root-cert-sn", "缺少支付宝根证书序列号")
	errInvalidRootCertSN   = zfb.NewError(zfb.CodeInvalidArguments, "isv.invalid-alipay-root-cert-sn", "无效支付宝根证书序列号")
	errAlipayCertNotExist  = zfb.NewError(zfb.CodeBusinessFailed, "isv.alipay-cert-not-exist", "支付宝公钥证书不存在")
	errMissingAlipayCertSN = zfb.MissingParameter("alipay_cert_sn")
)

// certDownloadMethod may come without version: PHP's AopCertClient builds
// its request by hand and sends none (isv-and-identity.md §3.2).
const certDownloadMethod = "alipay.open.app.alipaycert.download"

// checkCertSNs checks the SNs a request of a certificate-mode app carries:
// app_cert_sn must be its certificate's and alipay_root_cert_sn the root's.
// The SNs are signed like every parameter, so they are checked before the
// signature, whose key the app's certificate names. A key-mode app's
// requests may carry SNs too (a merchant's SDK configured with certificates
// for an app registered with keys): Alipay selects the key by the app's
// mode, so they are ignored.
func checkCertSNs(app *zfb.App, certs *appkeys.CertSNs, p map[string]string) error {
	if !app.CertMode {
		return nil
	}
	switch {
	case p["app_cert_sn"] == "":
		return errMissingAppCertSN
	case certs == nil || p["app_cert_sn"] != certs.App:
		return errAppCertNotExist
	case p["alipay_root_cert_sn"] == "":
		return errMissingRootCertSN
	case p["alipay_root_cert_sn"] != certs.Root:
		return errInvalidRootCertSN
	}
	return nil
}

// RegisterCertDownload serves alipay.open.app.alipaycert.download
// (isv-and-identity.md §3): an SDK that meets an alipay_cert_sn it does not
// hold (Java's certificateExecute, smartwalle in production) fetches the
// certificate by its SN. Any app with certificates may call it, whatever
// its mode.
func RegisterCertDownload(g *Gateway) {
	g.Register(certDownloadMethod, Method{Handle: func(_ context.Context, call *Call) (any, error) {
		return g.certDownload(call)
	}})
}

type certDownloadResult struct {
	// AlipayCertContent is standard Base64 of the PEM text of the
	// certificate file, leaf first, then the intermediate: PHP and Java
	// read it as text (isv-and-identity.md §3.1).
	AlipayCertContent string `json:"alipay_cert_content"`
}

func (g *Gateway) certDownload(call *Call) (any, error) {
	var biz struct {
		AlipayCertSN text `json:"alipay_cert_sn"`
	}
	if err := json.Unmarshal(call.BizContent, &biz); err != nil {
		return nil, zfb.InvalidParameter("biz_content 不是合法的 JSON 对象")
	}
	sn := biz.AlipayCertSN.String()
	if sn == "" {
		return nil, errMissingAlipayCertSN
	}
	keys, err := g.keys.get(call.App)
	if err != nil {
		return nil, err
	}
	// The gateway certificate zfb signs this app's answers with is the only
	// one it has issued for the app. UNCONFIRMED: Alipay's sub_code for an
	// unknown SN (its documentation shows only a generic 40004); this one
	// follows the gateway's alipay-cert-not-exist.
	if keys.Certs == nil || sn != keys.Certs.Gateway {
		return nil, errAlipayCertNotExist
	}
	return certDownloadResult{AlipayCertContent: base64.StdEncoding.EncodeToString([]byte(call.App.GatewayCertificate))}, nil
}

package alipay

import (
	"errors"
	"fmt"
	"os"

	"github.com/zfbpay/zfb/sign"
)

// certMode is what public-key-certificate mode (公钥证书模式,
// spec/openapi.md §1.7) adds to a client: the SNs it sends and the SN of
// the Alipay certificate whose key verifies the answers.
type certMode struct {
	appSN, rootSN, alipaySN string
}

// ErrCertSN is matched (errors.Is) by an answer signed with another Alipay
// certificate than the one the client holds (its alipay_cert_sn differs),
// or by a successful answer that names none. Alipay renews its certificate
// from time to time: fetch the new one with
// alipay.open.app.alipaycert.download and configure it.
var ErrCertSN = errors.New("alipay: the response's alipay_cert_sn is not the configured Alipay certificate's")

type certSNError struct{ got, want string }

func (e *certSNError) Error() string {
	if e.got == "" {
		return "alipay_cert_sn is empty, want " + e.want + " (certificate mode)"
	}
	return "alipay_cert_sn " + e.got + " is not the configured Alipay certificate's " + e.want
}

func (e *certSNError) Unwrap() error { return ErrCertSN }

// WithCertificates puts the client in public-key-certificate mode with the
// contents (PEM) of the three files the Alipay console hands out:
// appCertPublicKey_<app_id>.crt (appCert), alipayCertPublicKey_RSA2.crt
// (alipayCert) and alipayRootCert.crt (rootCert). Every request then carries
// app_cert_sn and alipay_root_cert_sn; answers and notifications are
// verified with the key of alipayCert, which replaces the alipayPublicKey
// given to New (pass "" there); and an answer whose alipay_cert_sn is not
// alipayCert's is refused (ErrCertSN).
func WithCertificates(appCert, alipayCert, rootCert string) Option {
	return func(c *Client) error {
		_, appSN, err := sign.CertPublicKey(appCert)
		if err != nil {
			return fmt.Errorf("app certificate: %w", err)
		}
		alipayKey, alipaySN, err := sign.CertPublicKey(alipayCert)
		if err != nil {
			return fmt.Errorf("alipay certificate: %w", err)
		}
		rootSN, err := sign.RootCertSN(rootCert)
		if err != nil {
			return fmt.Errorf("alipay root certificate: %w", err)
		}
		c.pub = alipayKey
		c.cert = &certMode{appSN: appSN, rootSN: rootSN, alipaySN: alipaySN}
		return nil
	}
}

// WithCertificateFiles is WithCertificates reading the three files.
func WithCertificateFiles(appCertPath, alipayCertPath, rootCertPath string) Option {
	return func(c *Client) error {
		var texts [3]string
		for i, path := range []string{appCertPath, alipayCertPath, rootCertPath} {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			texts[i] = string(b)
		}
		return WithCertificates(texts[0], texts[1], texts[2])(c)
	}
}

// checkCertSN refuses an answer signed by another certificate than the
// client's. Like Java's certificateExecute, a successful answer must name
// one (Java: "ALIPAY_CERT_SN is Empty!"); an error answer without one is
// verified with the client's certificate as usual.
func (c *Client) checkCertSN(method, got string, signed, success bool) error {
	if c.cert == nil || got == c.cert.alipaySN || (!success && (got == "" || !signed)) {
		return nil
	}
	return &signatureError{what: method + " response", err: &certSNError{got: got, want: c.cert.alipaySN}}
}

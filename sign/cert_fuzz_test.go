package sign

import (
	"crypto/x509"
	"testing"
)

// FuzzCertSN: the certificate readers never panic, and for any certificate
// Go's x509 parses, the SN computed from the raw DER (the root file's way,
// which skips full parsing) is CertSN's.
func FuzzCertSN(f *testing.F) {
	f.Add(readTestdata(f, "alipay_root_sm2.pem"))
	f.Add(readTestdata(f, "rsa_cert.pem") + readTestdata(f, "alipay_root_sm2.pem"))
	f.Add("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = RootCertSN(s)
		_, _, _ = CertPublicKey(s)
		ders, err := certificateDERs(s)
		if err != nil {
			return
		}
		for _, der := range ders {
			sn, _, rawErr := rawCertSN(der)
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				continue
			}
			if rawErr != nil || sn != CertSN(cert) {
				t.Fatalf("raw SN %q (%v), x509 SN %q", sn, rawErr, CertSN(cert))
			}
		}
	})
}

package appkeys

import (
	"testing"

	"github.com/zfbpay/zfb/internal/sandboxca"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// TestRingCertificates: the SNs of an app's certificates are computed with
// its keys, once, and again when a certificate changes; an app in
// certificate mode whose certificates are missing or do not hold its keys
// is an error, an app in key mode does without.
func TestRingCertificates(t *testing.T) {
	ca, err := sandboxca.New()
	if err != nil {
		t.Fatal(err)
	}
	app, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var r Ring
	if k, err := r.Get(app); err != nil || k.Certs != nil {
		t.Fatalf("key-mode app without certificates: %+v, %v", k, err)
	}
	if err := ca.Issue(app); err != nil {
		t.Fatal(err)
	}
	app.CertMode = true
	first, err := r.Get(app)
	if err != nil || first.Certs == nil {
		t.Fatalf("Get = %+v, %v", first, err)
	}
	_, appSN, _ := sign.CertPublicKey(app.AppCertificate)
	_, gatewaySN, _ := sign.CertPublicKey(app.GatewayCertificate)
	rootSN, _ := sign.RootCertSN(app.RootCertificate)
	if *first.Certs != (CertSNs{App: appSN, Root: rootSN, Gateway: gatewaySN}) {
		t.Errorf("SNs %+v", *first.Certs)
	}
	if again, _ := r.Get(app); again != first {
		t.Error("parsed again though nothing changed")
	}
	if err := ca.Issue(app); err != nil { // new serials
		t.Fatal(err)
	}
	renewed, err := r.Get(app)
	if err != nil || renewed == first || renewed.Certs.App == first.Certs.App {
		t.Error("a renewed certificate was not parsed again")
	}
	other, _ := sandbox.NewApp("", "RSA2", nil)
	if err := ca.Issue(other); err != nil {
		t.Fatal(err)
	}
	app.AppCertificate = other.AppCertificate
	if _, err := r.Get(app); err == nil {
		t.Error("a certificate over another key was accepted")
	}
	app.CertMode = false
	if k, err := r.Get(app); err != nil || k.Certs != nil {
		t.Errorf("key-mode app with a mismatched certificate: %+v, %v", k, err)
	}
	app.CertMode, app.AppCertificate = true, ""
	if _, err := r.Get(app); err == nil {
		t.Error("certificate mode without certificates was accepted")
	}
}

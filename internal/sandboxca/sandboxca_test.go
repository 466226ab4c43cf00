package sandboxca_test

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/sandboxca"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
)

// TestIssue: an app's certificates hold its keys, chain to the root through
// the intermediate (checked as Java's isTrusted does: signatures and
// validity, here at dates a moved clock may reach), carry issuer names whose
// SN every SDK computes alike, and survive the CA being stored and read
// back.
func TestIssue(t *testing.T) {
	ca, err := sandboxca.New()
	if err != nil {
		t.Fatal(err)
	}
	again, err := sandboxca.Parse(ca.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	app, err := sandbox.NewApp("2021000000000042", zfb.SignTypeRSA2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Issue(app); err != nil {
		t.Fatal(err)
	}
	if app.RootCertificate != ca.RootPEM() {
		t.Fatal("the app's root is not the CA's")
	}
	gateway, err := sign.ParseCertificates(app.GatewayCertificate)
	if err != nil || len(gateway) != 2 {
		t.Fatalf("gateway certificate file: %d certificates, %v; want leaf and intermediate", len(gateway), err)
	}
	appCerts, err := sign.ParseCertificates(app.AppCertificate)
	if err != nil || len(appCerts) != 1 {
		t.Fatalf("app certificate file: %d certificates, %v", len(appCerts), err)
	}
	roots, err := sign.ParseCertificates(app.RootCertificate)
	if err != nil || len(roots) != 1 {
		t.Fatalf("root file: %d certificates, %v", len(roots), err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	inter := x509.NewCertPool()
	inter.AddCert(gateway[1])
	for name, leaf := range map[string]*x509.Certificate{"gateway": gateway[0], "app": appCerts[0]} {
		for _, at := range []time.Time{time.Now(), time.Now().AddDate(30, 0, 0), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)} {
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Errorf("%s certificate at %s: %v", name, at.Format("2006"), err)
			}
		}
		if leaf.SignatureAlgorithm != x509.SHA256WithRSA {
			t.Errorf("%s certificate signed with %v", name, leaf.SignatureAlgorithm)
		}
		// The issuer in RFC 2253 order, as Java writes it; Go's and Node's
		// forms agree for these attributes (sign.TestCertSNAgreesWithJavaAndNode).
		if got, want := leaf.Issuer.String(), "CN=zfb Sandbox Certification Authority Class 2 R1,OU=Certification Authority,O=zfb,C=CN"; got != want {
			t.Errorf("%s issuer %q, want %q", name, got, want)
		}
		for _, atv := range leaf.Issuer.Names {
			if s := atv.Type.String(); s != "2.5.4.6" && s != "2.5.4.10" && s != "2.5.4.11" && s != "2.5.4.3" {
				t.Errorf("%s issuer has attribute %s", name, s)
			}
		}
	}
	appKey, _ := sign.ParsePublicKey(app.AppPublicKey)
	gatewayKey, _ := sign.ParsePublicKey(app.GatewayPublicKey)
	if !appKey.Equal(appCerts[0].PublicKey) || !gatewayKey.Equal(gateway[0].PublicKey) {
		t.Error("a certificate does not hold the app's key")
	}
	if strings.Count(app.GatewayCertificate, "BEGIN CERTIFICATE") != 2 || !strings.HasPrefix(app.GatewayCertificate, "-----BEGIN CERTIFICATE-----") {
		t.Error("gateway certificate file is not leaf then intermediate")
	}
	if _, err := sign.RootCertSN(app.RootCertificate); err != nil {
		t.Error(err)
	}
}

// TestLoad: a database without a CA gets one on first need, and every later
// Load returns that one.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := zfb.NewService(store, nil, nil)
	first, err := sandboxca.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sandboxca.Load(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if first.RootPEM() != second.RootPEM() {
		t.Fatal("a second Load made another CA")
	}
	if _, err := sandboxca.Parse(`{"root_certificate":"x"}`); err == nil {
		t.Error("Parse took a broken CA")
	}
}

// Package sandboxca is the certificate authority of a zfb instance, what
// Alipay's CA is for public-key-certificate mode (公钥证书模式, spec
// openapi.md §1.7, isv-and-identity.md §3): a self-signed root, an
// intermediate CA it signs, and per app two leaf certificates issued by the
// intermediate — the gateway's (alipayCertPublicKey_RSA2.crt, over the key
// zfb signs its answers with) and the app's (appCertPublicKey_<app_id>.crt,
// over the key the merchant signs with).
//
// The CA is instance-wide: its keys live in the settings table
// (zfb.SettingSandboxCA), so every app of the database, whenever and by
// whichever instance it is created, chains to the same root, the one
// sandbox.json hands out as alipayRootCert.crt.
package sandboxca

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// Validity of every certificate zfb issues. A tester may move an app's
// clock years ahead, and the Java SDK checks each certificate of the chain
// against its own wall clock (AntCertificationUtil.isTrusted), so the
// certificates are valid from long before any test to long after. Dates from
// 2050 on are written as GeneralizedTime, which every SDK's parser reads.
var (
	notBefore = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter  = time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC)
)

// Names use only C, O, OU and CN, with plain ASCII values: for those, the
// SDKs' ways of writing the issuer for the SN (Java RFC 2253, Node reversed
// attributes, Go pkix.Name.String) give the same text (spec openapi.md §1.7).
var (
	rootName = pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb"}, OrganizationalUnit: []string{"Certification Authority"}, CommonName: "zfb Sandbox Root Certification Authority R1"}
	caName   = pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb"}, OrganizationalUnit: []string{"Certification Authority"}, CommonName: "zfb Sandbox Certification Authority Class 2 R1"}
)

// CA is the root and the intermediate, with their keys.
type CA struct {
	root, inter       *x509.Certificate
	rootKey, interKey *rsa.PrivateKey
	rootPEM, interPEM string
}

// stored is the CA as kept in the settings table.
type stored struct {
	RootCertificate string `json:"root_certificate"`
	RootKey         string `json:"root_key"`
	CACertificate   string `json:"ca_certificate"`
	CAKey           string `json:"ca_key"`
}

// New makes a CA: an RSA-2048 root signed by itself and an RSA-2048
// intermediate signed by the root, both SHA256withRSA, with fresh keys.
func New() (*CA, error) {
	return NewWithKeys(func() (*rsa.PrivateKey, error) { return sign.GenerateKey(2048) })
}

// NewWithKeys is New with the root's key and then the intermediate's from
// newKey.
func NewWithKeys(newKey func() (*rsa.PrivateKey, error)) (*CA, error) {
	rootKey, err := newKey()
	if err != nil {
		return nil, err
	}
	interKey, err := newKey()
	if err != nil {
		return nil, err
	}
	caTemplate := func(name pkix.Name, pathLen int) (*x509.Certificate, error) {
		serial, err := newSerial()
		if err != nil {
			return nil, err
		}
		return &x509.Certificate{
			SerialNumber: serial, Subject: name, NotBefore: notBefore, NotAfter: notAfter,
			SignatureAlgorithm: x509.SHA256WithRSA,
			KeyUsage:           x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			IsCA:               true, BasicConstraintsValid: true, MaxPathLen: pathLen, MaxPathLenZero: pathLen == 0,
		}, nil
	}
	rootTmpl, err := caTemplate(rootName, 1)
	if err != nil {
		return nil, err
	}
	root, rootPEM, err := create(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	interTmpl, err := caTemplate(caName, 0)
	if err != nil {
		return nil, err
	}
	inter, interPEM, err := create(interTmpl, root, &interKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	return &CA{root: root, inter: inter, rootKey: rootKey, interKey: interKey, rootPEM: rootPEM, interPEM: interPEM}, nil
}

// Parse reads a CA that Marshal wrote.
func Parse(text string) (*CA, error) {
	var s stored
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return nil, fmt.Errorf("sandboxca: %w", err)
	}
	ca := &CA{rootPEM: s.RootCertificate, interPEM: s.CACertificate}
	var err error
	if ca.rootKey, err = sign.ParsePrivateKey(s.RootKey); err != nil {
		return nil, fmt.Errorf("sandboxca: root key: %w", err)
	}
	if ca.interKey, err = sign.ParsePrivateKey(s.CAKey); err != nil {
		return nil, fmt.Errorf("sandboxca: CA key: %w", err)
	}
	for _, c := range []struct {
		pem  string
		dst  **x509.Certificate
		name string
	}{{s.RootCertificate, &ca.root, "root"}, {s.CACertificate, &ca.inter, "CA"}} {
		certs, err := sign.ParseCertificates(c.pem)
		if err != nil {
			return nil, fmt.Errorf("sandboxca: %s certificate: %w", c.name, err)
		}
		*c.dst = certs[0]
	}
	if !ca.root.PublicKey.(*rsa.PublicKey).Equal(&ca.rootKey.PublicKey) || !ca.inter.PublicKey.(*rsa.PublicKey).Equal(&ca.interKey.PublicKey) {
		return nil, errors.New("sandboxca: a certificate does not hold its key")
	}
	return ca, nil
}

// Marshal writes the CA, keys included, for the settings table.
func (ca *CA) Marshal() string {
	b, _ := json.Marshal(stored{ // strings only: cannot fail
		RootCertificate: ca.rootPEM, RootKey: sign.PrivateKeyPKCS1PEM(ca.rootKey),
		CACertificate: ca.interPEM, CAKey: sign.PrivateKeyPKCS1PEM(ca.interKey),
	})
	return string(b)
}

// RootPEM is the root certificate, what merchants configure as
// alipayRootCert.crt.
func (ca *CA) RootPEM() string { return ca.rootPEM }

// Issue certifies app's two public keys and sets its AppCertificate,
// GatewayCertificate (the leaf, then the intermediate, as Alipay's
// alipayCertPublicKey_RSA2.crt holds them) and RootCertificate. It does not
// change CertMode.
func (ca *CA) Issue(app *zfb.App) error {
	appKey, err := sign.ParsePublicKey(app.AppPublicKey)
	if err != nil {
		return fmt.Errorf("sandboxca: app %s: its public key: %w", app.ID, err)
	}
	gatewayKey, err := sign.ParsePublicKey(app.GatewayPublicKey)
	if err != nil {
		return fmt.Errorf("sandboxca: app %s: its gateway public key: %w", app.ID, err)
	}
	appCert, err := ca.leaf(appKey, pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb sandbox merchant " + app.SellerID}, OrganizationalUnit: []string{"Alipay"}, CommonName: app.ID})
	if err != nil {
		return err
	}
	gatewayCert, err := ca.leaf(gatewayKey, pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb"}, OrganizationalUnit: []string{"Alipay"}, CommonName: "zfb gateway for " + app.ID})
	if err != nil {
		return err
	}
	app.AppCertificate = appCert
	app.GatewayCertificate = gatewayCert + ca.interPEM
	app.RootCertificate = ca.rootPEM
	return nil
}

func (ca *CA) leaf(key *rsa.PublicKey, subject pkix.Name) (string, error) {
	serial, err := newSerial()
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject, NotBefore: notBefore, NotAfter: notAfter,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment,
		BasicConstraintsValid: true,
	}
	_, text, err := create(tmpl, ca.inter, key, ca.interKey)
	return text, err
}

func create(tmpl, parent *x509.Certificate, pub *rsa.PublicKey, signer *rsa.PrivateKey) (*x509.Certificate, string, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, "", fmt.Errorf("sandboxca: issuing %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, "", err
	}
	return cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

// newSerial draws a positive serial of at most 127 bits (RFC 5280 allows 20
// octets), never zero.
func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// Load returns the instance's CA from the settings table. A database from
// before certificate mode has none: Load makes one and stores it, unless
// another caller stored one first, which it then returns.
func Load(ctx context.Context, svc *zfb.Service) (*CA, error) {
	text, err := svc.Setting(ctx, zfb.SettingSandboxCA)
	if errors.Is(err, zfb.ErrNotFound) {
		ca, err := New()
		if err != nil {
			return nil, err
		}
		if text, err = svc.EnsureSetting(ctx, zfb.SettingSandboxCA, ca.Marshal()); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return Parse(text)
}

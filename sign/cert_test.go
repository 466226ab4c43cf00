package sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"
)

// javaSN computes the SN as Java's AlipaySignature/AntCertificationUtil
// does (spec openapi.md §1.7), from the RFC 2253 name written out by hand:
// most specific attribute first.
func javaSN(rfc2253Issuer string, serial *big.Int) string {
	sum := md5.Sum([]byte(rfc2253Issuer + serial.String()))
	return hex.EncodeToString(sum[:])
}

// nodeSN computes the SN as alipay-sdk 4.14.0's antcertutil getCertSN
// does: the issuer's attributes, as they come in the DER, taken in reverse
// order as shortName=value and joined by ",".
func nodeSN(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	short := map[string]string{"2.5.4.6": "C", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.3": "CN"}
	var parts []string
	for _, atv := range cert.Issuer.Names {
		name, ok := short[atv.Type.String()]
		if !ok {
			t.Fatalf("issuer attribute %v: zfb's certificates use only C, O, OU and CN", atv.Type)
		}
		parts = append([]string{name + "=" + atv.Value.(string)}, parts...)
	}
	return javaSN(strings.Join(parts, ","), cert.SerialNumber)
}

func testCert(t *testing.T, issuer pkix.Name, serial *big.Int, signer any, parent *x509.Certificate) (*x509.Certificate, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: issuer, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	if parent == nil {
		parent = tmpl
	}
	if signer == nil {
		signer = key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestCertSNAgreesWithJavaAndNode: for an issuer of C, O, OU and CN (the
// attributes of Alipay's and zfb's CAs), the SN zfb computes is the one
// Java (RFC 2253 name) and Node (reversed attributes) compute.
func TestCertSNAgreesWithJavaAndNode(t *testing.T) {
	name := pkix.Name{Country: []string{"CN"}, Organization: []string{"Ant Financial"}, OrganizationalUnit: []string{"Certification Authority"}, CommonName: "Ant Financial Certification Authority Class 2 R1"}
	serial, _ := new(big.Int).SetString("4518102402219013376829411104218104612", 10)
	cert, text := testCert(t, name, serial, nil, nil)
	want := javaSN("CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN", serial)
	if got := CertSN(cert); got != want {
		t.Errorf("CertSN = %s, want Java's %s", got, want)
	}
	if got := nodeSN(t, cert); got != want {
		t.Errorf("Node's SN = %s, want Java's %s", got, want)
	}
	key, sn, err := CertPublicKey(text)
	if err != nil || sn != want || !key.Equal(cert.PublicKey) {
		t.Errorf("CertPublicKey = %v, %s, %v", key != nil, sn, err)
	}
	// A serial with the high bit set is encoded with a leading zero byte; it
	// is still its positive decimal value.
	high := new(big.Int).Lsh(big.NewInt(1), 127)
	cert, _ = testCert(t, name, high, nil, nil)
	if got, want := CertSN(cert), javaSN("CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN", high); got != want {
		t.Errorf("CertSN = %s, want %s", got, want)
	}
}

// TestRootCertSN: the root SN joins the SNs of the RSA-signed certificates
// in file order with "_" and skips the others, among them Alipay's real SM2
// root (testdata/alipay_root_sm2.pem, from Alipay's alipayRootCert.crt),
// which Go's x509 cannot parse.
func TestRootCertSN(t *testing.T) {
	sm2, err := os.ReadFile("testdata/alipay_root_sm2.pem")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCertificates(string(sm2)); err == nil {
		t.Log("x509 parses the SM2 root now; RootCertSN does not depend on it")
	}
	sm2SN, sigAlg, err := rawCertSN(mustDER(t, string(sm2)))
	serial, _ := new(big.Int).SetString("69E2FEC0170AC67B", 16)
	if err != nil || sigAlg != "1.2.156.10197.1.501" || sm2SN != javaSN("CN=ROOTCA,O=NRCAC,C=CN", serial) {
		t.Fatalf("SM2 root: sn %s, algorithm %s, %v", sm2SN, sigAlg, err)
	}

	a, aText := testCert(t, pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb"}, CommonName: "Root A"}, big.NewInt(7), nil, nil)
	b, bText := testCert(t, pkix.Name{Country: []string{"CN"}, Organization: []string{"zfb"}, OrganizationalUnit: []string{"CA"}, CommonName: "Root B"}, big.NewInt(8), nil, nil)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ecText := testCert(t, pkix.Name{CommonName: "EC"}, big.NewInt(9), ecKey, &x509.Certificate{Subject: pkix.Name{CommonName: "EC"}})
	got, err := RootCertSN(aText + string(sm2) + "\n" + ecText + bText)
	if want := CertSN(a) + "_" + CertSN(b); err != nil || got != want {
		t.Errorf("RootCertSN = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"", string(sm2), ecText, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if sn, err := RootCertSN(bad); err == nil {
			t.Errorf("RootCertSN(%.30q) = %s, want an error", bad, sn)
		}
	}
	if _, _, err := CertPublicKey(string(sm2)); err == nil {
		t.Error("CertPublicKey takes an SM2 certificate")
	}
}

func mustDER(t *testing.T, text string) []byte {
	t.Helper()
	ders, err := certificateDERs(text)
	if err != nil {
		t.Fatal(err)
	}
	return ders[0]
}

package sign

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// oidRSAFamily prefixes the signature algorithms of the RSA family
// (sha1WithRSAEncryption 1.2.840.113549.1.1.5, sha256WithRSAEncryption …
// .11, …). The root SN covers only certificates signed with one of them
// (spec openapi.md §1.7: Java's getRootCertSN and Node's getRootCertSN test
// this prefix); Alipay's alipayRootCert.crt also holds an SM2 root
// (1.2.156.10197.1.501), which they skip.
const oidRSAFamily = "1.2.840.113549.1.1"

// CertSN is the serial number Alipay gives a certificate (spec openapi.md
// §1.7): the lower-case hex MD5 of the issuer's distinguished name in RFC
// 2253 form followed by the serial number in decimal. That is what Java
// computes (getIssuerX500Principal().getName() + getSerialNumber(), MD5
// left-padded to 32 hex digits), what Node computes (the issuer's
// attributes in reverse order, shortName=value, joined by ","), and what
// the Go SDKs compute (pkix.Name.String() + serial). The three agree for
// issuers made of the attributes C, O, OU and CN with plain values, which
// is what Alipay's and zfb's certificates use.
func CertSN(cert *x509.Certificate) string {
	return snOf(cert.Issuer.String(), cert.SerialNumber)
}

func snOf(issuer string, serial *big.Int) string {
	sum := md5.Sum([]byte(issuer + serial.String()))
	return hex.EncodeToString(sum[:])
}

// ParseCertificates parses every CERTIFICATE block of a PEM file, in
// order. Text around the blocks is ignored; a file without one, or a block
// that does not parse, is an error.
func ParseCertificates(pemText string) ([]*x509.Certificate, error) {
	ders, err := certificateDERs(pemText)
	if err != nil {
		return nil, err
	}
	certs := make([]*x509.Certificate, 0, len(ders))
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("sign: certificate %d: %w", i+1, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func certificateDERs(pemText string) ([][]byte, error) {
	var ders [][]byte
	rest := []byte(strings.ReplaceAll(pemText, "\r\n", "\n"))
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == labelCertificate {
			ders = append(ders, block.Bytes)
		}
	}
	if len(ders) == 0 {
		return nil, errors.New("sign: no CERTIFICATE block in the text")
	}
	return ders, nil
}

// CertPublicKey reads a public-key certificate file as the SDKs read
// appCertPublicKey_<app_id>.crt and alipayCertPublicKey_RSA2.crt: the first
// certificate counts. It returns that certificate's RSA public key and SN.
func CertPublicKey(pemText string) (*rsa.PublicKey, string, error) {
	certs, err := ParseCertificates(pemText)
	if err != nil {
		return nil, "", err
	}
	key, ok := certs[0].PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, "", fmt.Errorf("sign: the certificate holds a %s key, not RSA", keyKind(certs[0].PublicKey))
	}
	return key, CertSN(certs[0]), nil
}

// RootCertSN is the SN of a root certificate file (alipayRootCert.crt), as
// sent in alipay_root_cert_sn: the SNs of its certificates signed with an
// RSA-family algorithm, in file order, joined with "_". Other certificates
// (Alipay's SM2 root) are skipped without being fully parsed: Go's x509
// does not know the SM2 curve. A file with no RSA-family certificate is an
// error.
func RootCertSN(pemText string) (string, error) {
	ders, err := certificateDERs(pemText)
	if err != nil {
		return "", err
	}
	var sns []string
	for i, der := range ders {
		sn, sigAlg, err := rawCertSN(der)
		if err != nil {
			return "", fmt.Errorf("sign: root certificate %d: %w", i+1, err)
		}
		if strings.HasPrefix(sigAlg, oidRSAFamily+".") {
			sns = append(sns, sn)
		}
	}
	if len(sns) == 0 {
		return "", errors.New("sign: the root file holds no RSA certificate")
	}
	return strings.Join(sns, "_"), nil
}

// rawCertSN computes a certificate's SN from its DER without parsing its
// public key, and returns its signature algorithm's OID.
func rawCertSN(der []byte) (sn, sigAlg string, err error) {
	var cert struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &cert); err != nil || len(rest) > 0 {
		return "", "", errors.New("malformed certificate")
	}
	// encoding/asn1 accepts trailing members of a SEQUENCE, so the fields
	// after the issuer need not be named.
	var tbs struct {
		Version int `asn1:"optional,explicit,default:0,tag:0"`
		Serial  *big.Int
		SigAlg  pkix.AlgorithmIdentifier
		Issuer  asn1.RawValue
	}
	if _, err := asn1.Unmarshal(cert.TBS.FullBytes, &tbs); err != nil {
		return "", "", errors.New("malformed tbsCertificate")
	}
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(tbs.Issuer.FullBytes, &rdns); err != nil || len(rest) > 0 {
		return "", "", errors.New("malformed issuer")
	}
	var issuer pkix.Name
	issuer.FillFromRDNSequence(&rdns)
	return snOf(issuer.String(), tbs.Serial), cert.SigAlg.Algorithm.String(), nil
}

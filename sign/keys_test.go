package sign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// wrap64 breaks s into lines of 64 characters joined by eol.
func wrap64(s, eol string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + eol)
		s = s[64:]
	}
	b.WriteString(s)
	return b.String()
}

func TestParsePrivateKeyForms(t *testing.T) {
	want := appKey(t)
	pkcs1 := readTestdata(t, "app_private_pkcs1.pem")
	pkcs8 := readTestdata(t, "app_private_pkcs8.pem")
	bare1, bare8 := Bare(pkcs1), Bare(pkcs8)
	tests := []struct{ name, in string }{
		{"PKCS#1 PEM", pkcs1},
		{"PKCS#8 PEM", pkcs8},
		{"PKCS#1 PEM CRLF", strings.ReplaceAll(pkcs1, "\n", "\r\n")},
		{"PKCS#8 PEM surrounded by whitespace", "\n\t  " + pkcs8 + "  \n\n"},
		{"PKCS#1 PEM body lines joined", "-----BEGIN RSA PRIVATE KEY-----\n" + bare1 + "\n-----END RSA PRIVATE KEY-----"},
		{"PKCS#8 PEM all on one line", "-----BEGIN PRIVATE KEY-----" + bare8 + "-----END PRIVATE KEY-----"},
		{"PKCS#1 PEM with escaped newlines", strings.ReplaceAll(pkcs1, "\n", `\n`)},
		{"PKCS#8 body under the PKCS#1 label", "-----BEGIN RSA PRIVATE KEY-----\n" + wrap64(bare8, "\n") + "\n-----END RSA PRIVATE KEY-----\n"},
		{"PKCS#1 body under the PKCS#8 label", "-----BEGIN PRIVATE KEY-----\n" + wrap64(bare1, "\n") + "\n-----END PRIVATE KEY-----\n"},
		{"PEM with an unencrypted header", "-----BEGIN RSA PRIVATE KEY-----\nComment: test\n\n" + wrap64(bare1, "\n") + "\n-----END RSA PRIVATE KEY-----\n"},
		{"PEM with a byte-order mark", "\ufeff" + pkcs1},
		{"bare PKCS#1", bare1},
		{"bare PKCS#8", bare8},
		{"bare PKCS#8 with line breaks", wrap64(bare8, "\r\n")},
		{"bare PKCS#1 with spaces around", "  " + bare1 + " \n"},
		{"bare PKCS#8 without padding", strings.TrimRight(bare8, "=")},
		{"own PKCS#1 PEM", PrivateKeyPKCS1PEM(want)},
		{"own PKCS#8 PEM", PrivateKeyPKCS8PEM(want)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrivateKey(tt.in)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !got.Equal(want) {
				t.Fatal("parsed a different key")
			}
		})
	}
}

func TestParsePublicKeyForms(t *testing.T) {
	want := &appKey(t).PublicKey
	pkix := readTestdata(t, "app_public_pkix.pem")
	pkcs1 := readTestdata(t, "app_public_pkcs1.pem")
	cert := selfSignedPEM(t, want, appKey(t))
	tests := []struct{ name, in string }{
		{"PKIX PEM", pkix},
		{"PKCS#1 PEM", pkcs1},
		{"certificate PEM", cert},
		{"certificate chain, first block", cert + selfSignedPEM(t, &otherKey(t).PublicKey, otherKey(t))},
		{"PKIX PEM CRLF", strings.ReplaceAll(pkix, "\n", "\r\n")},
		{"PKIX PEM all on one line", "-----BEGIN PUBLIC KEY-----" + Bare(pkix) + "-----END PUBLIC KEY-----"},
		{"bare PKIX", Bare(pkix)},
		{"bare PKCS#1", Bare(pkcs1)},
		{"bare certificate", Bare(cert)},
		{"bare PKIX with line breaks and spaces", " " + wrap64(Bare(pkix), "\n") + "\n"},
		{"own PKIX PEM", PublicKeyPEM(want)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePublicKey(tt.in)
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if !got.Equal(want) {
				t.Fatal("parsed a different key")
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPKCS8 := mustPEM(t, "PRIVATE KEY")(x509.MarshalPKCS8PrivateKey(ec))
	ecSEC1 := mustPEM(t, "EC PRIVATE KEY")(x509.MarshalECPrivateKey(ec))
	ecPKIX := mustPEM(t, "PUBLIC KEY")(x509.MarshalPKIXPublicKey(&ec.PublicKey))
	edPKCS8 := mustPEM(t, "PRIVATE KEY")(x509.MarshalPKCS8PrivateKey(ed))
	ecCert := selfSignedPEM(t, &ec.PublicKey, ec)

	priv := readTestdata(t, "app_private_pkcs1.pem")
	pub := readTestdata(t, "app_public_pkix.pem")
	encrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n" +
		wrap64(Bare(priv), "\n") + "\n-----END RSA PRIVATE KEY-----\n"

	privateTests := []struct{ name, in, want string }{
		{"empty", "", "empty key"},
		{"blank", " \r\n\t", "empty key"},
		{"not Base64", "not a key!", "not Base64"},
		{"Base64 of garbage", "AAAA", "neither PKCS#1 nor PKCS#8"},
		{"public PEM", pub, "where a private key is expected"},
		{"bare public key", Bare(pub), "got a public key"},
		{"certificate", selfSignedPEM(t, &appKey(t).PublicKey, appKey(t)), "where a private key is expected"},
		{"EC PKCS#8", ecPKCS8, "ECDSA, only RSA"},
		{"bare EC PKCS#8", Bare(ecPKCS8), "ECDSA, only RSA"},
		{"EC SEC1", ecSEC1, "not an RSA private key"},
		{"bare EC SEC1", Bare(ecSEC1), "ECDSA, only RSA"},
		{"Ed25519 PKCS#8", edPKCS8, "Ed25519, only RSA"},
		{"encrypted PEM", encrypted, "encrypted"},
		{"PKCS#8 encrypted label", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----", "encrypted"},
		{"unterminated BEGIN", "-----BEGIN RSA PRIVATE KEY", "unterminated BEGIN"},
		{"no END", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n", "no END line"},
		{"truncated key", Bare(priv)[:400], "neither PKCS#1 nor PKCS#8"},
	}
	for _, tt := range privateTests {
		t.Run("private/"+tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tt.in)
			if err == nil || k != nil {
				t.Fatalf("ParsePrivateKey = %v, %v; want an error", k, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}

	publicTests := []struct{ name, in, want string }{
		{"empty", "", "empty key"},
		{"Base64 of garbage", "AAAA", "neither PKIX, PKCS#1 nor an X.509 certificate"},
		{"private PEM", priv, "where a public key is expected"},
		{"bare PKCS#1 private key", Bare(priv), "got a private key"},
		{"bare PKCS#8 private key", Bare(readTestdata(t, "app_private_pkcs8.pem")), "got a private key"},
		{"EC PKIX", ecPKIX, "ECDSA, only RSA"},
		{"bare EC PKIX", Bare(ecPKIX), "ECDSA, only RSA"},
		{"EC certificate", ecCert, "ECDSA, only RSA"},
		{"EC private key", ecSEC1, "not an RSA public key"},
		{"truncated key", Bare(pub)[:200], "neither PKIX"},
	}
	for _, tt := range publicTests {
		t.Run("public/"+tt.name, func(t *testing.T) {
			k, err := ParsePublicKey(tt.in)
			if err == nil || k != nil {
				t.Fatalf("ParsePublicKey = %v, %v; want an error", k, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// mustPEM returns a function that PEM-encodes the result of a Marshal call.
func mustPEM(t *testing.T, label string) func([]byte, error) string {
	return func(der []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
	}
}

func TestBare(t *testing.T) {
	pkcs1 := readTestdata(t, "app_private_pkcs1.pem")
	lines := strings.Split(strings.TrimSpace(pkcs1), "\n")
	want := strings.Join(lines[1:len(lines)-1], "")
	tests := []struct{ name, in, want string }{
		{"PEM", pkcs1, want},
		{"PEM CRLF", strings.ReplaceAll(pkcs1, "\n", "\r\n"), want},
		{"already bare", want, want},
		{"bare with line breaks", wrap64(want, "\r\n") + "\n", want},
		{"idempotent", Bare(Bare(pkcs1)), want},
		{"header dropped", "-----BEGIN X-----\nComment: hi\n\nQUJD\n-----END X-----", "QUJD"},
		{"encrypted", "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nQUJD\n-----END X-----", ""},
		{"malformed", "-----BEGIN X-----\nQUJD\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bare(tt.in); got != tt.want {
				t.Fatalf("Bare = %q, want %q", got, tt.want)
			}
		})
	}
	if strings.ContainsAny(want, " \n") || len(want) < 1500 {
		t.Fatalf("unexpected bare key %q", want)
	}
}

func TestPEMEncodersMatchOpenSSL(t *testing.T) {
	k := appKey(t)
	tests := []struct{ name, got, want string }{
		{"PKCS#1", PrivateKeyPKCS1PEM(k), readTestdata(t, "app_private_pkcs1.pem")},
		{"PKCS#8", PrivateKeyPKCS8PEM(k), readTestdata(t, "app_private_pkcs8.pem")},
		{"PKIX", PublicKeyPEM(&k.PublicKey), readTestdata(t, "app_public_pkix.pem")},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s PEM differs from OpenSSL's:\n%s\nwant:\n%s", tt.name, tt.got, tt.want)
		}
	}
	prefixes := map[string]string{
		"-----BEGIN RSA PRIVATE KEY-----\n": PrivateKeyPKCS1PEM(k),
		"-----BEGIN PRIVATE KEY-----\n":     PrivateKeyPKCS8PEM(k),
		"-----BEGIN PUBLIC KEY-----\n":      PublicKeyPEM(&k.PublicKey),
	}
	for prefix, got := range prefixes {
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("%q does not start with %q", got[:40], prefix)
		}
	}
}

func TestPEMEncodersRejectBadKeys(t *testing.T) {
	if got := PrivateKeyPKCS1PEM(nil); got != "" {
		t.Errorf("PrivateKeyPKCS1PEM(nil) = %q", got)
	}
	if got := PrivateKeyPKCS8PEM(nil); got != "" {
		t.Errorf("PrivateKeyPKCS8PEM(nil) = %q", got)
	}
	if got := PublicKeyPEM(nil); got != "" {
		t.Errorf("PublicKeyPEM(nil) = %q", got)
	}
	broken := *appKey(t)
	broken.D = nil
	if got := PrivateKeyPKCS1PEM(&broken); got != "" {
		t.Errorf("PrivateKeyPKCS1PEM(broken) = %q", got)
	}
	if got := PrivateKeyPKCS8PEM(&broken); got != "" {
		t.Errorf("PrivateKeyPKCS8PEM(broken) = %q", got)
	}
	if got := PublicKeyPEM(&broken.PublicKey); got == "" {
		t.Error("PublicKeyPEM of a valid public key is empty")
	}
}

func TestGenerateKey(t *testing.T) {
	k, err := GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != 2048 {
		t.Fatalf("key has %d bits", k.N.BitLen())
	}
	for _, form := range []string{PrivateKeyPKCS1PEM(k), PrivateKeyPKCS8PEM(k), Bare(PrivateKeyPKCS1PEM(k))} {
		got, err := ParsePrivateKey(form)
		if err != nil || !got.Equal(k) {
			t.Fatalf("round trip of %.40q: %v", form, err)
		}
	}
	if _, err := GenerateKey(512); err == nil {
		t.Fatal("GenerateKey(512) succeeded")
	}
}

package sign

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// javaExample is the Java client's sign string from spec §1.4.
const javaExample = `alipay_sdk=alipay-sdk-java-x&app_id=2014072300007148&biz_content={"out_trade_no":"2015…"}&charset=UTF-8&format=json&method=alipay.trade.query&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0`

// Known answers for javaExample (UTF-8) under testdata/app_private_pkcs1.pem,
// computed independently with OpenSSL:
//
//	printf '%s' "$javaExample" | openssl dgst -sha256 -sign app_private_pkcs1.pem | base64 -w0
//	printf '%s' "$javaExample" | openssl dgst -sha1 -sign app_private_pkcs1.pem | base64 -w0
const (
	katRSA2 = "h4EXGyAUHWFzbg/taMV+A74tQxdYX8fly8PSDH8bMgE31pHjg4Z88sYkLXlxiaBLaS4gPGcR9S+XOfk1LmA1XkJdPe778syEaDoGT9oi0aivmKtDzXaohx7yfT27OnnlDkPoJLY3vwms/i2ii7QpcTxiyExspVx2D+faTnGuOp0us88b7+WHLUapU0tI+RuBIvudnYi0ToNddMl0YlKRb7/oVNU3ocQ6iLupTIrAjArQZzKeodqYXuZN6Tt2HYAEXkXmxi/kK05WSfjdMSQp3+i5E31n7GIzwFVaSTbHeAjfUVt8+f+Y29D/8vwb2s3JQjciN7oILEzfvA4bxhklkQ=="
	katRSA  = "TTz3tbgqAMHJ1lmfkzf9Ttu/pf1w5LEaALHp7VJ8WXvUSYrx19KdB7SdcjSkD62gdSxz6kX3yk0EHKZkl8PLARs87xAerCFL88jzwQFfA+qiwA3/isVcS6QCdeoTfXfFodVz7DWFOLqZheHWP+zOt+6bxSHneWMTBrcbIP894X8XHh64CwSahzi3ylB3upkU1guxQb9N8Fzo0DQcvB0+7N6rZ7BUhKeiDlyxdY3ZZjDCrXGDzvIVZNqPaxEF471KZNtSCCMW3XxbJ279Wu/GZm/4NCjURq/crJ2ZqSVR3JbjHJkNxpyJ+IDM7vl76KpBW5JwVJkc4gRllzOe66IASA=="
)

func TestKnownAnswer(t *testing.T) {
	k := appKey(t)
	for _, tt := range []struct {
		alg  Algorithm
		want string
	}{{RSA2, katRSA2}, {RSA, katRSA}} {
		got, err := Sign(k, tt.alg, []byte(javaExample))
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Sign(%s) = %s\nwant %s", tt.alg, got, tt.want)
		}
		if err := Verify(&k.PublicKey, tt.alg, []byte(javaExample), tt.want); err != nil {
			t.Errorf("Verify(%s) of the known answer: %v", tt.alg, err)
		}
	}
}

func TestAlgorithmValid(t *testing.T) {
	for alg, want := range map[Algorithm]bool{RSA: true, RSA2: true, "rsa2": false, "SM2": false, "": false, "RSA256": false} {
		if got := alg.Valid(); got != want {
			t.Errorf("%q.Valid() = %v", alg, got)
		}
	}
}

func TestSignVerifyAcrossKeyForms(t *testing.T) {
	privForms := map[string]string{
		"PKCS#1 PEM":  readTestdata(t, "app_private_pkcs1.pem"),
		"PKCS#8 PEM":  readTestdata(t, "app_private_pkcs8.pem"),
		"bare PKCS#1": Bare(readTestdata(t, "app_private_pkcs1.pem")),
		"bare PKCS#8": Bare(readTestdata(t, "app_private_pkcs8.pem")),
	}
	pubForms := map[string]string{
		"PKIX PEM":    readTestdata(t, "app_public_pkix.pem"),
		"PKCS#1 PEM":  readTestdata(t, "app_public_pkcs1.pem"),
		"bare PKIX":   Bare(readTestdata(t, "app_public_pkix.pem")),
		"bare PKCS#1": Bare(readTestdata(t, "app_public_pkcs1.pem")),
		"certificate": selfSignedPEM(t, &appKey(t).PublicKey, appKey(t)),
	}
	wrong := &otherKey(t).PublicKey
	content := []byte(javaExample)
	for pn, ps := range privForms {
		priv, err := ParsePrivateKey(ps)
		if err != nil {
			t.Fatalf("%s: %v", pn, err)
		}
		for qn, qs := range pubForms {
			pub, err := ParsePublicKey(qs)
			if err != nil {
				t.Fatalf("%s: %v", qn, err)
			}
			for _, alg := range []Algorithm{RSA, RSA2} {
				name := pn + "/" + qn + "/" + string(alg)
				sig, err := Sign(priv, alg, content)
				if err != nil {
					t.Fatalf("%s: Sign: %v", name, err)
				}
				if err := Verify(pub, alg, content, sig); err != nil {
					t.Errorf("%s: Verify: %v", name, err)
				}
				if err := Verify(wrong, alg, content, sig); !errors.Is(err, ErrVerification) {
					t.Errorf("%s: Verify with the wrong key = %v", name, err)
				}
			}
		}
	}
}

func TestVerifyFailures(t *testing.T) {
	k := appKey(t)
	pub := &k.PublicKey
	content := []byte(javaExample)
	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 1
		return c
	}
	sig, _ := base64.StdEncoding.DecodeString(katRSA2)
	tests := []struct {
		name       string
		key        *rsa.PublicKey
		alg        Algorithm
		content    []byte
		sig        string
		verifyErr  bool // wraps ErrVerification
		wantInText string
	}{
		{"flipped content bit", pub, RSA2, flip(content, 10), katRSA2, true, "does not match"},
		{"flipped last content bit", pub, RSA2, flip(content, len(content)-1), katRSA2, true, "does not match"},
		{"flipped signature bit", pub, RSA2, content, base64.StdEncoding.EncodeToString(flip(sig, 100)), true, "does not match"},
		{"truncated signature", pub, RSA2, content, base64.StdEncoding.EncodeToString(sig[:255]), true, "does not match"},
		{"other algorithm", pub, RSA, content, katRSA2, true, "does not match"},
		{"wrong key", &otherKey(t).PublicKey, RSA2, content, katRSA2, true, "does not match"},
		{"content with a trailing newline", pub, RSA2, append(append([]byte(nil), content...), '\n'), katRSA2, true, "does not match"},
		{"not Base64", pub, RSA2, content, "!!" + katRSA2[2:], true, "not standard Base64"},
		{"URL-safe Base64", pub, RSA2, content, strings.NewReplacer("+", "-", "/", "_").Replace(katRSA2), true, "not standard Base64"},
		{"empty signature", pub, RSA2, content, "", true, "sign is missing"},
		{"unsupported algorithm", pub, "SM2", content, katRSA2, false, "unsupported sign_type"},
		{"nil key", nil, RSA2, content, katRSA2, false, "nil public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.key, tt.alg, tt.content, tt.sig)
			if err == nil {
				t.Fatal("Verify succeeded")
			}
			if errors.Is(err, ErrVerification) != tt.verifyErr {
				t.Errorf("errors.Is(%v, ErrVerification) = %v", err, !tt.verifyErr)
			}
			if !strings.Contains(err.Error(), tt.wantInText) {
				t.Errorf("error %q does not mention %q", err, tt.wantInText)
			}
		})
	}
	if err := Verify(pub, RSA2, content, ""); !errors.Is(err, ErrMissingSign) {
		t.Errorf("empty signature: %v is not ErrMissingSign", err)
	}
	if err := Verify(pub, "SM2", content, katRSA2); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("SM2: %v is not ErrUnsupportedAlgorithm", err)
	}
}

func TestSignFailures(t *testing.T) {
	if _, err := Sign(nil, RSA2, []byte("x")); err == nil {
		t.Error("Sign with a nil key succeeded")
	}
	if _, err := Sign(appKey(t), "RSA3", []byte("x")); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("Sign with RSA3: %v", err)
	}
}

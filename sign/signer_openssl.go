//go:build openssl

package sign

/*
#cgo LDFLAGS: -lcrypto
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

// zfb_error takes the oldest error of this thread's queue into buf (of n
// bytes, n > 0) and clears the rest.
static void zfb_error(char *buf, size_t n) {
	unsigned long e = ERR_get_error();
	buf[0] = 0;
	if (e != 0) {
		ERR_error_string_n(e, buf, n);
	}
	ERR_clear_error();
}

// zfb_load_key parses a PKCS#1 DER RSA private key, or returns NULL with
// the reason in errbuf.
static EVP_PKEY *zfb_load_key(const unsigned char *der, long n, char *errbuf, size_t errn) {
	const unsigned char *p = der;
	EVP_PKEY *key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, n);
	if (key == NULL) {
		zfb_error(errbuf, errn);
	}
	return key;
}

// zfb_sign signs msg with key under SHA-1 (sha256 == 0) or SHA-256,
// PKCS#1 v1.5 (RSA's default padding), into sig of *siglen bytes. It
// returns 1 on success, 0 on failure with the reason in errbuf. The error
// is read on the thread that failed: OpenSSL's error queue is per thread.
static int zfb_sign(EVP_PKEY *key, int sha256, const unsigned char *msg, size_t n,
		unsigned char *sig, size_t *siglen, char *errbuf, size_t errn) {
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL &&
		EVP_DigestSignInit(ctx, NULL, sha256 ? EVP_sha256() : EVP_sha1(), NULL, key) == 1 &&
		EVP_DigestSign(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		zfb_error(errbuf, errn);
	}
	return ok;
}
*/
import "C"

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"runtime"
	"unsafe"
)

// SignerName names the implementation NewSigner returns in this build.
const SignerName = "openssl"

// OpenSSLSigner signs with OpenSSL's libcrypto: the key is parsed into an
// EVP_PKEY once, and each Sign runs EVP_DigestSign on a context of its own,
// so concurrent calls share only the read-only key.
type OpenSSLSigner struct {
	key  *C.EVP_PKEY
	size int // the modulus in bytes: the signature's length
}

// NewOpenSSLSigner parses key into OpenSSL. The EVP_PKEY is freed when the
// signer is garbage.
func NewOpenSSLSigner(key *rsa.PrivateKey) (*OpenSSLSigner, error) {
	der := x509.MarshalPKCS1PrivateKey(key)
	var errbuf [256]C.char
	pkey := C.zfb_load_key((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)), &errbuf[0], C.size_t(len(errbuf)))
	if pkey == nil {
		return nil, fmt.Errorf("sign: OpenSSL does not take the key: %s", errorText(errbuf[:]))
	}
	s := &OpenSSLSigner{key: pkey, size: key.Size()}
	runtime.AddCleanup(s, func(k *C.EVP_PKEY) { C.EVP_PKEY_free(k) }, pkey)
	return s, nil
}

// Sign signs content under alg, giving what Sign gives with the same key.
func (s *OpenSSLSigner) Sign(alg Algorithm, content []byte) (string, error) {
	var sha256 C.int
	switch alg {
	case RSA2:
		sha256 = 1
	case RSA:
	default:
		return "", fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, string(alg))
	}
	sig := make([]byte, s.size)
	n := C.size_t(len(sig))
	var msg *C.uchar
	if len(content) > 0 {
		msg = (*C.uchar)(unsafe.Pointer(&content[0]))
	}
	var errbuf [256]C.char
	ok := C.zfb_sign(s.key, sha256, msg, C.size_t(len(content)), (*C.uchar)(unsafe.Pointer(&sig[0])), &n, &errbuf[0], C.size_t(len(errbuf)))
	runtime.KeepAlive(s)
	if ok != 1 {
		return "", fmt.Errorf("sign: OpenSSL: %s", errorText(errbuf[:]))
	}
	return base64.StdEncoding.EncodeToString(sig[:n]), nil
}

// errorText is the message zfb_error wrote into buf.
func errorText(buf []C.char) string {
	if msg := C.GoString(&buf[0]); msg != "" {
		return msg
	}
	return "unknown error"
}

func newSigner(key *rsa.PrivateKey) (Signer, error) {
	return NewOpenSSLSigner(key)
}

//go:build !openssl

package sign

import "crypto/rsa"

// SignerName names the implementation NewSigner returns in this build.
const SignerName = "crypto/rsa"

func newSigner(key *rsa.PrivateKey) (Signer, error) {
	return RSASigner{Key: key}, nil
}

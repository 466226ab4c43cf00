package main

import (
	"crypto/rsa"
	"debug/buildinfo"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/zfbpay/zfb/sign"
)

// The signers a zfb may sign its answers with: sign.SignerName of its build.
const (
	signerGo      = "crypto/rsa"
	signerOpenSSL = "openssl"
	signerUnknown = "unknown"
)

// ownTags are the build tags zfbload itself was built with ("" for none):
// the default --tags of the zfb it builds, so that both sign alike.
func ownTags() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return buildTags(info)
}

func buildTags(info *debug.BuildInfo) string {
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			return s.Value
		}
	}
	return ""
}

// signerOfTags is the signer a zfb built with tags uses.
func signerOfTags(tags string) string {
	if slices.Contains(strings.Split(tags, ","), "openssl") {
		return signerOpenSSL
	}
	return signerGo
}

// binarySigner is the signer of the Go binary bin, read from the build
// tags it records; unknown when it records none.
func binarySigner(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return signerUnknown
	}
	return signerOfTags(buildTags(info))
}

// ceilingSigner is a signer of key like the measured zfb's: crypto/rsa
// when zfb uses it, else this build's (sign.NewSigner). The name says which
// it is; a mismatch with zfbSigner is for the report to say.
func ceilingSigner(zfbSigner string, key *rsa.PrivateKey) (sign.Signer, string, error) {
	if zfbSigner == signerGo {
		return sign.RSASigner{Key: key}, signerGo, nil
	}
	s, err := sign.NewSigner(key)
	return s, sign.SignerName, err
}

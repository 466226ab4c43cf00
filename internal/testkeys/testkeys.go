// Package testkeys hands tests RSA-2048 keys made once per test binary.
//
// A sandbox needs eight keys (its CA's two, and an app key and a gateway
// key for each of its three apps), and making one costs tens of
// milliseconds, several times that under the race detector: the test
// suite makes about two hundred sandboxes, so fresh keys were minutes of
// its run. Sequence gives a sandbox the same keys each time, made on first
// use and kept for the binary's life:
//
//	sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence()))
//
// So two sandboxes of one test binary hold the same keys. A test that needs
// a key no sandbox has (a wrong signer, another app) makes a fresh one
// (sign.GenerateKey, sandbox.NewApp), as before.
package testkeys

import (
	"crypto/rsa"
	"sync"

	"github.com/zfbpay/zfb/sign"
)

// made holds the keys made so far, shared by every Sequence of the binary.
// Keys are only read once made: an *rsa.PrivateKey signs from several
// goroutines at once.
var made struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

// Sequence returns a function that gives the binary's first key, then its
// second, and so on: distinct keys, the same ones for every Sequence.
func Sequence() func() (*rsa.PrivateKey, error) {
	next := 0
	return func() (*rsa.PrivateKey, error) {
		made.Lock()
		defer made.Unlock()
		for len(made.keys) <= next {
			k, err := sign.GenerateKey(2048)
			if err != nil {
				return nil, err
			}
			made.keys = append(made.keys, k)
		}
		k := made.keys[next]
		next++
		return k, nil
	}
}

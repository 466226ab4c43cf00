package intl

import (
	"crypto/rsa"
	"sync"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// keyring keeps each app's keys parsed, so that no request parses a key
// (as openapi's does). An entry is replaced when the app's PEM text
// changes.
type keyring struct {
	mu   sync.RWMutex
	apps map[string]*appKeys
}

type appKeys struct {
	appPublicPEM, gatewayPrivatePEM string
	appPublic                       *rsa.PublicKey  // verifies the merchant's requests
	gatewayPrivate                  *rsa.PrivateKey // signs zfb's answers
}

func (k *keyring) get(app *zfb.App) (*appKeys, error) {
	k.mu.RLock()
	keys := k.apps[app.ID]
	k.mu.RUnlock()
	if keys != nil && keys.appPublicPEM == app.AppPublicKey && keys.gatewayPrivatePEM == app.GatewayPrivateKey {
		return keys, nil
	}
	pub, err := sign.ParsePublicKey(app.AppPublicKey)
	if err != nil {
		return nil, err
	}
	priv, err := sign.ParsePrivateKey(app.GatewayPrivateKey)
	if err != nil {
		return nil, err
	}
	keys = &appKeys{
		appPublicPEM: app.AppPublicKey, gatewayPrivatePEM: app.GatewayPrivateKey,
		appPublic: pub, gatewayPrivate: priv,
	}
	k.mu.Lock()
	if k.apps == nil {
		k.apps = make(map[string]*appKeys)
	}
	k.apps[app.ID] = keys
	k.mu.Unlock()
	return keys, nil
}

// Package appkeys keeps each app's RSA keys parsed, so that no request,
// answer or notification parses a key: the gateway.do and intl adapters
// and the notification dispatcher share it.
package appkeys

import (
	"crypto/rsa"
	"fmt"
	"sync"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sign"
)

// Keys are an app's keys, parsed.
type Keys struct {
	AppPublic      *rsa.PublicKey  // verifies what the merchant signs
	GatewayPrivate *rsa.PrivateKey // signs what zfb sends the merchant

	appPublicPEM, gatewayPrivatePEM string
}

// Ring caches Keys by app. The zero Ring is ready to use.
type Ring struct {
	mu   sync.RWMutex
	apps map[string]*Keys
}

// Get returns app's keys. It parses them the first time, and again only
// when the app's PEM text has changed; until then it returns the same
// *Keys, so a caller may keep its own cache per *Keys.
func (r *Ring) Get(app *zfb.App) (*Keys, error) {
	r.mu.RLock()
	keys := r.apps[app.ID]
	r.mu.RUnlock()
	if keys != nil && keys.appPublicPEM == app.AppPublicKey && keys.gatewayPrivatePEM == app.GatewayPrivateKey {
		return keys, nil
	}
	pub, err := sign.ParsePublicKey(app.AppPublicKey)
	if err != nil {
		return nil, fmt.Errorf("app %s: its public key: %w", app.ID, err)
	}
	priv, err := sign.ParsePrivateKey(app.GatewayPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("app %s: its gateway private key: %w", app.ID, err)
	}
	keys = &Keys{AppPublic: pub, GatewayPrivate: priv, appPublicPEM: app.AppPublicKey, gatewayPrivatePEM: app.GatewayPrivateKey}
	r.mu.Lock()
	if r.apps == nil {
		r.apps = make(map[string]*Keys)
	}
	r.apps[app.ID] = keys
	r.mu.Unlock()
	return keys, nil
}

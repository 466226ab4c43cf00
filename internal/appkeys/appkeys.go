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
	GatewaySigner  sign.Signer     // signs with GatewayPrivate (sign.NewSigner): use it to sign

	// Certs are the SNs of the app's certificates; nil when it has none
	// (or, outside certificate mode, none that parse).
	Certs *CertSNs

	appPublicPEM, gatewayPrivatePEM         string
	appCertPEM, gatewayCertPEM, rootCertPEM string
}

// CertSNs are the SNs of an app's certificates (spec openapi.md §1.7).
type CertSNs struct {
	App     string // app_cert_sn the merchant sends
	Root    string // alipay_root_cert_sn the merchant sends
	Gateway string // alipay_cert_sn zfb answers with
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
	if keys != nil && keys.appPublicPEM == app.AppPublicKey && keys.gatewayPrivatePEM == app.GatewayPrivateKey &&
		keys.appCertPEM == app.AppCertificate && keys.gatewayCertPEM == app.GatewayCertificate && keys.rootCertPEM == app.RootCertificate &&
		(keys.Certs != nil || !app.CertMode) {
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
	signer, err := sign.NewSigner(priv)
	if err != nil {
		return nil, fmt.Errorf("app %s: its gateway private key: %w", app.ID, err)
	}
	certs, err := parseCerts(app)
	if err != nil && app.CertMode {
		return nil, fmt.Errorf("app %s: its certificates: %w", app.ID, err)
	}
	keys = &Keys{
		AppPublic: pub, GatewayPrivate: priv, GatewaySigner: signer, Certs: certs,
		appPublicPEM: app.AppPublicKey, gatewayPrivatePEM: app.GatewayPrivateKey,
		appCertPEM: app.AppCertificate, gatewayCertPEM: app.GatewayCertificate, rootCertPEM: app.RootCertificate,
	}
	r.mu.Lock()
	if r.apps == nil {
		r.apps = make(map[string]*Keys)
	}
	r.apps[app.ID] = keys
	r.mu.Unlock()
	return keys, nil
}

// parseCerts computes the SNs of app's certificates. The app's certificate
// must hold the app's public key and the gateway's its gateway key: a
// merchant verifies zfb's answers with the key of the certificate whose SN
// zfb names, so a mismatch would fail every call.
func parseCerts(app *zfb.App) (*CertSNs, error) {
	if app.AppCertificate == "" || app.GatewayCertificate == "" || app.RootCertificate == "" {
		return nil, fmt.Errorf("missing")
	}
	appKey, appSN, err := sign.CertPublicKey(app.AppCertificate)
	if err != nil {
		return nil, fmt.Errorf("the app's certificate: %w", err)
	}
	gatewayKey, gatewaySN, err := sign.CertPublicKey(app.GatewayCertificate)
	if err != nil {
		return nil, fmt.Errorf("the gateway's certificate: %w", err)
	}
	rootSN, err := sign.RootCertSN(app.RootCertificate)
	if err != nil {
		return nil, fmt.Errorf("the root certificate: %w", err)
	}
	if pub, err := sign.ParsePublicKey(app.AppPublicKey); err != nil || !pub.Equal(appKey) {
		return nil, fmt.Errorf("the app's certificate does not hold the app's public key")
	}
	if pub, err := sign.ParsePublicKey(app.GatewayPublicKey); err != nil || !pub.Equal(gatewayKey) {
		return nil, fmt.Errorf("the gateway's certificate does not hold the gateway's public key")
	}
	return &CertSNs{App: appSN, Root: rootSN, Gateway: gatewaySN}, nil
}

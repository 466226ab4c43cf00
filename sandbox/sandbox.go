// Package sandbox creates what a first start of zfb gives a newcomer — a
// merchant app with its keys, the gateway's keys, buyers with balances and
// payment codes, an admin token — and renders it as sandbox.json, the file
// users point their SDKs at.
package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/sandboxca"
	"github.com/zfbpay/zfb/sign"
)

// File is sandbox.json.
type File struct {
	GatewayURL   string  `json:"gateway_url"`
	IntlURL      string  `json:"intl_url"`
	DashboardURL string  `json:"dashboard_url"`
	AdminURL     string  `json:"admin_url"`
	AdminToken   string  `json:"admin_token"`
	Apps         []App   `json:"apps"`
	Buyers       []Buyer `json:"buyers"`
	// ISV is the sandbox's third-party app, which the merchant of apps[0]
	// has authorized, with its current tokens (see isv.go).
	ISV *ISVApp `json:"isv,omitempty"`
}

// App is an app's credentials, in every form the SDKs and Alipay's own key
// tool take, so that nobody converts a key by hand: the private key as
// PKCS#1 PEM (Node's default, PHP, Python, the Go SDKs), PKCS#8 PEM, and bare
// Base64 of both (Java and Alipay's key tool take bare PKCS#8; gopay bare
// PKCS#1); the public keys (PKIX) as PEM and bare Base64 (what the Alipay
// console and Java's alipayPublicKey take).
type App struct {
	AppID                  string `json:"app_id"`
	SellerID               string `json:"seller_id"`
	SignType               string `json:"sign_type"`
	AppPrivateKey          string `json:"app_private_key,omitempty"` // PEM, PKCS#1
	AppPrivateKeyPKCS8     string `json:"app_private_key_pkcs8,omitempty"`
	AppPrivateKeyBare      string `json:"app_private_key_bare,omitempty"` // Base64 of PKCS#1 DER
	AppPrivateKeyPKCS8Bare string `json:"app_private_key_pkcs8_bare,omitempty"`
	AppPublicKey           string `json:"app_public_key"` // PEM, PKIX
	AppPublicKeyBare       string `json:"app_public_key_bare"`
	AlipayPublicKey        string `json:"alipay_public_key"` // PEM, PKIX: the gateway's key for this app
	AlipayPublicKeyBare    string `json:"alipay_public_key_bare"`
	// AESKey is the content-encryption key (encrypt_type=AES): Base64 of
	// 16 bytes, what the SDKs take as encryptKey.
	AESKey        string `json:"aes_key,omitempty"`
	IdentityMode  string `json:"identity_mode"`
	CertMode      bool   `json:"cert_mode,omitempty"`
	ISV           bool   `json:"isv,omitempty"`
	IntlClientID  string `json:"intl_client_id"`
	IntlPartnerID string `json:"intl_partner_id"`
	// NotifyURL is where notifications go when a call names no notify_url.
	NotifyURL string `json:"notify_url,omitempty"`
	// Authorizations are an ISV app's valid authorizations, newest first.
	Authorizations []Authorization `json:"authorizations,omitempty"`
	AppCertificates
}

// Buyer is a sandbox buyer.
type Buyer struct {
	UserID      string `json:"user_id"`
	LogonID     string `json:"logon_id"`
	PaymentCode string `json:"payment_code"`
	Balance     string `json:"balance"`
	Behaviour   string `json:"behaviour"`
	// LoginPassword logs the buyer in on the cashier (web and app payments).
	LoginPassword string `json:"login_password"`
	// Restricted is set while the tester has restricted the account.
	Restricted bool `json:"restricted,omitempty"`
	// OpenID is the buyer's open_id in the first app (FirstAppID, apps[0]);
	// OpenIDs its open_id in every app, by app id (open_ids differ per
	// app, spec isv-and-identity §2.1). Filled by WithOpenIDs.
	OpenID  string            `json:"open_id,omitempty"`
	OpenIDs map[string]string `json:"open_ids,omitempty"`
}

// FirstAppID is the app id of the sandbox's app. It is fixed so that
// instances starting together on one database agree on which sandbox won.
const FirstAppID = "9021000000000001"

// Keys makes the RSA-2048 keys of a new sandbox: its CA's and its apps'.
// By default they are fresh from crypto/rand (sign.GenerateKey). Making
// one costs tens of milliseconds, and a sandbox needs eight, so test
// suites that make hundreds of sandboxes hand out keys they made once
// (internal/testkeys).
type Keys func() (*rsa.PrivateKey, error)

// freshKeys is the default Keys.
func freshKeys() (*rsa.PrivateKey, error) { return sign.GenerateKey(2048) }

// Option changes how Generate and Ensure make a sandbox.
type Option func(*options)

type options struct{ keys Keys }

// WithKeys makes the sandbox's keys with keys instead of fresh ones. Each
// call of keys must give a key the sandbox has not had from it before.
func WithKeys(keys Keys) Option { return func(o *options) { o.keys = keys } }

func newOptions(opts []Option) options {
	o := options{keys: freshKeys}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Generate makes a fresh sandbox: an RSA2 app in public-key mode, an RSA2
// app in certificate mode (CertAppID), the CA that issued both apps'
// certificates, and a buyer of each behaviour.
func Generate(opts ...Option) (*zfb.Sandbox, error) { return generate(nil, newOptions(opts).keys) }

// generate is Generate with the database's CA, or a new one when ca is nil.
func generate(ca *sandboxca.CA, keys Keys) (*zfb.Sandbox, error) {
	settings := map[string]string{}
	if ca == nil {
		var err error
		if ca, err = sandboxca.NewWithKeys(keys); err != nil {
			return nil, err
		}
		settings[zfb.SettingSandboxCA] = ca.Marshal()
	}
	app, err := newApp(FirstAppID, zfb.SignTypeRSA2, nil, keys)
	if err != nil {
		return nil, err
	}
	app.Name = "sandbox"
	// The first app names buyers both ways (identity mode both, as Alipay's
	// apps during their move to open_id): code written for user ids keeps
	// working against it, and code written for open ids works too.
	app.IdentityMode = zfb.IdentityBoth
	certApp, err := newApp(CertAppID, zfb.SignTypeRSA2, nil, keys)
	if err != nil {
		return nil, err
	}
	certApp.Name, certApp.CertMode = "sandbox (certificate mode)", true
	token, err := zfb.NewAdminToken()
	if err != nil {
		return nil, err
	}
	sb := &zfb.Sandbox{Apps: []*zfb.App{app, certApp}, AdminToken: token, Settings: settings}
	if err := addISV(sb, app, keys); err != nil {
		return nil, err
	}
	// Every app gets certificates, so that any of them can switch to
	// certificate mode.
	for _, a := range sb.Apps {
		if err := ca.Issue(a); err != nil {
			return nil, err
		}
	}
	for _, spec := range []struct {
		behaviour string
		balance   int64
	}{
		{zfb.BehaviourPays, 100_000_00},
		{zfb.BehaviourPassword, 100_000_00},
		{zfb.BehaviourPoor, 1_00},
	} {
		b, err := NewBuyer(spec.behaviour, spec.balance)
		if err != nil {
			return nil, err
		}
		sb.Buyers = append(sb.Buyers, b)
	}
	return sb, nil
}

// NewApp makes an app with fresh RSA-2048 key pairs: the app's (whose
// private key zfb keeps only to print it again) and the gateway's. An empty
// id draws a random 16-digit one.
func NewApp(id string, signType zfb.SignType, methods []string) (*zfb.App, error) {
	return newApp(id, signType, methods, freshKeys)
}

// newApp is NewApp with the app's key and then the gateway's from keys.
func newApp(id string, signType zfb.SignType, methods []string, keys Keys) (*zfb.App, error) {
	var err error
	if id == "" {
		if id, err = randomDigits("2021", 16); err != nil {
			return nil, err
		}
	}
	appKey, err := keys()
	if err != nil {
		return nil, err
	}
	gatewayKey, err := keys()
	if err != nil {
		return nil, err
	}
	seller, err := randomDigits("2088", 16)
	if err != nil {
		return nil, err
	}
	partner, err := randomDigits("2188", 16)
	if err != nil {
		return nil, err
	}
	client, err := randomDigits("", 10)
	if err != nil {
		return nil, err
	}
	aesKey := make([]byte, 16) // AES-128, as the Alipay console makes them
	if _, err := rand.Read(aesKey); err != nil {
		return nil, err
	}
	return &zfb.App{
		ID: id, SellerID: seller, SignType: signType, Methods: methods,
		AppPublicKey:      sign.PublicKeyPEM(&appKey.PublicKey),
		AppPrivateKey:     sign.PrivateKeyPKCS1PEM(appKey),
		GatewayPrivateKey: sign.PrivateKeyPKCS1PEM(gatewayKey),
		GatewayPublicKey:  sign.PublicKeyPEM(&gatewayKey.PublicKey),
		IntlClientID:      "SANDBOX_" + client,
		IntlPartnerID:     partner,
		AESKey:            base64.StdEncoding.EncodeToString(aesKey),
		IdentityMode:      zfb.IdentityUserID,
	}, nil
}

// NewBuyer makes a buyer with a random user id and an 18-digit payment code
// starting with 28, as the codes Alipay's app shows.
func NewBuyer(behaviour string, balance int64) (*zfb.Buyer, error) {
	user, err := randomDigits("2088", 16)
	if err != nil {
		return nil, err
	}
	code, err := randomDigits("28", 18)
	if err != nil {
		return nil, err
	}
	return &zfb.Buyer{
		UserID: user, LogonID: behaviour + "." + user[len(user)-4:] + "@sandbox.zfb",
		PaymentCode: code, Behaviour: behaviour, Balance: balance,
	}, nil
}

// Ensure creates the sandbox unless the database has one. It reports
// whether this call created it.
func Ensure(ctx context.Context, svc *zfb.Service, opts ...Option) (created bool, err error) {
	if _, err := svc.Setting(ctx, zfb.SettingSandbox); err == nil {
		return false, nil
	} else if !errors.Is(err, zfb.ErrNotFound) {
		return false, err
	}
	// Apps created before the sandbox (zfb app create) made the CA: the
	// sandbox's apps chain to the same root.
	ca, err := existingCA(ctx, svc)
	if err != nil {
		return false, err
	}
	sb, err := generate(ca, newOptions(opts).keys)
	if err != nil {
		return false, err
	}
	switch err := svc.CreateSandbox(ctx, sb); {
	case errors.Is(err, zfb.ErrSandboxExists):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Load reads the sandbox through svc and addresses it at baseURL (the
// server's root, like http://127.0.0.1:8650).
func Load(ctx context.Context, svc *zfb.Service, baseURL string) (*File, error) {
	q := svc
	token, err := q.Setting(ctx, zfb.SettingAdminToken)
	if err != nil {
		return nil, fmt.Errorf("reading the admin token: %w", err)
	}
	apps, err := q.Apps(ctx)
	if err != nil {
		return nil, err
	}
	buyers, err := q.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(apps, func(a, b *zfb.App) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(buyers, func(a, b *zfb.Buyer) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.UserID, b.UserID))
	})
	base := strings.TrimSuffix(baseURL, "/")
	f := &File{
		GatewayURL:   base + "/gateway.do",
		IntlURL:      base,
		DashboardURL: base + "/dashboard/",
		AdminURL:     base + "/admin/v1",
		AdminToken:   token,
		Apps:         make([]App, 0, len(apps)),
		Buyers:       make([]Buyer, 0, len(buyers)),
	}
	for _, a := range apps {
		f.Apps = append(f.Apps, AppCredentials(a))
	}
	if err := loadAuthorizations(ctx, svc, f); err != nil {
		return nil, err
	}
	for _, b := range buyers {
		c, err := WithOpenIDs(ctx, svc, b)
		if err != nil {
			return nil, err
		}
		f.Buyers = append(f.Buyers, c)
	}
	return f, nil
}

// WithOpenIDs is BuyerCredentials with the buyer's open_ids, issuing those
// not issued yet (a write: a tester may call with any of them at once).
func WithOpenIDs(ctx context.Context, svc *zfb.Service, b *zfb.Buyer) (Buyer, error) {
	c := BuyerCredentials(b)
	ids, err := svc.BuyerOpenIDs(ctx, b.UserID)
	if err != nil {
		return Buyer{}, fmt.Errorf("open_ids of buyer %s: %w", b.UserID, err)
	}
	c.OpenID, c.OpenIDs = ids[FirstAppID], ids
	return c, nil
}

// BuyerCredentials is what a tester needs of b: its ids, payment code,
// balance and behaviour.
func BuyerCredentials(b *zfb.Buyer) Buyer {
	return Buyer{
		UserID: b.UserID, LogonID: b.LogonID, PaymentCode: b.PaymentCode,
		Balance: zfb.FormatAmount(b.Balance), Behaviour: b.Behaviour, Restricted: b.Restricted,
		LoginPassword: zfb.SandboxBuyerPassword,
	}
}

// AppCredentials is what a merchant configures their SDK with for a.
func AppCredentials(a *zfb.App) App {
	c := App{
		AppID: a.ID, SellerID: a.SellerID, SignType: string(a.SignType),
		AppPrivateKey: a.AppPrivateKey,
		AppPublicKey:  a.AppPublicKey, AppPublicKeyBare: sign.Bare(a.AppPublicKey),
		AlipayPublicKey: a.GatewayPublicKey, AlipayPublicKeyBare: sign.Bare(a.GatewayPublicKey),
		AESKey: a.AESKey, IdentityMode: string(a.IdentityMode), CertMode: a.CertMode, ISV: a.ISV,
		IntlClientID: a.IntlClientID, IntlPartnerID: a.IntlPartnerID, NotifyURL: a.NotifyURL,
		AppCertificates: appCertificates(a),
	}
	// zfb keeps the app's private key only when it made the key pair, and
	// stores it as PKCS#1 PEM; a key it cannot parse is shown as stored.
	if key, err := sign.ParsePrivateKey(a.AppPrivateKey); err == nil {
		pkcs1, pkcs8 := sign.PrivateKeyPKCS1PEM(key), sign.PrivateKeyPKCS8PEM(key)
		c.AppPrivateKey, c.AppPrivateKeyPKCS8 = pkcs1, pkcs8
		c.AppPrivateKeyBare, c.AppPrivateKeyPKCS8Bare = sign.Bare(pkcs1), sign.Bare(pkcs8)
	}
	return c
}

// Public is c without the app's private key in any of its forms, for
// places that never hand out private keys (the admin API).
func (c App) Public() App {
	c.AppPrivateKey, c.AppPrivateKeyPKCS8, c.AppPrivateKeyBare, c.AppPrivateKeyPKCS8Bare = "", "", "", ""
	return c
}

// JSON renders f as indented JSON.
func (f *File) JSON() []byte {
	b, _ := json.MarshalIndent(f, "", "  ") // plain strings: cannot fail
	return append(b, '\n')
}

// WriteFile writes f to path atomically, readable by its owner only: it
// holds private keys.
func (f *File) WriteFile(path string) error { return writePrivate(path, f.JSON()) }

func randomDigits(prefix string, length int) (string, error) {
	var sb strings.Builder
	sb.WriteString(prefix)
	for sb.Len() < length {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		sb.WriteByte(byte('0' + n.Int64()))
	}
	return sb.String(), nil
}

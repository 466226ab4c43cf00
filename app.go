package zfb

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// SignType is the signature algorithm an app signs with.
type SignType string

const (
	SignTypeRSA  SignType = "RSA"  // SHA1withRSA
	SignTypeRSA2 SignType = "RSA2" // SHA256withRSA
)

// Valid reports whether zfb can sign and verify with t.
func (t SignType) Valid() bool { return t == SignTypeRSA || t == SignTypeRSA2 }

// IdentityMode is how an app identifies buyers (spec isv-and-identity §2.1).
type IdentityMode string

const (
	IdentityUserID IdentityMode = "userid" // buyer_id, buyer_user_id: 2088…
	IdentityBoth   IdentityMode = "both"   // both, as during Alipay's upgrade
	IdentityOpenID IdentityMode = "openid" // buyer_open_id, per app
)

// Valid reports whether m is a mode zfb knows.
func (m IdentityMode) Valid() bool {
	return m == IdentityUserID || m == IdentityBoth || m == IdentityOpenID
}

// UsesUserID reports whether answers carry the buyer's user_id.
func (m IdentityMode) UsesUserID() bool { return m != IdentityOpenID }

// UsesOpenID reports whether answers carry the buyer's open_id.
func (m IdentityMode) UsesOpenID() bool { return m == IdentityOpenID || m == IdentityBoth }

// AllMethods in App.Methods lets an app call every API zfb serves.
const AllMethods = "*"

// App is a merchant application, as registered on the Alipay open platform.
// The gateway key pair plays "Alipay's key" for this app: zfb signs its
// answers with GatewayPrivateKey, and the merchant verifies them with
// GatewayPublicKey (the "alipay_public_key" of their SDK configuration).
type App struct {
	ID       string
	SellerID string // the merchant's 2088… user id
	Name     string
	SignType SignType

	AppPublicKey string // PEM (PKIX); verifies the merchant's requests
	// AppPrivateKey is kept only when zfb generated the app's key pair (the
	// sandbox, `zfb app create`), so that sandbox.json can be printed again.
	// zfb never signs with it.
	AppPrivateKey     string
	GatewayPrivateKey string // PEM (PKCS#1); signs zfb's answers
	GatewayPublicKey  string // PEM (PKIX); what the merchant configures as alipay_public_key

	IntlClientID  string
	IntlPartnerID string

	// NotifyURL is where notifications go when a call names no notify_url
	// ("" for nowhere).
	NotifyURL string

	// Methods lists the APIs the app may call, or AllMethods.
	Methods []string

	// AESKey is the app's content-encryption key (接口内容加密方式, AES),
	// standard Base64 of 16, 24 or 32 bytes as the Alipay console shows it;
	// "" when none is set. With it, requests may come with encrypt_type=AES.
	AESKey string

	// CertMode puts the app in public-key-certificate mode (公钥证书模式):
	// requests carry app_cert_sn and alipay_root_cert_sn, and answers
	// alipay_cert_sn. The certificates are PEM, issued by the sandbox's CA.
	CertMode bool
	// AppCertificate certifies AppPublicKey (appCertPublicKey_<app_id>.crt).
	AppCertificate string
	// GatewayCertificate certifies GatewayPublicKey, followed by the
	// certificate of the CA that issued it (alipayCertPublicKey_RSA2.crt).
	GatewayCertificate string
	// RootCertificate is the sandbox's root (alipayRootCert.crt).
	RootCertificate string

	// IdentityMode says how the app identifies buyers: by user_id
	// (2088…), by open_id, or both (Alipay's upgrade phase).
	IdentityMode IdentityMode

	// ISV marks a third-party app (第三方应用), which merchants authorize
	// to call for them with an app_auth_token.
	ISV bool

	// Agent is set, for the length of one call, on a merchant app that a
	// third-party app calls for with an app_auth_token: the ISV app's id
	// (Service.ActFor). Never stored: what the call creates remembers it.
	Agent string

	// ClockOffset is how far the app's clock is ahead of the wall clock.
	ClockOffset time.Duration
	// Version goes up with every change of the app's settings (not of
	// its clock); the store sets it.
	Version   int64
	CreatedAt time.Time
}

// ErrInvalidApp wraps what makes an app's settings unusable.
var ErrInvalidApp = errors.New("invalid app settings")

// check reports what makes app unusable: a missing id, seller, sign type
// or key, an unknown identity mode, an AES key that is not Base64 of 16, 24
// or 32 bytes, or certificate mode without certificates.
func (a *App) check() error {
	switch {
	case a.ID == "" || a.SellerID == "" || !a.SignType.Valid() || a.AppPublicKey == "" || a.GatewayPrivateKey == "":
		return fmt.Errorf("%w: an app needs an id, a seller id, a sign type and its keys", ErrInvalidApp)
	case !a.IdentityMode.Valid():
		return fmt.Errorf("%w: identity mode %q is not userid, both or openid", ErrInvalidApp, a.IdentityMode)
	case a.CertMode && (a.AppCertificate == "" || a.GatewayCertificate == "" || a.RootCertificate == ""):
		return fmt.Errorf("%w: certificate mode needs the app's, the gateway's and the root certificate", ErrInvalidApp)
	}
	if a.AESKey != "" {
		if _, err := a.AESKeyBytes(); err != nil {
			return err
		}
	}
	return nil
}

// AESKeyBytes decodes AESKey: nil when the app has none.
func (a *App) AESKeyBytes() ([]byte, error) {
	if a.AESKey == "" {
		return nil, nil
	}
	key, err := base64.StdEncoding.DecodeString(a.AESKey)
	if err != nil || (len(key) != 16 && len(key) != 24 && len(key) != 32) {
		return nil, fmt.Errorf("%w: the AES key must be standard Base64 of 16, 24 or 32 bytes", ErrInvalidApp)
	}
	return key, nil
}

// notifyURL is where a call's notifications go: the notify_url it gave,
// else the app's default ("" for nowhere). It is decided when the call is
// made and kept with what it created.
func (a *App) notifyURL(given string) string {
	if given != "" {
		return given
	}
	return a.NotifyURL
}

// LogValue keeps the app's private keys out of logs: an *App handed to
// slog shows its id, seller and sign type only.
func (a *App) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("seller_id", a.SellerID), slog.String("sign_type", string(a.SignType)))
}

// MayCall reports whether the app has been granted method.
func (a *App) MayCall(method string) bool {
	return slices.Contains(a.Methods, AllMethods) || slices.Contains(a.Methods, method)
}

// Clock is the app's clock over base.
func (a *App) Clock(base Clock) AppClock { return AppClock{Base: base, Offset: a.ClockOffset} }

// Buyer behaviours: how a sandbox buyer responds to a payment.
const (
	BehaviourPays     = "pays"     // pays at once
	BehaviourPassword = "password" // the trade waits for the buyer to confirm
	BehaviourPoor     = "poor"     // balance too low for most payments
)

// ValidBehaviour reports whether b is a behaviour zfb knows.
func ValidBehaviour(b string) bool {
	return b == BehaviourPays || b == BehaviourPassword || b == BehaviourPoor
}

// Buyer is an Alipay user who pays merchants in the sandbox. The balance
// lives in the ledger (account BuyerAccount(UserID)); Buyer.Balance is
// filled in when a buyer is read.
type Buyer struct {
	UserID      string // 2088…
	LogonID     string // e.g. a masked phone number or e-mail
	PaymentCode string // the 18-digit code the buyer shows at a till
	Behaviour   string
	// Restricted marks an account Alipay has restricted (账户受限): it can
	// neither pay nor have funds frozen or released (PAYER_USER_STATUS_LIMIT,
	// ACQ.BUYER_ENABLE_STATUS_FORBID). A tester sets it through the admin API.
	Restricted bool
	Balance    int64 // minor units, CNY
	CreatedAt  time.Time
}

package zfb

import (
	"time"
)

// Third-party (ISV) apps acting for merchants (spec isv-and-identity §1).
// A merchant authorizes an ISV app (App.ISV) to call for one of its apps:
// the authorization yields an app_auth_code, which the ISV exchanges on
// alipay.open.auth.token.app for an app_auth_token and an
// app_refresh_token. Calls that carry the token act for the merchant app.

// Lifetimes (spec §1.1, §1.3).
const (
	// AppAuthCodeLifetime: an app_auth_code expires 24 h after issue.
	AppAuthCodeLifetime = 24 * time.Hour
	// AppAuthTokenExpiresIn is the expires_in Alipay still sends although
	// tokens are long-lived ("长期有效"): 365 days, in seconds.
	AppAuthTokenExpiresIn = 31536000
	// AppRefreshTokenExpiresIn is re_expires_in as every sample shows it:
	// 372 days, in seconds.
	AppRefreshTokenExpiresIn = 32140800
)

// AppAuthCode is an app_auth_code: single use, bound to the ISV app and the
// merchant app that authorized it.
type AppAuthCode struct {
	Code          string
	ISVAppID      string
	MerchantAppID string
	CreatedAt     time.Time // on the ISV app's clock
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until exchanged
}

// AppAuthStatus is an authorization's state.
type AppAuthStatus string

const (
	AppAuthValid   AppAuthStatus = "valid"
	AppAuthRevoked AppAuthStatus = "revoked" // the merchant cancelled, or re-authorized
)

// AppAuthorization is one app_auth_token with its refresh token: the ISV
// app may call for the merchant app with it while it is valid.
type AppAuthorization struct {
	AppAuthToken    string
	AppRefreshToken string
	ISVAppID        string
	MerchantAppID   string
	// UserID is the authorizing merchant's 2088… user id (its seller id).
	UserID           string
	IssuedAt         time.Time
	RefreshExpiresAt time.Time
	// RefreshUsed marks a refresh token that was exchanged for a new pair:
	// it works once.
	RefreshUsed bool
	Status      AppAuthStatus
	RevokedAt   time.Time // zero while valid
}

// newAppAuthCode makes a code shaped like 2023+ samples: "P" and 31 hex
// digits, 32 chars (spec §1.1).
func newAppAuthCode() string { return "P" + randomString("0123456789abcdef", 31) }

// newAppAuthTokenPair makes an app_auth_token and app_refresh_token shaped
// like Alipay's (spec §1.2): yyyyMM, "BB", 29 hex digits, a letter and two
// digits, 40 chars; the pair shares the last two digits, the access token
// ending in X and the refresh token in A as in a 2019 sample.
func newAppAuthTokenPair(now time.Time) (token, refresh string) {
	prefix := now.In(Beijing).Format("200601") + "BB"
	tail := randomDigits(2)
	hex := "0123456789abcdef"
	return prefix + randomString(hex, 29) + "X" + tail, prefix + randomString(hex, 29) + "A" + tail
}

// asAgent makes the notification fields of what agent (an ISV app, or "")
// made for app go out as the ISV's: app_id the ISV app (the notify
// package signs with its key), auth_app_id the merchant's app (spec
// isv-and-identity §1.7, openapi.md §5.2).
func asAgent(fields map[string]string, agent, app string) {
	if agent != "" {
		fields["app_id"], fields["auth_app_id"] = agent, app
	}
}

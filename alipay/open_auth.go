package alipay

import "context"

// Third-party (ISV) app authorization (spec/isv-and-identity.md §1): a
// merchant authorizes the ISV's app and the ISV receives an app_auth_code
// at its redirect_uri; OpenAuthTokenApp exchanges it for an app_auth_token,
// which the ISV then sends as AppAuthToken on any typed request (TradePay,
// TradeQuery, …) or as Request.AppAuthToken with Do, to call for the
// merchant. The client stays the ISV app's: its key signs, and the ISV's
// Alipay public key verifies the answers.

// grant_type values of OpenAuthTokenApp.
const (
	GrantTypeAuthorizationCode = "authorization_code"
	GrantTypeRefreshToken      = "refresh_token"
)

// OpenAuthTokenApp is the request of alipay.open.auth.token.app: GrantType
// GrantTypeAuthorizationCode with Code (the app_auth_code), or
// GrantTypeRefreshToken with RefreshToken (an earlier app_refresh_token).
type OpenAuthTokenApp struct {
	GrantType    string `json:"grant_type"`
	Code         string `json:"code,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// AppAuthToken is one authorization: the merchant's app (AuthAppID) and
// Alipay user id (UserID), and the token pair. ExpiresIn (obsolete: tokens
// are long-lived) and ReExpiresIn (the refresh token's lifetime) are
// seconds, as the wire's text.
type AppAuthToken struct {
	AppAuthToken    string `json:"app_auth_token"`
	AppRefreshToken string `json:"app_refresh_token"`
	AuthAppID       string `json:"auth_app_id"`
	UserID          string `json:"user_id"`
	ExpiresIn       string `json:"expires_in"`
	ReExpiresIn     string `json:"re_expires_in"`
}

// OpenAuthTokenAppResponse is the answer of alipay.open.auth.token.app.
// Alipay has answered with the flat fields only, with Tokens only, and with
// both (spec §1.2); Token gives the first either way.
type OpenAuthTokenAppResponse struct {
	AppAuthToken
	Tokens []AppAuthToken `json:"tokens"`
}

// Token is the (first) authorization the answer carries: the flat fields
// when present, else the first of Tokens.
func (r *OpenAuthTokenAppResponse) Token() AppAuthToken {
	if r.AppAuthToken.AppAuthToken == "" && len(r.Tokens) > 0 {
		return r.Tokens[0]
	}
	return r.AppAuthToken
}

// OpenAuthTokenApp calls alipay.open.auth.token.app. A code is single use
// and lives 24 h (sub_code AUTH_CODE_NOT_VALID after that); a refresh token
// works once.
func (c *Client) OpenAuthTokenApp(ctx context.Context, p OpenAuthTokenApp) (*OpenAuthTokenAppResponse, error) {
	return call[OpenAuthTokenAppResponse](ctx, c, "alipay.open.auth.token.app", &p, "", "")
}

// OpenAuthTokenAppQuery is the request of alipay.open.auth.token.app.query.
type OpenAuthTokenAppQuery struct {
	AppAuthToken string `json:"app_auth_token"`
}

// OpenAuthTokenAppQueryResponse is the answer of
// alipay.open.auth.token.app.query. Status is "valid" or "invalid";
// AuthStart and AuthEnd are "yyyy-MM-dd HH:mm:ss"; ExpiresIn is seconds, as
// the wire's text.
type OpenAuthTokenAppQueryResponse struct {
	UserID      string   `json:"user_id"`
	AuthAppID   string   `json:"auth_app_id"`
	ExpiresIn   string   `json:"expires_in"`
	AuthMethods []string `json:"auth_methods"`
	AuthStart   string   `json:"auth_start"`
	AuthEnd     string   `json:"auth_end"`
	Status      string   `json:"status"`
	IsByAppAuth bool     `json:"is_by_app_auth"`
}

// OpenAuthTokenAppQuery calls alipay.open.auth.token.app.query: what a
// token may do and whether it still works.
func (c *Client) OpenAuthTokenAppQuery(ctx context.Context, p OpenAuthTokenAppQuery) (*OpenAuthTokenAppQueryResponse, error) {
	return call[OpenAuthTokenAppQueryResponse](ctx, c, "alipay.open.auth.token.app.query", &p, "", "")
}

package openapi

import (
	"context"
	"time"

	"github.com/zfbpay/zfb"
)

// Third-party (ISV) apps on gateway.do (spec isv-and-identity §1): the two
// token APIs, and calls that act for a merchant with app_auth_token.

// actFor makes a call that carries a non-empty app_auth_token act for the
// merchant app the token was granted for: its trades, seller, clock and
// fault rules. It runs after the signature check, which is the ISV app's
// (the request's app_id), and the answer stays signed with the ISV app's
// gateway key (§1.7). Node sends app_auth_token="" when none is set
// (§1.6): empty means none.
//
// Permissions: the ISV app must have the method itself (checked before,
// 40006 like any app), and the merchant app must too, since the call is
// its business; a merchant app without it is 20001
// aop.invalid-app-auth-token-no-api (商户未授权当前接口, §1.5).
func (g *Gateway) actFor(ctx context.Context, c *Call, m Method) error {
	token := c.Params["app_auth_token"]
	if token == "" || m.OwnAppAuthToken {
		return nil
	}
	merchant, err := g.svc.ActFor(ctx, c.App, token)
	if err != nil {
		return err
	}
	if !merchant.MayCall(c.Method) {
		return zfb.ErrAppAuthTokenNoAPI
	}
	c.Agent, c.App = c.App, merchant
	c.Now = merchant.Clock(g.svc.Clock).Now()
	return nil
}

// RegisterISV serves alipay.open.auth.token.app and
// alipay.open.auth.token.app.query on g.
func RegisterISV(g *Gateway, svc *zfb.Service) {
	api := isvAPI{svc: svc, g: g}
	// smartwalle may send the fields only at the top level as well: with
	// them there, biz_content is optional.
	g.Register("alipay.open.auth.token.app", Method{Handle: api.tokenApp, OptionalBizContent: true, OwnAppAuthToken: true})
	g.Register("alipay.open.auth.token.app.query", Method{Handle: api.tokenQuery, OptionalBizContent: true, OwnAppAuthToken: true})
}

type isvAPI struct {
	svc *zfb.Service
	g   *Gateway
}

// appToken is one token of alipay.open.auth.token.app's answer, both flat
// and in tokens[] (spec §1.2 "Stand-in rule"): lifetimes are JSON numbers,
// as gopay (int) and smartwalle (int64) need. Fields are alphabetical, as
// in the real bodies.
type appToken struct {
	AppAuthToken    string `json:"app_auth_token"`
	AppRefreshToken string `json:"app_refresh_token"`
	AuthAppID       string `json:"auth_app_id"`
	ExpiresIn       int64  `json:"expires_in"`
	ReExpiresIn     int64  `json:"re_expires_in"`
}

type tokenAppResponse struct {
	appToken
	Tokens []tokenEntry `json:"tokens"`
	UserID string       `json:"user_id"`
}

type tokenEntry struct {
	appToken
	UserID string `json:"user_id"`
}

func (api isvAPI) tokenApp(ctx context.Context, c *Call) (any, error) {
	var in struct {
		GrantType    text `json:"grant_type"`
		Code         text `json:"code"`
		RefreshToken text `json:"refresh_token"`
	}
	if c.BizContent != nil {
		if err := decodeBiz(c, &in); err != nil {
			return nil, err
		}
	}
	// biz_content first; smartwalle also sends the fields at the top
	// level (§1.2), which count when biz_content lacks them.
	grant := fallback(in.GrantType.String(), c.Params["grant_type"])
	code := fallback(in.Code.String(), c.Params["code"])
	refresh := fallback(in.RefreshToken.String(), c.Params["refresh_token"])
	var (
		a   *zfb.AppAuthorization
		err error
	)
	switch grant {
	case "":
		return nil, zfb.MissingParameter("grant_type")
	case "authorization_code":
		if code == "" {
			return nil, zfb.MissingParameter("code")
		}
		a, err = api.svc.ExchangeAppAuthCode(ctx, c.App, code, c.Now)
	case "refresh_token":
		if refresh == "" {
			return nil, zfb.MissingParameter("refresh_token")
		}
		a, err = api.svc.RefreshAppAuthToken(ctx, c.App, refresh, c.Now)
	default:
		return nil, zfb.ErrGrantTypeInvalid
	}
	if err != nil {
		return nil, err
	}
	t := appToken{
		AppAuthToken: a.AppAuthToken, AppRefreshToken: a.AppRefreshToken, AuthAppID: a.MerchantAppID,
		ExpiresIn: zfb.AppAuthTokenExpiresIn, ReExpiresIn: int64(a.RefreshExpiresAt.Sub(c.Now) / time.Second),
	}
	return &tokenAppResponse{appToken: t, Tokens: []tokenEntry{{appToken: t, UserID: a.UserID}}, UserID: a.UserID}, nil
}

// tokenQueryResponse is alipay.open.auth.token.app.query's answer (§1.4):
// expires_in a number, is_by_app_auth a boolean, auth_methods an array,
// status valid or invalid.
type tokenQueryResponse struct {
	AuthAppID   string   `json:"auth_app_id"`
	AuthEnd     string   `json:"auth_end"`
	AuthMethods []string `json:"auth_methods"`
	AuthStart   string   `json:"auth_start"`
	ExpiresIn   int64    `json:"expires_in"`
	IsByAppAuth bool     `json:"is_by_app_auth"`
	Status      string   `json:"status"`
	UserID      string   `json:"user_id"`
}

func (api isvAPI) tokenQuery(ctx context.Context, c *Call) (any, error) {
	var in struct {
		AppAuthToken text `json:"app_auth_token"`
	}
	if c.BizContent != nil {
		if err := decodeBiz(c, &in); err != nil {
			return nil, err
		}
	}
	// gopay keeps the token in biz_content; a client-wide token goes out
	// as the common parameter as well (§1.4): accept either.
	token := fallback(in.AppAuthToken.String(), c.Params["app_auth_token"])
	if token == "" {
		return nil, zfb.MissingParameter("app_auth_token")
	}
	a, err := api.svc.AppAuthorizationOf(ctx, c.App, token)
	if err != nil {
		return nil, err
	}
	merchant, err := api.svc.App(ctx, a.MerchantAppID)
	if err != nil {
		return nil, err
	}
	end := a.IssuedAt.Add(zfb.AppAuthTokenExpiresIn * time.Second)
	// A revoked token answers status "invalid" rather than an error: the
	// query exists to tell the ISV whether its token still works (§1.4,
	// UNCONFIRMED).
	status, left := "valid", int64(end.Sub(c.Now)/time.Second)
	if a.Status != zfb.AppAuthValid {
		status, left = "invalid", 0
	}
	return &tokenQueryResponse{
		AuthAppID: a.MerchantAppID, AuthEnd: zfb.FormatGatewayTime(end), AuthMethods: api.authMethods(merchant),
		AuthStart: zfb.FormatGatewayTime(a.IssuedAt), ExpiresIn: max(left, 0),
		// Every zfb authorization is the whole app's (全权委托).
		IsByAppAuth: true, Status: status, UserID: a.UserID,
	}, nil
}

// authMethods lists what a token for merchant may call: the methods the
// gateway serves that the merchant app may call, but the token APIs.
func (api isvAPI) authMethods(merchant *zfb.App) []string {
	methods := []string{}
	for _, name := range api.g.Methods() {
		if m := api.g.methods[name]; !m.OwnAppAuthToken && merchant.MayCall(name) {
			methods = append(methods, name)
		}
	}
	return methods
}

func fallback(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

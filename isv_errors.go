package zfb

// Errors of ISV authorizations (spec isv-and-identity §1.4, §1.5).
var (
	// ErrInvalidAppAuthToken answers a call whose app_auth_token is
	// unknown, revoked, or another ISV app's (§1.5, §1.3 "binding").
	ErrInvalidAppAuthToken = NewError(CodeInsufficientToken, "aop.invalid-app-auth-token", "无效的应用授权令牌")
	// ErrAppAuthTokenNoAPI answers a call for a merchant app that may not
	// call the method (商户未授权当前接口, §1.5).
	ErrAppAuthTokenNoAPI = NewError(CodeInsufficientToken, "aop.invalid-app-auth-token-no-api", "商户未授权当前接口")

	// alipay.open.auth.token.app and …token.app.query. The gateway code
	// of their business errors is UNCONFIRMED (§1.5); 40004 Business
	// Failed is what Alipay answers for business failures elsewhere.
	ErrAppNotISV            = isvError("APP_NOT_ISV", "当前请求app_id非第三方应用")
	ErrAuthCodeNotExist     = isvError("AUTH_CODE_NOT_EXIST", "auth_code不存在")
	ErrAuthCodeNotValid     = isvError("AUTH_CODE_NOT_VALID", "无效的auth_code")
	ErrGrantTypeInvalid     = isvError("GRANT_TYPE_INVALID", "grant_type必须是authorization_code或者refresh_token")
	ErrRefreshTokenNotExist = isvError("REFRESH_TOKEN_NOT_EXIST", "刷新令牌不存在")
	ErrRefreshTokenNotValid = isvError("REFRESH_TOKEN_NOT_VALID", "无效的刷新令牌")
	ErrRefreshTokenTimeOut  = isvError("REFRESH_TOKEN_TIME_OUT", "刷新令牌过期")
	ErrAppIDNotConsistent   = isvError("APP_ID_NOT_CONSISTENT", "授权令牌授予的应用AppId与当前应用AppId不一致")
	ErrAuthTokenNotExisted  = isvError("AUTH_TOKEN_NOT_EXISTED", "特定权限的令牌不存在")
	// ErrAuthTokenNotConsistent: the token was granted to another app
	// than the caller (a 2016 enum, §1.4).
	ErrAuthTokenNotConsistent = isvError("AUTH_TOKEN_NOT_CONSISTENT", "授权令牌授予的应用与当前应用不一致")
)

func isvError(subCode, subMsg string) *Error { return NewError(CodeBusinessFailed, subCode, subMsg) }

package zfb

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotISV refuses to authorize an app that is not a third-party app, and
// an app authorizing itself.
var ErrNotISV = fmt.Errorf("%w: only a third-party (ISV) app can be authorized, and not by itself", ErrInvalidApp)

// AuthorizeApp is the merchant of merchantAppID authorizing the ISV app
// isvAppID (what the tester does in place of the merchant, spec §1.1): it
// issues an app_auth_code, valid 24 h on the ISV app's clock, for the ISV
// to exchange. ErrNotFound when either app does not exist; ErrNotISV when
// isvAppID is not an ISV app or is merchantAppID.
func (s *Service) AuthorizeApp(ctx context.Context, isvAppID, merchantAppID string) (*AppAuthCode, error) {
	var c *AppAuthCode
	err := s.command(ctx, func(q Queries) error {
		isv, err := q.App(ctx, isvAppID)
		if err != nil {
			return err
		}
		if _, err := q.App(ctx, merchantAppID); err != nil {
			return err
		}
		if !isv.ISV || isvAppID == merchantAppID {
			return ErrNotISV
		}
		now := isv.Clock(s.Clock).Now()
		c = &AppAuthCode{Code: newAppAuthCode(), ISVAppID: isvAppID, MerchantAppID: merchantAppID,
			CreatedAt: now, ExpiresAt: now.Add(AppAuthCodeLifetime)}
		return q.CreateAppAuthCode(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ExchangeAppAuthCode is alipay.open.auth.token.app with grant_type
// authorization_code: the ISV app turns a code into a token pair, once,
// within 24 h (spec §1.1). The merchant's earlier tokens for this ISV app
// stop working: re-authorization invalidates them (§1.3).
func (s *Service) ExchangeAppAuthCode(ctx context.Context, isv *App, code string, now time.Time) (*AppAuthorization, error) {
	if !isv.ISV {
		return nil, ErrAppNotISV
	}
	var a *AppAuthorization
	err := s.command(ctx, func(q Queries) error {
		c, err := q.AppAuthCode(ctx, code)
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrAuthCodeNotExist
		case err != nil:
			return err
		case c.ISVAppID != isv.ID:
			return ErrAppIDNotConsistent
		case !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt):
			return ErrAuthCodeNotValid
		}
		merchant, err := q.App(ctx, c.MerchantAppID)
		if err != nil {
			return err
		}
		// ErrStale (another exchange won) runs this again, which then
		// finds the code used.
		if err := q.UseAppAuthCode(ctx, code, now); err != nil {
			return err
		}
		if _, err := q.RevokeAppAuthorizations(ctx, isv.ID, merchant.ID, now); err != nil {
			return err
		}
		a = newAppAuthorization(isv, merchant.ID, merchant.SellerID, now)
		return q.CreateAppAuthorization(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// RefreshAppAuthToken is alipay.open.auth.token.app with grant_type
// refresh_token: a new pair for the same merchant app. The refresh token
// works once. The old app_auth_token stays valid: no source says it dies
// (spec §1.3, UNCONFIRMED), and an ISV that refreshes while calls are in
// flight would otherwise fail them.
func (s *Service) RefreshAppAuthToken(ctx context.Context, isv *App, refreshToken string, now time.Time) (*AppAuthorization, error) {
	if !isv.ISV {
		return nil, ErrAppNotISV
	}
	var a *AppAuthorization
	err := s.command(ctx, func(q Queries) error {
		old, err := q.AppAuthorizationByRefreshToken(ctx, refreshToken)
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrRefreshTokenNotExist
		case err != nil:
			return err
		case old.ISVAppID != isv.ID:
			return ErrAppIDNotConsistent
		case old.Status != AppAuthValid || old.RefreshUsed:
			return ErrRefreshTokenNotValid
		case !now.Before(old.RefreshExpiresAt):
			return ErrRefreshTokenTimeOut
		}
		if err := q.UseRefreshToken(ctx, old.AppAuthToken); err != nil {
			return err
		}
		a = newAppAuthorization(isv, old.MerchantAppID, old.UserID, now)
		return q.CreateAppAuthorization(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func newAppAuthorization(isv *App, merchantAppID, userID string, now time.Time) *AppAuthorization {
	token, refresh := newAppAuthTokenPair(now)
	return &AppAuthorization{
		AppAuthToken: token, AppRefreshToken: refresh, ISVAppID: isv.ID, MerchantAppID: merchantAppID,
		UserID: userID, IssuedAt: now, RefreshExpiresAt: now.Add(AppRefreshTokenExpiresIn * time.Second),
		Status: AppAuthValid,
	}
}

// AppAuthorizationOf is alipay.open.auth.token.app.query: the ISV app's
// authorization with token, valid or revoked. ErrAuthTokenNotExisted when
// there is none; ErrAuthTokenNotConsistent when it is another app's.
func (s *Service) AppAuthorizationOf(ctx context.Context, isv *App, token string) (*AppAuthorization, error) {
	if !isv.ISV {
		return nil, ErrAppNotISV
	}
	a, err := s.store.AppAuthorization(ctx, token)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrAuthTokenNotExisted
	case err != nil:
		return nil, err
	case a.ISVAppID != isv.ID:
		return nil, ErrAuthTokenNotConsistent
	}
	return a, nil
}

// ActFor resolves an app_auth_token sent by the app agent: the merchant
// app it acts for, marked as acted for by agent (App.Agent). A token that
// is unknown, revoked, or another app's is ErrInvalidAppAuthToken (spec
// §1.5: a token works only with the ISV app that obtained it, §1.3).
func (s *Service) ActFor(ctx context.Context, agent *App, token string) (*App, error) {
	var merchant *App
	err := s.read(ctx, func(q Queries) error {
		a, err := q.AppAuthorization(ctx, token)
		switch {
		case errors.Is(err, ErrNotFound):
			return ErrInvalidAppAuthToken
		case err != nil:
			return err
		case a.ISVAppID != agent.ID || a.Status != AppAuthValid:
			return ErrInvalidAppAuthToken
		}
		merchant, err = q.App(ctx, a.MerchantAppID)
		return err
	})
	if err != nil {
		return nil, err
	}
	merchant.Agent = agent.ID
	return merchant, nil
}

// AppAuthorizations lists the ISV app's authorizations, newest first;
// ErrNotFound when there is no such app.
func (s *Service) AppAuthorizations(ctx context.Context, isvAppID string) ([]*AppAuthorization, error) {
	var list []*AppAuthorization
	err := s.read(ctx, func(q Queries) error {
		if _, err := q.App(ctx, isvAppID); err != nil {
			return err
		}
		var err error
		list, err = q.AppAuthorizations(ctx, isvAppID)
		return err
	})
	return list, err
}

// RevokeAppAuthorization is the merchant cancelling an authorization: the
// token stops working at once (spec §1.3). ErrNotFound when the ISV app has
// no valid authorization with that token.
func (s *Service) RevokeAppAuthorization(ctx context.Context, isvAppID, token string) error {
	return s.command(ctx, func(q Queries) error {
		isv, err := q.App(ctx, isvAppID)
		if err != nil {
			return err
		}
		return q.RevokeAppAuthorization(ctx, isvAppID, token, isv.Clock(s.Clock).Now())
	})
}

// createSandboxAuthorizations issues the token pairs of the sandbox's
// authorizations, in the caller's transaction.
func (s *Service) createSandboxAuthorizations(ctx context.Context, q Queries, sb *Sandbox) error {
	for _, want := range sb.Authorizations {
		isv, err := q.App(ctx, want.ISVAppID)
		if err != nil {
			return err
		}
		merchant, err := q.App(ctx, want.MerchantAppID)
		if err != nil {
			return err
		}
		if !isv.ISV || isv.ID == merchant.ID {
			return ErrNotISV
		}
		a := newAppAuthorization(isv, merchant.ID, merchant.SellerID, isv.Clock(s.Clock).Now())
		if err := q.CreateAppAuthorization(ctx, a); err != nil {
			return err
		}
		*want = *a
	}
	return nil
}

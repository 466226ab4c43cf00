package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/zfbpay/zfb"
)

// ISV app authorizations: app_auth_codes and the token pairs they are
// exchanged for (migration 0008).

// CreateAppAuthCode stores c; an app that does not exist is
// zfb.ErrNotFound, a taken code zfb.ErrConflict.
func (q *queries) CreateAppAuthCode(ctx context.Context, c *zfb.AppAuthCode) error {
	_, err := q.write.ExecContext(ctx, `INSERT INTO app_auth_codes
		(code, isv_app_id, merchant_app_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.Code, c.ISVAppID, c.MerchantAppID, micros(c.CreatedAt), micros(c.ExpiresAt), microsOrNull(c.UsedAt))
	if err != nil {
		return fmt.Errorf("create app_auth_code for app %q by %q: %w", c.MerchantAppID, c.ISVAppID, classify(err))
	}
	return nil
}

// AppAuthCode reads a code.
func (q *queries) AppAuthCode(ctx context.Context, code string) (*zfb.AppAuthCode, error) {
	var (
		c                zfb.AppAuthCode
		createdUS, expUS int64
		usedUS           sql.NullInt64
	)
	err := q.read.QueryRowContext(ctx, `SELECT code, isv_app_id, merchant_app_id, created_at, expires_at, used_at
		FROM app_auth_codes WHERE code = $1`, code).
		Scan(&c.Code, &c.ISVAppID, &c.MerchantAppID, &createdUS, &expUS, &usedUS)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("app_auth_code: %w", zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("app_auth_code: %w", err)
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMicros(createdUS), fromMicros(expUS), fromMicrosOrZero(usedUS)
	return &c, nil
}

// UseAppAuthCode marks the code used, once: a compare-and-set on used_at.
func (q *queries) UseAppAuthCode(ctx context.Context, code string, at time.Time) error {
	res, err := q.write.ExecContext(ctx, `UPDATE app_auth_codes SET used_at = $2 WHERE code = $1 AND used_at IS NULL`, code, micros(at))
	if err != nil {
		return fmt.Errorf("use app_auth_code: %w", classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("use app_auth_code: %w", err)
	} else if n == 0 {
		if _, err := q.AppAuthCode(ctx, code); err != nil {
			return err
		}
		return fmt.Errorf("use app_auth_code: used already: %w", zfb.ErrStale)
	}
	return nil
}

const appAuthColumns = `app_auth_token, app_refresh_token, isv_app_id, merchant_app_id, user_id,
	issued_at, refresh_expires_at, refresh_used, status, revoked_at`

// CreateAppAuthorization stores a; a taken token is zfb.ErrConflict, an app
// that does not exist zfb.ErrNotFound.
func (q *queries) CreateAppAuthorization(ctx context.Context, a *zfb.AppAuthorization) error {
	_, err := q.write.ExecContext(ctx, `INSERT INTO app_auth_tokens (`+appAuthColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.AppAuthToken, a.AppRefreshToken, a.ISVAppID, a.MerchantAppID, a.UserID,
		micros(a.IssuedAt), micros(a.RefreshExpiresAt), a.RefreshUsed, string(a.Status), microsOrNull(a.RevokedAt))
	if err != nil {
		return fmt.Errorf("create app authorization of app %q by %q: %w", a.MerchantAppID, a.ISVAppID, classify(err))
	}
	return nil
}

// AppAuthorization reads an authorization by its app_auth_token.
func (q *queries) AppAuthorization(ctx context.Context, token string) (*zfb.AppAuthorization, error) {
	return q.appAuthorizationWhere(ctx, `app_auth_token = $1`, token)
}

// AppAuthorizationByRefreshToken reads an authorization by its
// app_refresh_token.
func (q *queries) AppAuthorizationByRefreshToken(ctx context.Context, refreshToken string) (*zfb.AppAuthorization, error) {
	return q.appAuthorizationWhere(ctx, `app_refresh_token = $1`, refreshToken)
}

func (q *queries) appAuthorizationWhere(ctx context.Context, where, arg string) (*zfb.AppAuthorization, error) {
	a, err := scanAppAuthorization(q.read.QueryRowContext(ctx, `SELECT `+appAuthColumns+` FROM app_auth_tokens WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		// The token itself stays out of the message: it is a credential.
		return nil, fmt.Errorf("app authorization: %w", zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("app authorization: %w", err)
	}
	return a, nil
}

// AppAuthorizations lists an ISV app's authorizations, newest first.
func (q *queries) AppAuthorizations(ctx context.Context, isvAppID string) ([]*zfb.AppAuthorization, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+appAuthColumns+` FROM app_auth_tokens
		WHERE isv_app_id = $1 ORDER BY issued_at DESC, app_auth_token`, isvAppID)
	if err != nil {
		return nil, fmt.Errorf("app authorizations of %q: %w", isvAppID, err)
	}
	defer rows.Close()
	var out []*zfb.AppAuthorization
	for rows.Next() {
		a, err := scanAppAuthorization(rows)
		if err != nil {
			return nil, fmt.Errorf("app authorizations of %q: %w", isvAppID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("app authorizations of %q: %w", isvAppID, err)
	}
	return out, nil
}

func scanAppAuthorization(r scanner) (*zfb.AppAuthorization, error) {
	var (
		a                   zfb.AppAuthorization
		status              string
		issuedUS, refreshUS int64
		revokedUS           sql.NullInt64
	)
	if err := r.Scan(&a.AppAuthToken, &a.AppRefreshToken, &a.ISVAppID, &a.MerchantAppID, &a.UserID,
		&issuedUS, &refreshUS, &a.RefreshUsed, &status, &revokedUS); err != nil {
		return nil, err
	}
	a.Status = zfb.AppAuthStatus(status)
	a.IssuedAt, a.RefreshExpiresAt, a.RevokedAt = fromMicros(issuedUS), fromMicros(refreshUS), fromMicrosOrZero(revokedUS)
	return &a, nil
}

// UseRefreshToken marks the refresh token used, once.
func (q *queries) UseRefreshToken(ctx context.Context, token string) error {
	res, err := q.write.ExecContext(ctx, `UPDATE app_auth_tokens SET refresh_used = $2
		WHERE app_auth_token = $1 AND refresh_used = $3`, token, true, false)
	if err != nil {
		return fmt.Errorf("use app_refresh_token: %w", classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("use app_refresh_token: %w", err)
	} else if n == 0 {
		if _, err := q.AppAuthorization(ctx, token); err != nil {
			return err
		}
		return fmt.Errorf("use app_refresh_token: used already: %w", zfb.ErrStale)
	}
	return nil
}

// RevokeAppAuthorizations revokes every valid authorization of the pair.
func (q *queries) RevokeAppAuthorizations(ctx context.Context, isvAppID, merchantAppID string, at time.Time) (int64, error) {
	res, err := q.write.ExecContext(ctx, `UPDATE app_auth_tokens SET status = $4, revoked_at = $5
		WHERE isv_app_id = $1 AND merchant_app_id = $2 AND status = $3`,
		isvAppID, merchantAppID, string(zfb.AppAuthValid), string(zfb.AppAuthRevoked), micros(at))
	if err != nil {
		return 0, fmt.Errorf("revoke authorizations of app %q by %q: %w", merchantAppID, isvAppID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke authorizations of app %q by %q: %w", merchantAppID, isvAppID, err)
	}
	return n, nil
}

// RevokeAppAuthorization revokes one valid authorization of the ISV app.
func (q *queries) RevokeAppAuthorization(ctx context.Context, isvAppID, token string, at time.Time) error {
	res, err := q.write.ExecContext(ctx, `UPDATE app_auth_tokens SET status = $4, revoked_at = $5
		WHERE app_auth_token = $1 AND isv_app_id = $2 AND status = $3`,
		token, isvAppID, string(zfb.AppAuthValid), string(zfb.AppAuthRevoked), micros(at))
	if err != nil {
		return fmt.Errorf("revoke an authorization by %q: %w", isvAppID, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("revoke an authorization by %q: %w", isvAppID, err)
	} else if n == 0 {
		return fmt.Errorf("revoke an authorization by %q: no valid authorization with that token: %w", isvAppID, zfb.ErrNotFound)
	}
	return nil
}

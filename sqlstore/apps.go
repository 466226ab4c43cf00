package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/zfbpay/zfb"
)

const appColumns = `id, seller_id, name, sign_type, app_public_key, app_private_key,
	gateway_private_key, gateway_public_key, intl_client_id, intl_partner_id,
	notify_url, methods, clock_offset_us, created_at,
	aes_key, cert_mode, app_certificate, gateway_certificate, root_certificate,
	identity_mode, isv, version`

// CreateApp stores app; a taken app id or intl client id is zfb.ErrConflict.
func (q *queries) CreateApp(ctx context.Context, app *zfb.App) error {
	methods := app.Methods
	if methods == nil {
		methods = []string{}
	}
	methodsJSON, err := json.Marshal(methods)
	if err != nil {
		return fmt.Errorf("create app %q: %w", app.ID, err)
	}
	_, err = q.write.ExecContext(ctx, `INSERT INTO apps (`+appColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			$15, $16, $17, $18, $19, $20, $21, 1)`,
		app.ID, app.SellerID, app.Name, string(app.SignType), app.AppPublicKey, app.AppPrivateKey,
		app.GatewayPrivateKey, app.GatewayPublicKey, app.IntlClientID, app.IntlPartnerID,
		app.NotifyURL, string(methodsJSON), app.ClockOffset.Microseconds(), micros(app.CreatedAt),
		app.AESKey, app.CertMode, app.AppCertificate, app.GatewayCertificate, app.RootCertificate,
		string(identityMode(app)), app.ISV)
	if err != nil {
		return fmt.Errorf("create app %q: %w", app.ID, classify(err))
	}
	return nil
}

// App reads one app.
func (q *queries) App(ctx context.Context, appID string) (*zfb.App, error) {
	app, err := scanApp(q.read.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE id = $1`, appID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("app %q: %w", appID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", appID, err)
	}
	return app, nil
}

// AppByIntlClientID reads the app whose international acquiring clientId is
// clientID. An app without one is never found, not even by "".
func (q *queries) AppByIntlClientID(ctx context.Context, clientID string) (*zfb.App, error) {
	// The second condition is the predicate of the partial unique index
	// apps_intl_client_id, which lets both databases use it.
	app, err := scanApp(q.read.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps
		WHERE intl_client_id = $1 AND intl_client_id <> ''`, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("app with intl clientId %q: %w", clientID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("app with intl clientId %q: %w", clientID, err)
	}
	return app, nil
}

// Apps lists every app, oldest first.
func (q *queries) Apps(ctx context.Context) ([]*zfb.App, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+appColumns+` FROM apps ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	defer rows.Close()
	var apps []*zfb.App
	for rows.Next() {
		app, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("apps: %w", err)
		}
		apps = append(apps, app)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("apps: %w", err)
	}
	return apps, nil
}

func scanApp(r scanner) (*zfb.App, error) {
	var (
		a                   zfb.App
		signType, methods   string
		identity            string
		offsetUS, createdUS int64
	)
	if err := r.Scan(&a.ID, &a.SellerID, &a.Name, &signType, &a.AppPublicKey, &a.AppPrivateKey,
		&a.GatewayPrivateKey, &a.GatewayPublicKey, &a.IntlClientID, &a.IntlPartnerID,
		&a.NotifyURL, &methods, &offsetUS, &createdUS,
		&a.AESKey, &a.CertMode, &a.AppCertificate, &a.GatewayCertificate, &a.RootCertificate,
		&identity, &a.ISV, &a.Version); err != nil {
		return nil, err
	}
	a.SignType = zfb.SignType(signType)
	a.IdentityMode = zfb.IdentityMode(identity)
	if err := json.Unmarshal([]byte(methods), &a.Methods); err != nil {
		return nil, fmt.Errorf("app %q: methods: %w", a.ID, err)
	}
	if len(a.Methods) == 0 {
		a.Methods = nil
	}
	a.ClockOffset = time.Duration(offsetUS) * time.Microsecond
	a.CreatedAt = fromMicros(createdUS)
	return &a, nil
}

// SetAppClockOffset persists the app's clock offset, to the microsecond.
func (q *queries) SetAppClockOffset(ctx context.Context, appID string, offset time.Duration) error {
	res, err := q.write.ExecContext(ctx, `UPDATE apps SET clock_offset_us = $2 WHERE id = $1`,
		appID, offset.Microseconds())
	q.appsChanged()
	if err != nil {
		return fmt.Errorf("set clock of app %q: %w", appID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set clock of app %q: %w", appID, err)
	}
	if n == 0 {
		return fmt.Errorf("set clock of app %q: %w", appID, zfb.ErrNotFound)
	}
	return nil
}

// UpdateApp writes app's settings: its name, sign type, keys, notify URL,
// methods, AES key, certificate mode and certificates, identity mode and
// ISV flag. Its id, intl ids, clock and creation time are left alone.
func (q *queries) UpdateApp(ctx context.Context, app *zfb.App) error {
	methods := app.Methods
	if methods == nil {
		methods = []string{}
	}
	methodsJSON, err := json.Marshal(methods)
	if err != nil {
		return fmt.Errorf("update app %q: %w", app.ID, err)
	}
	res, err := q.write.ExecContext(ctx, `UPDATE apps SET name = $2, sign_type = $3,
		app_public_key = $4, app_private_key = $5, gateway_private_key = $6, gateway_public_key = $7,
		notify_url = $8, methods = $9, aes_key = $10, cert_mode = $11, app_certificate = $12,
		gateway_certificate = $13, root_certificate = $14, identity_mode = $15, isv = $16,
		version = version + 1
		WHERE id = $1`,
		app.ID, app.Name, string(app.SignType),
		app.AppPublicKey, app.AppPrivateKey, app.GatewayPrivateKey, app.GatewayPublicKey,
		app.NotifyURL, string(methodsJSON), app.AESKey, app.CertMode, app.AppCertificate,
		app.GatewayCertificate, app.RootCertificate, string(identityMode(app)), app.ISV)
	q.appsChanged()
	if err != nil {
		return fmt.Errorf("update app %q: %w", app.ID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update app %q: %w", app.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("update app %q: %w", app.ID, zfb.ErrNotFound)
	}
	return nil
}

// identityMode is the app's mode, user_id when unset (as for the apps that
// existed before modes did).
func identityMode(app *zfb.App) zfb.IdentityMode {
	if app.IdentityMode == "" {
		return zfb.IdentityUserID
	}
	return app.IdentityMode
}

// SetAppNotifyURL sets the app's default notify URL ("" for none).
func (q *queries) SetAppNotifyURL(ctx context.Context, appID, url string) error {
	res, err := q.write.ExecContext(ctx, `UPDATE apps SET notify_url = $2, version = version + 1 WHERE id = $1`, appID, url)
	q.appsChanged()
	if err != nil {
		return fmt.Errorf("set notify URL of app %q: %w", appID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("set notify URL of app %q: %w", appID, err)
	}
	if n == 0 {
		return fmt.Errorf("set notify URL of app %q: %w", appID, zfb.ErrNotFound)
	}
	return nil
}

// AdvanceAppClock adds by to the app's clock offset in one statement, so
// that concurrent advances add up, saturating at limit (which must be
// positive, as by must not be negative: a sum of two of them cannot
// overflow BIGINT microseconds), and returns the new offset.
func (q *queries) AdvanceAppClock(ctx context.Context, appID string, by, limit time.Duration) (time.Duration, error) {
	if by < 0 || limit < 0 {
		return 0, fmt.Errorf("advance clock of app %q by %v up to %v: negative", appID, by, limit)
	}
	var us int64
	err := q.write.QueryRowContext(ctx,
		`UPDATE apps SET clock_offset_us = CASE WHEN clock_offset_us + $2 > $3 THEN $3 ELSE clock_offset_us + $2 END
		WHERE id = $1 RETURNING clock_offset_us`,
		appID, by.Microseconds(), limit.Microseconds()).Scan(&us)
	q.appsChanged()
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("advance clock of app %q: %w", appID, zfb.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("advance clock of app %q: %w", appID, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

package zfb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
)

// adminTokenBytes is how much randomness an admin token carries.
const adminTokenBytes = 32

// NewAdminToken makes an admin token: 32 bytes from crypto/rand in
// lower-case hex (64 characters), safe in a URL, a header and a shell.
func NewAdminToken() (string, error) {
	b := make([]byte, adminTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making an admin token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ErrNoAdminToken is returned by RotateAdminToken on a database without a
// sandbox, which has no admin token to replace.
var ErrNoAdminToken = errors.New("the database has no admin token to rotate: it has no sandbox yet (zfb serve or zfb sandbox creates one)")

// RotateAdminToken replaces the admin token with a new one and returns it.
// Nothing else changes. The admin API of every running instance on the
// database re-reads the token (admin.Handler), so the old one stops working
// without a restart. The token itself is never logged.
func (s *Service) RotateAdminToken(ctx context.Context) (string, error) {
	token, err := NewAdminToken()
	if err != nil {
		return "", err
	}
	err = s.store.InTx(ctx, func(q Queries) error {
		if _, err := q.Setting(ctx, SettingAdminToken); errors.Is(err, ErrNotFound) {
			return ErrNoAdminToken
		} else if err != nil {
			return err
		}
		return q.PutSetting(ctx, SettingAdminToken, token)
	})
	if err != nil {
		return "", err
	}
	s.Logger.InfoContext(ctx, "admin token rotated")
	return token, nil
}

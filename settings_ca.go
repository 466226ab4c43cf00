package zfb

import (
	"context"
	"errors"
)

// SettingSandboxCA holds the instance's certificate authority (its root and
// intermediate certificates and keys), which issues every app's
// certificates for public-key-certificate mode. It is written with the
// sandbox, or on first need in a database from before certificate mode.
const SettingSandboxCA = "sandbox_ca"

// EnsureSetting stores value under key unless key has a value already, and
// returns the value key holds afterwards: value, or the earlier one.
//
// On SQLite one write transaction runs at a time, so the first writer
// wins. On PostgreSQL two transactions that both find key unset both write,
// and the later one wins; the sandbox avoids that by writing its settings in
// CreateSandbox, whose race has a single winner.
func (s *Service) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	held := value
	err := s.store.InTx(ctx, func(q Queries) error {
		old, err := q.Setting(ctx, key)
		switch {
		case err == nil:
			held = old
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		return q.PutSetting(ctx, key, value)
	})
	if err != nil {
		return "", err
	}
	return held, nil
}

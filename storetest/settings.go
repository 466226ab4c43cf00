package storetest

import (
	"testing"

	"github.com/zfbpay/zfb"
)

func testSettings(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	_, err := s.Setting(ctx, "admin_token")
	wantErr(t, err, zfb.ErrNotFound)

	ok(t, s.PutSetting(ctx, "admin_token", "first"))
	ok(t, s.PutSetting(ctx, "other", ""))
	ok(t, s.PutSetting(ctx, "admin_token", "second, ☃"))
	for key, want := range map[string]string{"admin_token": "second, ☃", "other": ""} {
		got, err := s.Setting(ctx, key)
		ok(t, err)
		if got != want {
			t.Errorf("setting %q = %q, want %q", key, got, want)
		}
	}
}

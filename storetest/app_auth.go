package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/zfbpay/zfb"
)

// isvPair stores an ISV app and a merchant app.
func isvPair(t *testing.T, s zfb.Store) (isv, merchant *zfb.App) {
	t.Helper()
	ctx := context.Background()
	isv, merchant = newApp(1), newApp(2)
	isv.ISV = true
	ok(t, s.CreateApp(ctx, isv))
	ok(t, s.CreateApp(ctx, merchant))
	return isv, merchant
}

func newAuthorization(isv, merchant *zfb.App, n int) *zfb.AppAuthorization {
	return &zfb.AppAuthorization{
		AppAuthToken:     fmt.Sprintf("202503BB%029dX%02d", n, n),
		AppRefreshToken:  fmt.Sprintf("202503BB%029dA%02d", n, n),
		ISVAppID:         isv.ID,
		MerchantAppID:    merchant.ID,
		UserID:           merchant.SellerID,
		IssuedAt:         at(n),
		RefreshExpiresAt: at(n + zfb.AppRefreshTokenExpiresIn),
		Status:           zfb.AppAuthValid,
	}
}

func sameAuthorization(t *testing.T, got, want *zfb.AppAuthorization) {
	t.Helper()
	g, w := *got, *want
	sameTime(t, "IssuedAt", g.IssuedAt, w.IssuedAt)
	sameTime(t, "RefreshExpiresAt", g.RefreshExpiresAt, w.RefreshExpiresAt)
	sameTime(t, "RevokedAt", g.RevokedAt, w.RevokedAt)
	g.IssuedAt, g.RefreshExpiresAt, g.RevokedAt = w.IssuedAt, w.RefreshExpiresAt, w.RevokedAt
	if g != w {
		t.Errorf("authorization = %+v, want %+v", g, w)
	}
}

func testAppAuthCodes(t *testing.T, s zfb.Store) {
	ctx := context.Background()
	isv, merchant := isvPair(t, s)
	c := &zfb.AppAuthCode{Code: "P8cd71fd6ff55403fb7c0bfc2cdf9047", ISVAppID: isv.ID, MerchantAppID: merchant.ID,
		CreatedAt: at(0), ExpiresAt: at(86400)}
	ok(t, s.CreateAppAuthCode(ctx, c))
	wantErr(t, s.CreateAppAuthCode(ctx, c), zfb.ErrConflict)
	wantErr(t, s.CreateAppAuthCode(ctx, &zfb.AppAuthCode{Code: "P1", ISVAppID: isv.ID, MerchantAppID: "2021000999999999",
		CreatedAt: at(0), ExpiresAt: at(1)}), zfb.ErrNotFound)

	got, err := s.AppAuthCode(ctx, c.Code)
	ok(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, c.CreatedAt)
	sameTime(t, "ExpiresAt", got.ExpiresAt, c.ExpiresAt)
	if got.Code != c.Code || got.ISVAppID != isv.ID || got.MerchantAppID != merchant.ID || !got.UsedAt.IsZero() {
		t.Errorf("code = %+v, want %+v", got, c)
	}
	_, err = s.AppAuthCode(ctx, "Pnone")
	wantErr(t, err, zfb.ErrNotFound)

	ok(t, s.UseAppAuthCode(ctx, c.Code, at(60)))
	wantErr(t, s.UseAppAuthCode(ctx, c.Code, at(61)), zfb.ErrStale)
	wantErr(t, s.UseAppAuthCode(ctx, "Pnone", at(61)), zfb.ErrNotFound)
	got, err = s.AppAuthCode(ctx, c.Code)
	ok(t, err)
	sameTime(t, "UsedAt", got.UsedAt, at(60))
}

func testAppAuthorizations(t *testing.T, s zfb.Store) {
	ctx := context.Background()
	isv, merchant := isvPair(t, s)
	first, second := newAuthorization(isv, merchant, 1), newAuthorization(isv, merchant, 2)
	ok(t, s.CreateAppAuthorization(ctx, first))
	ok(t, s.CreateAppAuthorization(ctx, second))
	wantErr(t, s.CreateAppAuthorization(ctx, first), zfb.ErrConflict)
	dup := newAuthorization(isv, merchant, 3)
	dup.AppRefreshToken = first.AppRefreshToken
	wantErr(t, s.CreateAppAuthorization(ctx, dup), zfb.ErrConflict)
	orphan := newAuthorization(isv, merchant, 4)
	orphan.MerchantAppID = "2021000999999999"
	wantErr(t, s.CreateAppAuthorization(ctx, orphan), zfb.ErrNotFound)

	got, err := s.AppAuthorization(ctx, first.AppAuthToken)
	ok(t, err)
	sameAuthorization(t, got, first)
	got, err = s.AppAuthorizationByRefreshToken(ctx, second.AppRefreshToken)
	ok(t, err)
	sameAuthorization(t, got, second)
	_, err = s.AppAuthorization(ctx, first.AppRefreshToken)
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.AppAuthorizationByRefreshToken(ctx, first.AppAuthToken)
	wantErr(t, err, zfb.ErrNotFound)

	list, err := s.AppAuthorizations(ctx, isv.ID)
	ok(t, err)
	if len(list) != 2 || list[0].AppAuthToken != second.AppAuthToken || list[1].AppAuthToken != first.AppAuthToken {
		t.Fatalf("authorizations = %+v, want the second then the first", list)
	}
	if list, err := s.AppAuthorizations(ctx, merchant.ID); err != nil || len(list) != 0 {
		t.Errorf("the merchant app's own authorizations = %v, %v; want none", list, err)
	}

	ok(t, s.UseRefreshToken(ctx, first.AppAuthToken))
	wantErr(t, s.UseRefreshToken(ctx, first.AppAuthToken), zfb.ErrStale)
	wantErr(t, s.UseRefreshToken(ctx, "no such token"), zfb.ErrNotFound)
	got, err = s.AppAuthorization(ctx, first.AppAuthToken)
	ok(t, err)
	if !got.RefreshUsed || got.Status != zfb.AppAuthValid {
		t.Errorf("after a refresh: %+v, want the refresh token used and the token valid", got)
	}
}

func testAppAuthorizationRevoke(t *testing.T, s zfb.Store) {
	ctx := context.Background()
	isv, merchant := isvPair(t, s)
	other := newApp(3)
	ok(t, s.CreateApp(ctx, other))
	a1, a2, a3 := newAuthorization(isv, merchant, 1), newAuthorization(isv, merchant, 2), newAuthorization(isv, other, 3)
	for _, a := range []*zfb.AppAuthorization{a1, a2, a3} {
		ok(t, s.CreateAppAuthorization(ctx, a))
	}
	// One token: only by its own ISV app, only while valid.
	wantErr(t, s.RevokeAppAuthorization(ctx, merchant.ID, a1.AppAuthToken, at(10)), zfb.ErrNotFound)
	ok(t, s.RevokeAppAuthorization(ctx, isv.ID, a1.AppAuthToken, at(10)))
	wantErr(t, s.RevokeAppAuthorization(ctx, isv.ID, a1.AppAuthToken, at(11)), zfb.ErrNotFound)
	got, err := s.AppAuthorization(ctx, a1.AppAuthToken)
	ok(t, err)
	if got.Status != zfb.AppAuthRevoked {
		t.Errorf("status = %q, want revoked", got.Status)
	}
	sameTime(t, "RevokedAt", got.RevokedAt, at(10))

	// Every valid one of a pair: a2 (a1 is revoked already), not a3.
	n, err := s.RevokeAppAuthorizations(ctx, isv.ID, merchant.ID, at(20))
	ok(t, err)
	if n != 1 {
		t.Errorf("revoked %d, want 1", n)
	}
	got, err = s.AppAuthorization(ctx, a1.AppAuthToken)
	ok(t, err)
	sameTime(t, "RevokedAt of the one revoked before", got.RevokedAt, at(10))
	got, err = s.AppAuthorization(ctx, a2.AppAuthToken)
	ok(t, err)
	if got.Status != zfb.AppAuthRevoked {
		t.Errorf("status of a2 = %q, want revoked", got.Status)
	}
	got, err = s.AppAuthorization(ctx, a3.AppAuthToken)
	ok(t, err)
	if got.Status != zfb.AppAuthValid {
		t.Errorf("status of another merchant's = %q, want valid", got.Status)
	}
}

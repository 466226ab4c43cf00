package storetest

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func sameApp(t *testing.T, got, want *zfb.App) {
	t.Helper()
	g, w := *got, *want
	if !slices.Equal(g.Methods, w.Methods) {
		t.Errorf("Methods = %q, want %q", g.Methods, w.Methods)
	}
	if g.ClockOffset != w.ClockOffset.Truncate(time.Microsecond) {
		t.Errorf("ClockOffset = %v, want %v", g.ClockOffset, w.ClockOffset.Truncate(time.Microsecond))
	}
	sameTime(t, "CreatedAt", g.CreatedAt, w.CreatedAt)
	g.Methods, w.Methods = nil, nil
	g.ClockOffset, w.ClockOffset = 0, 0
	g.Version, w.Version = 0, 0 // the store's; checked by testAppVersion
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("app = %+v\nwant %+v", g, w)
	}
}

func testAppRoundTrip(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	full := newApp(1)
	full.AESKey = "cW8mcZgoMGUVp5g7uv7bHw=="
	full.CertMode = true
	full.AppCertificate = "-----BEGIN CERTIFICATE-----\napp\n-----END CERTIFICATE-----\n"
	full.GatewayCertificate = "-----BEGIN CERTIFICATE-----\ngw\n-----END CERTIFICATE-----\n"
	full.RootCertificate = "-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"
	full.IdentityMode = zfb.IdentityOpenID
	full.ISV = true
	ok(t, s.CreateApp(ctx, full))
	got, err := s.App(ctx, full.ID)
	ok(t, err)
	sameApp(t, got, full)

	// Zero values come back as zero values; the clock offset can be
	// negative; the list of methods can hold AllMethods.
	bare := &zfb.App{ID: "2021000000000002", SellerID: "2088000000000002", SignType: zfb.SignTypeRSA,
		Methods: []string{zfb.AllMethods}, ClockOffset: -36 * time.Hour}
	ok(t, s.CreateApp(ctx, bare))
	got, err = s.App(ctx, bare.ID)
	ok(t, err)
	// An app stored without an identity mode identifies buyers by user_id,
	// as the apps that existed before modes did.
	if got.IdentityMode != zfb.IdentityUserID {
		t.Errorf("IdentityMode = %q, want %q", got.IdentityMode, zfb.IdentityUserID)
	}
	bare.IdentityMode = zfb.IdentityUserID
	sameApp(t, got, bare)
	if !got.CreatedAt.IsZero() {
		t.Errorf("CreatedAt = %v, want the zero time", got.CreatedAt)
	}
	if !got.MayCall("alipay.trade.refund") {
		t.Error("an app with AllMethods may not call alipay.trade.refund")
	}

	// No methods at all.
	none := newApp(3)
	none.Methods = nil
	ok(t, s.CreateApp(ctx, none))
	got, err = s.App(ctx, none.ID)
	ok(t, err)
	if len(got.Methods) != 0 {
		t.Errorf("Methods = %q, want none", got.Methods)
	}
}

func testAppUpdate(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	changed := *app
	changed.Name = "renamed"
	changed.SignType = zfb.SignTypeRSA
	changed.AppPublicKey = "-----BEGIN PUBLIC KEY-----\nnew\n-----END PUBLIC KEY-----\n"
	changed.NotifyURL = "http://127.0.0.1:9/notify"
	changed.Methods = []string{zfb.AllMethods}
	changed.AESKey = "cW8mcZgoMGUVp5g7uv7bHw=="
	changed.CertMode = true
	changed.AppCertificate = "app cert"
	changed.GatewayCertificate = "gateway cert"
	changed.RootCertificate = "root cert"
	changed.IdentityMode = zfb.IdentityBoth
	changed.ISV = true
	// What UpdateApp leaves alone.
	changed.IntlClientID, changed.ClockOffset, changed.CreatedAt = "SANDBOX_OTHER", time.Hour, at(9)
	ok(t, s.UpdateApp(ctx, &changed))
	got, err := s.App(ctx, app.ID)
	ok(t, err)
	want := changed
	want.IntlClientID, want.ClockOffset, want.CreatedAt = app.IntlClientID, app.ClockOffset, app.CreatedAt
	sameApp(t, got, &want)

	missing := newApp(2)
	wantErr(t, s.UpdateApp(ctx, missing), zfb.ErrNotFound)
}

// testAppVersion: every change of an app's settings raises its version,
// a move of its clock does not, and AppVersion reads both.
func testAppVersion(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))
	version := func() int64 {
		t.Helper()
		v, offset, err := s.AppVersion(ctx, app.ID)
		ok(t, err)
		got, err := s.App(ctx, app.ID)
		ok(t, err)
		if got.Version != v || got.ClockOffset != offset {
			t.Fatalf("App: version %d, offset %v; AppVersion: %d, %v", got.Version, got.ClockOffset, v, offset)
		}
		return v
	}
	v1 := version()
	ok(t, s.UpdateApp(ctx, app))
	v2 := version()
	ok(t, s.SetAppNotifyURL(ctx, app.ID, "http://127.0.0.1:9/n"))
	v3 := version()
	ok(t, s.SetAppClockOffset(ctx, app.ID, 3*time.Hour))
	_, err := s.AdvanceAppClock(ctx, app.ID, time.Hour, 100*time.Hour)
	ok(t, err)
	v4 := version()
	if !(v1 < v2 && v2 < v3 && v3 == v4) {
		t.Errorf("versions %d, %d, %d, %d: want a rise at each settings change and none for the clock", v1, v2, v3, v4)
	}
	// Fault rules count as settings.
	rule := &zfb.Fault{AppID: app.ID, Method: "alipay.trade.pay", Effect: zfb.FaultErrorBefore, SubCode: "isp.unknow-error", CreatedAt: at(1)}
	ok(t, s.CreateFault(ctx, rule))
	v5 := version()
	ok(t, s.DeleteFault(ctx, app.ID, rule.ID))
	v6 := version()
	ok(t, s.DeleteFaults(ctx, app.ID))
	if v7 := version(); !(v4 < v5 && v5 < v6 && v6 < v7) {
		t.Errorf("versions %d, %d, %d, %d: want a rise at each change of the fault rules", v4, v5, v6, v7)
	}
	if _, offset, _ := s.AppVersion(ctx, app.ID); offset != 4*time.Hour {
		t.Errorf("AppVersion offset = %v, want 4h", offset)
	}
	_, _, err = s.AppVersion(ctx, "2021000000000404")
	wantErr(t, err, zfb.ErrNotFound)
}

func testAppNotFound(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	_, err := s.App(ctx, "2021000000000404")
	wantErr(t, err, zfb.ErrNotFound)
	wantErr(t, s.SetAppClockOffset(ctx, "2021000000000404", time.Hour), zfb.ErrNotFound)
	_, err = s.AdvanceAppClock(ctx, "2021000000000404", time.Hour, zfb.MaxClockOffset)
	wantErr(t, err, zfb.ErrNotFound)
}

func testAppConflict(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	ok(t, s.CreateApp(ctx, newApp(1)))

	dup := newApp(2)
	dup.ID = newApp(1).ID
	wantErr(t, s.CreateApp(ctx, dup), zfb.ErrConflict)

	sameClient := newApp(3)
	sameClient.IntlClientID = newApp(1).IntlClientID
	wantErr(t, s.CreateApp(ctx, sameClient), zfb.ErrConflict)

	// Through the service, in a transaction.
	wantErr(t, zfb.NewService(s, nil, nil).CreateApp(ctx, newApp(1)), zfb.ErrConflict)

	// Apps without an intl client id do not collide.
	for n := 4; n <= 5; n++ {
		a := newApp(n)
		a.IntlClientID = ""
		ok(t, s.CreateApp(ctx, a))
	}
	apps, err := s.Apps(ctx)
	ok(t, err)
	if len(apps) != 3 {
		t.Errorf("%d apps, want 3", len(apps))
	}
}

func testApps(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	apps, err := s.Apps(ctx)
	ok(t, err)
	if len(apps) != 0 {
		t.Fatalf("%d apps in an empty store", len(apps))
	}
	// Created out of order: listed oldest first.
	for _, n := range []int{3, 1, 2} {
		ok(t, s.CreateApp(ctx, newApp(n)))
	}
	apps, err = s.Apps(ctx)
	ok(t, err)
	if len(apps) != 3 {
		t.Fatalf("%d apps, want 3", len(apps))
	}
	for i, a := range apps {
		sameApp(t, a, newApp(i+1))
	}
}

func testAppClock(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	ok(t, s.CreateApp(ctx, app))

	for _, offset := range []time.Duration{0, -90 * time.Minute, 3*time.Hour + 7*time.Microsecond, 400 * 24 * time.Hour} {
		ok(t, s.SetAppClockOffset(ctx, app.ID, offset))
		got, err := s.App(ctx, app.ID)
		ok(t, err)
		if got.ClockOffset != offset {
			t.Errorf("after SetAppClockOffset(%v): ClockOffset = %v", offset, got.ClockOffset)
		}
	}

	ok(t, s.SetAppClockOffset(ctx, app.ID, time.Hour))
	offset, err := s.AdvanceAppClock(ctx, app.ID, 90*time.Second+5*time.Microsecond, zfb.MaxClockOffset)
	ok(t, err)
	want := time.Hour + 90*time.Second + 5*time.Microsecond
	if offset != want {
		t.Errorf("AdvanceAppClock = %v, want %v", offset, want)
	}
	got, err := s.App(ctx, app.ID)
	ok(t, err)
	if got.ClockOffset != want {
		t.Errorf("ClockOffset = %v, want %v", got.ClockOffset, want)
	}

	// Advances saturate at the limit, however large or many.
	limit := 1000 * time.Hour
	for range 2 {
		offset, err = s.AdvanceAppClock(ctx, app.ID, limit, limit)
		ok(t, err)
		if offset != limit {
			t.Errorf("AdvanceAppClock past the limit = %v, want %v", offset, limit)
		}
	}
	ok(t, s.SetAppClockOffset(ctx, app.ID, want))

	// Through the service: the app's now moves with it.
	svc := zfb.NewService(s, zfb.ClockFunc(func() time.Time { return at(0) }), nil)
	now, err := svc.AdvanceClock(ctx, app.ID, time.Hour)
	ok(t, err)
	if !now.Equal(at(0).Add(want + time.Hour)) {
		t.Errorf("AdvanceClock = %v, want %v", now, at(0).Add(want+time.Hour))
	}
}

func testAppClockConcurrentAdvance(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	app.ClockOffset = 0
	ok(t, s.CreateApp(ctx, app))

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.AdvanceAppClock(ctx, app.ID, time.Second, zfb.MaxClockOffset)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	got, err := s.App(ctx, app.ID)
	ok(t, err)
	if got.ClockOffset != n*time.Second {
		t.Errorf("after %d concurrent advances of 1s: ClockOffset = %v, want %v", n, got.ClockOffset, n*time.Second)
	}
}

func testServiceCreateApp(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	app.Methods = nil
	ok(t, zfb.NewService(s, nil, nil).CreateApp(ctx, app))
	got, err := s.App(ctx, app.ID)
	ok(t, err)
	if !slices.Equal(got.Methods, []string{zfb.AllMethods}) {
		t.Errorf("Methods = %q, want [*]", got.Methods)
	}
	merchant, err := s.Account(ctx, zfb.MerchantAccount(app.SellerID, zfb.CNY))
	ok(t, err)
	if merchant.Kind != zfb.AccountKindMerchant || merchant.Owner != app.SellerID || merchant.Balance != 0 ||
		merchant.Floor == nil || *merchant.Floor != 0 {
		t.Errorf("merchant account = %+v", merchant)
	}
}

// testServiceAppCache: Service.App keeps apps parsed, yet never answers
// stale: a change of settings or a move of the clock made through another
// Service on the same store (another zfb on the same PostgreSQL) shows at
// the next call.
func testServiceAppCache(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	app := newApp(1)
	app.Methods = []string{zfb.AllMethods}
	ok(t, s.CreateApp(ctx, app))
	this, other := zfb.NewService(s, nil, nil), zfb.NewService(s, nil, nil)
	first, err := this.App(ctx, app.ID)
	ok(t, err)
	first.Name = "changed by a caller" // a caller's copy: the cache keeps its own
	if again, _ := this.App(ctx, app.ID); again.Name != app.Name {
		t.Fatalf("a caller's change of its copy reached the cache: %q", again.Name)
	}
	_, err = other.UpdateApp(ctx, app.ID, func(a *zfb.App) error { a.NotifyURL = "http://127.0.0.1:9/changed"; return nil })
	ok(t, err)
	_, err = other.AdvanceClock(ctx, app.ID, 2*time.Hour)
	ok(t, err)
	got, err := this.App(ctx, app.ID)
	ok(t, err)
	if got.NotifyURL != "http://127.0.0.1:9/changed" || got.ClockOffset != app.ClockOffset.Truncate(time.Microsecond)+2*time.Hour {
		t.Errorf("after another instance's changes: notify_url %q, clock offset %v", got.NotifyURL, got.ClockOffset)
	}
	_, err = this.App(ctx, "2021000000000404")
	wantErr(t, err, zfb.ErrNotFound)

	// The intl adapter's way in: by clientId, just as fresh.
	byClient, err := this.AppByIntlClientID(ctx, app.IntlClientID)
	ok(t, err)
	_, err = other.UpdateApp(ctx, app.ID, func(a *zfb.App) error { a.NotifyURL = "http://127.0.0.1:9/again"; return nil })
	ok(t, err)
	if byClient, err = this.AppByIntlClientID(ctx, app.IntlClientID); err != nil || byClient.ID != app.ID || byClient.NotifyURL != "http://127.0.0.1:9/again" {
		t.Fatalf("by intl clientId after another instance's change: %v, %+v", err, byClient)
	}
	_, err = this.AppByIntlClientID(ctx, "SANDBOX_404")
	wantErr(t, err, zfb.ErrNotFound)

	// Fault rules are kept with the app's version: one added or deleted
	// through another instance shows at the next call.
	rules, err := this.AppFaults(ctx, got)
	ok(t, err)
	if len(rules) != 0 {
		t.Fatalf("rules %v, want none", rules)
	}
	rule := &zfb.Fault{AppID: app.ID, Method: "alipay.trade.pay", Effect: zfb.FaultErrorBefore}
	ok(t, other.AddFault(ctx, rule))
	got, err = this.App(ctx, app.ID)
	ok(t, err)
	if rules, err = this.AppFaults(ctx, got); err != nil || len(rules) != 1 || rules[0].ID != rule.ID {
		t.Fatalf("after another instance added a rule: %v, %v", rules, err)
	}
	ok(t, other.DeleteFaults(ctx, app.ID))
	got, err = this.App(ctx, app.ID)
	ok(t, err)
	if rules, err = this.AppFaults(ctx, got); err != nil || len(rules) != 0 {
		t.Fatalf("after another instance deleted the rules: %v, %v", rules, err)
	}
}

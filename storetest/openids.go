package storetest

import (
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
)

// testOpenIDs: an open_id is stored once per (app, buyer), found by its
// pair and by itself, and listed per buyer.
func testOpenIDs(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a1, a2 := newApp(1), newApp(2)
	b1, b2 := newBuyer(1, 0), newBuyer(2, 0)
	ok(t, s.CreateApp(ctx, a1))
	ok(t, s.CreateApp(ctx, a2))
	ok(t, s.CreateBuyer(ctx, b1))
	ok(t, s.CreateBuyer(ctx, b2))

	_, err := s.OpenID(ctx, a1.ID, b1.UserID)
	wantErr(t, err, zfb.ErrNotFound)
	_, _, err = s.OpenIDOwner(ctx, "0nobody")
	wantErr(t, err, zfb.ErrNotFound)

	got, err := s.EnsureOpenID(ctx, a1.ID, b1.UserID, "0first", at(1))
	ok(t, err)
	if got != "0first" {
		t.Errorf("EnsureOpenID = %q, want the candidate 0first", got)
	}
	// A second candidate for the same pair loses to the stored one.
	got, err = s.EnsureOpenID(ctx, a1.ID, b1.UserID, "0second", at(2))
	ok(t, err)
	if got != "0first" {
		t.Errorf("EnsureOpenID again = %q, want 0first", got)
	}
	if _, _, err := s.OpenIDOwner(ctx, "0second"); err == nil {
		t.Error("the losing candidate was stored")
	}
	ok(t, s.InTx(ctx, func(q zfb.Queries) error {
		_, err := q.EnsureOpenID(ctx, a2.ID, b1.UserID, "0other-app", at(3))
		return err
	}))
	_, err = s.EnsureOpenID(ctx, a1.ID, b2.UserID, "0buyer2", at(4))
	ok(t, err)

	got, err = s.OpenID(ctx, a1.ID, b1.UserID)
	ok(t, err)
	if got != "0first" {
		t.Errorf("OpenID = %q, want 0first", got)
	}
	app, user, err := s.OpenIDOwner(ctx, "0other-app")
	ok(t, err)
	if app != a2.ID || user != b1.UserID {
		t.Errorf("OpenIDOwner = %s, %s; want %s, %s", app, user, a2.ID, b1.UserID)
	}
	ids, err := s.OpenIDs(ctx, b1.UserID)
	ok(t, err)
	if want := map[string]string{a1.ID: "0first", a2.ID: "0other-app"}; !maps.Equal(ids, want) {
		t.Errorf("OpenIDs = %v, want %v", ids, want)
	}
	ids, err = s.OpenIDs(ctx, "2088000000009999")
	ok(t, err)
	if len(ids) != 0 {
		t.Errorf("OpenIDs of nobody = %v", ids)
	}

	// An open_id is unique across apps and buyers; an unknown app or buyer
	// is ErrNotFound (foreign keys), and nothing is stored.
	_, err = s.EnsureOpenID(ctx, a2.ID, b2.UserID, "0first", at(5))
	wantErr(t, err, zfb.ErrConflict)
	_, err = s.EnsureOpenID(ctx, "2021000999999999", b1.UserID, "0noapp", at(6))
	wantErr(t, err, zfb.ErrNotFound)
	_, err = s.EnsureOpenID(ctx, a1.ID, "2088000000009999", "0nobuyer", at(7))
	wantErr(t, err, zfb.ErrNotFound)
	if ids, _ := s.OpenIDs(ctx, b2.UserID); len(ids) != 1 {
		t.Errorf("OpenIDs of buyer 2 = %v, want one", ids)
	}
}

// testOpenIDConcurrent: commands issuing the open_id of one pair at once,
// each with its own candidate, all get the same one (spec: two pays of one
// buyer at once must not create two open_ids).
func testOpenIDConcurrent(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a, b := newApp(1), newBuyer(1, 0)
	ok(t, s.CreateApp(ctx, a))
	ok(t, s.CreateBuyer(ctx, b))
	const n = 8
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InTx(ctx, func(q zfb.Queries) error {
				var err error
				got[i], err = q.EnsureOpenID(ctx, a.ID, b.UserID, fmt.Sprintf("0candidate%d", i), at(i))
				return err
			})
		}()
	}
	wg.Wait()
	for i := range n {
		ok(t, errs[i])
		if got[i] != got[0] {
			t.Fatalf("open_ids issued at once = %q, want one", got)
		}
	}
	ids, err := s.OpenIDs(ctx, b.UserID)
	ok(t, err)
	if len(ids) != 1 || ids[a.ID] != got[0] {
		t.Errorf("OpenIDs = %v, want {%s: %s}", ids, a.ID, got[0])
	}
}

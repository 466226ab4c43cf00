package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zfbpay/zfb"
)

// appVersionTTL bounds how long a kept app version is believed without
// reading it again: the backstop for a change made by another process on
// the same SQLite file (zfb's own commands only add apps there; one zfb
// serves a data directory), which this store cannot see.
const appVersionTTL = time.Second

// maxKeptAppVersions bounds the kept versions; past it they are all
// forgotten (apps are few: a store holds a handful).
const maxKeptAppVersions = 512

// appVersions keeps, on SQLite, each app's settings version and clock
// offset as last read, so that a gateway call (zfb.Service.App asks at
// every call) need not read them: that read was 2–3 % of a trade.query's
// CPU, and a second turn on the read pool per call. The store changes
// apps through its own writer only, so it knows when a kept value goes
// stale: every statement that changes an app forgets them all
// (appsChanged), and so does the end of its transaction. A read that
// began before either is not kept (the epoch), so a value read before a
// commit never outlives it. PostgreSQL keeps none: several zfb instances
// may share its database, and each must see another's change (a clock
// moved, a fault rule added) at its next call.
type appVersions struct {
	mu    sync.Mutex
	epoch uint64 // raised by every forget
	m     map[string]appVersion
}

type appVersion struct {
	version int64
	offset  time.Duration
	readAt  time.Time
}

func newAppVersions() *appVersions { return &appVersions{m: make(map[string]appVersion)} }

// get returns appID's kept version while it is younger than the TTL, and
// the epoch a read begun now must carry to put its result.
func (c *appVersions) get(appID string, now time.Time) (appVersion, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[appID]
	return v, c.epoch, ok && now.Sub(v.readAt) < appVersionTTL
}

// put keeps v unless something was forgotten since epoch.
func (c *appVersions) put(appID string, v appVersion, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if len(c.m) >= maxKeptAppVersions {
		clear(c.m)
	}
	c.m[appID] = v
}

// forget drops every kept version.
func (c *appVersions) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.m)
}

// appsChanged is called after every statement that changes an app's
// version or clock: the kept versions are forgotten now, and again when
// q's write transaction ends (writeTx), for a read begun in between saw
// the value before the commit.
func (q *queries) appsChanged() {
	if q.store.appVersions == nil {
		return
	}
	q.store.appVersions.forget()
	if q.appsWritten != nil {
		*q.appsWritten = true
	}
}

// AppVersion reads the version of an app's settings and its clock offset:
// on SQLite, from memory when it was read less than appVersionTTL ago and
// nothing changed an app since.
func (q *queries) AppVersion(ctx context.Context, appID string) (int64, time.Duration, error) {
	c := q.store.appVersions
	if c == nil || q.tx != nil { // inside a transaction: read its own writes
		return q.readAppVersion(ctx, appID)
	}
	now := time.Now()
	kept, epoch, ok := c.get(appID, now)
	if ok {
		return kept.version, kept.offset, nil
	}
	version, offset, err := q.readAppVersion(ctx, appID)
	if err == nil {
		c.put(appID, appVersion{version: version, offset: offset, readAt: now}, epoch)
	}
	return version, offset, err
}

func (q *queries) readAppVersion(ctx context.Context, appID string) (int64, time.Duration, error) {
	var version, offsetUS int64
	err := q.read.QueryRowContext(ctx, `SELECT version, clock_offset_us FROM apps WHERE id = $1`, appID).Scan(&version, &offsetUS)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("app %q: %w", appID, zfb.ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("app %q: %w", appID, err)
	}
	return version, time.Duration(offsetUS) * time.Microsecond, nil
}

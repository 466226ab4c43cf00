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
// reading it again: the backstop for a change this store cannot hear of,
// made by another process on the same SQLite file (zfb's own commands only
// add apps there; one zfb serves a data directory), or on PostgreSQL while
// the listener's connection is silently dead.
const appVersionTTL = time.Second

// maxKeptAppVersions bounds the kept versions; past it they are all
// forgotten (apps are few: a store holds a handful).
const maxKeptAppVersions = 512

// appVersions keeps each app's settings version and clock offset as last
// read, so that a gateway call (zfb.Service.App asks at every call) need
// not read them: on SQLite that read was 2–3 % of a trade.query's CPU and
// a second turn on the read pool per call; on PostgreSQL it was a round
// trip of every call's two (a query) to six (a pay).
//
// The store forgets them all at every statement of its own that changes
// an app (appsChanged), and again when that statement's transaction ends.
// A read that began before either is not kept (the epoch), so a value read
// before a commit never outlives it. On PostgreSQL, several zfb instances
// may share the database: the store also forgets them when PostgreSQL
// notifies that another's transaction changed the apps table (a trigger;
// appListener), and keeps nothing while it cannot hear those
// notifications (paused).
type appVersions struct {
	mu     sync.Mutex
	epoch  uint64 // raised by every forget
	paused bool   // nothing is kept: no listener hears other instances
	ttl    time.Duration
	m      map[string]appVersion
}

type appVersion struct {
	version int64
	offset  time.Duration
	readAt  time.Time
}

// newAppVersions keeps versions at once: SQLite's, which only this
// store's writes change (and other processes within the TTL).
func newAppVersions() *appVersions {
	return &appVersions{ttl: appVersionTTL, m: make(map[string]appVersion)}
}

// newPausedAppVersions keeps nothing until resumed: PostgreSQL's, kept
// only while its listener hears changes made by other instances.
func newPausedAppVersions() *appVersions {
	c := newAppVersions()
	c.paused = true
	return c
}

// get returns appID's kept version while it is younger than the TTL, and
// the epoch a read begun now must carry to put its result.
func (c *appVersions) get(appID string, now time.Time) (appVersion, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[appID]
	return v, c.epoch, ok && now.Sub(v.readAt) < c.ttl
}

// put keeps v unless something was forgotten since epoch, or nothing is
// kept now.
func (c *appVersions) put(appID string, v appVersion, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch || c.paused {
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
	c.forgetLocked()
}

func (c *appVersions) forgetLocked() {
	c.epoch++
	clear(c.m)
}

// pause forgets every kept version and keeps none until resume.
func (c *appVersions) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused = true
	c.forgetLocked()
}

// resume keeps versions again, from reads begun after it: anything may
// have changed while paused.
func (c *appVersions) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused = false
	c.forgetLocked()
}

// keeping reports whether versions are kept now (not paused).
func (c *appVersions) keeping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.paused
}

// appsChanged is called after every statement that changes an app's
// version or clock: the kept versions are forgotten now, and again when
// q's write transaction ends (writeTx), for a read begun in between saw
// the value before the commit.
func (q *queries) appsChanged() {
	q.store.appVersions.forget()
	if q.appsWritten != nil {
		*q.appsWritten = true
	}
}

// AppVersion reads the version of an app's settings and its clock offset:
// from memory when it was read less than appVersionTTL ago and nothing
// changed an app since (appVersions).
func (q *queries) AppVersion(ctx context.Context, appID string) (int64, time.Duration, error) {
	c := q.store.appVersions
	if q.tx != nil { // inside a transaction: read its own writes
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

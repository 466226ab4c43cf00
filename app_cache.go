package zfb

import (
	"context"
	"sync"
)

// maxCachedApps bounds the app cache; past it, apps are read whole.
const maxCachedApps = 4096

// appCache keeps apps as last read, so that a call reads only the version
// of its app's settings and its clock (Queries.AppVersion) instead of the
// whole row, keys and certificates included. A changed version reads the
// app again. The store answers AppVersion from memory too, yet never stale
// for its own changes; another zfb's change on the same PostgreSQL shows
// once PostgreSQL has announced its commit to this one (sqlstore's app
// listener), and a change the store cannot hear of within a second.
type appCache struct {
	apps   boundedMap[*App]         // by app id
	faults boundedMap[cachedFaults] // fault rules by app id
	intl   boundedMap[string]       // app id by intl clientId
}

// cachedFaults are an app's fault rules as read at a version of its
// settings (adding or deleting a rule raises it).
type cachedFaults struct {
	version int64
	rules   []*Fault
}

// boundedMap is a map safe for concurrent use that empties itself when it
// reaches max entries (maxCachedApps when max is 0). The zero value is
// ready to use.
type boundedMap[V any] struct {
	max int
	mu  sync.RWMutex
	m   map[string]V
}

func (b *boundedMap[V]) get(key string) (V, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[key]
	return v, ok
}

func (b *boundedMap[V]) put(key string, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string]V)
	}
	limit := b.max
	if limit == 0 {
		limit = maxCachedApps
	}
	if len(b.m) >= limit {
		clear(b.m)
	}
	b.m[key] = v
}

// AppFaults lists the fault rules of app, as Service.App (or a command)
// read it: the rules kept for the app's version, read again when a rule
// was added or deleted since. The rules are shared: never modify them.
func (s *Service) AppFaults(ctx context.Context, app *App) ([]*Fault, error) {
	if f, ok := s.apps.faults.get(app.ID); ok && f.version == app.Version && app.Version != 0 {
		return f.rules, nil
	}
	// Read after the app: the rules are at least as new as its version.
	rules, err := s.store.Faults(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	if app.Version != 0 {
		s.apps.faults.put(app.ID, cachedFaults{version: app.Version, rules: rules})
	}
	return rules, nil
}

// App finds an app by its app_id. The caller gets its own copy (its
// Methods shared, never to be modified).
func (s *Service) App(ctx context.Context, appID string) (*App, error) {
	if cached, ok := s.apps.apps.get(appID); ok {
		version, offset, err := s.store.AppVersion(ctx, appID)
		if err != nil {
			return nil, err
		}
		if version == cached.Version {
			app := *cached
			app.ClockOffset = offset
			return &app, nil
		}
	}
	app, err := s.store.App(ctx, appID)
	if err != nil {
		return nil, err
	}
	kept := *app
	s.apps.apps.put(app.ID, &kept)
	return app, nil
}

package zfb

import (
	"context"
	"sync"
)

// maxCachedApps bounds the app cache; past it, apps are read whole.
const maxCachedApps = 4096

// appCache keeps apps as last read, so that a call reads only the version
// of its app's settings and its clock (Queries.AppVersion) instead of the
// whole row, keys and certificates included. It is never stale: a changed
// version reads the app again, and the clock is read at every call, so a
// change made by another zfb on the same PostgreSQL shows at once.
type appCache struct {
	mu     sync.RWMutex
	apps   map[string]*App
	faults map[string]cachedFaults // fault rules by app id
	intl   map[string]string       // app id by intl clientId
}

func (c *appCache) intlApp(clientID string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	id, ok := c.intl[clientID]
	return id, ok
}

func (c *appCache) putIntlApp(clientID, appID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.intl == nil {
		c.intl = make(map[string]string)
	}
	if len(c.intl) >= maxCachedApps {
		clear(c.intl)
	}
	c.intl[clientID] = appID
}

// cachedFaults are an app's fault rules as read at a version of its
// settings (adding or deleting a rule raises it).
type cachedFaults struct {
	version int64
	rules   []*Fault
}

func (c *appCache) get(id string) *App {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.apps[id]
}

func (c *appCache) put(app *App) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.apps == nil {
		c.apps = make(map[string]*App)
	}
	if len(c.apps) >= maxCachedApps {
		clear(c.apps)
	}
	c.apps[app.ID] = app
}

func (c *appCache) getFaults(appID string, version int64) ([]*Fault, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f, ok := c.faults[appID]
	return f.rules, ok && f.version == version
}

func (c *appCache) putFaults(appID string, version int64, rules []*Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults == nil {
		c.faults = make(map[string]cachedFaults)
	}
	if len(c.faults) >= maxCachedApps {
		clear(c.faults)
	}
	c.faults[appID] = cachedFaults{version: version, rules: rules}
}

// AppFaults lists the fault rules of app, as Service.App (or a command)
// read it: the rules kept for the app's version, read again when a rule
// was added or deleted since. The rules are shared: never modify them.
func (s *Service) AppFaults(ctx context.Context, app *App) ([]*Fault, error) {
	if rules, ok := s.apps.getFaults(app.ID, app.Version); ok && app.Version != 0 {
		return rules, nil
	}
	// Read after the app: the rules are at least as new as its version.
	rules, err := s.store.Faults(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	if app.Version != 0 {
		s.apps.putFaults(app.ID, app.Version, rules)
	}
	return rules, nil
}

// App finds an app by its app_id. The caller gets its own copy (its
// Methods shared, never to be modified).
func (s *Service) App(ctx context.Context, appID string) (*App, error) {
	if cached := s.apps.get(appID); cached != nil {
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
	s.apps.put(&kept)
	return app, nil
}

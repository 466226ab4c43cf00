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
	mu   sync.RWMutex
	apps map[string]*App
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

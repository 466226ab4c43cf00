package zfb

import (
	"context"
	"errors"
)

// AppByIntlClientID finds the app whose international acquiring clientId is
// clientID, for the intl adapter (ErrNotFound when no app has it; an app
// without a clientId is never found, not even by ""). An app's clientId
// never changes, so which app has it is kept; the app itself comes from
// Service.App, never stale.
func (s *Service) AppByIntlClientID(ctx context.Context, clientID string) (*App, error) {
	if id, ok := s.apps.intl.get(clientID); ok {
		app, err := s.App(ctx, id)
		switch {
		case err == nil && app.IntlClientID == clientID:
			return app, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	app, err := s.store.AppByIntlClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	s.apps.intl.put(clientID, app.ID)
	kept := *app
	s.apps.apps.put(app.ID, &kept)
	return app, nil
}

package zfb

import "context"

// AppByIntlClientID finds the app whose international acquiring clientId is
// clientID, for the intl adapter (ErrNotFound when no app has it; an app
// without a clientId is never found, not even by "").
func (s *Service) AppByIntlClientID(ctx context.Context, clientID string) (*App, error) {
	return s.store.AppByIntlClientID(ctx, clientID)
}

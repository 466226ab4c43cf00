package zfb

import "context"

// SettingServerURL holds the base URL ("http://127.0.0.1:8650") of the
// last server started on this database, as it bound it, so that the
// sandbox printed later names the URLs really served.
const SettingServerURL = "server_url"

// RecordServerURL stores the base URL a server is serving on
// (SettingServerURL).
func (s *Service) RecordServerURL(ctx context.Context, baseURL string) error {
	return s.store.PutSetting(ctx, SettingServerURL, baseURL)
}

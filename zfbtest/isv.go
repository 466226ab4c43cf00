package zfbtest

import (
	"context"
	"testing"

	"github.com/zfbpay/zfb/sandbox"
)

// ISV is the sandbox's third-party (ISV) app with its current
// authorization by the first app (App): calls signed by it that carry
// AppAuthToken act for App.
func (s *Server) ISV(tb testing.TB) *sandbox.ISVApp {
	tb.Helper()
	if s.Sandbox.ISV == nil {
		tb.Fatal("zfbtest: the sandbox has no ISV app")
	}
	return s.Sandbox.ISV
}

// AuthorizeApp plays the merchant of merchantAppID authorizing the ISV app
// isvAppID and returns the app_auth_code, to exchange on
// alipay.open.auth.token.app.
func (s *Server) AuthorizeApp(tb testing.TB, isvAppID, merchantAppID string) string {
	tb.Helper()
	c, err := s.Service.AuthorizeApp(context.Background(), isvAppID, merchantAppID)
	if err != nil {
		tb.Fatalf("zfbtest: authorizing %s for %s: %v", isvAppID, merchantAppID, err)
	}
	return c.Code
}

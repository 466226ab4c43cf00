package sandbox

import (
	"context"

	"github.com/zfbpay/zfb"
)

// ISVAppID is the app id of the sandbox's third-party (ISV) app, fixed like
// FirstAppID so that instances starting together agree.
const ISVAppID = "9021000000000003"

// Authorization is one valid authorization of an ISV app: the merchant app
// it calls for, with the token to send as app_auth_token.
type Authorization struct {
	AuthAppID       string `json:"auth_app_id"`
	UserID          string `json:"user_id"`
	AppAuthToken    string `json:"app_auth_token"`
	AppRefreshToken string `json:"app_refresh_token"`
}

// ISVApp is sandbox.json's "isv": the ISV app's credentials and its
// current authorization by apps[0], at the top level so that a newcomer
// finds the token without searching apps (DESIGN.md).
type ISVApp struct {
	App
	AuthAppID       string `json:"auth_app_id"`
	AppAuthToken    string `json:"app_auth_token"`
	AppRefreshToken string `json:"app_refresh_token"`
}

// addISV adds the ISV app to sb, authorized by merchant.
func addISV(sb *zfb.Sandbox, merchant *zfb.App, keys Keys) error {
	isv, err := newApp(ISVAppID, zfb.SignTypeRSA2, nil, keys)
	if err != nil {
		return err
	}
	isv.Name, isv.ISV = "sandbox ISV", true
	sb.Apps = append(sb.Apps, isv)
	sb.Authorizations = append(sb.Authorizations, &zfb.AppAuthorization{ISVAppID: isv.ID, MerchantAppID: merchant.ID})
	return nil
}

// loadAuthorizations fills in the valid authorizations of f's ISV apps,
// and f.ISV from the sandbox's ISV app and its newest authorization by the
// first app.
func loadAuthorizations(ctx context.Context, svc *zfb.Service, f *File) error {
	for i := range f.Apps {
		app := &f.Apps[i]
		if !app.ISV {
			continue
		}
		list, err := svc.AppAuthorizations(ctx, app.AppID)
		if err != nil {
			return err
		}
		for _, a := range list {
			if a.Status == zfb.AppAuthValid {
				app.Authorizations = append(app.Authorizations, Authorization{
					AuthAppID: a.MerchantAppID, UserID: a.UserID, AppAuthToken: a.AppAuthToken, AppRefreshToken: a.AppRefreshToken,
				})
			}
		}
		if app.AppID != ISVAppID {
			continue
		}
		for _, a := range app.Authorizations {
			if a.AuthAppID == FirstAppID {
				f.ISV = &ISVApp{App: *app, AuthAppID: a.AuthAppID, AppAuthToken: a.AppAuthToken, AppRefreshToken: a.AppRefreshToken}
				f.ISV.Authorizations = nil
				break
			}
		}
	}
	return nil
}

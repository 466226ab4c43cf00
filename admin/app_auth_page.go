package admin

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/zfbpay/zfb"
)

// AppToAppAuthPath is where a third-party (ISV) app sends a merchant to
// authorize it, as on openauth.alipay.com (spec isv-and-identity §1.1).
const AppToAppAuthPath = "/oauth2/appToAppAuth.htm"

// AppToAppAuth is the authorization page of spec §1.1, played by the
// tester: GET …?app_id=<ISV app>&redirect_uri=<url>[&state=…] lists the
// merchant apps; choosing one (a POST from the page) issues an
// app_auth_code and redirects the browser to redirect_uri with app_id,
// source=alipay_app_auth, app_auth_code and state. Alipay checks
// redirect_uri against the ISV app's configured callback; zfb apps have
// none, so any http or https URL is taken. There is no merchant login: the
// code is worth something only to the holder of the ISV app's key.
func AppToAppAuth(svc *zfb.Service, logger *slog.Logger) http.Handler {
	p := &appAuthPage{svc: svc, log: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AppToAppAuthPath, p.show)
	mux.HandleFunc("POST "+AppToAppAuthPath, p.authorize)
	return http.NewCrossOriginProtection().Handler(mux)
}

type appAuthPage struct {
	svc *zfb.Service
	log *slog.Logger
}

var appAuthTemplate = template.Must(template.New("appauth").Parse(`<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>zfb · 第三方应用授权</title></head>
<body>
<h1>授权 {{.ISV}}</h1>
<p>选择授权给第三方应用 {{.ISV}} 的商家应用 (zfb sandbox: the tester plays the merchant).</p>
<form method="post">
<input type="hidden" name="app_id" value="{{.ISV}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
{{range .Merchants}}<p><label><input type="radio" name="merchant_app_id" value="{{.ID}}" required> {{.ID}} {{.Name}} (seller {{.SellerID}})</label></p>
{{else}}<p>No merchant app to authorize.</p>
{{end}}<p><button type="submit">确认授权</button></p>
</form>
</body></html>
`))

// request reads and checks app_id, redirect_uri and state; it answers the
// error page itself and returns false when they are unusable.
func (p *appAuthPage) request(w http.ResponseWriter, r *http.Request, get func(string) string) (isv *zfb.App, redirect *url.URL, state string, ok bool) {
	redirect, err := url.Parse(get("redirect_uri"))
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" {
		http.Error(w, "redirect_uri must be an absolute http or https URL", http.StatusBadRequest)
		return nil, nil, "", false
	}
	isv, err = p.svc.App(r.Context(), get("app_id"))
	switch {
	case errors.Is(err, zfb.ErrNotFound):
		http.Error(w, "no such app_id", http.StatusBadRequest)
		return nil, nil, "", false
	case err != nil:
		p.log.ErrorContext(r.Context(), "app auth page: reading the app", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil, nil, "", false
	case !isv.ISV:
		http.Error(w, "APP_NOT_ISV: 当前请求app_id非第三方应用", http.StatusBadRequest)
		return nil, nil, "", false
	}
	return isv, redirect, get("state"), true
}

func (p *appAuthPage) show(w http.ResponseWriter, r *http.Request) {
	isv, redirect, state, ok := p.request(w, r, r.URL.Query().Get)
	if !ok {
		return
	}
	apps, err := p.svc.Apps(r.Context())
	if err != nil {
		p.log.ErrorContext(r.Context(), "app auth page: listing apps", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var merchants []*zfb.App
	for _, a := range apps {
		if !a.ISV {
			merchants = append(merchants, a)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'")
	_ = appAuthTemplate.Execute(w, map[string]any{"ISV": isv.ID, "RedirectURI": redirect.String(), "State": state, "Merchants": merchants})
}

func (p *appAuthPage) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	isv, redirect, state, ok := p.request(w, r, r.PostForm.Get)
	if !ok {
		return
	}
	code, err := p.svc.AuthorizeApp(r.Context(), isv.ID, r.PostForm.Get("merchant_app_id"))
	switch {
	case errors.Is(err, zfb.ErrNotFound), errors.Is(err, zfb.ErrNotISV):
		http.Error(w, "choose a merchant app other than the ISV app", http.StatusBadRequest)
		return
	case err != nil:
		p.log.ErrorContext(r.Context(), "app auth page: authorizing", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	q := redirect.Query()
	q.Set("app_id", isv.ID)
	q.Set("source", "alipay_app_auth")
	q.Set("app_auth_code", code.Code)
	if state != "" {
		q.Set("state", state)
	}
	redirect.RawQuery = q.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusSeeOther)
}

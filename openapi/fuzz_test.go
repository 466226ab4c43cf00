package openapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzGateway feeds arbitrary query strings, Content-Types and bodies to
// gateway.do. Whatever arrives, the gateway must not panic, and a form it
// reads must be answered with HTTP 200 and one well-formed JSON envelope.
func FuzzGateway(f *testing.F) {
	g := newTestGateway(f)
	valid := g.signed(g.params("zfb.test.echo", `{"a":"1"}`))
	f.Add("charset=utf-8", "application/x-www-form-urlencoded", form(valid).Encode())
	f.Add("", "application/x-www-form-urlencoded;charset=GBK", "method=x&app_id="+g.app.ID+"&biz_content=%C4%E3")
	f.Add("charset=gbk&charset=utf-8", "", "sign=%ZZ")
	f.Add("app_id="+g.app.ID+"&method=zfb.test.echo", "text/plain", "a=b")
	f.Add("a;b=c", "application/x-www-form-urlencoded; charset=\"utf-8\"", "charset=latin1&x=1")
	f.Fuzz(func(t *testing.T, query, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/gateway.do", strings.NewReader(body))
		r.URL.RawQuery = query
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			return // a request that is not a form, or too large
		}
		out := w.Body.Bytes()
		if !bytes.HasPrefix(out, []byte(`{"`)) || !bytes.Contains(out, []byte(`_response":{"code":"`)) {
			t.Fatalf("not an envelope: %q", out)
		}
		if strings.Contains(strings.ToLower(w.Header().Get("Content-Type")), "utf-8") && !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
	})
}

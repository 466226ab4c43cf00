package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/server"
	"github.com/zfbpay/zfb/sqlstore"
)

func newService(t *testing.T) *zfb.Service {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, nil)
	if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestHostAllowList: the server answers the Host names it is known by and
// refuses others with 421, which defeats DNS rebinding (a page on
// evil.example whose name now points at 127.0.0.1).
func TestHostAllowList(t *testing.T) {
	svc := newService(t)
	type check struct {
		host string
		ok   bool
	}
	for _, tt := range []struct {
		name    string
		addr    string
		allowed []string
		checks  []check
	}{
		{"defaults", "127.0.0.1:8650", nil, []check{
			{"127.0.0.1:8650", true}, {"127.0.0.1", true}, {"localhost:8650", true}, {"LocalHost", true},
			{"localhost.", true}, {"[::1]:8650", true}, {"[::1]", true}, {"::1", true}, {"127.0.0.2:8650", true},
			{"", true}, // HTTP/1.0: no Host
			{"evil.example", false}, {"evil.example:8650", false}, {"localhost.evil.example", false},
			{"127.0.0.1.nip.io", false}, {"0.0.0.0:8650", false}, {"192.168.1.5:8650", false}, {"[::]:8650", false},
		}},
		{"no address (zfbtest before it listens)", "", nil, []check{
			{"127.0.0.1:41234", true}, {"localhost", true}, {"evil.example", false},
		}},
		{"listening on a LAN address", "192.168.1.5:8650", nil, []check{
			{"192.168.1.5:8650", true}, {"localhost:8650", true}, {"192.168.1.6:8650", false}, {"evil.example", false},
		}},
		{"listening on a wildcard (the printed URLs name it)", "[::]:8650", nil, []check{
			{"[::]:8650", true}, {"127.0.0.1:8650", true}, {"evil.example", false}, {"192.168.1.5", false},
		}},
		{"configured", "[::]:8650", []string{"zfb.internal", " .staging.example:8650", ""}, []check{
			{"zfb.internal", true}, {"ZFB.internal:8650", true}, {"staging.example", true}, {"a.b.staging.example:443", true},
			{"xstaging.example", false}, {"zfb.internal.evil.example", false}, {"evil.example", false}, {"localhost", true},
		}},
		{"any", "127.0.0.1:8650", []string{"*"}, []check{
			{"evil.example", true}, {"127.0.0.1:8650", true}, {"", true},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := server.Handler(svc, server.Config{Logger: svc.Logger, Addr: tt.addr, AllowedHosts: tt.allowed})
			for _, c := range tt.checks {
				r := httptest.NewRequest(http.MethodGet, "/dashboard/login", nil)
				r.Host = c.host
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				switch {
				case c.ok && w.Code != http.StatusOK:
					t.Errorf("Host %q: %d, want it answered\n%s", c.host, w.Code, w.Body)
				case !c.ok && w.Code != http.StatusMisdirectedRequest:
					t.Errorf("Host %q: %d, want 421", c.host, w.Code)
				case !c.ok:
					if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(w.Body.String(), "--allowed-hosts") {
						t.Errorf("Host %q: refusal %q %q: want plain text naming --allowed-hosts", c.host, ct, w.Body)
					}
				}
			}
		})
	}
}

// TestHostAllowListCoversEverything: the gateway, the admin API and the
// dashboard are all behind it; only the health check, which tells
// nothing, answers any Host (orchestrators probe it by IP).
func TestHostAllowListCoversEverything(t *testing.T) {
	svc := newService(t)
	h := server.Handler(svc, server.Config{Logger: svc.Logger, Addr: "127.0.0.1:8650"})
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/gateway.do", http.StatusMisdirectedRequest},
		{"POST", "/api/alipay/intl/acquiring/common/paycancel.htm", http.StatusMisdirectedRequest},
		{"GET", "/admin/v1/apps", http.StatusMisdirectedRequest},
		{"GET", "/dashboard/", http.StatusMisdirectedRequest},
		{"POST", "/dashboard/login", http.StatusMisdirectedRequest},
		{"GET", "/healthz", http.StatusOK},
	} {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		r.Host = "rebound.evil.example:8650"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("%s %s from rebound.evil.example: %d, want %d", tt.method, tt.path, w.Code, tt.want)
		}
	}
}

// TestHostAllowListOverHTTP: over a real connection, an HTTP/1.0 request
// without Host is answered, a rebound name is not.
func TestHostAllowListOverHTTP(t *testing.T) {
	svc := newService(t)
	srv := httptest.NewServer(server.Handler(svc, server.Config{Logger: svc.Logger}))
	defer srv.Close()
	raw := func(request string) int {
		t.Helper()
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, request); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := raw("GET /dashboard/login HTTP/1.0\r\n\r\n"); code != http.StatusOK {
		t.Errorf("HTTP/1.0 without Host: %d", code)
	}
	if code := raw("GET /dashboard/login HTTP/1.1\r\nHost: rebound.evil.example\r\n\r\n"); code != http.StatusMisdirectedRequest {
		t.Errorf("HTTP/1.1 with a rebound Host: %d", code)
	}
	resp, err := http.Get(srv.URL + "/dashboard/login") // Host: 127.0.0.1:port
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the test server's own URL: %d", resp.StatusCode)
	}
}

package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveUntilReady runs `zfb serve args…` with env until it prints its
// banner; stop ends it.
func serveUntilReady(t *testing.T, env map[string]string, args ...string) (stdout, stderr *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- testRun(ctx, append([]string{"serve"}, args...), func(k string) string { return env[k] }, stdout, stderr)
	}()
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15s of its context ending")
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "zfb is ready") {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready after 30s\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return stdout, stderr, stop
}

// dashboardURL is the dashboard URL of the banner.
func dashboardURL(t *testing.T, banner string) string {
	t.Helper()
	for line := range strings.Lines(banner) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "dashboard" {
			return f[1]
		}
	}
	t.Fatalf("no dashboard URL in\n%s", banner)
	return ""
}

// TestServeWarnsBeyondLoopback: serving on a wildcard address says loudly,
// in the log and beside the banner, that anyone who can reach it can pay
// and read private keys; and the Host allow-list still lets the printed
// URLs and --allowed-hosts in, and nothing else.
func TestServeWarnsBeyondLoopback(t *testing.T) {
	stdout, stderr, stop := serveUntilReady(t, map[string]string{"ZFB_ALLOWED_HOSTS": "zfb.internal, .staging.example"},
		"--addr", "0.0.0.0:0", "--data", filepath.Join(t.TempDir(), "data"))
	defer stop()
	errText := stderr.String()
	for _, want := range []string{
		"level=WARN", // the slog record
		"WARNING: zfb listens on",
		"not a loopback address",
		"anyone who can reach it can pay",
		"read private keys",
	} {
		if !strings.Contains(strings.ToLower(errText), strings.ToLower(want)) {
			t.Errorf("stderr does not say %q:\n%s", want, errText)
		}
	}

	u := dashboardURL(t, stdout.String())
	port := u[strings.LastIndex(u, ":")+1:]
	port = port[:strings.IndexByte(port, '/')]
	for _, tt := range []struct {
		host string
		want int
	}{
		{"", http.StatusOK}, // the printed URL as it is
		{"localhost:" + port, http.StatusOK},
		{"zfb.internal:" + port, http.StatusOK},
		{"ci.staging.example", http.StatusOK},
		{"rebound.evil.example:" + port, http.StatusMisdirectedRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, u+"login", nil)
		if tt.host != "" {
			req.Host = tt.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %slogin with Host %q: %d, want %d", u, tt.host, resp.StatusCode, tt.want)
		}
	}
}

func TestServeOnLoopbackDoesNotWarn(t *testing.T) {
	_, stderr, stop := serveUntilReady(t, nil, "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"))
	defer stop()
	if s := stderr.String(); strings.Contains(s, "WARN") {
		t.Errorf("serving on loopback warns:\n%s", s)
	}
}

// TestServeIntlRateLimitFlag: --intl-rate-limit (or ZFB_INTL_RATE_LIMIT)
// refuses what is not a rate before anything is written, and 0 lifts the
// limit, so that a load test can send more than the default 50/s.
func TestServeIntlRateLimitFlag(t *testing.T) {
	for _, bad := range []string{"-1", "NaN", "fast", "1e10"} {
		data := filepath.Join(t.TempDir(), "data")
		err := testRun(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--intl-rate-limit", bad},
			func(string) string { return "" }, &syncBuffer{}, &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), "--intl-rate-limit") {
			t.Errorf("--intl-rate-limit %s: err = %v, want a refusal naming the flag", bad, err)
		}
		if _, statErr := os.Stat(data); statErr == nil {
			t.Errorf("--intl-rate-limit %s: the data directory was created before the flag was checked", bad)
		}
	}
	env := map[string]string{"ZFB_INTL_RATE_LIMIT": "0"}
	_, _, stop := serveUntilReady(t, env, "--addr", "127.0.0.1:0", "--data", t.TempDir())
	stop()
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/reqfile"
	"github.com/zfbpay/zfb/sqlstore"
)

// TestServeRequestLogFlag: --request-log (or ZFB_REQUEST_LOG) bounds the
// log, the calls answered before shutdown are all written by the time
// serve returns, and 0 records nothing; a value that is not a count is
// refused before anything is written.
func TestServeRequestLogFlag(t *testing.T) {
	for _, bad := range []string{"-1", "many", "1.5"} {
		data := filepath.Join(t.TempDir(), "data")
		err := testRun(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--request-log", bad},
			func(string) string { return "" }, &syncBuffer{}, &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), "--request-log") {
			t.Errorf("--request-log %s: err = %v, want a refusal naming the flag", bad, err)
		}
		if _, statErr := os.Stat(data); statErr == nil {
			t.Errorf("--request-log %s: the data directory was created before the flag was checked", bad)
		}
	}
	for _, tc := range []struct {
		keep string
		want []string
	}{
		{"3", []string{"call-5", "call-4", "call-3"}},
		{"0", nil},
	} {
		data := t.TempDir()
		stdout, _, stop := serveUntilReady(t, map[string]string{"ZFB_REQUEST_LOG": tc.keep}, "--addr", "127.0.0.1:0", "--data", data)
		gateway := gatewayURL(stdout.String())
		for i := 1; i <= 5; i++ { // an app_id no app has: still a call, answered and recorded
			call(t, gateway, fmt.Sprintf("call-%d", i))
		}
		stop()
		if got := fileLogApps(t, filepath.Join(data, "zfb.db-requests")); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ZFB_REQUEST_LOG=%s: the log holds %v, want %v", tc.keep, got, tc.want)
		}
	}
}

// gatewayURL is the gateway URL of the banner.
func gatewayURL(banner string) string {
	for line := range strings.Lines(banner) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "gateway" {
			return f[1]
		}
	}
	return ""
}

func call(t *testing.T, gateway, appID string) {
	t.Helper()
	resp, err := http.PostForm(gateway, url.Values{"app_id": {appID}, "method": {"alipay.trade.query"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func appIDs(recs []*zfb.RequestRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.AppID)
	}
	return out
}

// fileLogApps lists the app ids of the request log in dir, newest first.
func fileLogApps(t *testing.T, dir string) []string {
	t.Helper()
	l, err := reqfile.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	recs, err := l.Requests(context.Background(), zfb.RequestFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return appIDs(recs)
}

// TestServeRequestLogSharedDatabase: a second serve of the same SQLite
// file (from another data directory) cannot write the first's log files;
// it says so and keeps its log as rows of the database, and both logs
// hold their own calls.
func TestServeRequestLogSharedDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shared.db")
	first, _, stopFirst := serveUntilReady(t, nil, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--db", db)
	second, stderr, stopSecond := serveUntilReady(t, nil, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--db", db)
	if !strings.Contains(stderr.String(), "keeping it in the database") {
		t.Errorf("the second serve did not say where its log went:\n%s", stderr)
	}
	call(t, gatewayURL(first.String()), "first")
	call(t, gatewayURL(second.String()), "second")
	stopSecond()
	stopFirst()
	if got := fileLogApps(t, db+"-requests"); strings.Join(got, " ") != "first" {
		t.Errorf("the files hold %v, want the first serve's call", got)
	}
	store, err := sqlstore.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	recs, err := store.Requests(context.Background(), zfb.RequestFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := appIDs(recs); strings.Join(got, " ") != "second" {
		t.Errorf("the database holds %v, want the second serve's call", got)
	}
}

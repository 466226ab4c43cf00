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
	"github.com/zfbpay/zfb/sqlstore"
)

// TestServeRequestLogFlag: --request-log (or ZFB_REQUEST_LOG) bounds the
// log, the calls answered before shutdown are all written by the time
// serve returns, and 0 records nothing; a value that is not a count is
// refused before anything is written.
func TestServeRequestLogFlag(t *testing.T) {
	for _, bad := range []string{"-1", "many", "1.5"} {
		data := filepath.Join(t.TempDir(), "data")
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--request-log", bad},
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
		gateway := ""
		for line := range strings.Lines(stdout.String()) {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "gateway" {
				gateway = f[1]
			}
		}
		for i := 1; i <= 5; i++ { // an app_id no app has: still a call, answered and recorded
			resp, err := http.PostForm(gateway, url.Values{"app_id": {fmt.Sprintf("call-%d", i)}, "method": {"alipay.trade.query"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		stop()
		store, err := sqlstore.Open(context.Background(), filepath.Join(data, "zfb.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := store.Requests(context.Background(), zfb.RequestFilter{Limit: 100})
		store.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r.AppID)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ZFB_REQUEST_LOG=%s: the log holds %v, want %v", tc.keep, got, tc.want)
		}
	}
}

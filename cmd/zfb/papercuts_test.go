package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/sandbox"
)

// zfbCLI runs one zfb command and returns its stdout and error.
func zfbCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := testRun(context.Background(), args, noEnv, &out, &errOut)
	if err != nil && testing.Verbose() {
		t.Logf("zfb %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), err
}

// TestDBSchemeRefused: --db names SQLite (a path, sqlite:PATH) or
// PostgreSQL; another scheme is refused by every database command,
// without its password, before anything is created.
func TestDBSchemeRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"sandbox"}, {"app", "list"}, {"app", "create"}, {"admin-token", "rotate"}} {
		for _, db := range []string{"mysql://root:hunter2@127.0.0.1/zfb", "sqlserver://sa@h/db", "mongodb+srv://h/db"} {
			_, err := zfbCLI(t, append(args, "--data", data, "--db", db)...)
			if err == nil || !strings.Contains(err.Error(), "--db") || !strings.Contains(err.Error(), "postgres://") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%q --db %s: %v, want a refusal naming --db and what it takes, without the password", args, db, err)
			}
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused --db left %s behind (%v)", data, err)
	}
	for _, db := range []string{"postgres://u@h/db", "postgresql://u@h/db", "sqlite:zfb.db", "zfb.db", "./a:b/zfb.db", "/var/lib/zfb/zfb.db", `C:\zfb\zfb.db`} {
		if err := (&config{db: db}).checkDB(); err != nil {
			t.Errorf("--db %s refused: %v", db, err)
		}
	}
}

// TestMissingDataDirectory: only serve creates the data directory; every
// other command that needs it says it is missing and creates nothing.
func TestMissingDataDirectory(t *testing.T) {
	data := filepath.Join(t.TempDir(), "nope")
	want := fmt.Sprintf("data directory %s does not exist (start `zfb serve` first or pass --data)", data)
	for _, args := range [][]string{
		{"sandbox"}, {"app", "list"}, {"app", "create"}, {"admin-token", "rotate"},
		{"call", "alipay.trade.query", "--biz", `{"out_trade_no":"T1"}`}, {"trade", "show", "2026"}, {"buyer", "list"},
		{"clock", "show"}, {"fault", "list"}, {"notify", "list"},
	} {
		_, err := zfbCLI(t, append(args, "--data", data)...)
		if err == nil || err.Error() != want {
			t.Errorf("%q: %v\nwant %s", args, err, want)
		}
		if _, err := os.Stat(data); !os.IsNotExist(err) {
			t.Fatalf("%q created the data directory (%v)", args, err)
		}
	}
	// With --db elsewhere, zfb sandbox needs no data directory, and makes
	// none (it used to create ./zfb-data).
	db := filepath.Join(t.TempDir(), "zfb.db")
	if _, err := zfbCLI(t, "sandbox", "--db", db, "--data", data); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("zfb sandbox --db created the data directory (%v)", err)
	}
}

// TestServeBindsFirst: a taken port fails before the data directory, the
// database or sandbox.json is written.
func TestServeBindsFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := filepath.Join(t.TempDir(), "data")
	_, err = zfbCLI(t, "serve", "--addr", ln.Addr().String(), "--data", data)
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("serve on a taken port: %v", err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("serve on a taken port created %s (%v)", data, err)
	}
}

// TestSecondServeRefused: while one zfb serves a data directory, a second
// is refused with a message naming the lock file and the process holding
// it, and sandbox.json stays as the first wrote it. Once the first stops,
// the directory is free.
func TestSecondServeRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	_, stop := startServe(t, "--data", data)
	sandboxPath := filepath.Join(data, "sandbox.json")
	before, err := os.ReadFile(sandboxPath)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(sandboxPath)
	time.Sleep(20 * time.Millisecond) // a rewrite would show in the modification time
	_, err = zfbCLI(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
	lock := filepath.Join(data, "zfb.lock")
	if err == nil || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) ||
		!strings.Contains(err.Error(), "in use by another zfb serve") {
		t.Fatalf("a second serve on %s: %v; want a refusal naming %s and process %d", data, err, lock, os.Getpid())
	}
	after, _ := os.ReadFile(sandboxPath)
	again, _ := os.Stat(sandboxPath)
	if !bytes.Equal(before, after) || !again.ModTime().Equal(info.ModTime()) {
		t.Fatal("the refused second serve rewrote sandbox.json")
	}
	stop()
	_, stop = startServe(t, "--data", data)
	stop()
}

// TestSandboxPrintsServedURLs: zfb sandbox prints the URLs the server
// bound (here a port the system picked), not the default address, unless
// --addr or ZFB_ADDR names another.
func TestSandboxPrintsServedURLs(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	served, stop := startServe(t, "--data", data)
	stop()
	if strings.Contains(served.GatewayURL, ":8650") || strings.Contains(served.GatewayURL, ":0/") {
		t.Fatalf("serve on port 0 wrote %s", served.GatewayURL)
	}
	printed := func(getenv func(string) string, args ...string) sandbox.File {
		t.Helper()
		var out bytes.Buffer
		if err := testRun(context.Background(), append([]string{"sandbox", "--data", data}, args...), getenv, &out, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		var f sandbox.File
		if err := json.Unmarshal(out.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := printed(noEnv); f.GatewayURL != served.GatewayURL || f.AdminURL != served.AdminURL || f.DashboardURL != served.DashboardURL || f.IntlURL != served.IntlURL {
		t.Errorf("zfb sandbox prints %s, %s; serve bound %s, %s", f.GatewayURL, f.AdminURL, served.GatewayURL, served.AdminURL)
	}
	if f := printed(noEnv, "--addr", "127.0.0.1:9999"); f.GatewayURL != "http://127.0.0.1:9999/gateway.do" {
		t.Errorf("--addr 127.0.0.1:9999: %s", f.GatewayURL)
	}
	env := func(k string) string { return map[string]string{"ZFB_ADDR": "127.0.0.1:9998"}[k] }
	if f := printed(env); f.GatewayURL != "http://127.0.0.1:9998/gateway.do" {
		t.Errorf("ZFB_ADDR=127.0.0.1:9998: %s", f.GatewayURL)
	}
}

// TestFaultDelayPastWriteTimeout: the CLI reports the admin API's refusal
// of a delay the server could never answer after, naming the timeout, and
// exits non-zero; nothing is added.
func TestFaultDelayPastWriteTimeout(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	_, stop := startServe(t, "--data", data)
	defer stop()
	_, err := zfbCLI(t, "fault", "add", "--method", "alipay.trade.pay", "--delay", "90s", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "write timeout (1m0s)") || !strings.Contains(err.Error(), "400") {
		t.Fatalf("fault add --delay 90s: %v, want the 400 naming the write timeout", err)
	}
	out, err := zfbCLI(t, "fault", "list", "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"faults": []`) {
		t.Fatalf("after the refusal: %v\n%s", err, out)
	}
	if _, err := zfbCLI(t, "fault", "add", "--method", "alipay.trade.pay", "--delay", "2s", "--data", data); err != nil {
		t.Fatalf("fault add --delay 2s: %v", err)
	}
}

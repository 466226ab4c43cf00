package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/zfbpay/zfb/sandbox"
)

// target is the zfb under load: one this harness started, in a process of
// its own, or one already running.
type target struct {
	roots   []string      // http://127.0.0.1:port, one per zfb instance
	sandbox *sandbox.File // its apps, keys and buyers
	db      string        // what it stores in, for the report
	cmd     *exec.Cmd     // nil when not started here
	tmp     string        // the started zfb's binary and data directory
	signer  string        // what the zfb signs with: signerGo, signerOpenSSL or signerUnknown
	pprof   string        // the started zfb's profiler, host:port; "" when off
	// exited is closed once the started zfb has exited, with waitErr
	// set to how.
	exited  chan struct{}
	waitErr error
}

func startTarget(ctx context.Context, c config, stderr io.Writer) (*target, error) {
	if c.target != "" {
		if c.sandbox == "" {
			return nil, errors.New("--target needs --sandbox (its sandbox.json)")
		}
		f, err := readSandbox(c.sandbox)
		if err != nil {
			return nil, err
		}
		t := &target{sandbox: f, db: "as configured", signer: signerUnknown}
		for _, root := range strings.Split(c.target, ",") {
			if root = strings.TrimSuffix(strings.TrimSpace(root), "/"); root != "" {
				t.roots = append(t.roots, root)
			}
		}
		if len(t.roots) == 0 {
			return nil, fmt.Errorf("--target %q names no zfb", c.target)
		}
		return t, nil
	}
	tmp, err := os.MkdirTemp("", "zfbload-")
	if err != nil {
		return nil, err
	}
	t := &target{tmp: tmp, db: "SQLite (the default)"}
	bin := c.zfbBinary
	if bin == "" {
		bin = filepath.Join(tmp, "zfb")
		fmt.Fprintf(stderr, "zfbload: building zfb (-tags %q)…\n", c.tags)
		build := exec.CommandContext(ctx, "go", "build", "-tags", c.tags, "-o", bin, "github.com/zfbpay/zfb/cmd/zfb")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			t.stop()
			return nil, fmt.Errorf("building zfb (run zfbload from the zfb module, or give --zfb): %w", err)
		}
	}
	t.signer = binarySigner(bin)
	data := filepath.Dir(t.sqlitePath())
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "warn", "--intl-rate-limit", "0"}
	if c.db != "" {
		args = append(args, "--db", c.db)
		t.db = "PostgreSQL"
		if !strings.HasPrefix(c.db, "postgres") {
			t.db = c.db
		}
	}
	if c.profile != "" {
		if t.pprof, err = freeLoopbackPort(); err != nil {
			t.stop()
			return nil, err
		}
		args = append(args, "--pprof", t.pprof)
	}
	t.cmd = exec.Command(bin, args...)
	t.cmd.Stdout, t.cmd.Stderr = stderr, stderr
	if err := t.cmd.Start(); err != nil {
		t.stop()
		return nil, err
	}
	t.exited = make(chan struct{})
	go func() { t.waitErr = t.cmd.Wait(); close(t.exited) }()
	// serve writes sandbox.json once it listens, with the port it got. A
	// zfb that exits first (a database it cannot open, say) has said why
	// on stderr, which is ours.
	deadline := time.After(3 * time.Minute)
	for {
		f, err := readSandbox(filepath.Join(data, "sandbox.json"))
		if err == nil && ready(f.GatewayURL) {
			t.sandbox, t.roots = f, []string{strings.TrimSuffix(f.GatewayURL, "/gateway.do")}
			return t, nil
		}
		select {
		case <-t.exited:
			t.stop()
			return nil, fmt.Errorf("zfb exited before it was ready (%v); what it printed is above", t.waitErr)
		case <-deadline:
			t.stop()
			return nil, errors.New("zfb did not become ready within 3 minutes")
		case <-ctx.Done():
			t.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeLoopbackPort finds a loopback address free a moment ago.
func freeLoopbackPort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// profile fetches a CPU profile of the started zfb over the next seconds
// into path.
func (t *target) profile(ctx context.Context, seconds int, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", t.pprof, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiler: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readSandbox(path string) (*sandbox.File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f sandbox.File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Apps) == 0 || len(f.Buyers) == 0 {
		return nil, fmt.Errorf("%s: no apps or no buyers", path)
	}
	return &f, nil
}

func ready(gatewayURL string) bool {
	resp, err := http.Get(gatewayURL)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (t *target) describe() string {
	if t.cmd == nil {
		return "zfb at " + strings.Join(t.roots, ", ")
	}
	return fmt.Sprintf("zfb (pid %d, signing with %s) on %s", t.cmd.Process.Pid, t.signer, t.db)
}

// pid is the started zfb's process ID, 0 for a --target.
func (t *target) pid() int {
	if t.cmd == nil || t.cmd.Process == nil {
		return 0
	}
	return t.cmd.Process.Pid
}

// sqlitePath is the SQLite file of the zfb started here without --db.
func (t *target) sqlitePath() string { return filepath.Join(t.tmp, "data", "zfb.db") }

// rssKiB is the resident set of the started zfb, 0 when unknown.
func (t *target) rssKiB() int64 { return processRSSKiB(t.pid()) }

func (t *target) stop() {
	if t.exited != nil {
		_ = t.cmd.Process.Signal(os.Interrupt)
		select {
		case <-t.exited:
		case <-time.After(10 * time.Second):
			_ = t.cmd.Process.Kill()
			<-t.exited
		}
	}
	if t.tmp != "" {
		os.RemoveAll(t.tmp)
	}
}

package interop

// TestREADMEWalkthrough runs README's "Walkthrough" as written: the commands of its ```sh blocks,
// in order, against the real zfb binary serving a temporary data directory (ZFB_DATA) on a free
// port (ZFB_ADDR=127.0.0.1:0), with examples/node/pay.mjs and the official Node SDK. The commands
// must be exactly walkthroughCommands, so README and test cannot drift apart.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zfbpay/zfb/admin/client"
	"github.com/zfbpay/zfb/sandbox"
)

// walkthroughCommands are the command lines of README's Walkthrough, in order. The "…" of the last
// one stands for the out_trade_no that `node pay.mjs` printed.
var walkthroughCommands = []string{
	"go run ./cmd/zfb serve",
	"cd examples/node",
	"npm ci",
	"node pay.mjs",
	"node pay.mjs --wrong-key",
	"cd ../..",
	`go run ./cmd/zfb call alipay.trade.query --biz '{"out_trade_no":"…"}'`,
}

const walkthroughHeading = "## Walkthrough"

func TestREADMEWalkthrough(t *testing.T) {
	got := readmeWalkthroughCommands(t, filepath.Join("..", "README.md"))
	if !slices.Equal(got, walkthroughCommands) {
		t.Fatalf("README's Walkthrough runs\n  %s\nand this test runs\n  %s\nchange both together",
			strings.Join(got, "\n  "), strings.Join(walkthroughCommands, "\n  "))
	}
	node := requireNode(t)
	w := newWalk(t, node)
	for _, line := range walkthroughCommands {
		w.run(line)
	}
}

// walk is the state of a walkthrough in progress: the "terminal"'s directory, the server, and
// what the steps printed.
type walk struct {
	t          *testing.T
	node       string
	zfbBin     string
	root       string // the repository's root, where the walkthrough starts
	dir        string // the directory `cd` has moved to
	data       string // ZFB_DATA
	sb         *sandbox.File
	admin      *client.Client
	outTradeNo string // printed by `node pay.mjs`
	tradeNo    string
}

func newWalk(t *testing.T, node string) *walk {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "zfb")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found in PATH: %v", err)
	}
	build := exec.Command(gobin, "build", "-o", bin, "./cmd/zfb")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/zfb: %v\n%s", err, out)
	}
	return &walk{t: t, node: node, zfbBin: bin, root: root, dir: root, data: filepath.Join(tmp, "zfb-data")}
}

// env is the environment every step runs with: where the data directory is and a free port.
func (w *walk) env() []string {
	return append(os.Environ(), "ZFB_DATA="+w.data, "ZFB_ADDR=127.0.0.1:0",
		"ZFB_SANDBOX="+filepath.Join(w.data, "sandbox.json"))
}

func (w *walk) run(line string) {
	t := w.t
	t.Logf("$ %s", line)
	args := shellWords(t, line)
	switch {
	case args[0] == "cd":
		w.dir = filepath.Join(w.dir, args[1])
	case strings.HasPrefix(line, "go run ./cmd/zfb serve"):
		w.serve(args[3:])
	case strings.HasPrefix(line, "go run ./cmd/zfb call"):
		w.call(args[3:])
	case line == "npm ci":
		w.npmCI()
	case line == "node pay.mjs":
		w.pay(args[1:])
	case line == "node pay.mjs --wrong-key":
		w.payWrongKey(args[1:])
	default:
		t.Fatalf("the walkthrough test does not know how to run %q", line)
	}
}

// serve starts the zfb binary as `go run ./cmd/zfb serve` would, waits for "zfb is ready" and
// reads the sandbox.json it wrote. A cleanup stops it with SIGINT, as Ctrl-C would.
func (w *walk) serve(args []string) {
	t := w.t
	cmd := exec.Command(w.zfbBin, append([]string{"serve"}, args...)...)
	cmd.Dir, cmd.Env = w.dir, w.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("zfb serve did not stop within 20 s of SIGINT")
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var printed strings.Builder
		for sc.Scan() {
			printed.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "sandbox ") {
				ready <- printed.String()
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case printed := <-ready:
		if !strings.Contains(printed, "zfb is ready") || !strings.Contains(printed, "/dashboard/") {
			t.Fatalf("zfb serve printed %q, want its URLs", printed)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("zfb serve was not ready within 60 s; stderr:\n%s", stderr.String())
	}
	raw, err := os.ReadFile(filepath.Join(w.data, "sandbox.json"))
	if err != nil {
		t.Fatalf("reading the sandbox.json serve wrote: %v", err)
	}
	sb := new(sandbox.File)
	if err := json.Unmarshal(raw, sb); err != nil {
		t.Fatalf("the sandbox.json serve wrote: %v", err)
	}
	if len(sb.Apps) < 2 {
		t.Fatalf("the sandbox has %d apps, want two (--wrong-key borrows the second's key)", len(sb.Apps))
	}
	w.sb = sb
	w.admin = client.New(sb.AdminURL, sb.AdminToken)
}

// npmCI runs `npm ci` in examples/node, unless node_modules was installed from the same lock
// after package.json and package-lock.json last changed.
func (w *walk) npmCI() {
	t := w.t
	if filepath.Base(w.dir) != "node" {
		t.Fatalf("npm ci runs in %s, want examples/node", w.dir)
	}
	installed, err := os.Stat(filepath.Join(w.dir, "node_modules", ".package-lock.json"))
	fresh := err == nil
	for _, f := range []string{"package.json", "package-lock.json"} {
		st, err := os.Stat(filepath.Join(w.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		fresh = fresh && installed.ModTime().After(st.ModTime())
	}
	if fresh {
		t.Logf("node_modules is newer than the lock: npm ci not needed")
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm not found in PATH: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), npmCITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci")
	cmd.Dir = w.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", w.dir, err, out)
	}
}

// node runs `node pay.mjs ARGS` in the walk's directory and returns its exit status and the
// "name  value" lines it printed.
func (w *walk) runNode(args []string) (int, map[string]string, string) {
	t := w.t
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.node, args...)
	cmd.Dir, cmd.Env = w.dir, w.env()
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("node %v: %v\n%s", args, err, out)
		}
		code = ee.ExitCode()
	}
	lines := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		name, value, ok := strings.Cut(l, " ")
		if ok {
			lines[name] = strings.TrimSpace(value)
		}
	}
	return code, lines, string(out)
}

func (w *walk) pay(args []string) {
	t := w.t
	code, lines, out := w.runNode(args)
	if code != 0 {
		t.Fatalf("node pay.mjs exited %d:\n%s", code, out)
	}
	w.outTradeNo, w.tradeNo = lines["out_trade_no"], lines["trade_no"]
	if w.outTradeNo == "" || w.tradeNo == "" {
		t.Fatalf("node pay.mjs printed no out_trade_no or trade_no:\n%s", out)
	}
	if lines["notification"] != "TRADE_SUCCESS, signature verified by the SDK" {
		t.Errorf("node pay.mjs printed notification %q, want the SDK to verify a TRADE_SUCCESS notification:\n%s", lines["notification"], out)
	}
	ctx := t.Context()
	trade, err := w.admin.Trade(ctx, w.tradeNo)
	if err != nil {
		t.Fatalf("admin: trade %s: %v", w.tradeNo, err)
	}
	if trade.TradeStatus != "TRADE_SUCCESS" || trade.OutTradeNo != w.outTradeNo || trade.TotalAmount != "88.88" {
		t.Errorf("admin: trade %s is %s, out_trade_no %s, total %s; want TRADE_SUCCESS, %s, 88.88",
			w.tradeNo, trade.TradeStatus, trade.OutTradeNo, trade.TotalAmount, w.outTradeNo)
	}
	notes, err := w.admin.Notifications(ctx, w.sb.Apps[0].AppID)
	if err != nil {
		t.Fatal(err)
	}
	delivered := false
	for _, n := range notes {
		full, err := w.admin.Notification(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		delivered = delivered || (full.Fields["trade_no"] == w.tradeNo && full.DeliveredAt != nil)
	}
	if !delivered {
		t.Errorf("admin: no delivered notification of trade %s among %+v", w.tradeNo, notes)
	}
	w.checkDashboardTrade()
}

func (w *walk) payWrongKey(args []string) {
	t := w.t
	code, lines, out := w.runNode(args)
	if code != 1 {
		t.Fatalf("node pay.mjs --wrong-key exited %d, want 1:\n%s", code, out)
	}
	if !strings.HasPrefix(lines["answer"], "40002 Invalid Arguments isv.invalid-signature") {
		t.Fatalf("node pay.mjs --wrong-key printed answer %q, want 40002 isv.invalid-signature:\n%s", lines["answer"], out)
	}
	outTradeNo := lines["out_trade_no"]
	other := w.sb.Apps[1].AppID
	want := "signed with the private key of app " + other
	// The request log is written in batches: look until the call is there.
	var diagnoses []string
	for range 50 {
		diagnoses = w.failedRequestDiagnoses(outTradeNo)
		if len(diagnoses) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(diagnoses) != 1 || !strings.Contains(diagnoses[0], want) {
		t.Fatalf("the request log's failed calls naming %s have diagnoses %q, want one saying %q", outTradeNo, diagnoses, want)
	}
	t.Logf("diagnosis: %s", diagnoses[0])
	w.checkDashboardDiagnosis(outTradeNo, diagnoses[0])
}

// failedRequestDiagnoses reads GET /admin/v1/requests?failed=1&q=N and returns the diagnoses of
// the alipay.trade.pay calls whose signature failed with isv.invalid-signature.
func (w *walk) failedRequestDiagnoses(outTradeNo string) []string {
	t := w.t
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
		w.sb.AdminURL+"/requests?failed=1&q="+url.QueryEscape(outTradeNo), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.sb.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Requests []struct {
			Method    string `json:"method"`
			Signature string `json:"signature"`
			SubCode   string `json:"sub_code"`
			Diagnosis string `json:"diagnosis"`
		} `json:"requests"`
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/v1/requests: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range page.Requests {
		if r.Method == "alipay.trade.pay" && r.Signature == "failed" && r.SubCode == "isv.invalid-signature" {
			out = append(out, r.Diagnosis)
		}
	}
	return out
}

// call runs `zfb call …` with README's "…" replaced by the out_trade_no pay.mjs printed.
func (w *walk) call(args []string) {
	t := w.t
	if w.dir != w.root {
		t.Fatalf("go run ./cmd/zfb runs in %s, want the repository's root %s", w.dir, w.root)
	}
	args = slices.Clone(args)
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "…", w.outTradeNo)
	}
	cmd := exec.Command(w.zfbBin, args...)
	cmd.Dir, cmd.Env = w.dir, w.env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zfb %v: %v\n%s", args, err, out)
	}
	var ans map[string]any
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("zfb call printed no JSON: %v\n%s", err, out)
	}
	if ans["trade_status"] != "TRADE_SUCCESS" || ans["trade_no"] != w.tradeNo || ans["out_trade_no"] != w.outTradeNo {
		t.Errorf("zfb call answered %v, want trade %s (%s) TRADE_SUCCESS", ans, w.tradeNo, w.outTradeNo)
	}
}

package interop

// These tests drive zfb's gateway.do with the OFFICIAL Alipay Node SDK, alipay-sdk pinned to
// nodeSDKVersion in node/package.json and node/package-lock.json. Each case runs node/call.mjs as
// a subprocess: it reads one JSON request on stdin, calls sdk.exec(method, {bizContent},
// {validateSign}) — once, or for each of a sequence of calls — and prints one JSON line (see the
// comment at the top of call.mjs for what 4.14.0 resolves and rejects with). The trade scenarios
// are in node_trade_test.go.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testenv"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

const (
	// nodeSDKVersion is the exact alipay-sdk version this suite proves zfb against.
	nodeSDKVersion = "4.14.0"
	// nodeDir holds package.json, package-lock.json and call.mjs.
	nodeDir = "node"
	// unservedMethod is a method name zfb does not serve.
	unservedMethod = "alipay.zfb.no.such.method"

	npmCITimeout = 5 * time.Minute
	callTimeout  = 60 * time.Second
)

// nodeEnv is the Node toolchain, found and prepared once per test process.
type nodeEnv struct {
	node string // path of the node binary
	skip string // why the Node tests cannot run here ("" when they can)
	err  error  // npm ci or the installed SDK is broken: always a failure
}

var (
	nodeOnce sync.Once
	nodeRes  nodeEnv
)

// requireNode returns the path of node with node_modules installed by `npm ci` from the
// committed lock. Without node or npm it skips the test ("needs Node.js: …"), or fails it in CI.
func requireNode(t *testing.T) string {
	t.Helper()
	nodeOnce.Do(func() { nodeRes = setupNode() })
	if nodeRes.err != nil {
		t.Fatalf("node interop setup: %v", nodeRes.err)
	}
	if nodeRes.skip != "" {
		testenv.Require(t, testenv.NodeJS, nodeRes.skip)
	}
	return nodeRes.node
}

func setupNode() nodeEnv {
	node, err := exec.LookPath("node")
	if err != nil {
		return nodeEnv{skip: "node not found in PATH"}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nodeEnv{skip: "npm not found in PATH"}
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nodeEnv{skip: fmt.Sprintf("node --version: %v", err)}
	}
	version := strings.TrimSpace(string(out))
	if major, ok := nodeMajor(version); !ok || major < 18 {
		// alipay-sdk 4.x declares engines.node >= 18.0.0.
		return nodeEnv{skip: fmt.Sprintf("node %s is too old; alipay-sdk %s needs >= 18", version, nodeSDKVersion)}
	}

	if err := checkPin(); err != nil {
		return nodeEnv{err: err}
	}
	stale, why := nodeModulesStale()
	if stale {
		ctx, cancel := context.WithTimeout(context.Background(), npmCITimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = nodeDir
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nodeEnv{err: fmt.Errorf("npm ci (%s) in %s: %v\n%s", why, nodeDir, err, buf.String())}
		}
		fmt.Fprintf(os.Stderr, "interop: npm ci (%s) in %s took %v:\n%s", why, nodeDir, time.Since(start).Round(time.Millisecond), buf.String())
	}
	if v, err := installedSDKVersion(); err != nil {
		return nodeEnv{err: err}
	} else if v != nodeSDKVersion {
		return nodeEnv{err: fmt.Errorf("node_modules holds alipay-sdk %s, want %s", v, nodeSDKVersion)}
	}
	return nodeEnv{node: node}
}

var nodeVersionRE = regexp.MustCompile(`^v(\d+)\.`)

func nodeMajor(version string) (int, bool) {
	m := nodeVersionRE.FindStringSubmatch(version)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// checkPin makes sure package.json still pins exactly nodeSDKVersion, so the suite cannot
// silently start testing another SDK version.
func checkPin() error {
	b, err := os.ReadFile(filepath.Join(nodeDir, "package.json"))
	if err != nil {
		return err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return fmt.Errorf("%s/package.json: %v", nodeDir, err)
	}
	if got := pkg.Dependencies["alipay-sdk"]; got != nodeSDKVersion {
		return fmt.Errorf("%s/package.json pins alipay-sdk %q, want exactly %q", nodeDir, got, nodeSDKVersion)
	}
	return nil
}

// nodeModulesStale reports whether node_modules must be (re)installed: it is absent, or npm's
// hidden lockfile (written by every install) is older than package.json or package-lock.json,
// or the installed alipay-sdk is not the pinned version.
func nodeModulesStale() (bool, string) {
	hidden, err := os.Stat(filepath.Join(nodeDir, "node_modules", ".package-lock.json"))
	if err != nil {
		return true, "node_modules absent"
	}
	for _, name := range []string{"package.json", "package-lock.json"} {
		fi, err := os.Stat(filepath.Join(nodeDir, name))
		if err != nil {
			return true, err.Error()
		}
		if fi.ModTime().After(hidden.ModTime()) {
			return true, name + " is newer than node_modules"
		}
	}
	if v, err := installedSDKVersion(); err != nil || v != nodeSDKVersion {
		return true, "installed alipay-sdk is not " + nodeSDKVersion
	}
	return false, ""
}

func installedSDKVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(nodeDir, "node_modules", "alipay-sdk", "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", err
	}
	return pkg.Version, nil
}

// nodeCall is the stdin of call.mjs.
type nodeCall struct {
	Gateway         string         `json:"gateway"`
	AppID           string         `json:"appId"`
	PrivateKey      string         `json:"privateKey"`
	AlipayPublicKey string         `json:"alipayPublicKey"`
	SignType        string         `json:"signType"`
	Method          string         `json:"method,omitempty"`
	BizContent      map[string]any `json:"bizContent,omitempty"`
	ValidateSign    bool           `json:"validateSign"`
	// EncryptKey (config.encryptKey) and NeedEncrypt (exec's needEncrypt) make the SDK encrypt
	// biz_content with the app's AES key (node_aes_test.go).
	EncryptKey  string `json:"encryptKey,omitempty"`
	NeedEncrypt bool   `json:"needEncrypt,omitempty"`
	// Calls, instead of Method and BizContent, makes call.mjs run a sequence (runNodeCalls).
	Calls []nodeStep `json:"calls,omitempty"`
	// The three certificate files put the SDK in public-key-certificate mode.
	AppCertPath          string `json:"appCertPath,omitempty"`
	AlipayPublicCertPath string `json:"alipayPublicCertPath,omitempty"`
	AlipayRootCertPath   string `json:"alipayRootCertPath,omitempty"`
}

// nodeStep is one call of a sequence.
type nodeStep struct {
	Method     string         `json:"method"`
	BizContent map[string]any `json:"bizContent,omitempty"`
	// AppAuthToken, when not nil, is sent as exec's params.appAuthToken ("" included).
	AppAuthToken *string `json:"appAuthToken,omitempty"`
	NotifyURL    string  `json:"notifyUrl,omitempty"`
}

// nodeResult is the one JSON line call.mjs prints.
type nodeResult struct {
	OK              bool           `json:"ok"`
	Result          map[string]any `json:"result"`
	Error           string         `json:"error"`
	Code            string         `json:"code"`
	Name            string         `json:"name"`
	ResponseDataRaw string         `json:"responseDataRaw"`

	stdout, stderr string
}

// String is what a failed assertion prints: the raw output of node, stderr included.
func (r nodeResult) String() string {
	return fmt.Sprintf("node stdout: %s\nnode stderr: %s", strings.TrimSpace(r.stdout), strings.TrimSpace(r.stderr))
}

// runNode runs call.mjs once for one call. It fails the test unless node exits 0 with exactly one
// JSON line.
func runNode(t *testing.T, node string, in nodeCall) nodeResult {
	t.Helper()
	if in.Method == "" || len(in.Calls) > 0 {
		t.Fatal("test bug: runNode takes one call (Method), not Calls")
	}
	res, line := execNode(t, node, in)
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		t.Fatalf("node call.mjs output is not JSON: %v\n%s", err, res)
	}
	return res
}

// runNodeCalls runs call.mjs once for a sequence of calls made by one SDK instance, with base's
// configuration (base.Method and base.BizContent must be empty). It returns one result per step,
// in order, each carrying the whole output of node for failure messages.
func runNodeCalls(t *testing.T, node string, base nodeCall, steps ...nodeStep) []nodeResult {
	t.Helper()
	if base.Method != "" || base.BizContent != nil || len(steps) == 0 {
		t.Fatal("test bug: runNodeCalls takes steps, not Method or BizContent")
	}
	base.Calls = steps
	out, line := execNode(t, node, base)
	var res []nodeResult
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		t.Fatalf("node call.mjs output is not a JSON array: %v\n%s", err, out)
	}
	if len(res) != len(steps) {
		t.Fatalf("node call.mjs printed %d results for %d calls\n%s", len(res), len(steps), out)
	}
	for i := range res {
		res[i].stdout, res[i].stderr = out.stdout, out.stderr
	}
	return res
}

// execNode runs call.mjs with in on stdin. It fails the test unless node exits 0 with exactly
// one line on stdout, and returns that line (with the raw output, for failure messages).
func execNode(t *testing.T, node string, in nodeCall) (nodeResult, string) {
	t.Helper()
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "call.mjs")
	cmd.Dir = nodeDir
	// NODE_DEBUG=alipay-sdk makes the SDK log the request URL and the raw response to stderr,
	// which a failed assertion prints. (Its signing debug log, alipay-sdk:util, stays off.)
	cmd.Env = append(os.Environ(), "NODE_DEBUG=alipay-sdk")
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := nodeResult{stdout: stdout.String(), stderr: stderr.String()}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node call.mjs did not finish within %v\n%s", callTimeout, res)
	}
	if err != nil {
		t.Fatalf("node call.mjs: %v\n%s", err, res)
	}
	lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("node call.mjs printed %d lines, want 1\n%s", len(lines), res)
	}
	return res, lines[0]
}

// newKeyPair returns a fresh RSA-2048 key: private key as PKCS#1 PEM, public key as PKIX PEM.
func newKeyPair(t *testing.T) (privPEM, pubPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	privPEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	pubPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return privPEM, pubPEM
}

// resultKeys are the only keys 4.14.0's exec may resolve with for a gateway error: the node's
// keys camelCased (camelcase defaults to true), plus traceId when the answer has a trace_id header.
var resultKeys = map[string]bool{"code": true, "msg": true, "subCode": true, "subMsg": true, "traceId": true}

// TestNodeSDK proves that the official Node SDK, unchanged, signs requests zfb accepts and
// verifies the responses zfb signs, for RSA2 and RSA apps, and that both signature checks are
// real: zfb rejects a request signed with the wrong key, and the SDK rejects a response it
// verifies with the wrong public key.
func TestNodeSDK(t *testing.T) {
	node := requireNode(t)

	srv := zfbtest.NewServer(t)
	rsa2 := srv.App()
	rsa1 := srv.NewApp(t, zfb.SignTypeRSA)
	if rsa2.SignType != string(zfb.SignTypeRSA2) || rsa1.SignType != string(zfb.SignTypeRSA) {
		t.Fatalf("sandbox apps have sign types %q and %q, want RSA2 and RSA", rsa2.SignType, rsa1.SignType)
	}
	otherPriv, otherPub := newKeyPair(t)

	call := func(app sandbox.App, signType string) nodeCall {
		return nodeCall{
			Gateway:         srv.GatewayURL,
			AppID:           app.AppID,
			PrivateKey:      app.AppPrivateKey,
			AlipayPublicKey: app.AlipayPublicKey,
			SignType:        signType,
			Method:          unservedMethod,
			BizContent:      map[string]any{"out_trade_no": "interop-node-1", "total_amount": "0.01"},
			ValidateSign:    true,
		}
	}

	tests := []struct {
		name  string
		in    nodeCall
		check func(t *testing.T, in nodeCall, r nodeResult)
	}{
		{
			// a. The SDK signs with the sandbox app's key; zfb verifies it, answers 40002
			// isv.invalid-method under the method's node, signed; the SDK verifies that sign.
			name:  "RSA2 unknown method, response verified",
			in:    call(rsa2, "RSA2"),
			check: wantGatewayError("isv.invalid-method"),
		},
		{
			// b. The same with an RSA (SHA1withRSA) app.
			name:  "RSA unknown method, response verified",
			in:    call(rsa1, "RSA"),
			check: wantGatewayError("isv.invalid-method"),
		},
		{
			// c. A request signed with another key: zfb answers isv.invalid-signature (signed,
			// since the app is known) and echoes the sign string it built.
			name: "request signed with the wrong private key",
			in: func() nodeCall {
				c := call(rsa2, "RSA2")
				c.PrivateKey = otherPriv
				return c
			}(),
			check: func(t *testing.T, in nodeCall, r nodeResult) {
				wantGatewayError("isv.invalid-signature")(t, in, r)
				subMsg, _ := r.Result["subMsg"].(string)
				for _, want := range []string{
					"app_id=" + in.AppID,
					"method=" + unservedMethod,
					"sign_type=RSA2",
					"charset=utf-8",
					"version=1.0",
					"out_trade_no",
				} {
					if !strings.Contains(subMsg, want) {
						t.Errorf("subMsg %q does not contain the gateway's sign string part %q\n%s", subMsg, want, r)
					}
				}
			},
		},
		{
			// d. The SDK verifies zfb's (valid) response with another public key: it must reject
			// it. This proves that (a) and (b) really were verified.
			name: "response verified with the wrong alipay public key",
			in: func() nodeCall {
				c := call(rsa2, "RSA2")
				c.AlipayPublicKey = otherPub
				return c
			}(),
			check: func(t *testing.T, in nodeCall, r nodeResult) {
				if r.OK {
					t.Fatalf("exec resolved; want a signature verification failure\n%s", r)
				}
				// alipay-sdk 4.14.0 checkResponseSign: AlipayRequestError without a code,
				// "验签失败，服务端返回的 sign: '<sign>' 无效, validateStr: '<node value>'".
				if r.Name != "AlipayRequestError" || r.Code != "" {
					t.Errorf("error name %q code %q, want AlipayRequestError without a code\n%s", r.Name, r.Code, r)
				}
				if !strings.HasPrefix(r.Error, "验签失败，服务端返回的 sign: '") || !strings.Contains(r.Error, "' 无效, validateStr: '{") {
					t.Errorf("error %q is not 4.14.0's response verification failure\n%s", r.Error, r)
				}
				if !strings.Contains(r.Error, `"sub_code":"isv.invalid-method"`) {
					t.Errorf("error %q: the verified string is not the isv.invalid-method node\n%s", r.Error, r)
				}
				node := `{"` + strings.ReplaceAll(unservedMethod, ".", "_") + `_response":{`
				if !strings.HasPrefix(r.ResponseDataRaw, node) || !strings.Contains(r.ResponseDataRaw, `},"sign":"`) {
					t.Errorf("raw response %q is not the compact envelope %s…},\"sign\":\"…\"}\n%s", r.ResponseDataRaw, node, r)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runNode(t, node, tc.in)
			tc.check(t, tc.in, r)
			if !t.Failed() {
				t.Logf("alipay-sdk %s: %s", nodeSDKVersion, strings.TrimSpace(r.stdout))
			}
		})
	}
}

// wantGatewayError checks that exec resolved (validateSign was on, so the SDK verified zfb's
// sign) with the camelCased node {code: "40002", msg: "Invalid Arguments", subCode, subMsg}.
func wantGatewayError(subCode string) func(t *testing.T, in nodeCall, r nodeResult) {
	return func(t *testing.T, in nodeCall, r nodeResult) {
		t.Helper()
		if !in.ValidateSign {
			t.Fatal("test bug: validateSign is off")
		}
		if !r.OK {
			t.Fatalf("exec rejected: %s (code %q); want a verified 40002 %s\n%s", r.Error, r.Code, subCode, r)
		}
		var keys []string
		for k := range r.Result {
			keys = append(keys, k)
			if !resultKeys[k] {
				t.Errorf("result has unexpected key %q (want only %v)\n%s", k, resultKeys, r)
			}
		}
		sort.Strings(keys)
		if got := r.Result["code"]; got != "40002" {
			t.Errorf("result code = %v, want \"40002\" (keys %v)\n%s", got, keys, r)
		}
		if got := r.Result["msg"]; got != "Invalid Arguments" {
			t.Errorf("result msg = %v, want \"Invalid Arguments\"\n%s", got, r)
		}
		if got := r.Result["subCode"]; got != subCode {
			t.Errorf("result subCode = %v, want %q\n%s", got, subCode, r)
		}
		subMsg, _ := r.Result["subMsg"].(string)
		if subMsg == "" {
			t.Errorf("result has no subMsg\n%s", r)
		}
		// spec/openapi.md §3 documents 不存在的方法名 for isv.invalid-method. (The wording of
		// isv.invalid-signature varies; the caller checks the sign string it must carry.)
		if want := "不存在的方法名"; subCode == "isv.invalid-method" && !strings.Contains(subMsg, want) {
			t.Errorf("result subMsg = %q, want it to contain %q\n%s", subMsg, want, r)
		}
	}
}

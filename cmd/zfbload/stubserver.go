package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/zfbpay/zfb/sign"
)

// stubServerArg, as zfbload's only argument, runs the stub server: the
// stub is measured in a process of its own, like zfb, so that its CPU per
// answer can be read from /proc and compared with zfb's.
const stubServerArg = "stub-server"

// stubConfig is what the stub server reads, one JSON line on its stdin.
type stubConfig struct {
	AppPublicKey string `json:"app_public_key"` // PEM or Base64 DER
	Signer       string `json:"signer"`         // the measured zfb's: signerGo, signerOpenSSL, signerUnknown
	Alg          string `json:"alg"`
}

// runStubServer serves the stub on a loopback port it prints ("listening
// 127.0.0.1:port") until its stdin is closed.
func runStubServer(stdin io.Reader, stdout io.Writer) error {
	in := bufio.NewReader(stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("stub server: reading its configuration: %w", err)
	}
	var c stubConfig
	if err := json.Unmarshal(line, &c); err != nil {
		return fmt.Errorf("stub server: %w", err)
	}
	appPublic, err := sign.ParsePublicKey(c.AppPublicKey)
	if err != nil {
		return err
	}
	gatewayKey, err := sign.GenerateKey(2048)
	if err != nil {
		return err
	}
	signer, _, err := ceilingSigner(c.Signer, gatewayKey)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: stubHandler{appPublic: appPublic, signer: signer, alg: sign.Algorithm(c.Alg)}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, in) // until the parent closes stdin
	return srv.Close()
}

// stubProcess is a running stub server.
type stubProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
}

// startStubProcess runs this program as a stub server for c.
func startStubProcess(ctx context.Context, c stubConfig) (*stubProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, stubServerArg)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &stubProcess{cmd: cmd, stdin: stdin}
	line, _ := json.Marshal(c)
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		p.stop()
		return nil, err
	}
	first, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(first), "listening ")
	if err != nil || !ok {
		p.stop()
		return nil, errors.Join(errors.New("the stub server did not start"), err)
	}
	p.addr = addr
	return p, nil
}

func (p *stubProcess) pid() int { return p.cmd.Process.Pid }

func (p *stubProcess) stop() {
	p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

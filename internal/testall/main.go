// Command testall runs zfb's whole test suite — the main module, then the
// interop module — and ends with one line that says what was not tested:
//
//	go run ./internal/testall          # from the repository's root
//	go run ./internal/testall -run Trade -count 1
//
// It runs `go test -race -json [flags] ./...` in each module, prints what a
// plain `go test` prints (a line per package, the output of failing tests;
// everything with -v), and ends with either "all tests ran: nothing skipped"
// or "skipped: 12 tests for want of PostgreSQL (set ZFB_TEST_POSTGRES), …
// (run with -v to see them)". Tests that skip for want of a tool say so with
// a "needs <tool>:" message (internal/testenv); other skips are counted by
// their message. It exits 1 when a test or a build fails.
//
// Its arguments are flags for go test (-run, -count, -v, -short, -tags, …);
// the packages are always ./... of each module.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
)

// interopDir is the second module, relative to the main module's root.
const interopDir = "interop"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root, err := moduleRoot(ctx, ".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testall:", err)
		os.Exit(2)
	}
	os.Exit(run(ctx, modules(root), os.Args[1:], os.Stdout, os.Stderr))
}

// moduleRoot is the directory of the go.mod that governs dir.
func moduleRoot(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run it from the repository's root")
	}
	return filepath.Dir(gomod), nil
}

// modules lists the modules to test: root, and root/interop when it is one.
func modules(root string) []string {
	dirs := []string{root}
	if _, err := os.Stat(filepath.Join(root, interopDir, "go.mod")); err == nil {
		dirs = append(dirs, filepath.Join(root, interopDir))
	}
	return dirs
}

// run tests every module in dirs with `go test -race -json <args> ./...`,
// writes the report to stdout (go's own errors to stderr), and returns the
// exit code: 0 when everything passed, 1 otherwise.
func run(ctx context.Context, dirs []string, args []string, stdout, stderr io.Writer) int {
	r := newReport(stdout, verbose(args))
	code := 0
	for _, dir := range dirs {
		cmdArgs := append([]string{"test", "-race", "-json"}, args...)
		cmdArgs = append(cmdArgs, "./...")
		cmd := exec.CommandContext(ctx, "go", cmdArgs...)
		cmd.Dir = dir
		cmd.Stderr = stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			fmt.Fprintln(stderr, "testall:", err)
			return 1
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(stderr, "testall: go test in %s: %v\n", dir, err)
			return 1
		}
		readErr := r.read(out)
		if err := cmd.Wait(); err != nil || readErr != nil {
			if readErr != nil {
				fmt.Fprintf(stderr, "testall: reading go test's output in %s: %v\n", dir, readErr)
			}
			if err != nil && r.failedPackages() == 0 {
				// A failure no package reports (go could not list the
				// packages, say): go has explained it on stderr.
				fmt.Fprintf(stderr, "testall: go test in %s: %v\n", dir, err)
			}
			code = 1
		}
	}
	if r.failedPackages() > 0 {
		code = 1
	}
	r.finish()
	return code
}

// verbose reports whether args ask go test for -v.
func verbose(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue // a flag's value: -run v
		}
		switch strings.TrimLeft(a, "-") {
		case "v", "v=true", "v=1", "test.v", "test.v=true":
			return true
		}
	}
	return false
}

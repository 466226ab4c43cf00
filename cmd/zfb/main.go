// Command zfb is a self-hosted Alipay.
//
//	zfb serve                      serve on 127.0.0.1:8650 from ./zfb-data (SQLite)
//	zfb serve --db postgres://…    serve from PostgreSQL
//	zfb sandbox                    print sandbox.json
//	zfb app create|list|show       manage merchant apps
//	zfb admin-token rotate         replace the admin token
//	zfb keys                       print a fresh RSA-2048 key pair
//
// Every flag has a ZFB_* environment variable (ZFB_ADDR, ZFB_DATA, ZFB_DB,
// ZFB_ALLOWED_HOSTS, ZFB_LOG_LEVEL, ZFB_LOG_FORMAT); a flag wins over its
// variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "zfb:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `zfb is a self-hosted Alipay.

Usage:
  zfb serve   [--addr 127.0.0.1:8650] [--data ./zfb-data] [--db URL] [--allowed-hosts h1,h2] [--timestamp-skew 24h]
  zfb sandbox [--data ./zfb-data] [--db URL] [--addr …]
  zfb app create [--sign-type RSA2|RSA] [--methods m1,m2] [--name N] [--app-public-key FILE] [--db URL]
  zfb app list   [--db URL]
  zfb app show   [--db URL] APP_ID
  zfb admin-token rotate [--data ./zfb-data] [--db URL]
  zfb keys

--db is a SQLite file path (default <data>/zfb.db) or a postgres:// URL.
Environment: ZFB_ADDR, ZFB_DATA, ZFB_DB, ZFB_ALLOWED_HOSTS, ZFB_LOG_LEVEL (debug|info|warn|error), ZFB_LOG_FORMAT (text|json).
`

// run is main without the process: testable.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	env := environment{getenv: getenv, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "serve":
		return env.serve(ctx, args[1:])
	case "sandbox":
		return env.sandbox(ctx, args[1:])
	case "app":
		return env.app(ctx, args[1:])
	case "admin-token":
		return env.adminToken(ctx, args[1:])
	case "keys":
		return env.keys(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "zfb: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

type environment struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// Command zfb is a self-hosted Alipay.
//
//	zfb serve                      serve on 127.0.0.1:8650 from ./zfb-data (SQLite)
//	zfb serve --db postgres://…    serve from PostgreSQL
//	zfb sandbox                    print sandbox.json
//	zfb call METHOD --biz '{…}'    call gateway.do, signed as the sandbox's first app
//	zfb trade|buyer|clock|fault|notify …   the admin API's controls
//	zfb version                    the build's version
//
// Every flag has a ZFB_* environment variable (--admin-url: ZFB_ADMIN_URL);
// a flag wins over its variable. `zfb help COMMAND` lists a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/zfbpay/zfb/sandbox"
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
  zfb sandbox [--data ./zfb-data] [--db URL] [--addr …]      print sandbox.json
  zfb app create|list|show [--db URL] …                      manage merchant apps (in the database)
  zfb admin-token rotate [--data ./zfb-data] [--db URL]      replace the admin token
  zfb keys                                                   print a fresh RSA-2048 key pair
  zfb call METHOD --biz '{…}' [--app-id ID]                  call gateway.do and print the verified answer
  zfb trade show|pay|decline|scan …                          a trade; act as its buyer
  zfb buyer list|show|create|restrict|unrestrict|top-up …    sandbox buyers
  zfb clock show|advance DURATION|set TIME [--app-id ID]     an app's clock
  zfb fault list|add|clear|delete …                          fault rules (unknown results on demand)
  zfb notify list|replay …                                   notifications; send one again
  zfb version                                                the version, VCS revision and Go version
  zfb help COMMAND                                           a command's flags (as does COMMAND --help)

serve, sandbox, app and admin-token use the database: --db is a SQLite file path (default
<data>/zfb.db; sqlite:PATH too) or a postgres:// URL. The other commands use the admin API and
gateway.do of a running zfb, found in sandbox.json (--sandbox, default <data>/sandbox.json) or
given by --admin-url and --admin-token. Every flag also reads a ZFB_* environment variable
(--admin-url: ZFB_ADMIN_URL); a flag wins over its variable.
`

// run is main without the process: testable.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runIn(ctx, args, environment{getenv: getenv, stdout: stdout, stderr: stderr})
}

// runIn is run in env (whose helps it makes).
func runIn(ctx context.Context, args []string, env environment) error {
	env.helps = map[*flag.FlagSet]command{}
	err := dispatch(ctx, args, env)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, env environment) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, usage)
		return errUsage
	}
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
	case "call":
		return env.call(ctx, args[1:])
	case "trade":
		return env.trade(ctx, args[1:])
	case "buyer":
		return env.buyer(ctx, args[1:])
	case "clock":
		return env.clock(ctx, args[1:])
	case "fault":
		return env.fault(ctx, args[1:])
	case "notify":
		return env.notify(ctx, args[1:])
	case "version":
		return env.version(args[1:])
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && !isHelp(args[1]) {
			return dispatch(ctx, []string{args[1], "--help"}, env)
		}
		fmt.Fprint(env.stdout, usage)
		return nil
	}
	fmt.Fprintf(env.stderr, "zfb: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

type environment struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// helps holds each flag set's usage lines for its --help (newFlags).
	helps map[*flag.FlagSet]command
	// onParse, when set, sees every flag set before it parses (tests).
	onParse func(*flag.FlagSet)
	// sandboxOptions make a new database's sandbox (tests: keys made once,
	// internal/testkeys).
	sandboxOptions []sandbox.Option
}

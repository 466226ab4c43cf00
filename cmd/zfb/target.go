package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/zfbpay/zfb/admin/client"
	"github.com/zfbpay/zfb/sandbox"
)

// sandboxFlags locate the sandbox.json of a running zfb.
type sandboxFlags struct {
	data, path string
}

func (e environment) sandboxFlags(fs *flag.FlagSet) *sandboxFlags {
	s := &sandboxFlags{}
	fs.StringVar(&s.data, "data", "zfb-data", "the server's data directory, which holds its sandbox.json")
	fs.StringVar(&s.path, "sandbox", "", "the server's sandbox.json (default <data>/sandbox.json)")
	return s
}

// load reads sandbox.json: --sandbox, else <data>/sandbox.json, which
// needs the data directory to exist (only serve creates it).
func (s *sandboxFlags) load() (*sandbox.File, error) {
	path := s.path
	if path == "" {
		if err := (&config{data: s.data}).requireData(); err != nil {
			return nil, err
		}
		path = filepath.Join(s.data, "sandbox.json")
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist (start `zfb serve` first, or pass --sandbox, or --admin-url and --admin-token)", path)
	}
	if err != nil {
		return nil, err
	}
	var file sandbox.File
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("%s is not a sandbox.json: %w", path, err)
	}
	return &file, nil
}

// remote is where the admin-API commands find the server, and how they
// print.
type remote struct {
	sandbox              *sandboxFlags
	adminURL, adminToken string
	json                 bool
	file                 *sandbox.File // read by admin(), unless both URL and token were given
}

func (e environment) remoteFlags(fs *flag.FlagSet) *remote {
	r := &remote{sandbox: e.sandboxFlags(fs)}
	fs.StringVar(&r.adminURL, "admin-url", "", "the admin API, e.g. http://127.0.0.1:8650/admin/v1 (default: admin_url of sandbox.json)")
	fs.StringVar(&r.adminToken, "admin-token", "", "the admin token (default: admin_token of sandbox.json)")
	fs.BoolVar(&r.json, "json", false, "print JSON, for programs, instead of text")
	return r
}

// admin returns a client of the admin API.
func (r *remote) admin() (*client.Client, error) {
	if r.adminURL == "" || r.adminToken == "" {
		file, err := r.sandbox.load()
		if err != nil {
			return nil, err
		}
		r.file = file
		if r.adminURL == "" {
			r.adminURL = file.AdminURL
		}
		if r.adminToken == "" {
			r.adminToken = file.AdminToken
		}
	}
	return client.New(r.adminURL, r.adminToken), nil
}

// appID is the app a command acts on: given, else the sandbox's first
// app, else the first app the admin API lists.
func (r *remote) appID(ctx context.Context, c *client.Client, given string) (string, error) {
	switch {
	case given != "":
		return given, nil
	case r.file != nil && len(r.file.Apps) > 0:
		return r.file.Apps[0].AppID, nil
	}
	apps, err := c.Apps(ctx)
	if err != nil {
		return "", err
	}
	if len(apps) == 0 {
		return "", errors.New("the server has no apps; pass --app-id")
	}
	return apps[0].AppID, nil
}

// print writes v as JSON with --json, else what text writes, in columns
// separated by tabs.
func (e environment) print(r *remote, v any, text func(w io.Writer)) error {
	if r.json {
		return e.printJSON(v)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

// usageError says what is wrong, then prints the command's help, on
// stderr.
func (e environment) usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(e.stderr, "%s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	e.printHelp(e.stderr, fs)
	return errUsage
}

// subcommand splits a group's positional arguments into the subcommand
// and its arguments; it refuses a missing one, an unknown one, or a wrong
// number of arguments (want: the number each subcommand takes, -1 for
// "one or none").
func (e environment) subcommand(fs *flag.FlagSet, want map[string]int) (string, []string, error) {
	if fs.NArg() == 0 {
		return "", nil, e.usageError(fs, "which one?")
	}
	sub, rest := fs.Arg(0), fs.Args()[1:]
	n, ok := want[sub]
	switch {
	case !ok:
		return "", nil, e.usageError(fs, "unknown command %q", sub)
	case n >= 0 && len(rest) != n, n < 0 && len(rest) > 1:
		return "", nil, e.usageError(fs, "%s takes %d argument(s), not %d", sub, max(n, 1), len(rest))
	}
	return sub, rest, nil
}

// orDash is s, or "-" when empty, for a column.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sortedFields yields a map's entries by key.
func sortedFields(m map[string]string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sqlstore"
)

// config is what every command reads from flags and the environment.
type config struct {
	addr, data, db, logLevel, logFormat string
}

// flags registers the common flags on fs with ZFB_* defaults.
func (e environment) flags(fs *flag.FlagSet) *config {
	c := &config{}
	fs.StringVar(&c.addr, "addr", e.env("ZFB_ADDR", "127.0.0.1:8650"), "address to serve on")
	fs.StringVar(&c.data, "data", e.env("ZFB_DATA", "zfb-data"), "data directory: the SQLite database and sandbox.json")
	// The default is set after the flag is registered, so that a usage
	// message never prints ZFB_DB, which may hold a PostgreSQL password.
	fs.StringVar(&c.db, "db", "", "database: a SQLite file path or a postgres:// URL (default <data>/zfb.db; env ZFB_DB)")
	c.db = e.env("ZFB_DB", "")
	fs.StringVar(&c.logLevel, "log-level", e.env("ZFB_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", e.env("ZFB_LOG_FORMAT", "text"), "text or json")
	fs.SetOutput(e.stderr)
	return c
}

func (e environment) env(key, fallback string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return fallback
}

func (c *config) database() string {
	if c.db != "" {
		return c.db
	}
	return filepath.Join(c.data, "zfb.db")
}

// checkDB refuses a --db that names a database zfb cannot use: anything
// but a path, sqlite:PATH, or a postgres:// (postgresql://) URL.
func (c *config) checkDB() error {
	db := c.db
	if db == "" || strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") || strings.HasPrefix(db, "sqlite:") {
		return nil
	}
	scheme, _, ok := strings.Cut(db, ":")
	if !ok || len(scheme) < 2 || strings.ContainsAny(scheme, `/\.`) { // a path ("C:\zfb.db", "./a:b")
		return nil
	}
	return fmt.Errorf("--db %s: zfb keeps its data in SQLite (a file path, or sqlite:PATH) or PostgreSQL (postgres://…); %q is neither", redactDB(db), scheme+":")
}

// requireData refuses to go on when the data directory does not exist:
// only serve creates it.
func (c *config) requireData() error {
	info, err := os.Stat(c.data)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("data directory %s does not exist (start `zfb serve` first or pass --data)", c.data)
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("data directory %s is not a directory", c.data)
	}
	return nil
}

func (c *config) baseURL() string { return "http://" + c.addr }

func (e environment) logger(c *config) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
}

// open opens the store and a Service over it. A SQLite database in the
// data directory needs the directory to exist (serve creates it first).
func (e environment) open(ctx context.Context, c *config) (*zfb.Service, func(), error) {
	if err := c.checkDB(); err != nil {
		return nil, nil, err
	}
	if c.db == "" {
		if err := c.requireData(); err != nil {
			return nil, nil, err
		}
	}
	logger, err := e.logger(c)
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlstore.Open(ctx, c.database(), logger)
	if err != nil {
		return nil, nil, err
	}
	return zfb.NewService(store, nil, logger), func() { store.Close() }, nil
}

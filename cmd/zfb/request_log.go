package main

import (
	"errors"
	"strings"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/reqfile"
)

// requestLogDir is where the request log of a SQLite database lives in
// files, beside it as SQLite's -wal is: "" for PostgreSQL, whose
// instances share the log as rows.
func (c *config) requestLogDir() string {
	db := c.database()
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return ""
	}
	return strings.TrimPrefix(db, "sqlite:") + "-requests"
}

// openRequestLog gives svc the request log in files when the database is
// a SQLite file. Only one process may write those files: when another
// `zfb serve` of the same database holds them (or the system has no file
// lock), this one keeps its log as rows of the database, as before, with a
// warning, rather than refuse to serve. The returned function closes the
// files; call it after the recorder has written its last batch.
func openRequestLog(svc *zfb.Service, c *config) (closeLog func(), err error) {
	dir := c.requestLogDir()
	if dir == "" {
		return func() {}, nil
	}
	l, err := reqfile.Open(dir, svc.Logger)
	if errors.Is(err, reqfile.ErrLocked) || errors.Is(err, errors.ErrUnsupported) {
		svc.Logger.Warn("request log: keeping it in the database, not in files", "dir", dir, "reason", err)
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	svc.UseRequestLog(l)
	return func() {
		if err := l.Close(); err != nil {
			svc.Logger.Warn("request log: closing its files", "err", err)
		}
	}, nil
}

package main

import (
	"errors"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/reqfile"
	"github.com/zfbpay/zfb/sqlstore"
)

// requestLogDir is where the request log of a SQLite database lives in
// files: "" for PostgreSQL, whose instances share the log as rows.
func (c *config) requestLogDir() string {
	path, ok := sqlstore.SQLitePath(c.database())
	if !ok {
		return ""
	}
	return reqfile.DirBeside(path)
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

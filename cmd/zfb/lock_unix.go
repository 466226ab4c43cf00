//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lockData takes <dir>/zfb.lock, an exclusive flock held while serving, so
// that a second `zfb serve` on the same data directory is refused before
// it rewrites sandbox.json. The file says which process holds it; the
// kernel releases the lock when that process ends, however it ends.
func lockData(dir, addr string) (unlock func(), err error) {
	path := filepath.Join(dir, "zfb.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another process"
			if h := strings.TrimSpace(string(holder)); h != "" {
				who = h
			}
			return nil, fmt.Errorf("data directory %s is in use by another zfb serve (%s holds %s): stop it, or pass another --data", dir, who, path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	// Say who holds it, for the next one to report.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("process %d serving on %s\n", os.Getpid(), addr)), 0)
	}
	return func() {
		_ = f.Truncate(0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

//go:build unix

package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/zfbpay/zfb"
)

// The SQLite file and its -wal and -shm hold the admin token and every
// private key: they are the owner's only, whoever made the directory.

// withUmask022 runs the test under the common umask 022, under which a file
// created 0644 stays 0644, and restores the process's umask after it.
func withUmask022(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// wantOwnerOnly fails the test unless each of paths exists with mode 0600.
func wantOwnerOnly(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("%s has mode %v, want -rw------- (0600): it holds the admin token and private keys", filepath.Base(p), got)
		}
	}
}

// lockedBuffer is a log destination safe for the store's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSQLiteFilesOwnerOnlyInExistingDirectory(t *testing.T) {
	withUmask022(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // as mkdir makes it under umask 022
		t.Fatal(err)
	}
	path := filepath.Join(dir, "zfb.db")
	ctx := context.Background()
	for name, url := range map[string]string{"path": path, "sqlite: url": "sqlite:" + path} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(ctx, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.PutSetting(ctx, zfb.SettingAdminToken, "secret-token"); err != nil {
				t.Fatal(err)
			}
			// Read through the read pool too, so both pools hold the files.
			if _, err := s.Setting(ctx, zfb.SettingAdminToken); err != nil {
				t.Fatal(err)
			}
			wantOwnerOnly(t, path, path+"-wal", path+"-shm")
		})
	}
}

func TestSQLiteLooseFilesAreTightened(t *testing.T) {
	withUmask022(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "zfb.db")
	ctx := context.Background()

	// A database made before this rule, left readable by all, and held open
	// by another connection (another zfb on the file, say), so its -wal and
	// -shm exist with the main file's loose mode and are not empty (SQLite
	// itself only sets the mode of an empty one).
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting(ctx, zfb.SettingAdminToken, "secret-token"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.Exec(`INSERT INTO settings (key, value) VALUES ('other', 'x')`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o644 || info.Size() == 0 {
			t.Fatalf("setting up: %s is %v, %d bytes; want 0644 and not empty", filepath.Base(p), info.Mode().Perm(), info.Size())
		}
	}

	var logs lockedBuffer
	s, err = Open(ctx, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if token, err := s.Setting(ctx, zfb.SettingAdminToken); err != nil || token != "secret-token" {
		t.Fatalf("after tightening, the token reads %q, %v", token, err)
	}
	if err := s.PutSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	wantOwnerOnly(t, path, path+"-wal", path+"-shm")
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings, want one:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "zfb.db") {
		t.Errorf("the warning does not name the file:\n%s", logs.String())
	}

	// Tight already: opening again says nothing.
	logs.mu.Lock()
	logs.buf.Reset()
	logs.mu.Unlock()
	again, err := Open(ctx, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("a warning although every file is 0600:\n%s", logs.String())
	}
}

// A database in a directory Open makes is the owner's only too.
func TestSQLiteNewFileIsCreatedOwnerOnly(t *testing.T) {
	withUmask022(t)
	path := filepath.Join(t.TempDir(), "sub", "zfb.db") // a directory Open makes
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantOwnerOnly(t, path)
	info, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm()&fs.FileMode(0o077) != 0 {
		t.Errorf("the directory Open made has mode %v, want no group or other access", info.Mode().Perm())
	}
}

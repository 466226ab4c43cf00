package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartTargetSeesZFBExit: a zfb that exits before it is ready (a
// database it cannot open, say) fails the start at once with what it
// printed, rather than after the three minutes a slow start is given.
func TestStartTargetSeesZFBExit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "zfb")
	script := "#!/bin/sh\necho 'zfb: sqlstore: unknown setting' >&2\nexit 1\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	target, err := startTarget(ctx, config{zfbBinary: bin}, &stderr)
	if err == nil {
		target.stop()
		t.Fatal("started a zfb that exited")
	}
	if !strings.Contains(err.Error(), "exited before it was ready") || ctx.Err() != nil {
		t.Errorf("err = %v (context: %v), want the exit noticed before the test's deadline", err, ctx.Err())
	}
	if !strings.Contains(stderr.String(), "unknown setting") {
		t.Errorf("stderr = %q, want what zfb printed", stderr.String())
	}
}

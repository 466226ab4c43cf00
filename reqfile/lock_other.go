//go:build !unix

package reqfile

import (
	"errors"
	"fmt"
)

// lockDir refuses where flock is not available (the standard library has
// no portable file lock): without a lock two processes could interleave
// their writes, so the caller keeps the log elsewhere.
func lockDir(dir string) (unlock func(), err error) {
	return nil, fmt.Errorf("reqfile: %s: no file lock on this system: %w", dir, errors.ErrUnsupported)
}

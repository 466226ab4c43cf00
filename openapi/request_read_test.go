package openapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSized reads bodies whose Content-Length is right, too small,
// too large and unknown, one byte at a time too, and keeps the size
// limit's error.
func TestReadAllSized(t *testing.T) {
	body := strings.Repeat("app_id=1&method=x&", 50)
	for _, size := range []int64{-1, 0, 1, 10, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 100} {
		for _, oneByte := range []bool{false, true} {
			var r = iotest.OneByteReader(strings.NewReader(body))
			if !oneByte {
				r = strings.NewReader(body)
			}
			got, err := readAllSized(r, size)
			if err != nil || string(got) != body {
				t.Errorf("size %d, one byte %v: %d bytes, %v; want %d bytes", size, oneByte, len(got), err, len(body))
			}
		}
	}
	_, err := readAllSized(http.MaxBytesReader(nil, nopCloser{strings.NewReader(body)}, 100), 100)
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) {
		t.Errorf("over the limit: %v, want *http.MaxBytesError", err)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

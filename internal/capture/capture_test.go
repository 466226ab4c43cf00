package capture

import (
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	for _, tc := range []struct {
		name      string
		writes    []string
		want      string
		truncated bool
	}{
		{"under the limit", []string{"ab", "cd"}, "abcd", false},
		{"at the limit", []string{"abc", "de"}, "abcde", false},
		{"over in one write", []string{"abcdefg"}, "abcde", true},
		{"over in a later write", []string{"abcde", "f"}, "abcde", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := New(rec, 5)
			for _, s := range tc.writes {
				if _, err := w.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			if string(w.Body) != tc.want || w.Truncated != tc.truncated || w.Status != 200 {
				t.Errorf("kept %q (truncated %v, status %d), want %q (%v, 200)", w.Body, w.Truncated, w.Status, tc.want, tc.truncated)
			}
			if got := rec.Body.String(); got != joined(tc.writes) {
				t.Errorf("passed on %q", got)
			}
		})
	}
	rec := httptest.NewRecorder()
	w := New(rec, 5)
	w.WriteHeader(405)
	w.WriteHeader(500) // the first status stays, as net/http keeps it
	if w.Status != 405 {
		t.Errorf("status %d, want 405", w.Status)
	}
}

func joined(ss []string) string {
	var out string
	for _, s := range ss {
		out += s
	}
	return out
}

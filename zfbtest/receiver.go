package zfbtest

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Received is one notification a Receiver got: the form of a gateway.do
// notification (Form), the raw body either way (Body), and when.
type Received struct {
	Form url.Values
	Body []byte
	At   time.Time
}

// Receiver is a merchant's notify_url for tests: a loopback HTTP server that
// records every notification POSTed to it and answers "success" (or what
// Answer says), so that a test can wait for what zfb sends.
type Receiver struct {
	URL string

	mu     sync.Mutex
	got    []Received
	answer string
	more   chan struct{} // closed and replaced whenever one arrives
}

// NewReceiver starts a Receiver; tb.Cleanup stops it.
func NewReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := &Receiver{answer: "success", more: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(srv.Close)
	r.URL = srv.URL + "/notify"
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	got := Received{Body: body, At: time.Now()}
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		got.Form, _ = url.ParseQuery(string(body))
	}
	r.mu.Lock()
	r.got = append(r.got, got)
	answer := r.answer
	close(r.more)
	r.more = make(chan struct{})
	r.mu.Unlock()
	_, _ = io.WriteString(w, answer)
}

// Answer makes the receiver answer body from now on ("success"
// acknowledges a gateway.do notification; anything else makes zfb retry).
func (r *Receiver) Answer(body string) {
	r.mu.Lock()
	r.answer = body
	r.mu.Unlock()
}

// All returns what the receiver has got so far, oldest first.
func (r *Receiver) All() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.got...)
}

// Wait returns the first notification received that match accepts (all of
// them when match is nil), waiting up to timeout; it fails the test when
// none came.
func (r *Receiver) Wait(tb testing.TB, timeout time.Duration, match func(Received) bool) Received {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		r.mu.Lock()
		got, more := r.got, r.more
		r.mu.Unlock()
		for _, n := range got[seen:] {
			if match == nil || match(n) {
				return n
			}
		}
		seen = len(got)
		select {
		case <-more:
		case <-deadline.C:
			tb.Fatalf("zfbtest: no matching notification within %v (%d received)", timeout, seen)
			return Received{}
		}
	}
}

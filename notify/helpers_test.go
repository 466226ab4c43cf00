package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/notify"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// fakeClock is a wall clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 14, 7, 9, 26, 0, time.UTC)} // 15:09:26 in Beijing
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	sandboxOnce sync.Once
	sandboxVal  *zfb.Sandbox
	sandboxErr  error
)

// newSandbox is a copy of one sandbox generated for the package: RSA keys
// take a while to make.
func newSandbox(t *testing.T) *zfb.Sandbox {
	t.Helper()
	sandboxOnce.Do(func() { sandboxVal, sandboxErr = sandbox.Generate() })
	if sandboxErr != nil {
		t.Fatal(sandboxErr)
	}
	sb := &zfb.Sandbox{AdminToken: sandboxVal.AdminToken}
	for _, a := range sandboxVal.Apps {
		c := *a
		c.CreatedAt, c.Methods = time.Time{}, nil
		sb.Apps = append(sb.Apps, &c)
	}
	for _, b := range sandboxVal.Buyers {
		c := *b
		c.CreatedAt = time.Time{}
		sb.Buyers = append(sb.Buyers, &c)
	}
	return sb
}

// env is a zfb with a sandbox on a real store and a fake wall clock.
type env struct {
	t     *testing.T
	url   string // the database
	store *sqlstore.Store
	svc   *zfb.Service
	clock *fakeClock
	app   *zfb.App // with its keys
	logs  *syncBuffer
}

// newEnv opens a store at dbURL (a new SQLite file when "") and creates the
// sandbox in it.
func newEnv(t *testing.T, dbURL string) *env {
	t.Helper()
	if dbURL == "" {
		dbURL = filepath.Join(t.TempDir(), "zfb.db")
	}
	e := &env{t: t, url: dbURL, clock: newFakeClock(), logs: &syncBuffer{}}
	e.open()
	sb := newSandbox(t)
	if err := e.svc.CreateSandbox(t.Context(), sb); err != nil {
		t.Fatal(err)
	}
	e.app = sb.Apps[0]
	return e
}

// open opens the env's database (again) and a Service over it.
func (e *env) open() {
	e.t.Helper()
	store, err := sqlstore.Open(context.Background(), e.url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { store.Close() })
	e.store = store
	e.svc = zfb.NewService(store, zfb.ClockFunc(e.clock.Now), e.logger())
}

// logger writes to the test's output and to e.logs.
func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.MultiWriter(e.t.Output(), e.logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// enqueue puts a notification in the outbox, due now on the app's clock, as
// a command does in its transaction.
func (e *env) enqueue(kind, target string, fields map[string]string) *zfb.OutboxMessage {
	e.t.Helper()
	payload, err := json.Marshal(fields)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := e.t.Context()
	now, err := e.svc.AppNow(ctx, e.app.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	m := &zfb.OutboxMessage{AppID: e.app.ID, Kind: kind, Target: target, Payload: string(payload), NextAttempt: now, CreatedAt: now}
	if err := e.store.InTx(ctx, func(q zfb.Queries) error { return q.EnqueueOutbox(ctx, m) }); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// start runs a dispatcher over svc until the test ends; stop stops it
// earlier and waits until Run has returned.
func (e *env) start(svc *zfb.Service, opts ...notify.Option) (d *notify.Dispatcher, stop func()) {
	e.t.Helper()
	d = notify.New(svc, svc.Logger, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan error, 1)
	go func() { returned <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-returned; err != nil {
				e.t.Errorf("Run: %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return d, stop
}

// message reads a message and its sends.
func (e *env) message(id int64) (*zfb.OutboxMessage, []*zfb.OutboxAttempt) {
	e.t.Helper()
	m, as, err := e.svc.Notification(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m, as
}

// waitAttempts waits until message id has n scheduled sends recorded.
func (e *env) waitAttempts(id int64, n int) (*zfb.OutboxMessage, []*zfb.OutboxAttempt) {
	e.t.Helper()
	var (
		m  *zfb.OutboxMessage
		as []*zfb.OutboxAttempt
	)
	waitFor(e.t, "the send to be recorded", func() bool {
		m, as = e.message(id)
		return m.Attempts >= n
	})
	if m.Attempts != n {
		e.t.Fatalf("message %d: %d sends, want %d", id, m.Attempts, n)
	}
	return m, as
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quiet is how long a test waits to see that nothing happens: the
// dispatchers it runs poll every few milliseconds or are kicked.
const quiet = 60 * time.Millisecond

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	form   url.Values // of a form body
}

// receiver is a merchant's notify_url on loopback: it records what it gets
// and answers with answer (n counts requests from 1).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []*received
	answer func(w http.ResponseWriter, r *http.Request, n int)
}

func newReceiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got := &received{header: r.Header.Clone(), body: body}
		got.form, _ = url.ParseQuery(string(body))
		rc.mu.Lock()
		rc.got = append(rc.got, got)
		n := len(rc.got)
		rc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rc.answer(w, r, n)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// answering answers every request with body.
func answering(body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { io.WriteString(w, body) }
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func (rc *receiver) requests() []*received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*received(nil), rc.got...)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func isNotFound(err error) bool { return errors.Is(err, zfb.ErrNotFound) }

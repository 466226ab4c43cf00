package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/zfbpay/zfb/server"
)

// TestServeDrainsThenCloses: on shutdown a request in flight may finish
// within the drain period; what is still open after it is closed, and Serve
// returns instead of waiting.
func TestServeDrainsThenCloses(t *testing.T) {
	for _, tt := range []struct {
		name       string
		handlerFor time.Duration
		wantBody   bool
	}{
		{"finishes within the drain", 100 * time.Millisecond, true},
		{"outlasts the drain", 5 * time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			started := make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				time.Sleep(tt.handlerFor)
				_, _ = w.Write([]byte("done"))
			})
			// An idle connection that never sends a request.
			idle, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer idle.Close()
			ctx, stop := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- server.Serve(ctx, ln, h, slog.New(slog.DiscardHandler), 500*time.Millisecond) }()
			got := make(chan bool, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String())
				if err == nil {
					resp.Body.Close()
				}
				got <- err == nil
			}()
			<-started
			begin := time.Now()
			stop()
			select {
			case err := <-served:
				if err != nil {
					t.Fatalf("Serve: %v", err)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("Serve did not return within 3s of shutdown")
			}
			if took := time.Since(begin); took > 2*time.Second {
				t.Fatalf("shutdown took %v", took)
			}
			if ok := <-got; ok != tt.wantBody {
				t.Fatalf("request completed: %v, want %v", ok, tt.wantBody)
			}
		})
	}
}

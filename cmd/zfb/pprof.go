package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// Sampling rates of the mutex and block profiles while --pprof serves:
// one contention event in mutexProfileFraction, and every wait on a
// channel, select or lock of blockProfileRate or more (shorter ones in
// proportion). Off otherwise: they cost a little on every contended lock.
const (
	mutexProfileFraction = 10
	blockProfileRate     = 10 * time.Microsecond
)

// serveProfiler serves Go's profiler (net/http/pprof) on addr, a loopback
// address only: profiles show the process's memory. It is how zfbload
// --profile and `go tool pprof http://addr/debug/pprof/profile` see where
// a zfb under load spends its time. The handlers are registered on a mux
// of their own, never on the gateway's. It turns on the mutex and block
// profiles (/debug/pprof/mutex, /debug/pprof/block: where goroutines
// queue for each other under load) until stopped.
func serveProfiler(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof %s: %w", addr, err)
	}
	if !isLoopback(ln.Addr()) {
		ln.Close()
		return nil, fmt.Errorf("--pprof %s: the profiler serves on a loopback address only", addr)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	runtime.SetBlockProfileRate(int(blockProfileRate))
	go func() { _ = srv.Serve(ln) }()
	return func() {
		srv.Close()
		runtime.SetMutexProfileFraction(0)
		runtime.SetBlockProfileRate(0)
	}, nil
}

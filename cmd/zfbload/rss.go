package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// processRSSKiB is the resident set of process pid in KiB, from
// /proc/<pid>/status; 0 where /proc does not tell.
func processRSSKiB(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// rssSampler reads a process's RSS every interval while a workload runs,
// keeping the peak, and says the RSS and answers so far to log every
// logEvery (0: never), so that a long run shows whether it stays bounded.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak int64
	last int64
}

// rssSampleInterval is how often the RSS is read during a workload.
const rssSampleInterval = 100 * time.Millisecond

// startRSS samples pid's RSS until stopped; answered counts the answers so
// far, for the log lines of workload name.
func startRSS(pid int, name string, answered func() int64, log io.Writer, logEvery time.Duration) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	if pid <= 0 {
		close(s.done)
		return s
	}
	s.sample(pid)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(rssSampleInterval)
		defer tick.Stop()
		start, lastLog := time.Now(), time.Now()
		for {
			select {
			case <-s.stop:
				s.sample(pid)
				return
			case <-tick.C:
				rss := s.sample(pid)
				if log != nil && logEvery > 0 && time.Since(lastLog) >= logEvery {
					lastLog = time.Now()
					s.mu.Lock()
					peak := s.peak
					s.mu.Unlock()
					fmt.Fprintf(log, "zfbload: %s at %3.0f s: %d answers, zfb RSS %s (peak %s)\n",
						name, time.Since(start).Seconds(), answered(), mib(rss), mib(peak))
				}
			}
		}
	}()
	return s
}

func (s *rssSampler) sample(pid int) int64 {
	rss := processRSSKiB(pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if rss > 0 {
		s.last = rss
		s.peak = max(s.peak, rss)
	}
	return rss
}

// end stops sampling and returns the peak and the last RSS seen, in KiB.
func (s *rssSampler) end() (peak, last int64) {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.last
}

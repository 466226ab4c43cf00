package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// 100 on every Linux build that matters here.
const clockTick = 10 * time.Millisecond

// processCPU is the CPU time (user and system) process pid has used so
// far; ok is false where /proc does not tell (not Linux, the process gone).
func processCPU(pid int) (cpu time.Duration, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// the fields counted here start after its closing one.
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(s[end+1:])
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// cpuMeter measures the CPU a process spends over a workload.
type cpuMeter struct {
	pid   int
	start time.Duration
	ok    bool
}

func startCPU(pid int) cpuMeter {
	if pid <= 0 {
		return cpuMeter{}
	}
	start, ok := processCPU(pid)
	return cpuMeter{pid: pid, start: start, ok: ok}
}

// spent is the CPU spent since start; ok is false when unknown.
func (m cpuMeter) spent() (cpu time.Duration, ok bool) {
	if !m.ok {
		return 0, false
	}
	end, ok := processCPU(m.pid)
	if !ok {
		return 0, false
	}
	return end - m.start, true
}

// postgresCPU is the CPU time every PostgreSQL process on this machine has
// used so far: each process named "postgres" once (the postmaster, its
// background processes and the backends), with what the exited ones used
// (the postmaster's children's time), so that a connection closed during a
// workload still counts. ok is false where /proc shows no PostgreSQL. It
// counts the whole server: every database's sessions, not only zfb's.
func postgresCPU() (cpu time.Duration, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	var ticks int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone since ReadDir
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 15 {
			continue
		}
		// utime, stime, cutime and cstime are fields 14 to 17.
		for _, f := range fields[11:15] {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return 0, false
			}
			ticks += n
		}
		ok = true
	}
	return time.Duration(ticks) * clockTick, ok
}

// localPostgres reports whether the database URL names a PostgreSQL server
// on this machine, whose processes postgresCPU can read.
func localPostgres(db string) bool {
	if !strings.HasPrefix(db, "postgres") {
		return false
	}
	u, err := url.Parse(db)
	if err != nil {
		return false
	}
	switch h := u.Hostname(); {
	case h == "" || h == "localhost" || strings.HasPrefix(h, "/"):
		return true
	default:
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
}

// dbMeter measures the CPU local PostgreSQL spends over a workload.
type dbMeter struct {
	start time.Duration
	ok    bool
}

// startDB starts measuring when on is true (localPostgres).
func startDB(on bool) dbMeter {
	if !on {
		return dbMeter{}
	}
	start, ok := postgresCPU()
	return dbMeter{start: start, ok: ok}
}

// spent is the CPU spent since start; ok is false when unknown.
func (m dbMeter) spent() (cpu time.Duration, ok bool) {
	if !m.ok {
		return 0, false
	}
	end, ok := postgresCPU()
	if !ok {
		return 0, false
	}
	return end - m.start, true
}

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
	_, fields, ok := procStat(pid)
	if !ok {
		return 0, false
	}
	return ticksOf(fields, 11, 13) // utime and stime, fields 14 and 15
}

// procStat reads /proc/<pid>/stat: the command name (field 2) and the
// fields after it, from field 3 (state) on; ok is false where /proc does
// not tell.
func procStat(pid int) (comm string, fields []string, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", nil, false
	}
	// The command name is in parentheses and may hold spaces and ')'.
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", nil, false
	}
	return s[open+1 : end], strings.Fields(s[end+1:]), true
}

// ticksOf sums fields[from:to], counts of clock ticks, as CPU time.
func ticksOf(fields []string, from, to int) (cpu time.Duration, ok bool) {
	if len(fields) < to {
		return 0, false
	}
	var ticks int64
	for _, f := range fields[from:to] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, true
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
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, fields, found := procStat(pid)
		if !found || comm != "postgres" {
			continue // not PostgreSQL, or gone since ReadDir
		}
		// utime, stime, cutime and cstime: fields 14 to 17.
		if spent, known := ticksOf(fields, 11, 15); known {
			cpu, ok = cpu+spent, true
		}
	}
	return cpu, ok
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
	h := u.Hostname()
	if q := u.Query().Get("host"); q != "" {
		h = q // libpq's host parameter overrides the URL's
	}
	switch {
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

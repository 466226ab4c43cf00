package main

import (
	"fmt"
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

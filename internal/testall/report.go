package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/zfbpay/zfb/internal/testenv"
)

// event is one line of `go test -json` (cmd/test2json, plus the build
// events go test adds).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // of build-output
}

// line is one line of output and the test it belongs to ("" for the
// package).
type line struct{ test, text string }

// pkgOutput is what a package printed so far, and how its tests ended.
type pkgOutput struct {
	lines []line
	ended map[string]string // test → "pass", "fail" or "skip"
}

// report turns go test's events into what a plain go test prints, and
// counts the skipped tests by their reason.
type report struct {
	w       io.Writer
	verbose bool
	pkgs    map[string]*pkgOutput
	failed  []string       // packages that failed
	skips   map[string]int // reason → tests
}

func newReport(w io.Writer, verbose bool) *report {
	return &report{w: w, verbose: verbose, pkgs: map[string]*pkgOutput{}, skips: map[string]int{}}
}

// read consumes one go test -json stream.
func (r *report) read(rd io.Reader) error {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(r.w, sc.Text()) // not an event: pass it on
			continue
		}
		r.handle(e)
	}
	return sc.Err()
}

func (r *report) handle(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(r.w, e.Output)
		return
	case "build-fail":
		return
	}
	p := r.pkgs[e.Package]
	if p == nil {
		p = &pkgOutput{ended: map[string]string{}}
		r.pkgs[e.Package] = p
	}
	switch e.Action {
	case "output":
		p.lines = append(p.lines, line{e.Test, e.Output})
		if r.verbose {
			fmt.Fprint(r.w, e.Output)
		}
	case "pass", "fail", "skip":
		if e.Test != "" {
			p.ended[e.Test] = e.Action
			if e.Action == "skip" {
				r.skips[skipReason(p.lines, e.Test)]++
			}
			return
		}
		if e.Action == "fail" {
			r.failed = append(r.failed, e.Package)
		}
		if !r.verbose {
			r.printPackage(p, e.Action == "fail")
		}
		delete(r.pkgs, e.Package)
	}
}

// printPackage prints what plain go test prints of a finished package: its
// summary line ("ok  \tpkg\t0.1s") when it passed; when it failed, the
// output of its failing tests and of the package itself.
func (r *report) printPackage(p *pkgOutput, failed bool) {
	for _, l := range p.lines {
		if !failed {
			if l.test == "" && isSummary(l.text) {
				fmt.Fprint(r.w, l.text)
			}
			continue
		}
		if end := p.ended[l.test]; l.test != "" && end != "fail" && end != "" {
			continue // a test that passed or skipped
		}
		if strings.HasPrefix(l.text, "=== ") {
			continue // === RUN, PAUSE, CONT, NAME: -v's framing
		}
		fmt.Fprint(r.w, l.text)
	}
}

// isSummary reports whether a package's line is go test's summary of it.
func isSummary(s string) bool {
	return strings.HasPrefix(s, "ok  \t") || strings.HasPrefix(s, "?   \t") || strings.HasPrefix(s, "FAIL\t")
}

// logLine is a line written by t.Log, t.Skip, …: "    file_test.go:12: text".
var logLine = regexp.MustCompile(`^\s+[^\s:]+\.go:\d+: (.*)$`)

// skipReason is the message a skipped test gave: its last log line (the first line of a message
// of several), when nothing but -v's framing follows it. (A test that logs and then calls
// SkipNow is counted under what it logged last: the output cannot tell the two apart.)
func skipReason(lines []line, test string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].test != test {
			continue
		}
		text := strings.TrimRight(lines[i].text, "\n")
		if m := logLine.FindStringSubmatch(text); m != nil {
			return m[1]
		}
		switch {
		case strings.HasPrefix(text, "--- SKIP"), strings.HasPrefix(text, "=== "):
			// the test's end, or the framing of parallel tests
		case strings.HasPrefix(text, "        "):
			// a further line of the message
		default:
			return noReason
		}
	}
	return noReason
}

// noReason stands for the reason of a test skipped with SkipNow.
const noReason = "no reason given"

func (r *report) failedPackages() int { return len(r.failed) }

// finish prints the failed packages, if any, and the closing line.
func (r *report) finish() {
	if len(r.failed) > 0 {
		fmt.Fprintf(r.w, "FAIL: %d %s failed: %s\n", len(r.failed), plural(len(r.failed), "package", "packages"), strings.Join(r.failed, ", "))
	}
	fmt.Fprintln(r.w, summary(r.skips))
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// group is the skipped tests that share a reason.
type group struct {
	label string
	n     int
}

// summary is the closing line: what was skipped and why, needs first (in
// testenv's order), then other reasons, most frequent first.
func summary(skips map[string]int) string {
	if len(skips) == 0 {
		return "all tests ran: nothing skipped"
	}
	byNeed := map[string]int{}
	var others []group
	for reason, n := range skips {
		if need, ok := testenv.NeedOf(reason); ok {
			byNeed[need.Name] += n
			continue
		}
		others = append(others, group{fmt.Sprintf("because %q", reason), n})
	}
	var groups []group
	for _, need := range testenv.Needs() {
		if n := byNeed[need.Name]; n > 0 {
			groups = append(groups, group{"for want of " + need.Name + " (" + need.Hint + ")", n})
		}
	}
	sort.Slice(others, func(i, j int) bool {
		if others[i].n != others[j].n {
			return others[i].n > others[j].n
		}
		return others[i].label < others[j].label
	})
	groups = append(groups, others...)
	parts := make([]string, len(groups))
	for i, g := range groups {
		count := fmt.Sprint(g.n)
		if i == 0 {
			count += " " + plural(g.n, "test", "tests")
		}
		parts[i] = count + " " + g.label
	}
	return "skipped: " + strings.Join(parts, ", ") + " (run with -v to see them)"
}

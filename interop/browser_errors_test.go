package interop

import (
	"fmt"
	"strings"
	"sync"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
)

// pageErrors collects what the pages reported as errors: uncaught exceptions, console.error
// calls, and the browser's error log (a Content-Security-Policy violation, say). Network errors
// are left out: a test opens pages that answer 401 or 404 on purpose.
type pageErrors struct {
	mu   sync.Mutex
	list []string
}

// listen is a chromedp listener; it runs on the tab's reading goroutine.
func (p *pageErrors) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		if d := ev.ExceptionDetails; d != nil {
			msg = "exception: " + exceptionText(d)
			if d.URL != "" {
				msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
			}
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, remoteText(a))
			}
			msg = "console.error: " + strings.Join(args, " ")
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e != nil && e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
			msg = fmt.Sprintf("%s: %s", e.Source, e.Text)
			if e.URL != "" {
				msg += " (" + e.URL + ")"
			}
		}
	}
	if msg == "" {
		return
	}
	p.mu.Lock()
	p.list = append(p.list, msg)
	p.mu.Unlock()
}

func (p *pageErrors) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// remoteText is a console argument as text.
func remoteText(o *runtime.RemoteObject) string {
	switch {
	case o == nil:
		return ""
	case len(o.Value) > 0:
		return string(o.Value)
	default:
		return o.Description
	}
}

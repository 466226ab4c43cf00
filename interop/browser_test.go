package interop

// A headless Chromium for tests of the dashboard, driven with chromedp over the DevTools
// protocol: start it (newBrowser), sign in, open pages, click by text, fill by label or name, read
// the text of the page or of a table row. When a test that uses it fails, a screenshot and the
// HTML of the page are kept (see screenshotDir), and the failure names the files. What the pages
// report as errors (browser_errors_test.go) is logged then too, and requireNoPageErrors checks it.
//
// Without Chromium the test skips ("needs Chromium: …"), or fails in CI.

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/zfbpay/zfb/internal/testenv"
)

const (
	// browserTimeout bounds a browser's whole life in a test.
	browserTimeout = 2 * time.Minute
	// stepTimeout bounds one step (a page load, a wait for an element).
	stepTimeout = 15 * time.Second
	// screenshotsEnv names the directory for screenshots of failed tests.
	screenshotsEnv = "ZFB_SCREENSHOTS"
	// chromiumEnv names the browser binary, when it is not chromium in PATH.
	chromiumEnv = "ZFB_CHROMIUM"
)

// browser is one headless Chromium with one tab, for one test, on one zfb.
type browser struct {
	t      *testing.T
	ctx    context.Context // the tab's chromedp context
	base   string          // zfb's root URL, like http://127.0.0.1:41234
	errors *pageErrors
}

// findChromium returns the path of Chromium (or Chrome), or "" when there is none.
func findChromium() string {
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile for t, against the zfb at base. A
// cleanup stops it, after keeping a screenshot if t failed.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := findChromium()
	if path == "" {
		testenv.Require(t, testenv.Chromium, "no chromium in PATH (nor "+chromiumEnv+")")
	}
	// These flags make Chromium work as root on a closed network: without the background
	// networking ones, it tries to reach Google and loopback connections are refused.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	life, stopLife := context.WithTimeout(context.Background(), browserTimeout)
	alloc, stopAlloc := chromedp.NewExecAllocator(life, opts...)
	errs := &pageErrors{}
	ctx, stopTab := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf), chromedp.WithListener(errs.listen))
	t.Cleanup(func() {
		stopTab()
		stopAlloc()
		stopLife()
	})
	// The first Run starts the browser; it must not carry a step's timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	b := &browser{t: t, ctx: ctx, base: base, errors: errs}
	// Registered after the one that stops the browser, so it runs before it.
	t.Cleanup(b.keepScreenshotIfFailed)
	return b
}

// run runs steps within stepTimeout, failing the test with what on error.
func (b *browser) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %s: %v (at %s)", what, err, b.location())
	}
}

// navigation runs steps that load a page (a click on a link or a submit button) and returns the
// HTTP status of the page loaded.
func (b *browser) navigation(what string, steps ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.t.Fatalf("browser: %s: %v (at %s)", what, err, b.location())
	}
	return responseStatus(resp)
}

func responseStatus(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// open loads path (like "/dashboard/") of zfb and returns the HTTP status of the page it ends
// on (after redirects).
func (b *browser) open(path string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("browser: open %s: %v", path, err)
	}
	return responseStatus(resp)
}

// location is the URL of the page shown, or "" when it cannot be read.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return ""
	}
	return loc
}

// path is the path (and query) of the page shown, without zfb's root.
func (b *browser) path() string { return strings.TrimPrefix(b.location(), b.base) }

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	j, _ := json.Marshal(s) // a string always marshals
	return string(j)
}

// clickable selects the button, link or submit input whose visible text is text.
func clickable(text string) chromedp.JSPath {
	return chromedp.JSPath(`[...document.querySelectorAll('button, a, input[type=submit], input[type=button]')]` +
		`.find(e => (e.innerText || e.value || '').trim().replace(/\s+/g, ' ') === ` + jsString(text) + `)`)
}

// field selects the form control labelled label (by <label>), or else named label.
func field(label string) chromedp.JSPath {
	return chromedp.JSPath(`(() => { const want = ` + jsString(label) + `;` +
		` for (const l of document.querySelectorAll('label')) if (l.textContent.trim().replace(/\s+/g, ' ') === want && l.control) return l.control;` +
		` return document.getElementsByName(want)[0]; })()`)
}

// click clicks the button or link showing text, where the click does not load a page.
func (b *browser) click(text string) {
	b.t.Helper()
	b.run("click "+text, chromedp.Click(clickable(text), chromedp.NodeVisible))
}

// clickAndLoad clicks the button or link showing text, waits for the page it loads, and
// returns that page's HTTP status.
func (b *browser) clickAndLoad(text string) int {
	b.t.Helper()
	return b.navigation("click "+text, chromedp.Click(clickable(text), chromedp.NodeVisible))
}

// fill types value into the form control labelled (or named) label, after clearing it. A select
// is set to the option whose value is value.
func (b *browser) fill(label, value string) {
	b.t.Helper()
	sel := field(label)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel))
	if err != nil {
		b.t.Fatalf("browser: no field %q: %v (at %s)", label, err, b.location())
	}
	if strings.EqualFold(nodes[0].NodeName, "select") {
		b.run("choose "+value+" in "+label, chromedp.SetValue(sel, value))
		return
	}
	b.run("fill "+label, chromedp.Clear(sel), chromedp.SendKeys(sel, value))
}

// text is the visible text of the page.
func (b *browser) text() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// One script, not a DOM query: a node id found by a query can be gone by the time its text is
	// read ("No node with given id found", seen in CI right after a navigation).
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		b.t.Fatalf("browser: reading the page: %v (at %s)", err, b.location())
	}
	return s
}

// textOf is the visible text of the first element that the CSS selector css matches, or "" when
// none does.
func (b *browser) textOf(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+jsString(css)+`);`+
		` return e ? e.innerText.trim() : ''; })()`))
	if err != nil {
		b.t.Fatalf("browser: reading %s: %v (at %s)", css, err, b.location())
	}
	return s
}

// rowText is the visible text of the first table row with a cell that is want (or has it as a
// word), cells separated by tabs, or "" when there is none. With a heading, only tables after the
// first heading (h1–h6) whose text is heading count: rowText("Buyers", userID) finds the buyer's
// row, not a trade of that buyer listed above.
func (b *browser) rowText(heading, want string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const want = `+jsString(want)+`, heading = `+jsString(heading)+`;`+
		` let after = null;`+
		` if (heading !== '') { after = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].find(h => h.innerText.trim() === heading); if (!after) return ''; }`+
		` for (const tr of document.querySelectorAll('tr')) {`+
		`  if (after && !(after.compareDocumentPosition(tr) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;`+
		`  const cells = [...tr.cells].map(c => c.innerText.trim());`+
		`  if (cells.some(c => c === want || c.split(/\s+/).includes(want))) return cells.join('\t'); }`+
		` return ''; })()`))
	if err != nil {
		b.t.Fatalf("browser: reading the rows: %v (at %s)", err, b.location())
	}
	return s
}

// waitText waits until the page's text contains want, and fails the test if it never does.
func (b *browser) waitText(want string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		if strings.Contains(b.text(), want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("browser: the page at %s never showed %q; it shows:\n%s", b.location(), want, b.text())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signIn signs in to the dashboard with token and fails the test unless the overview shows.
func (b *browser) signIn(token string) {
	b.t.Helper()
	b.open("/dashboard/login")
	b.fill("Admin token", token)
	if status := b.clickAndLoad("Sign in"); status != 200 {
		b.t.Fatalf("browser: signing in answered HTTP %d at %s:\n%s", status, b.location(), b.text())
	}
	if p := b.path(); p != "/dashboard/" {
		b.t.Fatalf("browser: signed in, the browser is at %s, want /dashboard/; the page shows:\n%s", p, b.text())
	}
}

// requireNoPageErrors fails the test if a page reported an error so far (see pageErrors).
func (b *browser) requireNoPageErrors() {
	b.t.Helper()
	if errs := b.errors.all(); len(errs) > 0 {
		b.t.Errorf("browser: the pages reported %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
}

// screenshot returns a PNG of the whole page.
func (b *browser) screenshot() ([]byte, error) {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
}

// screenshotDir is where screenshots of failed tests go: $ZFB_SCREENSHOTS, or else
// testdata/screenshots (ignored by git).
func screenshotDir() string {
	if d := os.Getenv(screenshotsEnv); d != "" {
		return d
	}
	return filepath.Join("testdata", "screenshots")
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// keepScreenshotIfFailed writes a screenshot and the HTML of the page shown to screenshotDir
// when the test failed, and names the files in the test's log.
func (b *browser) keepScreenshotIfFailed() {
	if !b.t.Failed() {
		return
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("browser: no screenshot: %v", err)
		return
	}
	name := filepath.Join(dir, unsafeFileChars.ReplaceAllString(b.t.Name(), "_"))
	png, err := b.screenshot()
	if err != nil {
		b.t.Logf("browser: no screenshot of %s: %v", b.location(), err)
		return
	}
	if err := os.WriteFile(name+".png", png, 0o644); err != nil {
		b.t.Logf("browser: no screenshot: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		_ = os.WriteFile(name+".html", []byte(html), 0o644)
	}
	for _, e := range b.errors.all() {
		b.t.Logf("browser: a page reported %s", e)
	}
	abs, _ := filepath.Abs(name)
	b.t.Logf("browser: the page at the failure (%s) is in %s.png and %s.html", b.location(), abs, abs)
}

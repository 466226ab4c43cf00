// Package webstyle holds the look zfb's HTML pages share — the dashboard
// and the cashier: a template named "head" with the meta tags and the CSS.
package webstyle

import (
	"embed"
	"html/template"
)

//go:embed style.html
var fsys embed.FS

// Head adds the "head" template to t and returns t.
func Head(t *template.Template) *template.Template {
	return template.Must(t.ParseFS(fsys, "style.html"))
}

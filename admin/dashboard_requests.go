package admin

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/zfbpay/zfb"
)

//go:embed dashboard_requests.html dashboard_style.html
var requestsFS embed.FS

var requestsPages = template.Must(template.New("").Funcs(template.FuncMap{
	"search": requestsSearch,
}).ParseFS(requestsFS, "dashboard_requests.html", "dashboard_style.html"))

// requestsPath is the request log's page; other pages link to
// requestsPath+"?q=<number>" to list the calls that named a number.
const requestsPath = dashboardPath + "requests"

// requestsPageSize is how many calls a page of the log lists.
const requestsPageSize = 50

// routeRequests serves the request log: the list at requestsPath (?q=
// matches any reference number, a method or an app id; app_id=, method=,
// failed=1, before= for the next page) and one call at requestsPath/{id}.
func (d *dashboard) routeRequests() {
	d.mux.HandleFunc("GET "+requestsPath, d.authed(d.requestList))
	d.mux.HandleFunc("GET "+requestsPath+"/{id}", d.authed(d.requestDetail))
}

// requestsSearch is the link to the calls that named number.
func requestsSearch(number string) string {
	return requestsPath + "?q=" + url.QueryEscape(number)
}

type requestRow struct {
	zfb.RequestRecord
	When, Latency string
}

func requestRowOf(r *zfb.RequestRecord) requestRow {
	return requestRow{RequestRecord: *r, When: r.At.In(zfb.Beijing).Format("2006-01-02 15:04:05.000"),
		Latency: strconv.FormatFloat(float64(r.Latency.Microseconds())/1000, 'f', 1, 64) + " ms"}
}

type requestsChrome struct {
	CSRF, SessionEnds string
}

func (d *dashboard) requestList(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	f := zfb.RequestFilter{AppID: q.Get("app_id"), Method: q.Get("method"), Query: q.Get("q"),
		FailedOnly: q.Get("failed") == "1", Limit: requestsPageSize}
	for _, v := range []string{f.AppID, f.Method, f.Query} {
		if !cleanText(v, false) {
			http.Error(w, "the search must be UTF-8 without control characters", http.StatusBadRequest)
			return
		}
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			http.Error(w, "before must be a record id", http.StatusBadRequest)
			return
		}
		f.Before = n
	}
	records, err := d.svc.Requests(r.Context(), f)
	if err != nil {
		d.fail(w, r, "request log", err)
		return
	}
	data := struct {
		requestsChrome
		Filter zfb.RequestFilter
		Rows   []requestRow
		Older  string
	}{requestsChrome: requestsChrome{s.csrf(), zfb.FormatGatewayTime(s.expires)}, Filter: f}
	for _, rec := range records {
		data.Rows = append(data.Rows, requestRowOf(rec))
	}
	if len(records) == f.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(records[len(records)-1].ID, 10))
		data.Older = requestsPath + "?" + next.Encode()
	}
	d.render(w, r, http.StatusOK, requestsPages.Lookup("requests"), data)
}

func (d *dashboard) requestDetail(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	rec, err := d.svc.Request(r.Context(), id)
	if errors.Is(err, zfb.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		d.fail(w, r, "request log", err)
		return
	}
	data := struct {
		requestsChrome
		requestRow
	}{requestsChrome{s.csrf(), zfb.FormatGatewayTime(s.expires)}, requestRowOf(rec)}
	d.render(w, r, http.StatusOK, requestsPages.Lookup("request"), data)
}

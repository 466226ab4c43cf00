package admin

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/zfbpay/zfb"
)

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
		Filter zfb.RequestFilter
		Rows   []requestRow
		Older  string
	}{Filter: f}
	for _, rec := range records {
		data.Rows = append(data.Rows, requestRowOf(rec))
	}
	if len(records) == f.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(records[len(records)-1].ID, 10))
		data.Older = requestsPath + "?" + next.Encode()
	}
	d.show(w, r, s, "dashboard_requests.html", "Request log", "requests", data)
}

func (d *dashboard) requestDetail(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	rec, err := d.svc.Request(r.Context(), id)
	if err != nil {
		d.pageError(w, r, s, "call #"+r.PathValue("id"), err)
		return
	}
	d.show(w, r, s, "dashboard_request.html", "Call #"+r.PathValue("id")+": "+rec.Method, "requests", requestRowOf(rec))
}

package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/zfbpay/zfb"
)

func (h *Handler) routeRequests() {
	h.mux.HandleFunc("GET "+Prefix+"/requests", h.listRequests)
	h.mux.HandleFunc("GET "+Prefix+"/requests/{id}", h.showRequest)
}

// requestView is a record of the request log as the admin API shows it;
// the list leaves out the bulky fields.
type requestView struct {
	ID              int64             `json:"id"`
	At              time.Time         `json:"at"`
	Dialect         string            `json:"dialect"`
	AppID           string            `json:"app_id"`
	Method          string            `json:"method"`
	Signature       string            `json:"signature,omitempty"`
	Diagnosis       string            `json:"diagnosis,omitempty"`
	HTTPStatus      int               `json:"http_status"`
	Code            string            `json:"code"`
	SubCode         string            `json:"sub_code,omitempty"`
	Failed          bool              `json:"failed"`
	LatencyMS       float64           `json:"latency_ms"`
	Refs            []string          `json:"refs"`
	SignType        string            `json:"sign_type,omitempty"`
	Charset         string            `json:"charset,omitempty"`
	Params          map[string]string `json:"params,omitempty"`
	SignContent     string            `json:"sign_content,omitempty"`
	Answer          string            `json:"answer,omitempty"`
	AnswerTruncated bool              `json:"answer_truncated,omitempty"`
}

func viewRequest(r *zfb.RequestRecord, full bool) requestView {
	v := requestView{
		ID: r.ID, At: r.At.In(zfb.Beijing), Dialect: r.Dialect, AppID: r.AppID, Method: r.Method,
		Signature: r.Signature, Diagnosis: r.Diagnosis, HTTPStatus: r.HTTPStatus, Code: r.Code, SubCode: r.SubCode,
		Failed: r.Failed, LatencyMS: float64(r.Latency.Microseconds()) / 1000, Refs: r.Refs,
	}
	if v.Refs == nil {
		v.Refs = []string{}
	}
	if full {
		v.SignType, v.Charset, v.Params, v.SignContent = r.SignType, r.Charset, r.Params, r.SignContent
		v.Answer, v.AnswerTruncated = r.Answer, r.AnswerTruncated
	}
	return v
}

// requestFilter reads ?app_id=&method=&q=&failed=1&limit=&before=; it
// answers 400 itself and returns false for a bad value.
func requestFilter(w http.ResponseWriter, r *http.Request) (zfb.RequestFilter, bool) {
	q := r.URL.Query()
	f := zfb.RequestFilter{AppID: q.Get("app_id"), Method: q.Get("method"), Query: q.Get("q")}
	switch q.Get("failed") {
	case "", "0", "false":
	case "1", "true":
		f.FailedOnly = true
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", `"failed" must be 1 or 0`)
		return f, false
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "invalid_request", `"before" must be a record id`)
			return f, false
		}
		f.Before = n
	}
	limit, ok := listLimit(w, r)
	f.Limit = limit
	return f, ok
}

// listRequests lists the request log, newest first; "next" is the query
// of the following page when this one is full.
func (h *Handler) listRequests(w http.ResponseWriter, r *http.Request) {
	f, ok := requestFilter(w, r)
	if !ok {
		return
	}
	records, err := h.svc.Requests(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := struct {
		Requests []requestView `json:"requests"`
		Next     string        `json:"next,omitempty"`
	}{Requests: []requestView{}}
	for _, rec := range records {
		out.Requests = append(out.Requests, viewRequest(rec, false))
	}
	if len(records) == f.Limit {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(records[len(records)-1].ID, 10))
		out.Next = Prefix + "/requests?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) showRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	rec, err := h.svc.Request(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewRequest(rec, true))
}

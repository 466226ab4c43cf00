package admin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"unicode"
	"unicode/utf8"
)

// maxInputBody is the JSON body readJSON reads; the boundary reads as much.
const maxInputBody = 1 << 20

// guardInput puts checkInput in front of every route registered so far.
// New calls it after the routes.
func (h *Handler) guardInput() {
	routes := h.mux
	h.mux = http.NewServeMux()
	h.mux.Handle("/", checkInput(routes))
}

// checkInput is the admin API's input boundary: before any handler, a path
// or query that is not UTF-8 or holds a control character, or a body that
// is not UTF-8 or whose JSON holds a control character (other than tab,
// line feed and carriage return inside a string value), is answered 400
// invalid_request. What passes can be stored and looked up by either
// backend alike (PostgreSQL's TEXT refuses NUL, SQLite's does not), so a
// bad id is a 400 rather than a 404 on one and a 500 on the other.
func checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanText(r.URL.Path, false) {
			writeError(w, http.StatusBadRequest, "invalid_request", "the path must be UTF-8 without control characters")
			return
		}
		for k, vs := range r.URL.Query() {
			ok := cleanText(k, false)
			for _, v := range vs {
				ok = ok && cleanText(v, false)
			}
			if !ok {
				writeError(w, http.StatusBadRequest, "invalid_request", "the query must be UTF-8 without control characters")
				return
			}
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxInputBody+1))
			if err != nil {
				writeError(w, http.StatusBadRequest, "invalid_request", "the body could not be read")
				return
			}
			// Over the limit, the handler's readJSON refuses it as before;
			// what was read goes back in front of the rest.
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
			if len(body) <= maxInputBody {
				if msg := checkJSONBody(body); msg != "" {
					writeError(w, http.StatusBadRequest, "invalid_request", msg)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkJSONBody checks a request body: UTF-8, and, when it is JSON, no
// control character in a key or string value ("" when it passes). A body
// that is not JSON is left to the handler, which answers invalid_json.
func checkJSONBody(body []byte) string {
	if !utf8.Valid(body) {
		return "the body must be UTF-8"
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if !cleanJSON(v) {
		return "the body must not contain control characters (other than tab and line breaks in a string value)"
	}
	return ""
}

func cleanJSON(v any) bool {
	switch v := v.(type) {
	case string:
		return cleanText(v, true)
	case []any:
		for _, e := range v {
			if !cleanJSON(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range v {
			if !cleanText(k, false) || !cleanJSON(e) {
				return false
			}
		}
	}
	return true
}

// cleanText reports whether s is UTF-8 without control characters (C0, DEL,
// C1); text allows tab, line feed and carriage return.
func cleanText(s string, text bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case text && (r == '\t' || r == '\n' || r == '\r'):
		case unicode.IsControl(r):
			return false
		}
		i += size
	}
	return true
}

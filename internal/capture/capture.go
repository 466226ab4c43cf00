// Package capture keeps a copy of what a handler answers — its status and
// the first bytes of its body — for the request log.
package capture

import "net/http"

// Writer is an http.ResponseWriter that passes everything on and keeps the
// status and up to Limit bytes of the body.
type Writer struct {
	http.ResponseWriter
	Status    int    // 0 until WriteHeader or Write
	Body      []byte // the first Limit bytes written
	Truncated bool   // more than Limit bytes were written
	Limit     int
}

// New wraps w, keeping up to limit bytes of the body.
func New(w http.ResponseWriter, limit int) *Writer {
	return &Writer{ResponseWriter: w, Limit: limit}
}

// IfRecording wraps w in a Writer keeping up to limit bytes when
// recording is on, and returns that Writer too (nil when it is off, w
// then being returned as it is).
func IfRecording(w http.ResponseWriter, recording bool, limit int) (http.ResponseWriter, *Writer) {
	if !recording {
		return w, nil
	}
	cw := New(w, limit)
	return cw, cw
}

// WriteHeader records the status and passes it on.
func (w *Writer) WriteHeader(status int) {
	if w.Status == 0 {
		w.Status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write keeps what fits under the limit and passes everything on.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	room := w.Limit - len(w.Body)
	if len(b) > room {
		w.Truncated = true
	}
	if room > 0 {
		w.Body = append(w.Body, b[:min(room, len(b))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package openapi

import (
	"errors"
	"mime"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSized reads bodies whose Content-Length is right, too small,
// too large and unknown, one byte at a time too, and keeps the size
// limit's error.
func TestReadAllSized(t *testing.T) {
	body := strings.Repeat("app_id=1&method=x&", 50)
	for _, size := range []int64{-1, 0, 1, 10, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 100} {
		for _, oneByte := range []bool{false, true} {
			var r = iotest.OneByteReader(strings.NewReader(body))
			if !oneByte {
				r = strings.NewReader(body)
			}
			got, err := readAllSized(r, size)
			if err != nil || string(got) != body {
				t.Errorf("size %d, one byte %v: %d bytes, %v; want %d bytes", size, oneByte, len(got), err, len(body))
			}
		}
	}
	_, err := readAllSized(http.MaxBytesReader(nil, nopCloser{strings.NewReader(body)}, 100), 100)
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) {
		t.Errorf("over the limit: %v, want *http.MaxBytesError", err)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// parseContentType answers what mime.ParseMediaType says, on its fast path
// and off it.
func TestParseContentTypeAgreesWithMime(t *testing.T) {
	for _, ct := range []string{
		"",
		"application/x-www-form-urlencoded",
		"application/x-www-form-urlencoded;charset=utf-8",
		"application/x-www-form-urlencoded; charset=UTF-8",
		"application/x-www-form-urlencoded;  charset=GBK",
		"application/x-www-form-urlencoded;charset=gb2312",
		"application/x-www-form-urlencoded;charset=",
		"application/x-www-form-urlencoded;charset=\"utf-8\"",
		"application/x-www-form-urlencoded;charset=utf-8;charset=gbk",
		"application/x-www-form-urlencoded;charset=utf-8 ",
		"application/x-www-form-urlencoded;Charset=utf-8",
		"application/x-www-form-urlencoded;charset=utf-8;x=1",
		"application/x-www-form-urlencoded;",
		"application/x-www-form-urlencoded ;charset=utf-8",
		"application/x-www-form-urlencodedx",
		"Application/X-WWW-Form-Urlencoded;charset=utf-8",
		"application/json;charset=utf-8",
		"multipart/form-data; boundary=x",
		"text/plain;charset=gbk",
		";;",
	} {
		isForm, charset := parseContentType(ct)
		mt, params, err := mime.ParseMediaType(ct)
		wantForm := ct == "" || err == nil && mt == "application/x-www-form-urlencoded"
		wantCharset := ""
		if err == nil {
			wantCharset = params["charset"]
		}
		if isForm != wantForm || charset != wantCharset {
			t.Errorf("%q: got %v %q, mime says %v %q", ct, isForm, charset, wantForm, wantCharset)
		}
	}
}

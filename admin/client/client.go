// Package client is a Go client for zfb's admin API (/admin/v1): app
// clocks, buyers, trades and the buyer's actions on them, fault rules and
// notifications. It imports only the standard library, so programs and
// tests may use it without pulling in the server.
//
//	c := client.New(file.AdminURL, file.AdminToken)
//	now, err := c.AdvanceClock(ctx, appID, "25h")
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one zfb's admin API. It is safe for concurrent use.
type Client struct {
	base  string // the admin URL, e.g. http://127.0.0.1:8650/admin/v1, no trailing slash
	token string
	hc    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends the requests through hc (default: a client with a
// 30 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// New returns a client for the admin API at adminURL (admin_url in
// sandbox.json) with the bearer token (admin_token).
func New(adminURL, token string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(adminURL, "/"), token: token, hc: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is an answer of the admin API other than 2xx: its HTTP status and
// the API's error code and message ({"error":{"code","message"}}).
type Error struct {
	StatusCode int
	Code       string // e.g. not_found, invalid_request, clock_backwards, unauthorized
	Message    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("zfb admin API: %d %s: %s", e.StatusCode, e.Code, e.Message)
}

// IsCode reports whether err is an *Error with the code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// do sends method path with body (nil: none, else JSON) and decodes a 2xx
// answer into out (nil: discard).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("zfb admin API: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var answer struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		e := &Error{StatusCode: resp.StatusCode}
		if json.Unmarshal(raw, &answer) == nil && answer.Error.Code != "" {
			e.Code, e.Message = answer.Error.Code, answer.Error.Message
		} else {
			e.Code, e.Message = "http_"+fmt.Sprint(resp.StatusCode), excerpt(raw)
		}
		return e
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("zfb admin API: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// excerpt is the start of a body that is not the API's JSON (a proxy's
// error page, say).
func excerpt(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

package zfb

import (
	"context"
	"time"
)

// The dialects a RequestRecord comes from.
const (
	DialectOpenAPI = "openapi" // gateway.do
	DialectIntl    = "intl"    // international acquiring
)

// What became of a request's signature.
const (
	SignatureVerified  = "verified"
	SignatureFailed    = "failed"
	SignatureUnchecked = "" // the request was refused before its signature was checked
)

// MaxRecordedAnswer is how much of an answer body a RequestRecord keeps.
const MaxRecordedAnswer = 16 << 10

// RequestRecord is one gateway call as the request log keeps it, for the
// tester: what came in, the string the signature was verified over, what
// went out. Secrets are masked before a record is stored (package reqlog),
// so nothing here can be replayed to pay or to act for a merchant.
type RequestRecord struct {
	ID      int64
	At      time.Time // wall clock, when the request arrived
	Dialect string    // DialectOpenAPI or DialectIntl
	AppID   string    // "" when the request named no known app
	Method  string    // the gateway.do method, or the intl function
	// Params are the request's parameters as text: every gateway.do
	// parameter, or the intl head's fields and "body" (the request body's
	// JSON text).
	Params map[string]string
	// SignContent is the string the signature was verified over (for
	// gateway.do, the documented sign string; for intl, the request value).
	SignContent string
	SignType    string
	Charset     string
	Signature   string // SignatureVerified, SignatureFailed or SignatureUnchecked
	// Diagnosis says, for a signature that failed, which usual mistake
	// reproduces it, or that none does and what was tried.
	Diagnosis string
	// Answer is the answer body, cut at MaxRecordedAnswer bytes
	// (AnswerTruncated says it was).
	Answer          string
	AnswerTruncated bool
	HTTPStatus      int
	// Code and SubCode are the business status: code and sub_code of
	// gateway.do, resultStatus and resultCode of intl.
	Code, SubCode string
	// Failed says the call did not succeed: a code other than 10000 (and
	// 10003, which waits for the buyer), or an intl resultStatus other
	// than S.
	Failed  bool
	Latency time.Duration
	// Refs are the numbers of the objects the call named or was answered
	// with (out_trade_no, trade_no, auth_no, acquirementId, …), so that a
	// search for any of them finds it.
	Refs []string

	// Complete, when set, fills in what is costly to work out — the
	// parameters and the answer as text, the sign string, and when
	// diagnose is true the diagnosis of a failed signature. The recorder
	// runs it off the request's path; it is never stored.
	Complete func(ctx context.Context, r *RequestRecord, diagnose bool) `json:"-"`
}

// RequestFilter selects records of the request log, newest first.
type RequestFilter struct {
	AppID  string
	Method string
	// Query matches a record one of whose Refs is it, or whose method or
	// app id is it.
	Query      string
	FailedOnly bool
	// Before, when not 0, keeps records whose ID is below it (the next
	// page after a page that ended with Before).
	Before int64
	Limit  int // 1 to 1000; 0 is 100
}

// RequestRecorder takes records of gateway calls to store later; Record
// must not block.
type RequestRecorder interface {
	Record(r *RequestRecord)
}

// RequestLog keeps the request log: the four methods of Queries that
// serve it, with the semantics Queries documents. The Store is one (rows in
// its database); on SQLite, package reqfile keeps it in files instead.
type RequestLog interface {
	RecordRequests(ctx context.Context, records []*RequestRecord) error
	Requests(ctx context.Context, f RequestFilter) ([]*RequestRecord, error)
	Request(ctx context.Context, id int64) (*RequestRecord, error)
	PruneRequests(ctx context.Context, keep int) (int64, error)
}

// UseRequestLog makes the Service keep the request log in l instead of
// its Store. Call it before the Service serves, and close l only after the
// recorder has written its last batch.
func (s *Service) UseRequestLog(l RequestLog) { s.requests = l }

// requestLog is where the request log is kept: the one given to
// UseRequestLog, or the Store.
func (s *Service) requestLog() RequestLog {
	if s.requests != nil {
		return s.requests
	}
	return s.store
}

// RecordRequests stores records of gateway calls in one write and sets
// their IDs.
func (s *Service) RecordRequests(ctx context.Context, records []*RequestRecord) error {
	if len(records) == 0 {
		return nil
	}
	return s.requestLog().RecordRequests(ctx, records)
}

// Requests lists records of the request log, newest first.
func (s *Service) Requests(ctx context.Context, f RequestFilter) ([]*RequestRecord, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	return s.requestLog().Requests(ctx, f)
}

// Request finds one record of the request log.
func (s *Service) Request(ctx context.Context, id int64) (*RequestRecord, error) {
	return s.requestLog().Request(ctx, id)
}

// PruneRequests keeps the newest keep records of the request log and
// deletes the rest; it reports how many it deleted.
func (s *Service) PruneRequests(ctx context.Context, keep int) (int64, error) {
	return s.requestLog().PruneRequests(ctx, max(keep, 0))
}

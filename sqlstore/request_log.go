package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/jsontext"
)

// requestColumns are the columns of request_log, in scanRequest's order.
const requestColumns = `id, at, dialect, app_id, method, params, sign_content, sign_type, charset,
	signature, diagnosis, answer, answer_truncated, http_status, code, sub_code, failed, latency_us, refs`

// recordChunk is how many records one INSERT writes: multi-row
// statements cost a fraction of one statement per row, and a fixed size
// keeps the prepared statements few.
const recordChunk = 16

// RecordRequests stores the records in one write transaction, with their
// references, and sets their IDs.
func (q *queries) RecordRequests(ctx context.Context, records []*zfb.RequestRecord) error {
	return q.inWriteTx(ctx, func(q *queries) error {
		for len(records) > 0 {
			n := min(len(records), recordChunk)
			if err := q.recordChunk(ctx, records[:n]); err != nil {
				return err
			}
			records = records[n:]
		}
		return nil
	})
}

// recordChunk inserts the records with one statement and their references
// with another. Rows of one INSERT get increasing IDs in the order of its
// VALUES on both backends; the IDs it returns are sorted to match.
func (q *queries) recordChunk(ctx context.Context, records []*zfb.RequestRecord) error {
	const cols = 18
	args := make([]any, 0, cols*len(records))
	refs := make([][]string, len(records))
	for i, r := range records {
		refs[i] = cleanRefs(r.Refs)
		params, refsJSON := paramsJSON(r.Params), stringsJSON(refs[i])
		args = append(args, micros(r.At), clean(r.Dialect), clean(r.AppID), clean(r.Method), params, clean(r.SignContent),
			clean(r.SignType), clean(r.Charset), clean(r.Signature), clean(r.Diagnosis), clean(r.Answer),
			r.AnswerTruncated, r.HTTPStatus, clean(r.Code), clean(r.SubCode), r.Failed, r.Latency.Microseconds(),
			refsJSON)
	}
	rows, err := q.write.QueryContext(ctx, `INSERT INTO request_log
		(at, dialect, app_id, method, params, sign_content, sign_type, charset,
		 signature, diagnosis, answer, answer_truncated, http_status, code, sub_code, failed, latency_us, refs)
		VALUES `+q.store.dialect.rows(len(records), cols)+` RETURNING id`, args...)
	if err != nil {
		return fmt.Errorf("record %d requests: %w", len(records), classify(err))
	}
	ids := make([]int64, 0, len(records))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("record %d requests: %w", len(records), err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("record %d requests: %w", len(records), err)
	}
	if err := rows.Err(); err != nil || len(ids) != len(records) {
		return fmt.Errorf("record %d requests: %d IDs returned: %v", len(records), len(ids), err)
	}
	slices.Sort(ids)
	var refArgs []any
	for i, r := range records {
		r.ID = ids[i]
		for _, ref := range refs[i] {
			refArgs = append(refArgs, r.ID, ref)
		}
	}
	for len(refArgs) > 0 { // at most 64 references a statement
		n := min(len(refArgs), 128)
		if _, err := q.write.ExecContext(ctx, `INSERT INTO request_refs (request_id, ref) VALUES `+q.store.dialect.rows(n/2, 2), refArgs[:n]...); err != nil {
			return fmt.Errorf("record the references of %d requests: %w", len(records), classify(err))
		}
		refArgs = refArgs[n:]
	}
	return nil
}

// Requests lists the records f selects, newest first. Only the conditions
// f sets are in the statement, so that each uses its index.
func (q *queries) Requests(ctx context.Context, f zfb.RequestFilter) ([]*zfb.RequestRecord, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.AppID != "" {
		where = append(where, "app_id = "+arg(f.AppID))
	}
	if f.Method != "" {
		where = append(where, "method = "+arg(f.Method))
	}
	if f.Query != "" {
		p := arg(f.Query)
		where = append(where, "(id IN (SELECT request_id FROM request_refs WHERE ref = "+p+") OR method = "+p+" OR app_id = "+p+")")
	}
	if f.FailedOnly {
		where = append(where, "failed = "+arg(true))
	}
	if f.Before > 0 {
		where = append(where, "id < "+arg(f.Before))
	}
	stmt := "SELECT " + requestColumns + " FROM request_log"
	if len(where) > 0 {
		stmt += " WHERE " + strings.Join(where, " AND ")
	}
	stmt += " ORDER BY id DESC LIMIT " + arg(f.Limit)
	rows, err := q.read.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	defer rows.Close()
	var out []*zfb.RequestRecord
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	return out, nil
}

// Request finds one record.
func (q *queries) Request(ctx context.Context, id int64) (*zfb.RequestRecord, error) {
	r, err := scanRequest(q.read.QueryRowContext(ctx, "SELECT "+requestColumns+" FROM request_log WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("request %d: %w", id, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// PruneRequests deletes the records older than the newest keep, and their
// references.
func (q *queries) PruneRequests(ctx context.Context, keep int) (int64, error) {
	var deleted int64
	err := q.inWriteTx(ctx, func(q *queries) error {
		oldestKept := sql.NullInt64{Int64: math.MaxInt64, Valid: true} // keep none
		if keep > 0 {
			err := q.write.QueryRowContext(ctx, q.store.dialect.oldestRequestKept, keep).Scan(&oldestKept)
			switch {
			case errors.Is(err, sql.ErrNoRows) || err == nil && !oldestKept.Valid:
				return nil // an empty log, or fewer than keep records (PostgreSQL)
			case err != nil:
				return err
			}
		}
		if _, err := q.write.ExecContext(ctx, `DELETE FROM request_refs WHERE request_id < $1`, oldestKept.Int64); err != nil {
			return err
		}
		res, err := q.write.ExecContext(ctx, `DELETE FROM request_log WHERE id < $1`, oldestKept.Int64)
		if err != nil {
			return err
		}
		deleted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune the request log to %d: %w", keep, err)
	}
	return deleted, nil
}

func scanRequest(row scanner) (*zfb.RequestRecord, error) {
	var (
		r                 zfb.RequestRecord
		at, latencyUS     int64
		params, refs      string
		truncated, failed bool
	)
	err := row.Scan(&r.ID, &at, &r.Dialect, &r.AppID, &r.Method, &params, &r.SignContent, &r.SignType, &r.Charset,
		&r.Signature, &r.Diagnosis, &r.Answer, &truncated, &r.HTTPStatus, &r.Code, &r.SubCode, &failed, &latencyUS, &refs)
	if err != nil {
		return nil, err
	}
	r.At, r.Latency = fromMicros(at), time.Duration(latencyUS)*time.Microsecond
	r.AnswerTruncated, r.Failed = truncated, failed
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("params of request %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(refs), &r.Refs); err != nil {
		return nil, fmt.Errorf("refs of request %d: %w", r.ID, err)
	}
	return &r, nil
}

// clean makes s storable as text on both backends: valid UTF-8 (a GBK
// request that failed to decode, say) without NUL, which PostgreSQL's TEXT
// refuses.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// paramsJSON is the params column: a JSON object of the cleaned
// parameters, in the order of their names. It is what json.Marshal writes
// but for '<', '>' and '&', which it does not escape: the same object to
// any JSON reader, for a fifth of a record's insert (a map marshalled by
// reflection was).
func paramsJSON(params map[string]string) string {
	b := make([]byte, 0, 512)
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, clean(k))
		b = append(b, ':')
		b = jsontext.AppendString(b, clean(params[k]))
	}
	return string(append(b, '}'))
}

// stringsJSON is a JSON array of strings.
func stringsJSON(ss []string) string {
	b := make([]byte, 0, 64)
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, s)
	}
	return string(append(b, ']'))
}

// cleanRefs drops empty and repeated references.
func cleanRefs(refs []string) []string {
	out := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, ref := range refs {
		ref = clean(ref)
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
	}
	return out
}

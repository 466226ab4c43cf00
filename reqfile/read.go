package reqfile

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unique"

	"github.com/zfbpay/zfb"
)

// Requests lists the records f selects, newest first.
func (l *Log) Requests(ctx context.Context, f zfb.RequestFilter) ([]*zfb.RequestRecord, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	end := len(l.entries)
	if f.Before > 0 {
		end, _ = slices.BinarySearchFunc(l.entries, f.Before, func(e entry, id int64) int { return cmp.Compare(e.id, id) })
	}
	var app, method, query unique.Handle[string]
	if f.AppID != "" {
		app = unique.Make(f.AppID)
	}
	if f.Method != "" {
		method = unique.Make(f.Method)
	}
	if f.Query != "" {
		query = unique.Make(f.Query)
	}
	var out []*zfb.RequestRecord
	var buf []byte
	for i := end - 1; i >= 0 && len(out) < f.Limit; i-- {
		e := &l.entries[i]
		if f.AppID != "" && e.app != app || f.Method != "" && e.method != method || f.FailedOnly && !e.failed ||
			f.Query != "" && e.method != query && e.app != query && !hasRef(e.refs, f.Query) {
			continue
		}
		r, err := l.read(e, &buf)
		if err != nil {
			return nil, fmt.Errorf("requests: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Request finds one record.
func (l *Log) Request(ctx context.Context, id int64) (*zfb.RequestRecord, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	i, found := slices.BinarySearchFunc(l.entries, id, func(e entry, id int64) int { return cmp.Compare(e.id, id) })
	if !found {
		return nil, fmt.Errorf("request %d: %w", id, zfb.ErrNotFound)
	}
	var buf []byte
	r, err := l.read(&l.entries[i], &buf)
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// read reads and decodes an entry's record, with buf as scratch. The
// caller holds mu for reading.
func (l *Log) read(e *entry, buf *[]byte) (*zfb.RequestRecord, error) {
	i, found := slices.BinarySearchFunc(l.segs, e.id, func(s *segment, id int64) int { return cmp.Compare(s.first, id) })
	if !found {
		i-- // the segment named by the highest first ID below e.id
	}
	if i < 0 {
		return nil, fmt.Errorf("record %d: no segment holds it", e.id)
	}
	if cap(*buf) < int(e.size) {
		*buf = make([]byte, e.size)
	}
	b := (*buf)[:e.size]
	if _, err := l.segs[i].f.ReadAt(b, int64(e.off)); err != nil {
		return nil, fmt.Errorf("record %d: %w", e.id, err)
	}
	r, err := decodeRecord(b)
	if err != nil || r.ID != e.id {
		return nil, fmt.Errorf("record %d in %s: %w", e.id, segmentName(l.segs[i].first), errCorrupt)
	}
	return r, nil
}

// hasRef says whether refs (each followed by a NUL) holds q.
func hasRef(refs, q string) bool {
	for refs != "" {
		i := strings.IndexByte(refs, 0)
		if refs[:i] == q {
			return true
		}
		refs = refs[i+1:]
	}
	return false
}

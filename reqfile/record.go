package reqfile

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
)

// A frame is one entry of a segment file:
//
//	length  uint32, little endian: the payload's length
//	crc     uint32, little endian: CRC-32C (Castagnoli) of the payload
//	payload length bytes
//
// A payload starts with its kind. A record's payload puts what the index
// needs first (ID, flags, app id, method, references), so that the scan
// on open decodes only that head; the rest follows. Numbers are
// encoding/binary varints, texts a uvarint length and their bytes.
//
// The scan on open needs no bound on the length beyond the bytes the file
// has left: the CRC tells a corrupt header from a record, however large
// (a record's parameters are bounded only by the gateway's body limit).
const frameHeader = 8

// The kinds of payload.
const (
	kindRecord byte = 1
	// kindFloor records a prune: records below its ID are gone. The scan
	// on open applies the newest, so pruned records never come back and
	// the next ID survives a log pruned empty.
	kindFloor byte = 2
)

// Flags of a record.
const (
	flagFailed byte = 1 << iota
	flagAnswerTruncated
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt is a payload that does not decode.
var errCorrupt = errors.New("corrupt record")

// beginFrame appends room for a frame's header; the payload follows, and
// endFrame fills the header in.
func beginFrame(b []byte) []byte { return append(b, make([]byte, frameHeader)...) }

// endFrame fills in the header of the frame that starts at start.
func endFrame(b []byte, start int) {
	payload := b[start+frameHeader:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
}

// appendRecord appends r's payload with ID id and the given (cleaned)
// references. Texts are cleaned as they are written.
func appendRecord(b []byte, id int64, r *zfb.RequestRecord, refs []string) []byte {
	var flags byte
	if r.Failed {
		flags |= flagFailed
	}
	if r.AnswerTruncated {
		flags |= flagAnswerTruncated
	}
	b = append(b, kindRecord)
	b = binary.AppendUvarint(b, uint64(id))
	b = append(b, flags)
	b = appendString(b, clean(r.AppID))
	b = appendString(b, clean(r.Method))
	b = binary.AppendUvarint(b, uint64(len(refs)))
	for _, ref := range refs {
		b = appendString(b, ref)
	}
	b = binary.AppendVarint(b, r.At.UnixMicro())
	for _, s := range [...]string{r.Dialect, r.SignContent, r.SignType, r.Charset, r.Signature, r.Diagnosis, r.Answer, r.Code, r.SubCode} {
		b = appendString(b, clean(s))
	}
	b = binary.AppendVarint(b, int64(r.HTTPStatus))
	b = binary.AppendVarint(b, r.Latency.Microseconds())
	b = binary.AppendUvarint(b, uint64(len(r.Params)))
	for k, v := range r.Params { // in the map's order: sorting would cost an allocation a record
		b = appendString(b, clean(k))
		b = appendString(b, clean(v))
	}
	return b
}

// appendFloor appends a floor's payload.
func appendFloor(b []byte, floor int64) []byte {
	return binary.AppendUvarint(append(b, kindFloor), uint64(floor))
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// head is what the index keeps of a record, as its payload starts.
type head struct {
	id          int64
	flags       byte
	app, method string
	refs        []string
}

// decoder reads a payload; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// bytes is the next text, without copying.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) string() string { return string(d.bytes()) }

// count is a number of items each at least one byte long: more than the
// bytes left is corrupt (and must not size an allocation).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

// decodeHead reads a record's head; d is left at the rest.
func (d *decoder) head() head {
	var h head
	h.id = int64(d.uvarint())
	h.flags = d.byte()
	h.app, h.method = d.string(), d.string()
	h.refs = make([]string, d.count())
	for i := range h.refs {
		h.refs[i] = d.string()
	}
	return h
}

// decodeRecord decodes a record's payload (its kind byte included).
func decodeRecord(p []byte) (*zfb.RequestRecord, error) {
	d := decoder{b: p}
	if d.byte() != kindRecord {
		return nil, errCorrupt
	}
	h := d.head()
	r := &zfb.RequestRecord{ID: h.id, AppID: h.app, Method: h.method, Refs: h.refs,
		Failed: h.flags&flagFailed != 0, AnswerTruncated: h.flags&flagAnswerTruncated != 0}
	r.At = time.UnixMicro(d.varint()).UTC()
	for _, s := range [...]*string{&r.Dialect, &r.SignContent, &r.SignType, &r.Charset, &r.Signature, &r.Diagnosis, &r.Answer, &r.Code, &r.SubCode} {
		*s = d.string()
	}
	r.HTTPStatus = int(d.varint())
	r.Latency = time.Duration(d.varint()) * time.Microsecond
	n := d.count()
	r.Params = make(map[string]string, n)
	for range n {
		k := d.string()
		r.Params[k] = d.string()
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

// clean makes s what the SQL stores keep: valid UTF-8 without NUL (which
// PostgreSQL's TEXT refuses), so that both logs give back the same text.
// The index also relies on references holding no NUL (see entry.refs).
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 { // almost always; quicker than ToValidUTF8's loop
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// cleanRefs drops empty and repeated references, as the SQL stores do.
func cleanRefs(refs []string) []string {
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		if ref = clean(ref); ref != "" && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

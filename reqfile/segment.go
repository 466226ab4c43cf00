package reqfile

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unique"
)

const segmentSuffix = ".seg"

// segmentName is the file name of the segment whose first record has ID
// first: zero-padded, so that names sort as IDs do.
func segmentName(first int64) string { return fmt.Sprintf("%020d%s", first, segmentSuffix) }

// load opens the segments of the directory, oldest first, and rebuilds the
// index from them; an empty directory gets its first segment.
func (l *Log) load() error {
	names, err := filepath.Glob(filepath.Join(l.dir, "*"+segmentSuffix))
	if err != nil {
		return fmt.Errorf("reqfile: %w", err)
	}
	var firsts []int64
	for _, name := range names {
		first, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(name), segmentSuffix), 10, 64)
		if err != nil || first < 1 {
			l.logger.Warn("request log: a file that is not a segment, left alone", "file", name)
			continue
		}
		firsts = append(firsts, first)
	}
	slices.Sort(firsts)
	var buf []byte
	for _, first := range firsts {
		path := filepath.Join(l.dir, segmentName(first))
		f, err := os.OpenFile(path, os.O_RDWR, fileMode)
		if err != nil {
			return fmt.Errorf("reqfile: %w", err)
		}
		seg := &segment{first: first, f: f}
		l.segs = append(l.segs, seg)
		l.nextID = max(l.nextID, first)
		if buf, err = l.scan(seg, buf); err != nil {
			return err
		}
	}
	if len(l.segs) == 0 {
		if err := l.startSegment(); err != nil {
			return fmt.Errorf("reqfile: %w", err)
		}
	}
	// Records pruned before the last close, in segments that also hold
	// records kept, are not indexed; segments of pruned records only go.
	i, _ := slices.BinarySearchFunc(l.entries, l.floor, func(e entry, id int64) int { return cmp.Compare(e.id, id) })
	l.entries = slices.Delete(l.entries, 0, i)
	l.removeSegments(l.dropSegments())
	return nil
}

// scan indexes a segment's records and applies its floors. At the first
// frame that is torn (a write cut short), corrupt (its CRC does not match)
// or out of order, it truncates the segment there with a warning: what
// follows cannot be trusted, and the next write goes there. buf is
// scratch, returned for the next segment.
func (l *Log) scan(seg *segment, buf []byte) ([]byte, error) {
	info, err := seg.f.Stat()
	if err != nil {
		return buf, fmt.Errorf("reqfile: %w", err)
	}
	if int64(cap(buf)) < info.Size() {
		buf = make([]byte, info.Size())
	}
	b := buf[:info.Size()]
	if _, err := io.ReadFull(io.NewSectionReader(seg.f, 0, info.Size()), b); err != nil {
		return buf, fmt.Errorf("reqfile: reading %s: %w", seg.f.Name(), err)
	}
	off, bad := 0, ""
	for off < len(b) && bad == "" {
		if len(b)-off < frameHeader {
			bad = "a torn frame header"
			break
		}
		if int64(binary.LittleEndian.Uint32(b[off:])) > int64(len(b)-off-frameHeader) {
			bad = "a torn frame"
			break
		}
		n := int(binary.LittleEndian.Uint32(b[off:]))
		payload := b[off+frameHeader : off+frameHeader+n]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(b[off+4:]) {
			bad = "a frame whose checksum does not match"
			break
		}
		d := decoder{b: payload}
		switch d.byte() {
		case kindRecord:
			h := d.head()
			switch {
			case d.err != nil:
				bad = "a record that does not decode"
			case h.id < seg.first || h.id < l.nextID:
				bad = fmt.Sprintf("record %d out of order", h.id)
			default:
				l.entries = append(l.entries, entry{id: h.id, off: uint32(off + frameHeader), size: uint32(n),
					app: unique.Make(h.app), method: unique.Make(h.method), refs: joinRefs(h.refs),
					failed: h.flags&flagFailed != 0})
				seg.last, l.nextID = h.id, h.id+1
			}
		case kindFloor:
			floor := int64(d.uvarint())
			if d.err != nil {
				bad = "a floor that does not decode"
				break
			}
			l.floor = max(l.floor, floor)
			l.nextID = max(l.nextID, floor)
		default:
			bad = "a frame of unknown kind"
		}
		if bad == "" {
			off += frameHeader + n
		}
	}
	if bad != "" {
		l.logger.Warn("request log: cutting a segment's tail: "+bad, "file", seg.f.Name(), "offset", off, "bytes_cut", len(b)-off)
		if err := seg.f.Truncate(int64(off)); err != nil {
			return buf, fmt.Errorf("reqfile: cutting %s at %d: %w", seg.f.Name(), off, err)
		}
	}
	l.size = int64(off) // the last segment's is the one that counts
	return buf, nil
}

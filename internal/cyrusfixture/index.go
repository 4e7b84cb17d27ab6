// Package cyrusfixture writes Cyrus mailbox files for tests: the
// cyrus.index versions no Cyrus at hand writes (17 to 20: 3.8 writes 18
// to 20), so cyr_import's reader can be tested on them, and Cyrus 2.4's
// annotations.db values. It is built from the field order and widths of
// the documented format (cyrus-imapd's imap/index_file.c templates,
// which list each version's fields in file order), laying the fields end
// to end, so it checks pkg/cyrusindex's offset tables rather than sharing
// them. Test support only: no command imports it.
package cyrusfixture

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"gocyrus/pkg/cyrusindex"
)

// A field spec is "name:width" with width 4 or 8 bytes, "T" for a
// version 20 time (u64 nanoseconds), "G" for the 20-byte GUID; names not
// filled below are written as zeros.
var (
	// header fields before version 19 (index_file.c V17_HEADER_FIELDS).
	hdr17 = "generation:4 format:4 minor:4 start:4 recsize:4 records:4 appenddate:4 lastuid:4 quotaused:8 pop3login:4 " +
		"uidvalidity:4 deleted:4 answered:4 flagged:4 options:4 leaked:4 highestmodseq:8 deletedmodseq:8 exists:4 " +
		"firstexpunged:4 repack:4 headercrc:4 synccrc:4 recentuid:4 recenttime:4 pop3show:4 annotused:4 annotcrc:4 " +
		"unseen:4 createdmodseq:8 epoch:4"
	headers = map[uint32]string{
		17: hdr17 + " spare:16",
		18: hdr17 + " deletedused:8 expungedused:8",
		19: "generation:4 format:4 minor:4 start:4 recsize:4 records:4 appenddate:4 lastuid:4 quotaused:8 pop3login:4 " +
			"uidvalidity:4 deleted:4 answered:4 flagged:4 exists:4 options:4 leaked:4 highestmodseq:8 deletedmodseq:8 " +
			"firstexpunged:4 repack:4 headercrc:4 synccrc:4 recentuid:4 recenttime:4 pop3show:4 annotused:4 annotcrc:4 " +
			"unseen:4 createdmodseq:8 deletedused:8 expungedused:8 epoch:4",
		20: "generation:4 format:4 minor:4 start:4 recsize:4 records:4 appenddate:8 quotaused:8 pop3login:8 " +
			"deleted:4 answered:4 flagged:4 exists:4 options:4 leaked:4 highestmodseq:8 deletedmodseq:8 lastuid:4 " +
			"uidvalidity:4 headercrc:4 synccrc:4 recenttime:8 pop3show:8 annotcrc:4 unseen:4 createdmodseq:8 " +
			"deletedused:8 expungedused:8 annotused:8 epoch:8 firstexpunged:8 repack:8 recentuid:4",
	}
	// record fields (index_file.c v16_rec_fields, used by 16 to 19, and
	// v20_rec_fields).
	rec16   = "uid:4 internaldate:4 sentdate:4 size:4 headersize:4 gmtime:4 cacheoffset:4 lastupdated:4 sysflags:4 uf0:4 uf1:4 uf2:4 uf3:4 savedate:4 cachever:4 guid:G modseq:8 cid:8 createdmodseq:8 cachecrc:4"
	records = map[uint32]string{
		17: rec16, 18: rec16, 19: rec16,
		20: "uid:4 cacheoffset:4 internaldate:T sentdate:T size:8 headersize:4 sysflags:4 uf0:4 uf1:4 uf2:4 uf3:4 cachever:4 guid:G modseq:8 cid:8 createdmodseq:8 gmtime:T lastupdated:T savedate:T basecid:8 cachecrc:4",
	}
)

// Versions are the index versions Index writes.
var Versions = []uint32{17, 18, 19, 20}

// Index writes x as a cyrus.index of the given version, each header and
// record ending in the CRC-32 of the bytes before it. The record count
// is len(x.Records).
func Index(x *cyrusindex.Index, version uint32) ([]byte, error) {
	hspec, ok := headers[version]
	if !ok {
		return nil, fmt.Errorf("cyrusfixture: no index version %d", version)
	}
	hsize, rsize := specSize(hspec)+4, specSize(records[version])+4
	hvals := map[string]uint64{
		"minor": uint64(version), "start": uint64(hsize), "recsize": uint64(rsize), "records": uint64(len(x.Records)),
		"lastuid": uint64(x.LastUID), "uidvalidity": uint64(x.UIDValidity), "highestmodseq": x.HighestModSeq,
		"deletedmodseq": x.DeletedModSeq, "exists": uint64(x.Exists),
	}
	out := put(nil, hspec, hvals, nil)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
	for _, r := range x.Records {
		times := map[string]time.Time{"internaldate": r.InternalDate, "sentdate": r.SentDate, "savedate": r.SaveDate}
		vals := map[string]uint64{"uid": uint64(r.UID), "size": r.Size, "headersize": uint64(r.HeaderSize),
			"sysflags": uint64(r.SystemFlags), "modseq": r.ModSeq,
			"uf0": uint64(r.UserFlags[0]), "uf1": uint64(r.UserFlags[1]), "uf2": uint64(r.UserFlags[2]), "uf3": uint64(r.UserFlags[3])}
		for k, t := range times {
			if version == 20 {
				vals[k] = uint64(t.UnixNano())
			} else {
				vals[k] = uint64(t.Unix())
			}
		}
		b := put(nil, records[version], vals, r.GUID[:])
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
		out = append(out, b...)
	}
	return out, nil
}

func specSize(spec string) int {
	n := 0
	for _, f := range strings.Fields(spec) {
		n += width(f)
	}
	return n
}

func width(field string) int {
	_, w, _ := strings.Cut(field, ":")
	switch w {
	case "4":
		return 4
	case "8", "T":
		return 8
	case "G":
		return 20
	case "16":
		return 16
	}
	panic("cyrusfixture: bad field " + field)
}

// put appends the fields of spec, each from vals (zero when absent) and
// the GUID from guid.
func put(b []byte, spec string, vals map[string]uint64, guid []byte) []byte {
	for _, f := range strings.Fields(spec) {
		name, _, _ := strings.Cut(f, ":")
		switch w := width(f); {
		case name == "guid":
			b = append(b, guid...)
		case w == 4:
			b = binary.BigEndian.AppendUint32(b, uint32(vals[name]))
		case w == 8:
			b = binary.BigEndian.AppendUint64(b, vals[name])
		default:
			b = append(b, make([]byte, w)...)
		}
	}
	return b
}

// AnnotationValue24 is a Cyrus 2.4 annotations.db value as 64-bit
// machines wrote it (annotate.c write_entry): the value's length from
// htonl in an unsigned long (a big-endian u32 then four zero bytes), the
// value and a NUL, the content type and a NUL, then modifiedsince in an
// unsigned long the same way.
func AnnotationValue24(value, contentType string, modified uint32) []byte {
	return annotationValue24(value, contentType, modified, 8)
}

// AnnotationValue24Word4 is AnnotationValue24 as 32-bit machines wrote
// it: each unsigned long is the big-endian u32 alone.
func AnnotationValue24Word4(value, contentType string, modified uint32) []byte {
	return annotationValue24(value, contentType, modified, 4)
}

func annotationValue24(value, contentType string, modified uint32, word int) []byte {
	pad := make([]byte, word-4)
	b := binary.BigEndian.AppendUint32(nil, uint32(len(value)))
	b = append(b, pad...)
	b = append(b, value...)
	b = append(b, 0)
	b = append(b, contentType...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, modified)
	return append(b, pad...)
}

// FlatDB is a Cyrus flat database file of the given key-value pairs, in
// order: "key\tvalue\n", with NUL, tab, newline and CR written as 0xFF
// and the byte|0x80, and 0xFF as 0xFF 0xFF.
func FlatDB(records [][2][]byte) []byte {
	esc := func(b []byte, s []byte) []byte {
		for _, c := range s {
			switch c {
			case 0, '\t', '\n', '\r':
				b = append(b, 0xff, c|0x80)
			case 0xff:
				b = append(b, 0xff, 0xff)
			default:
				b = append(b, c)
			}
		}
		return b
	}
	var out []byte
	for _, r := range records {
		out = esc(out, r[0])
		out = append(out, '\t')
		out = esc(out, r[1])
		out = append(out, '\n')
	}
	return out
}

// AnnotationKey is an annotations.db key: mailbox (2.4: the internal
// name; 3.6: the uniqueid), entry and user ("" for the shared value),
// each ending in a NUL.
func AnnotationKey(mailbox, entry, user string) []byte {
	return []byte(mailbox + "\x00" + entry + "\x00" + user + "\x00")
}

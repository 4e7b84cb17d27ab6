package bdbhash

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
)

// MaxFileSize bounds the files Open reads (a sasldb of a million users is
// far smaller).
const MaxFileSize = 256 << 20

// ErrFormat wraps every complaint about the file's contents.
var ErrFormat = errors.New("not a readable Berkeley DB hash file")

const (
	hashMagic    = 0x061561
	metaSize     = 72
	pageHdrSize  = 26
	typeHashMeta = 8
	typeHash     = 13
	typeHashOld  = 2 // P_HASH_UNSORTED, written by older releases
	typeOverflow = 7

	itemKeyData  = 1
	itemDup      = 2
	itemOffPage  = 3
	itemOffDup   = 4
	offPageSize  = 12
	spareEntries = 32
	metaChksum   = 0x01
)

// DB is a parsed hash database held in memory.
type DB struct {
	data     []byte
	order    binary.ByteOrder
	pageSize int
	npages   int
	maxBkt   uint32
	spares   [spareEntries]uint32
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Open reads the file at path.
func Open(path string) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrFormat, MaxFileSize)
	}
	db, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}

// Parse checks the meta page of a whole file's bytes. It keeps data.
func Parse(data []byte) (*DB, error) {
	if len(data) < 96+4*spareEntries {
		return nil, formatErr("file of %d bytes is too short for a meta page", len(data))
	}
	db := &DB{data: data, order: binary.LittleEndian}
	switch {
	case binary.LittleEndian.Uint32(data[12:]) == hashMagic:
	case binary.BigEndian.Uint32(data[12:]) == hashMagic:
		db.order = binary.BigEndian
	default:
		if m := binary.LittleEndian.Uint32(data[12:]); m == 0x053162 || binary.BigEndian.Uint32(data[12:]) == 0x053162 {
			return nil, formatErr("a Berkeley DB btree, not a hash (convert it with db_dump/db_load -t hash)")
		}
		return nil, formatErr("bad magic number (not Berkeley DB, or an LMDB/gdbm sasldb)")
	}
	o := db.order
	if v := o.Uint32(data[16:]); v < 8 || v > 10 {
		return nil, formatErr("hash version %d (versions 8 to 10 are read)", v)
	}
	ps := o.Uint32(data[20:])
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return nil, formatErr("page size %d", ps)
	}
	if data[24] != 0 {
		return nil, formatErr("encrypted database")
	}
	if data[25] != typeHashMeta {
		return nil, formatErr("meta page type %d, want %d", data[25], typeHashMeta)
	}
	if data[26]&metaChksum != 0 {
		return nil, formatErr("checksummed database (dump and reload it without checksums: db_dump | db_load)")
	}
	db.pageSize = int(ps)
	if len(data)%db.pageSize != 0 {
		return nil, formatErr("file size %d is not a multiple of the page size %d", len(data), ps)
	}
	db.npages = len(data) / db.pageSize
	if last := o.Uint32(data[32:]); int64(last) >= int64(db.npages) {
		return nil, formatErr("meta page names last page %d but the file has %d pages (truncated?)", last, db.npages)
	}
	db.maxBkt = o.Uint32(data[72:])
	if int64(db.maxBkt) >= int64(db.npages) {
		return nil, formatErr("%d buckets in a file of %d pages", int64(db.maxBkt)+1, db.npages)
	}
	for i := range db.spares {
		db.spares[i] = o.Uint32(data[96+4*i:])
	}
	return db, nil
}

// bucketPage is Berkeley DB's BS_TO_PAGE.
func (db *DB) bucketPage(b uint32) (int, error) {
	lg := bits.Len32(b) // ceil(log2(b+1))
	if lg >= spareEntries {
		return 0, formatErr("bucket %d out of range", b)
	}
	p := int64(b) + int64(db.spares[lg])
	if p <= 0 || p >= int64(db.npages) {
		return 0, formatErr("bucket %d maps to page %d outside the file", b, p)
	}
	return int(p), nil
}

type page struct {
	no      int
	b       []byte
	next    uint32
	entries int
	hfOff   int
	typ     byte
}

func (db *DB) page(no int) (page, error) {
	if no <= 0 || no >= db.npages {
		return page{}, formatErr("page %d outside the file of %d pages", no, db.npages)
	}
	b := db.data[no*db.pageSize : (no+1)*db.pageSize]
	o := db.order
	p := page{no: no, b: b, next: o.Uint32(b[16:]), entries: int(o.Uint16(b[20:])), hfOff: int(o.Uint16(b[22:])), typ: b[25]}
	if pg := o.Uint32(b[8:]); int64(pg) != int64(no) {
		return page{}, formatErr("page %d says it is page %d", no, pg)
	}
	return p, nil
}

// Walk calls fn for every key/data pair, bucket by bucket. fn's slices are
// valid only during the call. An error from fn stops the walk and is
// returned as is.
func (db *DB) Walk(fn func(key, data []byte) error) error {
	seen := make(map[int]bool)
	for b := uint32(0); b <= db.maxBkt; b++ {
		no, err := db.bucketPage(b)
		if err != nil {
			return err
		}
		for {
			if seen[no] {
				return formatErr("page %d is reached twice (a loop or shared chain)", no)
			}
			seen[no] = true
			p, err := db.page(no)
			if err != nil {
				return err
			}
			if err := db.walkPage(p, seen, fn); err != nil {
				return err
			}
			if p.next == 0 {
				break
			}
			if int64(p.next) >= int64(db.npages) {
				return formatErr("page %d chains to page %d outside the file", no, p.next)
			}
			no = int(p.next)
		}
	}
	return nil
}

func (db *DB) walkPage(p page, seen map[int]bool, fn func(key, data []byte) error) error {
	if p.typ != typeHash && p.typ != typeHashOld {
		return formatErr("bucket page %d has type %d, want a hash page", p.no, p.typ)
	}
	if p.entries%2 != 0 {
		return formatErr("page %d has an odd number of items (%d)", p.no, p.entries)
	}
	if pageHdrSize+2*p.entries > db.pageSize {
		return formatErr("page %d claims %d items", p.no, p.entries)
	}
	item := func(i int) ([]byte, error) {
		start := int(db.order.Uint16(p.b[pageHdrSize+2*i:]))
		end := db.pageSize
		if i > 0 {
			end = int(db.order.Uint16(p.b[pageHdrSize+2*(i-1):]))
		}
		if start < pageHdrSize+2*p.entries || start >= end || end > db.pageSize {
			return nil, formatErr("page %d item %d has bad bounds %d..%d", p.no, i, start, end)
		}
		return db.itemBytes(p.no, p.b[start:end], seen)
	}
	for i := 0; i < p.entries; i += 2 {
		k, err := item(i)
		if err != nil {
			return err
		}
		d, err := item(i + 1)
		if err != nil {
			return err
		}
		if err := fn(k, d); err != nil {
			return err
		}
	}
	return nil
}

// itemBytes returns an item's value: inline, or gathered from its overflow
// chain. seen holds the pages the walk has used: an overflow page belongs
// to one item, so all a walk gathers is bounded by the file's size.
func (db *DB) itemBytes(pno int, it []byte, seen map[int]bool) ([]byte, error) {
	switch it[0] {
	case itemKeyData:
		return it[1:], nil
	case itemOffPage:
		if len(it) < offPageSize {
			return nil, formatErr("page %d: short overflow reference", pno)
		}
		return db.overflow(int64(db.order.Uint32(it[4:])), int64(db.order.Uint32(it[8:])), seen)
	case itemDup, itemOffDup:
		return nil, formatErr("page %d: duplicate data items are not supported", pno)
	default:
		return nil, formatErr("page %d: unknown item kind %d", pno, it[0])
	}
}

func (db *DB) overflow(first, total int64, seen map[int]bool) ([]byte, error) {
	if total > int64(len(db.data)) {
		return nil, formatErr("overflow item of %d bytes in a file of %d", total, len(db.data))
	}
	out := make([]byte, 0, total)
	for no := first; int64(len(out)) < total; {
		if no <= 0 || no >= int64(db.npages) || seen[int(no)] {
			return nil, formatErr("overflow chain reaches page %d (outside the file, a loop or another item's page)", no)
		}
		seen[int(no)] = true
		p, err := db.page(int(no))
		if err != nil {
			return nil, err
		}
		if p.typ != typeOverflow {
			return nil, formatErr("overflow page %d has type %d", no, p.typ)
		}
		if p.hfOff > db.pageSize-pageHdrSize || int64(len(out)+p.hfOff) > total {
			return nil, formatErr("overflow page %d holds %d bytes", no, p.hfOff)
		}
		if p.hfOff == 0 {
			return nil, formatErr("overflow page %d is empty", no)
		}
		out = append(out, p.b[pageHdrSize:pageHdrSize+p.hfOff]...)
		no = int64(p.next)
	}
	return out, nil
}

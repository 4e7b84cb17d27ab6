package squat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"os"
	"path/filepath"
	"slices"

	"gocyrus/pkg/mailbox"
)

// FileName is the index file's name in the mailbox directory.
const FileName = "cyrus.gosquat"

const (
	magic      = "gcyrusSQ"
	version    = 2
	headerSize = 8 + 4*5 + 8
	gramSize   = 12
	crcSize    = 4
)

// ErrCorrupt is wrapped by Parse's errors for a file that is not a whole
// index of this version.
var ErrCorrupt = errors.New("squat: damaged index")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Index is a parsed index file; it reads the file's bytes in place.
type Index struct {
	UIDValidity, UIDNext uint32
	uids                 []byte // nuids × u32
	grams                []byte // ngrams × gramSize
	postings             []byte
}

// Read reads and parses the index file at path.
func Read(path string) (*Index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ix, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ix, nil
}

// Parse checks data as a whole index file and returns it.
func Parse(data []byte) (*Index, error) {
	be := binary.BigEndian
	if len(data) < headerSize+crcSize || string(data[:8]) != magic {
		return nil, fmt.Errorf("%w: not an index file", ErrCorrupt)
	}
	if v := be.Uint32(data[8:]); v != version {
		return nil, fmt.Errorf("%w: version %d, not %d", ErrCorrupt, v, version)
	}
	body := data[:len(data)-crcSize]
	if crc32.Checksum(body, castagnoli) != be.Uint32(data[len(body):]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	nuids, ngrams, plen := uint64(be.Uint32(data[20:])), uint64(be.Uint32(data[24:])), be.Uint64(data[28:])
	if uint64(len(body)-headerSize) != nuids*4+ngrams*gramSize+plen {
		return nil, fmt.Errorf("%w: lengths do not add up", ErrCorrupt)
	}
	ix := &Index{UIDValidity: be.Uint32(data[12:]), UIDNext: be.Uint32(data[16:])}
	off := uint64(headerSize)
	ix.uids = body[off : off+nuids*4]
	off += nuids * 4
	ix.grams = body[off : off+ngrams*gramSize]
	off += ngrams * gramSize
	ix.postings = body[off:]
	for i := uint64(1); i < nuids; i++ {
		if be.Uint32(ix.uids[i*4:]) <= be.Uint32(ix.uids[(i-1)*4:]) {
			return nil, fmt.Errorf("%w: UIDs out of order", ErrCorrupt)
		}
	}
	for i := uint64(0); i < ngrams; i++ {
		g, o, n := ix.gram(int(i))
		if i > 0 {
			if prev, _, _ := ix.gram(int(i - 1)); g <= prev {
				return nil, fmt.Errorf("%w: grams out of order", ErrCorrupt)
			}
		}
		if uint64(o) >= plen || n == 0 || uint64(n) > nuids || !ix.listFits(ix.postings[o:], n) {
			return nil, fmt.Errorf("%w: gram %06x: bad posting list", ErrCorrupt, g)
		}
	}
	return ix, nil
}

// Posting list encodings: a tag byte, then the list.
const (
	// listDeltas: count uvarint deltas of positions in the UID table,
	// the first from -1 (so every delta is at least 1).
	listDeltas = 0
	// listBitmap: ceil(nuids/8) bytes, bit i (LSB first) set when the
	// i'th indexed UID has the gram; smaller for a gram in more than
	// about one message in eight.
	listBitmap = 1
)

func (ix *Index) bitmapLen() int { return (ix.NumUIDs() + 7) / 8 }

// listFits reports whether a posting list of count entries can be read
// from p (which runs to the end of the postings) without leaving it.
func (ix *Index) listFits(p []byte, count uint32) bool {
	switch p[0] {
	case listDeltas:
		return true // decode stops at the end and at any bad delta
	case listBitmap:
		return len(p)-1 >= ix.bitmapLen()
	}
	return false
}

func (ix *Index) gram(i int) (gram, off, count uint32) {
	b := ix.grams[i*gramSize:]
	be := binary.BigEndian
	return be.Uint32(b), be.Uint32(b[4:]), be.Uint32(b[8:])
}

// NumUIDs is how many messages the index covers.
func (ix *Index) NumUIDs() int { return len(ix.uids) / 4 }

// UID returns the i'th indexed UID (ascending).
func (ix *Index) UID(i int) uint32 { return binary.BigEndian.Uint32(ix.uids[i*4:]) }

// LastUID is the highest indexed UID, 0 for none.
func (ix *Index) LastUID() uint32 {
	if n := ix.NumUIDs(); n > 0 {
		return ix.UID(n - 1)
	}
	return 0
}

// Covers reports whether the message with uid was indexed.
func (ix *Index) Covers(uid uint32) bool {
	lo, hi := 0, ix.NumUIDs()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch u := ix.UID(mid); {
		case u == uid:
			return true
		case u < uid:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// postingsOf returns the encoded posting list of gram and its length.
func (ix *Index) postingsOf(gram uint32) ([]byte, uint32, bool) {
	lo, hi := 0, len(ix.grams)/gramSize
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		g, off, n := ix.gram(mid)
		switch {
		case g == gram:
			return ix.postings[off:], n, true
		case g < gram:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil, 0, false
}

// decode reads the posting list at p (count entries) as UIDs, ascending;
// a damaged list ends early.
func (ix *Index) decode(p []byte, count uint32) []uint32 {
	out := make([]uint32, 0, count)
	nuids := uint64(ix.NumUIDs())
	switch p[0] {
	case listDeltas:
		p = p[1:]
		pos := uint64(1<<64 - 1) // -1: the first delta is position+1
		for range count {
			d, n := binary.Uvarint(p)
			if n <= 0 || d == 0 || d > nuids || pos+d >= nuids {
				break
			}
			pos += d
			p = p[n:]
			out = append(out, ix.UID(int(pos)))
		}
	case listBitmap:
		bm := p[1 : 1+ix.bitmapLen()]
		for i, b := range bm {
			for ; b != 0; b &= b - 1 {
				pos := i*8 + bits.TrailingZeros8(b)
				if pos >= int(nuids) {
					break // a damaged last byte: bits past the table mean nothing
				}
				out = append(out, ix.UID(pos))
			}
		}
	}
	return out
}

// WithAll returns, ascending, the indexed UIDs whose text has every one
// of grams; nil when one is in no message.
func (ix *Index) WithAll(grams []uint32) []uint32 {
	type list struct {
		p []byte
		n uint32
	}
	lists := make([]list, 0, len(grams))
	for _, g := range grams {
		p, n, ok := ix.postingsOf(g)
		if !ok {
			return nil
		}
		lists = append(lists, list{p, n})
	}
	if len(lists) == 0 {
		return nil
	}
	slices.SortFunc(lists, func(a, b list) int { return int(a.n) - int(b.n) })
	out := ix.decode(lists[0].p, lists[0].n)
	for _, l := range lists[1:] {
		if len(out) == 0 {
			break
		}
		other := ix.decode(l.p, l.n)
		keep := out[:0]
		j := 0
		for _, u := range out {
			for j < len(other) && other[j] < u {
				j++
			}
			if j < len(other) && other[j] == u {
				keep = append(keep, u)
			}
		}
		out = keep
	}
	return out
}

// Builder gathers an index in memory, messages in ascending UID order.
type Builder struct {
	uidValidity uint32
	uids        []uint32
	lists       map[uint32]*posting
}

type posting struct {
	last, count uint32
	buf         []byte
}

// NewBuilder starts an empty index for a mailbox with uidvalidity.
func NewBuilder(uidValidity uint32) *Builder {
	return &Builder{uidValidity: uidValidity, lists: map[uint32]*posting{}}
}

// Extend starts a builder holding what ix holds, for squatter -i to add
// the messages appended since.
func Extend(ix *Index) *Builder {
	b := NewBuilder(ix.UIDValidity)
	for i := range ix.NumUIDs() {
		b.uids = append(b.uids, ix.UID(i))
	}
	for i := range len(ix.grams) / gramSize {
		g, off, n := ix.gram(i)
		uids := ix.decode(ix.postings[off:], n)
		p := &posting{count: uint32(len(uids))}
		for _, u := range uids {
			p.buf = binary.AppendUvarint(p.buf, uint64(u-p.last))
			p.last = u
		}
		b.lists[g] = p
	}
	return b
}

// LastUID is the highest UID added so far, 0 for none.
func (b *Builder) LastUID() uint32 {
	if len(b.uids) == 0 {
		return 0
	}
	return b.uids[len(b.uids)-1]
}

// Add records the grams (distinct) of the message with uid, which must
// be above every UID added before.
func (b *Builder) Add(uid uint32, grams []uint32) error {
	if uid == 0 || uid <= b.LastUID() {
		return fmt.Errorf("squat: uid %d added after %d", uid, b.LastUID())
	}
	b.uids = append(b.uids, uid)
	for _, g := range grams {
		p := b.lists[g]
		if p == nil {
			p = &posting{}
			b.lists[g] = p
		} else if p.last == uid {
			continue // listed twice: once is what it means
		}
		p.buf = binary.AppendUvarint(p.buf, uint64(uid-p.last))
		p.last = uid
		p.count++
	}
	return nil
}

// encode gives p's posting list in the file's form, the smaller of
// position deltas and a bitmap over the UID table.
func (b *Builder) encode(p *posting) []byte {
	deltas := []byte{listDeltas}
	bitmap := make([]byte, 1+(len(b.uids)+7)/8)
	bitmap[0] = listBitmap
	var uid uint64
	pos, prev := 0, -1
	for q := p.buf; len(q) > 0; {
		d, n := binary.Uvarint(q) // the builder's own bytes: never damaged
		q = q[n:]
		uid += d
		for b.uids[pos] != uint32(uid) {
			pos++
		}
		deltas = binary.AppendUvarint(deltas, uint64(pos-prev))
		bitmap[1+pos/8] |= 1 << (pos % 8)
		prev = pos
	}
	if len(bitmap) < len(deltas) {
		return bitmap
	}
	return deltas
}

// ErrTooLarge: the posting lists do not fit the format's 32-bit offsets.
var ErrTooLarge = errors.New("squat: index too large for the file format")

// Bytes returns the index file's contents, for a mailbox whose UIDNEXT
// is uidNext.
func (b *Builder) Bytes(uidNext uint32) ([]byte, error) {
	grams := make([]uint32, 0, len(b.lists))
	for g := range b.lists {
		grams = append(grams, g)
	}
	slices.Sort(grams)
	lists := make([][]byte, len(grams))
	plen := 0
	for i, g := range grams {
		lists[i] = b.encode(b.lists[g])
		plen += len(lists[i])
	}
	if plen > 1<<32-1 {
		return nil, ErrTooLarge
	}
	be := binary.BigEndian
	var out bytes.Buffer
	out.Grow(headerSize + 4*len(b.uids) + gramSize*len(grams) + plen + crcSize)
	out.WriteString(magic)
	for _, v := range []uint32{version, b.uidValidity, uidNext, uint32(len(b.uids)), uint32(len(grams))} {
		out.Write(be.AppendUint32(nil, v))
	}
	out.Write(be.AppendUint64(nil, uint64(plen)))
	for _, u := range b.uids {
		out.Write(be.AppendUint32(nil, u))
	}
	off := uint32(0)
	for i, g := range grams {
		out.Write(be.AppendUint32(be.AppendUint32(be.AppendUint32(nil, g), off), b.lists[g].count))
		off += uint32(len(lists[i]))
	}
	for _, l := range lists {
		out.Write(l)
	}
	out.Write(be.AppendUint32(nil, crc32.Checksum(out.Bytes(), castagnoli)))
	return out.Bytes(), nil
}

// Write replaces the index file in the mailbox directory dir, crash
// safely: a temporary file, fsync'd, renamed over FileName, then the
// directory fsync'd.
func (b *Builder) Write(dir string, uidNext uint32) (err error) {
	data, err := b.Bytes(uidNext)
	if err != nil {
		return err
	}
	f, err := mailbox.CreateTemp(dir, "squat")
	if err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, FileName)); err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("squat: %w", err)
	}
	return nil
}

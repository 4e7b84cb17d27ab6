package wire

import (
	"bufio"
	"errors"
	"io"
)

// Inflater decodes a raw DEFLATE stream (RFC 1951), the client-to-server
// half of COMPRESS=DEFLATE (RFC 4978).
//
// compress/flate cannot be used here: its reader hands decoded bytes out
// only when its 32 KiB window fills, at a stored block or at the final
// block. A client that ends each command with Z_PARTIAL_FLUSH (mbsync)
// emits Huffman blocks only, so the command would sit in the decoder while
// the reader waits for input that never comes. Inflater returns what it
// has at every block end and reads input a byte at a time, only when a
// symbol needs more bits, so it never waits for bytes the client has not
// sent while holding decoded ones.
//
// github.com/klauspost/compress/flate (v1.18.0, in the module graph through
// badger) was tried in its place: NewReaderOpts(src, WithPartialBlock())
// does return at block ends, but after the tables of a non-final dynamic
// Huffman block it reads ahead the EOB code's length plus 10 bits, counting
// on the next block being at least an empty static one (3+7 bits). Zlib's
// Z_PARTIAL_FLUSH sends that empty block with up to 7 of its bits still
// held back, so a command coded with dynamic tables (an APPEND of a few
// KiB from mbsync) stalls in the decoder waiting for the next command:
// TestInflatePartialFlushFromZlib replays zlib's own output and fails with
// it at the third command. Go's compress/flate has the same read-ahead.
type Inflater struct {
	src    io.ByteReader
	bits   uint32 // input bits not yet used, LSB first
	nbits  uint
	window [windowSize]byte // the last 32 KiB of output, a ring
	pos    int              // next write position in window (total output mod size)
	unread int              // bytes before pos not yet returned by Read

	state   inflateState
	final   bool // the current block is the last one
	stored  int  // bytes left in the current stored block
	copyLen int  // bytes left of a back-reference being copied
	copyDst int  // its distance
	lit     huffman
	dist    huffman
	err     error
}

const (
	windowSize = 1 << 15
	windowMask = windowSize - 1
	maxMatch   = 258
	// maxBits is the longest Huffman code DEFLATE allows.
	maxBits = 15
)

type inflateState uint8

const (
	stateBlockHeader inflateState = iota
	stateStored
	stateHuffman
	stateDone
)

var errCorrupt = errors.New("deflate: corrupt input")

// NewInflater returns an Inflater reading compressed bytes from src. When
// src is not an io.ByteReader it is buffered; a *bufio.Reader is used as
// it is, so bytes it already holds are decoded first.
func NewInflater(src io.Reader) *Inflater {
	br, ok := src.(io.ByteReader)
	if !ok {
		br = bufio.NewReaderSize(src, 512)
	}
	return &Inflater{src: br}
}

// Read returns decoded bytes. It returns as soon as it has any at the end
// of a block, when p is full, or when its window holds as much undelivered
// output as it can.
func (f *Inflater) Read(p []byte) (int, error) {
	for {
		if f.unread > 0 {
			return f.deliver(p), nil
		}
		if f.err != nil {
			return 0, f.err
		}
		f.err = f.step()
	}
}

// deliver copies undelivered output into p.
func (f *Inflater) deliver(p []byte) int {
	start := (f.pos - f.unread) & windowMask
	n := 0
	for n < len(p) && f.unread > 0 {
		end := start + f.unread
		if end > windowSize {
			end = windowSize
		}
		c := copy(p[n:], f.window[start:end])
		n += c
		f.unread -= c
		start = (start + c) & windowMask
	}
	return n
}

// step decodes until a block ends or the window is full of undelivered
// output. It returns io.EOF after the final block.
func (f *Inflater) step() error {
	for f.unread <= windowSize-maxMatch {
		switch f.state {
		case stateDone:
			return io.EOF
		case stateBlockHeader:
			if err := f.blockHeader(); err != nil {
				return err
			}
		case stateStored:
			if f.stored == 0 {
				f.endBlock()
				if f.unread > 0 {
					return nil
				}
				continue
			}
			b, err := f.src.ReadByte()
			if err != nil {
				return noEOF(err)
			}
			f.put(b)
			f.stored--
		case stateHuffman:
			ended, err := f.huffmanSymbols()
			if err != nil {
				return err
			}
			if ended {
				f.endBlock()
				if f.unread > 0 {
					return nil
				}
			}
		}
	}
	return nil
}

func (f *Inflater) endBlock() {
	if f.final {
		f.state = stateDone
	} else {
		f.state = stateBlockHeader
	}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// need makes sure at least n (≤ 24) bits are in the bit buffer.
func (f *Inflater) need(n uint) error {
	for f.nbits < n {
		b, err := f.src.ReadByte()
		if err != nil {
			return noEOF(err)
		}
		f.bits |= uint32(b) << f.nbits
		f.nbits += 8
	}
	return nil
}

// take returns the next n (≤ 24) bits.
func (f *Inflater) take(n uint) (int, error) {
	if err := f.need(n); err != nil {
		return 0, err
	}
	v := int(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nbits -= n
	return v, nil
}

func (f *Inflater) put(b byte) {
	f.window[f.pos] = b
	f.pos = (f.pos + 1) & windowMask
	f.unread++
}

// blockHeader reads BFINAL and BTYPE and whatever header the block type has.
func (f *Inflater) blockHeader() error {
	h, err := f.take(3)
	if err != nil {
		return err
	}
	f.final = h&1 == 1
	switch h >> 1 {
	case 0:
		f.bits, f.nbits = 0, 0 // stored blocks start at a byte boundary
		v, err := f.take(16)
		if err != nil {
			return err
		}
		nv, err := f.take(16)
		if err != nil {
			return err
		}
		if v != ^nv&0xffff {
			return errCorrupt
		}
		f.stored, f.state = v, stateStored
	case 1:
		fixedTables(&f.lit, &f.dist)
		f.state = stateHuffman
	case 2:
		if err := f.dynamicTables(); err != nil {
			return err
		}
		f.state = stateHuffman
	default:
		return errCorrupt
	}
	return nil
}

// huffmanSymbols decodes literal/length symbols until the block ends (true)
// or the window has no room for another match.
func (f *Inflater) huffmanSymbols() (bool, error) {
	for f.unread <= windowSize-maxMatch {
		if f.copyLen > 0 {
			f.copyMatch()
			continue
		}
		sym, err := f.decode(&f.lit)
		if err != nil {
			return false, err
		}
		switch {
		case sym < 256:
			f.put(byte(sym))
		case sym == 256:
			return true, nil
		default:
			if err := f.match(sym); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// match reads a back-reference's length and distance and starts copying.
func (f *Inflater) match(sym int) error {
	sym -= 257
	if sym >= len(lengthBase) {
		return errCorrupt
	}
	extra, err := f.take(lengthExtra[sym])
	if err != nil {
		return err
	}
	length := lengthBase[sym] + extra
	dsym, err := f.decode(&f.dist)
	if err != nil {
		return err
	}
	if dsym >= len(distBase) {
		return errCorrupt
	}
	if extra, err = f.take(distExtra[dsym]); err != nil {
		return err
	}
	f.copyLen, f.copyDst = length, distBase[dsym]+extra
	return nil
}

// copyMatch copies the pending back-reference into the window (at most
// maxMatch bytes, for which step keeps room). A distance reaching before
// the start of the stream reads zeros: raw DEFLATE has no checksum to
// catch it, and the client only garbles its own commands.
func (f *Inflater) copyMatch() {
	src := (f.pos - f.copyDst) & windowMask
	for ; f.copyLen > 0; f.copyLen-- {
		f.window[f.pos] = f.window[src]
		f.pos = (f.pos + 1) & windowMask
		src = (src + 1) & windowMask
		f.unread++
	}
}

// huffman is a canonical Huffman code in the compact form of zlib's puff.c:
// how many codes have each length, and the symbols ordered by code.
type huffman struct {
	count  [maxBits + 1]uint16
	symbol [288]uint16
}

// build sets h from code lengths. Over-subscribed sets are corrupt;
// incomplete ones are allowed (a single distance code is legal) and a code
// outside them fails when decoded.
func (h *huffman) build(lengths []uint8) error {
	h.count = [maxBits + 1]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	left := 1
	for l := 1; l <= maxBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return errCorrupt
		}
	}
	var offs [maxBits + 2]uint16
	for l := 1; l <= maxBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for sym, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = uint16(sym)
			offs[l]++
		}
	}
	return nil
}

// decode reads one symbol bit by bit. Slow next to table lookup, but the
// client-to-server direction carries commands, and it never reads a bit
// the symbol does not need.
func (f *Inflater) decode(h *huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l <= maxBits; l++ {
		b, err := f.take(1)
		if err != nil {
			return 0, err
		}
		code |= b
		count := int(h.count[l])
		if code-first < count {
			return int(h.symbol[index+code-first]), nil
		}
		index += count
		first = (first + count) << 1
		code <<= 1
	}
	return 0, errCorrupt
}

// fixedTables sets the codes of BTYPE 01 (RFC 1951 §3.2.6).
func fixedTables(lit, dist *huffman) {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	lit.build(l[:])
	var d [30]uint8
	for i := range d {
		d[i] = 5
	}
	dist.build(d[:])
}

// codeLengthOrder is the order of the code length code lengths (§3.2.7).
var codeLengthOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicTables reads a BTYPE 10 header (§3.2.7).
func (f *Inflater) dynamicTables() error {
	h, err := f.take(14)
	if err != nil {
		return err
	}
	nlen, ndist, ncode := h&0x1f+257, (h>>5)&0x1f+1, h>>10+4
	if nlen > 286 || ndist > 30 {
		return errCorrupt
	}
	var cl [19]uint8
	for i := 0; i < ncode; i++ {
		v, err := f.take(3)
		if err != nil {
			return err
		}
		cl[codeLengthOrder[i]] = uint8(v)
	}
	var clcode huffman
	if err := clcode.build(cl[:]); err != nil {
		return err
	}
	var lengths [286 + 30]uint8
	for i := 0; i < nlen+ndist; {
		sym, err := f.decode(&clcode)
		if err != nil {
			return err
		}
		if sym < 16 {
			lengths[i] = uint8(sym)
			i++
			continue
		}
		var prev uint8
		var rep int
		switch sym {
		case 16:
			if i == 0 {
				return errCorrupt
			}
			prev = lengths[i-1]
			rep, err = f.take(2)
			rep += 3
		case 17:
			rep, err = f.take(3)
			rep += 3
		default:
			rep, err = f.take(7)
			rep += 11
		}
		if err != nil {
			return err
		}
		if i+rep > nlen+ndist {
			return errCorrupt
		}
		for ; rep > 0; rep-- {
			lengths[i] = prev
			i++
		}
	}
	if lengths[256] == 0 {
		return errCorrupt // no end-of-block code
	}
	if err := f.lit.build(lengths[:nlen]); err != nil {
		return err
	}
	return f.dist.build(lengths[nlen : nlen+ndist])
}

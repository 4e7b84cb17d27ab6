package cyrusdb

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Frame kinds. See doc.go for the protocol.
const (
	kindHello       byte = 1
	kindGet         byte = 2
	kindScan        byte = 3
	kindTxn         byte = 4
	kindPublish     byte = 5
	kindSubscribe   byte = 6
	kindUnsubscribe byte = 7
	kindBackup      byte = 8
	kindCheckpoint  byte = 9
	kindAck         byte = 10
	kindCancel      byte = 11

	kindOK    byte = 64
	kindErr   byte = 65
	kindChunk byte = 66
	kindEnd   byte = 67
	kindEvent byte = 68
)

const (
	// MaxFrameSize bounds one frame (kind, id and payload).
	MaxFrameSize = 64 << 20
	frameHeader  = 4 + 1 + 8
	// protocolHello is exchanged first on every connection.
	protocolHello = "gocyrus-db/1"
)

var errFrame = errors.New("cyrusdb: malformed frame")

type frame struct {
	kind    byte
	id      uint64
	payload []byte
}

// readFrame reads one frame: a 4-byte big-endian length N (9 <= N <=
// MaxFrameSize), then the kind byte, the 8-byte request id and N-9 bytes
// of payload.
func readFrame(r *bufio.Reader) (frame, error) {
	var hdr [frameHeader]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	if n < frameHeader-4 || n > MaxFrameSize {
		return frame{}, fmt.Errorf("%w: length %d", errFrame, n)
	}
	if _, err := io.ReadFull(r, hdr[4:]); err != nil {
		return frame{}, truncated(err)
	}
	f := frame{kind: hdr[4], id: binary.BigEndian.Uint64(hdr[5:])}
	if !validKind(f.kind) {
		return frame{}, fmt.Errorf("%w: unknown kind %d", errFrame, f.kind)
	}
	size := int64(n - (frameHeader - 4))
	if size <= 1<<20 {
		f.payload = make([]byte, size)
		if _, err := io.ReadFull(r, f.payload); err != nil {
			return frame{}, truncated(err)
		}
		return f, nil
	}
	// A large frame grows with the data that actually arrives, so a bogus
	// length cannot make us allocate the limit up front.
	var b bytes.Buffer
	if _, err := io.CopyN(&b, r, size); err != nil {
		return frame{}, truncated(err)
	}
	f.payload = b.Bytes()
	return f, nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", errFrame)
	}
	return err
}

func validKind(k byte) bool {
	return (k >= kindHello && k <= kindCancel) || (k >= kindOK && k <= kindEvent)
}

// maxPayload is the largest payload a frame can carry.
const maxPayload = MaxFrameSize - (frameHeader - 4)

// frameHeaderBytes encodes the header of a frame carrying n payload bytes
// (n <= maxPayload).
func frameHeaderBytes(kind byte, id uint64, n int) [frameHeader]byte {
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[:4], uint32(n+frameHeader-4))
	h[4] = kind
	binary.BigEndian.PutUint64(h[5:], id)
	return h
}

// enc builds a payload: unsigned and signed varints, and byte strings
// prefixed with their uvarint length.
type enc []byte

func (e *enc) uvarint(v uint64) { *e = binary.AppendUvarint(*e, v) }
func (e *enc) varint(v int64)   { *e = binary.AppendVarint(*e, v) }
func (e *enc) byte1(b byte)     { *e = append(*e, b) }
func (e *enc) bytes(b []byte)   { e.uvarint(uint64(len(b))); *e = append(*e, b...) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); *e = append(*e, s...) }
func (e *enc) bool1(b bool) {
	if b {
		e.byte1(1)
	} else {
		e.byte1(0)
	}
}

// dec reads a payload; the first error sticks and later reads return
// zero values, so a decoder checks err once at the end.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", errFrame, what)
	}
	d.b = nil
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) byte1() byte {
	if len(d.b) < 1 {
		d.fail("byte")
		return 0
	}
	b := d.b[0]
	d.b = d.b[1:]
	return b
}

func (d *dec) bool1() bool {
	switch d.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bool")
	return false
}

func (d *dec) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("length")
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *dec) str() string { return string(d.bytes()) }

// count reads an element count and rejects counts that cannot fit in the
// rest of the payload (each element takes at least min bytes).
func (d *dec) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail("count")
		return 0
	}
	return int(n)
}

// end fails if bytes are left over.
func (d *dec) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

package mailbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"unsafe"
)

// cyrus.cache layout, version 3 (see doc.go). Version 1 had the layout of
// version 2 but described untyped parts of a multipart/digest as
// text/plain. Version 3 adds an address's source route and marks each
// payload (payloadMark), and its body structures count line breaks and keep
// parameters in header order. Reconstruct rebuilds a cache of another
// version from the message files; a reader rebuilds an unmarked (older)
// record from its message file, so a mailbox answers correctly before
// reconstruct runs and a version 2 file may hold version 3 records.
const (
	cacheMagic       = "gcyrusCA"
	cacheVersion     = 3
	cacheHeaderSize  = 16
	cacheRecordFixed = 12 // uid + payload length + crc
	// maxCacheRecord bounds one record so a damaged length cannot make a
	// reader allocate gigabytes.
	maxCacheRecord = 64 << 20
)

func cacheFileHeader() []byte {
	b := make([]byte, cacheHeaderSize)
	copy(b, cacheMagic)
	binary.LittleEndian.PutUint32(b[8:], cacheVersion)
	return b
}

func checkCacheFileHeader(b []byte) error {
	if len(b) < cacheHeaderSize || string(b[:8]) != cacheMagic {
		return corruptf(cacheFile, "bad magic")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != cacheVersion {
		return corruptf(cacheFile, "unsupported version %d", v)
	}
	return nil
}

// encodeCacheRecord frames the payload of c for uid.
func encodeCacheRecord(uid uint32, payload []byte) []byte {
	b := make([]byte, 8, cacheRecordFixed+len(payload))
	binary.LittleEndian.PutUint32(b[0:], uid)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(payload)))
	b = append(b, payload...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// decodeCacheRecord checks a framed record read for uid and decodes it
// into a private copy, so the caller may reuse b.
func decodeCacheRecord(uid uint32, b []byte) (*Cached, error) {
	payload, err := checkCacheRecord(uid, b)
	if err != nil {
		return nil, err
	}
	return decodeCachedPayload(uid, bytes.Clone(payload), new(cachedArena), false)
}

// checkCacheRecord checks a framed record read for uid and returns its
// payload, aliasing b.
func checkCacheRecord(uid uint32, b []byte) ([]byte, error) {
	if len(b) < cacheRecordFixed {
		return nil, corruptf(cacheFile, "uid %d: record truncated", uid)
	}
	le := binary.LittleEndian
	n := int(le.Uint32(b[4:]))
	if n != len(b)-cacheRecordFixed {
		return nil, corruptf(cacheFile, "uid %d: record length mismatch", uid)
	}
	if got := le.Uint32(b[0:]); got != uid {
		return nil, corruptf(cacheFile, "uid %d: record belongs to uid %d", uid, got)
	}
	if crc32.Checksum(b[:8+n], crcTable) != le.Uint32(b[8+n:]) {
		return nil, corruptf(cacheFile, "uid %d: checksum mismatch", uid)
	}
	return b[8 : 8+n], nil
}

// decodeCachedPayload decodes a payload into arena, only its envelope (the
// payload's first part) when envelopeOnly.
func decodeCachedPayload(uid uint32, payload []byte, arena *cachedArena, envelopeOnly bool) (*Cached, error) {
	c, err := decodeInto(payload, arena, envelopeOnly)
	if errors.Is(err, errOldPayload) {
		return nil, err // not damage: the reader rebuilds it quietly
	}
	if err != nil {
		return nil, corruptf(cacheFile, "uid %d: %v", uid, err)
	}
	return c, nil
}

// encodeCached serialises c: envelope, body structure, header bytes. Strings
// are uvarint length + bytes; lists are uvarint count + items.
func encodeCached(c *Cached) []byte {
	var e cacheEncoder
	e.b = append(e.b, payloadMark...)
	e.envelope(&c.Envelope)
	e.body(c.Body)
	e.bytes(c.Headers)
	return e.b
}

// payloadMark starts every version 3 payload. A version 2 payload starts
// with the uvarint length of the Date, and AppendUvarint never writes 0x80
// 0x00 (a continuation byte followed by a zero group), so an older payload
// cannot start with it.
var payloadMark = []byte{0x80, 0x00, cacheVersion}

// errOldPayload is the decode error of a record of an older version.
var errOldPayload = errors.New("payload of an older cache version")

type cacheEncoder struct{ b []byte }

func (e *cacheEncoder) uint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *cacheEncoder) str(s string)   { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *cacheEncoder) bytes(s []byte) { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *cacheEncoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *cacheEncoder) addrs(as []Address) {
	e.uint(uint64(len(as)))
	for _, a := range as {
		e.str(a.Name)
		e.str(a.Route)
		e.str(a.Mailbox)
		e.str(a.Host)
	}
}

func (e *cacheEncoder) params(ps []Param) {
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.str(p.Name)
		e.str(p.Value)
	}
}

func (e *cacheEncoder) flag(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *cacheEncoder) envelope(v *Envelope) {
	e.str(v.Date)
	e.str(v.Subject)
	for _, l := range [][]Address{v.From, v.Sender, v.ReplyTo, v.To, v.Cc, v.Bcc} {
		e.addrs(l)
	}
	e.str(v.InReplyTo)
	e.str(v.MessageID)
}

func (e *cacheEncoder) body(bs *BodyStructure) {
	e.flag(bs != nil)
	if bs == nil {
		return
	}
	for _, s := range []string{bs.Type, bs.Subtype} {
		e.str(s)
	}
	e.params(bs.Params)
	for _, s := range []string{bs.ID, bs.Description, bs.Encoding} {
		e.str(s)
	}
	e.uint(uint64(bs.Size))
	e.uint(uint64(bs.Lines))
	e.str(bs.MD5)
	e.str(bs.Disposition)
	e.params(bs.DispositionParams)
	e.strs(bs.Language)
	e.str(bs.Location)
	e.uint(uint64(len(bs.Parts)))
	for _, p := range bs.Parts {
		e.body(p)
	}
	e.flag(bs.Envelope != nil)
	if bs.Envelope != nil {
		e.envelope(bs.Envelope)
		e.body(bs.Message)
	}
}

// cacheDecoder reads what cacheEncoder wrote. Every decoded string and
// Cached.Headers alias the payload (a Cached is read-only, so sharing its
// bytes is safe), and the Cached lives in a cachedArena with room for a
// typical message's addresses, parameters and body structure. An owned
// entry costs two allocations (a private copy of the payload and the
// arena); a borrowed one (View.ForEachCachedBorrowed) costs none in the
// common case: it aliases the read buffer and one reused arena.
// The first error sticks; every read is bounds-checked.
type cacheDecoder struct {
	b     []byte
	pos   int
	err   error
	arena *cachedArena
}

// cachedArena is the storage of one decoded entry, allocated as a unit;
// lists that do not fit get their own allocation.
type cachedArena struct {
	c      Cached
	body   BodyStructure
	addrs  [8]Address
	params [2]Param
	nAddr  int
	nParam int
	usedBS bool
}

func (a *cachedArena) addrList(n int) []Address {
	if a.nAddr+n <= len(a.addrs) {
		s := a.addrs[a.nAddr : a.nAddr+n : a.nAddr+n]
		a.nAddr += n
		return s
	}
	return make([]Address, n)
}

func (a *cachedArena) paramList(n int) []Param {
	if a.nParam+n <= len(a.params) {
		s := a.params[a.nParam : a.nParam+n : a.nParam+n]
		a.nParam += n
		return s
	}
	return make([]Param, n)
}

func (a *cachedArena) bodyStructure() *BodyStructure {
	if !a.usedBS {
		a.usedBS = true
		return &a.body
	}
	return new(BodyStructure)
}

func (d *cacheDecoder) fail(what string) {
	if d.err == nil {
		d.err = corruptf(cacheFile, "bad %s at byte %d", what, d.pos)
	}
}

func (d *cacheDecoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	if d.pos < len(d.b) && d.b[d.pos] < 0x80 { // the common one-byte case
		d.pos++
		return uint64(d.b[d.pos-1])
	}
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.pos >= len(d.b) {
			d.fail("varint")
			return 0
		}
		c := d.b[d.pos]
		d.pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail("varint")
	return 0
}

// count reads a list length, refusing one longer than the bytes left.
func (d *cacheDecoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)-d.pos) {
		d.fail("count")
		return 0
	}
	return int(n)
}

// raw returns the next length-prefixed byte string, aliasing d.b.
func (d *cacheDecoder) raw() []byte {
	n := d.count()
	if d.err != nil || n == 0 {
		return nil
	}
	s := d.b[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return s
}

// str returns the next string without copying: d.b is not written while
// the decoded entry is in use (see decodeCachedInto).
func (d *cacheDecoder) str() string {
	s := d.raw()
	if len(s) == 0 {
		return ""
	}
	return unsafe.String(&s[0], len(s))
}

func (d *cacheDecoder) u32() uint32 {
	v := d.uint()
	if v > 1<<32-1 {
		d.fail("size")
	}
	return uint32(v)
}

func (d *cacheDecoder) flag() bool {
	if d.err != nil || d.pos >= len(d.b) || d.b[d.pos] > 1 {
		d.fail("flag")
		return false
	}
	d.pos++
	return d.b[d.pos-1] == 1
}

func (d *cacheDecoder) strs() []string {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *cacheDecoder) addrs() []Address {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil
	}
	out := d.arena.addrList(n)
	for i := range out {
		out[i] = Address{Name: d.str(), Route: d.str(), Mailbox: d.str(), Host: d.str()}
	}
	return out
}

func (d *cacheDecoder) params() []Param {
	n := d.count()
	if n == 0 || d.err != nil {
		return nil
	}
	out := d.arena.paramList(n)
	for i := range out {
		out[i] = Param{Name: d.str(), Value: d.str()}
	}
	return out
}

func (d *cacheDecoder) envelope(v *Envelope) {
	v.Date = d.str()
	v.Subject = d.str()
	v.From = d.addrs()
	v.Sender = d.addrs()
	v.ReplyTo = d.addrs()
	v.To = d.addrs()
	v.Cc = d.addrs()
	v.Bcc = d.addrs()
	v.InReplyTo = d.str()
	v.MessageID = d.str()
}

func (d *cacheDecoder) body(depth int) *BodyStructure {
	if !d.flag() || d.err != nil {
		return nil
	}
	if depth > maxMIMEDepth {
		d.fail("nesting")
		return nil
	}
	bs := d.arena.bodyStructure()
	bs.Type, bs.Subtype = d.str(), d.str()
	bs.Params = d.params()
	bs.ID, bs.Description, bs.Encoding = d.str(), d.str(), d.str()
	bs.Size, bs.Lines = d.u32(), d.u32()
	bs.MD5, bs.Disposition = d.str(), d.str()
	bs.DispositionParams = d.params()
	bs.Language = d.strs()
	bs.Location = d.str()
	if n := d.count(); n > 0 && d.err == nil {
		bs.Parts = make([]*BodyStructure, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			bs.Parts = append(bs.Parts, d.body(depth+1))
		}
	}
	if d.flag() {
		bs.Envelope = new(Envelope)
		d.envelope(bs.Envelope)
		bs.Message = d.body(depth + 1)
	}
	return bs
}

// decodeCached decodes a cache payload. The payload is copied, so the
// caller may reuse its buffer.
func decodeCached(payload []byte) (*Cached, error) {
	return decodeCachedInto(bytes.Clone(payload), new(cachedArena))
}

// decodeCachedInto decodes payload into arena (which it resets). The result
// aliases both: it is valid while neither is reused or written.
func decodeCachedInto(payload []byte, arena *cachedArena) (*Cached, error) {
	return decodeInto(payload, arena, false)
}

// decodeInto is decodeCachedInto, stopping after the envelope when
// envelopeOnly (Body and Headers stay nil).
func decodeInto(payload []byte, arena *cachedArena, envelopeOnly bool) (*Cached, error) {
	*arena = cachedArena{}
	rest, ok := bytes.CutPrefix(payload, payloadMark)
	if !ok {
		return nil, errOldPayload
	}
	d := cacheDecoder{b: rest, arena: arena}
	c := &d.arena.c
	d.envelope(&c.Envelope)
	if envelopeOnly {
		if d.err != nil {
			return nil, d.err
		}
		return c, nil
	}
	c.Body = d.body(0)
	c.Headers = d.raw()
	if d.err == nil && c.Body == nil {
		d.fail("missing body structure")
	}
	if d.err == nil && d.pos != len(d.b) {
		d.fail("trailing data")
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

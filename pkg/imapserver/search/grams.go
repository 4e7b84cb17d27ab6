package search

import (
	"fmt"
	"io"
	"slices"
	"sync"
)

// The full-text index (pkg/squat, written by squatter) keeps, per
// message, every gram — three consecutive bytes of the folded searchable
// text of one part, as BODY and TEXT match it (a gram never spans two
// parts, as a match never does). A needle occurs in a part only if all
// of its grams do, so a message the index covers that lacks one of them
// cannot match and is decided without opening its file. Needles shorter
// than a gram decide nothing; every other candidate is still matched
// the normal way, so results are exact.

// GramLen is how many folded bytes make a gram.
const GramLen = 3

// TextIndex is a full-text index of a mailbox's messages.
type TextIndex interface {
	// Covers reports whether the message with uid was indexed.
	Covers(uid uint32) bool
	// WithAll returns, ascending, the UIDs of the indexed messages whose
	// text has every one of grams (sorted, distinct).
	WithAll(grams []uint32) []uint32
}

func gramAt(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// needleGrams returns the distinct grams of a folded needle, sorted; nil
// when it is shorter than a gram.
func needleGrams(n needle) []uint32 {
	var out []uint32
	for i := 0; i+GramLen <= len(n); i++ {
		out = append(out, gramAt([]byte(n[i:i+GramLen])))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IndexGrams returns the distinct grams, sorted, of the searchable text
// of a message — its decoded header text (TEXT) and each part BODY
// searches — read from msg (size bytes; headerSize is the index record's,
// 0 if unknown). An error reading msg is returned: such a message is left
// out of the index and searched directly.
func IndexGrams(msg io.ReaderAt, size, headerSize int64) ([]uint32, error) {
	hs, err := headerEnd(msg, size, headerSize)
	if err != nil {
		return nil, fmt.Errorf("search: index: %w", err)
	}
	hdr := make([]byte, hs)
	n, err := msg.ReadAt(hdr, 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("search: index: %w", err)
	}
	set := gramSets.Get().(*gramSet)
	defer set.release()
	g := &gramSink{set: set}
	g.add([]byte(headerText(hdr[:n])))
	src := &readErrs{r: msg}
	walkBody(src, size, hs, g)
	if src.err != nil {
		return nil, fmt.Errorf("search: index: %w", src.err)
	}
	out := slices.Clone(set.list)
	slices.Sort(out)
	return out, nil
}

// gramSet is a set of grams: a bit per possible gram (2 MiB) and the
// list of those set. Far cheaper per gram than a map (the cost of
// building an index, issue 17); reused through gramSets, and cleared by
// release in time proportional to what was set.
type gramSet struct {
	bits [1 << (8 * GramLen) / 64]uint64
	list []uint32
}

var gramSets = sync.Pool{New: func() any { return new(gramSet) }}

func (s *gramSet) add(g uint32) {
	w, m := g>>6, uint64(1)<<(g&63)
	if s.bits[w]&m == 0 {
		s.bits[w] |= m
		s.list = append(s.list, g)
	}
}

// release empties s and returns it to gramSets.
func (s *gramSet) release() {
	for _, g := range s.list {
		s.bits[g>>6] = 0
	}
	s.list = s.list[:0]
	gramSets.Put(s)
}

// gramSink collects the grams of each part's text, folding it as
// foldMatcher does (foldAppend), in pieces: a rune split between two
// writes is held back, and the last GramLen-1 folded bytes are kept so
// grams across writes are counted.
type gramSink struct {
	set              *gramSet
	pending, in, buf []byte
	tail             []byte
}

func (g *gramSink) Write(p []byte) (int, error) {
	in := p
	if len(g.pending) > 0 {
		g.in = append(append(g.in[:0], g.pending...), p...)
		in = g.in
		g.pending = g.pending[:0]
	}
	buf, rest := foldAppend(append(g.buf[:0], g.tail...), in)
	g.pending = append(g.pending, rest...)
	g.buf = buf
	g.add(buf)
	keep := min(len(buf), GramLen-1)
	g.tail = append(g.tail[:0], buf[len(buf)-keep:]...)
	return len(p), nil
}

func (g *gramSink) add(b []byte) {
	for i := 0; i+GramLen <= len(b); i++ {
		g.set.add(gramAt(b[i:]))
	}
}

// part reads one part's text (a read error ends it where it happened, as
// in foldMatcher.part); an incomplete sequence at its end folds to U+FFFD
// per byte. It never ends the walk.
func (g *gramSink) part(r io.Reader) bool {
	io.Copy(g, r)
	buf := append(g.buf[:0], g.tail...)
	for range g.pending {
		buf = append(buf, "\uFFFD"...)
	}
	g.buf = buf
	g.add(buf)
	g.pending, g.tail = g.pending[:0], g.tail[:0]
	return false
}

// useIndex gives every BODY and TEXT node of the tree under n that has
// grams the index's answer for them.
func (n *node) useIndex(idx TextIndex) {
	if len(n.grams) > 0 {
		n.idx, n.hits = idx, idx.WithAll(n.grams)
	}
	for _, k := range n.kids {
		k.useIndex(idx)
	}
}

// wantsIndex reports whether a node under n can use an index.
func (n *node) wantsIndex() bool {
	if len(n.grams) > 0 {
		return true
	}
	for _, k := range n.kids {
		if k.wantsIndex() {
			return true
		}
	}
	return false
}

// excluded reports whether the index shows that n (BODY or TEXT) cannot
// match the message with uid.
func (n *node) excluded(uid uint32) bool {
	if n.idx == nil || !n.idx.Covers(uid) {
		return false
	}
	_, found := slices.BinarySearch(n.hits, uid)
	return !found
}

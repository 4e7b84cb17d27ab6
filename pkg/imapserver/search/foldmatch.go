package search

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// foldMatcher finds a folded needle in text written to it in pieces,
// folding the text as it comes (as foldString would fold it whole): a
// rune split between two writes is held back until complete, and the
// last len(needle)-1 folded bytes are kept so that a match split between
// two writes is found. Its memory is one write's worth and the needle.
type foldMatcher struct {
	n       []byte
	pending []byte // an incomplete UTF-8 sequence ending the last write
	tail    []byte // the last len(n)-1 folded bytes of this part
	in, buf []byte // scratch
}

func newFoldMatcher(n string) *foldMatcher { return &foldMatcher{n: []byte(n)} }

// Write folds p and looks for the needle; errFound ends the stream.
func (fm *foldMatcher) Write(p []byte) (int, error) {
	in := p
	if len(fm.pending) > 0 {
		fm.in = append(append(fm.in[:0], fm.pending...), p...)
		in = fm.in
		fm.pending = fm.pending[:0]
	}
	buf, rest := foldAppend(append(fm.buf[:0], fm.tail...), in)
	fm.pending = append(fm.pending, rest...)
	fm.buf = buf
	if fm.match(buf) {
		return len(p), errFound
	}
	return len(p), nil
}

// match looks for the needle in buf and keeps buf's end as the tail.
func (fm *foldMatcher) match(buf []byte) bool {
	if bytes.Contains(buf, fm.n) {
		return true
	}
	keep := min(len(buf), len(fm.n)-1)
	fm.tail = append(fm.tail[:0], buf[len(buf)-keep:]...)
	return false
}

// endPart ends a part: a sequence left incomplete is invalid (each byte
// folds to U+FFFD, as when decoded whole), and no match spans parts.
func (fm *foldMatcher) endPart() bool {
	buf := append(fm.buf[:0], fm.tail...)
	for range fm.pending {
		buf = utf8.AppendRune(buf, utf8.RuneError)
	}
	fm.buf = buf
	found := len(fm.pending) > 0 && bytes.Contains(buf, fm.n)
	fm.pending, fm.tail = fm.pending[:0], fm.tail[:0]
	return found
}

// part streams one part's text through fm. A read error ends the part
// where it happened: what was read is searched (a damaged encoding still
// has searchable text before the damage).
func (fm *foldMatcher) part(r io.Reader) bool {
	if _, err := io.Copy(fm, r); err == errFound {
		fm.pending, fm.tail = fm.pending[:0], fm.tail[:0]
		return true
	}
	return fm.endPart()
}

// foldAppend appends to dst the folded form (foldRune) of the complete
// runes of in, an invalid byte folding to U+FFFD as when decoded whole,
// and returns it with the incomplete UTF-8 sequence ending in, if any,
// for the caller to prefix to the next piece. BODY matching and the
// full-text index (IndexGrams) fold through here: one rule.
func foldAppend(dst, in []byte) (out, rest []byte) {
	for i := 0; i < len(in); {
		c := in[i]
		if c < utf8.RuneSelf {
			dst = append(dst, upperASCII(c))
			i++
			continue
		}
		if !utf8.FullRune(in[i:]) {
			return dst, in[i:]
		}
		r, w := utf8.DecodeRune(in[i:])
		dst = utf8.AppendRune(dst, foldRune(r))
		i += w
	}
	return dst, nil
}

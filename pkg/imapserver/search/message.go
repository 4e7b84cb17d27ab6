package search

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"

	"gocyrus/pkg/mailbox"
)

// evalEnv is Env prepared for evaluation.
type evalEnv struct {
	saved []uint32 // sorted
	now   time.Time
}

func newEvalEnv(env Env) *evalEnv {
	e := &evalEnv{saved: slices.Clone(env.Saved), now: env.Now}
	slices.Sort(e.saved)
	if e.now.IsZero() {
		e.now = time.Now()
	}
	return e
}

// message is one candidate under evaluation with the data loaded so far.
type message struct {
	c      *Candidate
	i      int // c's index among the candidates
	env    *evalEnv
	cached *mailbox.Cached // set for the cache and file passes

	hdr     []byte // the raw header block from the file
	hdrText *string
	inBody  map[string]bool // BODY results by folded needle
	err     error           // the first error reading the file
	gone    bool            // no message file (expunged meanwhile, or damage): it matches nothing
}

// open opens the message file; nil when there is none to read (m.gone or
// m.err is set). A file that is missing or not a regular file makes the
// message match nothing, as in Cyrus, rather than fail the search.
func (m *message) open() (*os.File, int64) {
	if m.err != nil || m.gone {
		return nil, 0
	}
	if m.c.Open == nil {
		m.err = fmt.Errorf("search: uid %d: no way to open the message", m.c.UID)
		return nil, 0
	}
	f, err := m.c.Open()
	if err != nil {
		m.fail(err)
		return nil, 0
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%w: not a regular file", fs.ErrNotExist)
	}
	if err != nil {
		f.Close()
		m.fail(err)
		return nil, 0
	}
	return f, fi.Size()
}

func (m *message) fail(err error) {
	// mailbox.OpenMessage reports a missing file as ErrNoSuchMessage.
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, mailbox.ErrNoSuchMessage) {
		m.gone = true
		return
	}
	m.err = fmt.Errorf("search: uid %d: %w", m.c.UID, err)
}

// headerEnd bounds the header block of the message in f: the index's
// header size when it fits, else the first blank line (CRLF preferred),
// found by reading in bounded chunks.
func headerEnd(f io.ReaderAt, size, hs int64) (int64, error) {
	if hs > 0 && hs <= size {
		return hs, nil
	}
	lf := int64(-1)
	r := bufio.NewReader(io.NewSectionReader(f, 0, size))
	var prev1, prev2 byte // the two bytes before the current one
	for off := int64(0); ; off++ {
		c, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		if c == '\n' && prev1 == '\r' && prev2 == '\n' {
			return off + 1, nil
		}
		if c == '\n' && prev1 == '\n' && lf < 0 {
			lf = off + 1
		}
		prev2, prev1 = prev1, c
	}
	if lf >= 0 {
		return lf, nil
	}
	return size, nil
}

func (m *message) header() []byte {
	if m.hdr != nil {
		return m.hdr
	}
	f, size := m.open()
	if f == nil {
		return nil
	}
	defer f.Close()
	hs, err := headerEnd(f, size, int64(m.c.Record.HeaderSize))
	if err != nil {
		m.fail(err)
		return nil
	}
	buf := make([]byte, hs)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		m.fail(err)
		return nil
	}
	m.hdr = buf[:n]
	return m.hdr
}

func (m *message) headerText() string {
	if m.hdrText == nil {
		s := headerText(m.header())
		m.hdrText = &s
	}
	return *m.hdrText
}

// bodyHas reports whether the folded needle n occurs in the message's
// searchable body text, streaming the file (body.go).
func (m *message) bodyHas(n needle) bool {
	if found, ok := m.inBody[string(n)]; ok {
		return found
	}
	f, size := m.open()
	if f == nil {
		return false
	}
	defer f.Close()
	hs, err := headerEnd(f, size, int64(m.c.Record.HeaderSize))
	if err != nil {
		m.fail(err)
		return false
	}
	src := &readErrs{r: f}
	found := bodyContains(src, size, hs, string(n))
	if src.err != nil {
		m.fail(src.err)
		return false
	}
	if m.inBody == nil {
		m.inBody = map[string]bool{}
	}
	m.inBody[string(n)] = found
	return found
}

// readErrs remembers the first error reading the file other than its
// end: the MIME walk stops quietly at a read error, which must not pass
// for damaged content.
type readErrs struct {
	r   io.ReaderAt
	err error
}

func (r *readErrs) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// release drops everything loaded for m.
func (m *message) release() {
	*m = message{c: m.c, i: m.i, env: m.env}
}

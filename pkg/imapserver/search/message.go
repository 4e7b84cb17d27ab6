package search

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

	raw            []byte // the whole file, once BODY/TEXT needed it
	hdr            []byte // the raw header block from the file
	hdrText, bText *string
	err            error // the first error reading the file
	gone           bool  // the file no longer exists (expunged meanwhile)
}

// loadRaw reads the message file, whole or only its header block.
func (m *message) loadRaw(whole bool) {
	if m.err != nil || m.gone || m.raw != nil || (!whole && m.hdr != nil) {
		return
	}
	if m.c.Open == nil {
		m.err = fmt.Errorf("search: uid %d: no way to open the message", m.c.UID)
		return
	}
	f, err := m.c.Open()
	if err != nil {
		m.fail(err)
		return
	}
	defer f.Close()
	hs := int(m.c.Record.HeaderSize)
	if !whole && hs > 0 {
		buf := make([]byte, hs)
		n, err := f.ReadAt(buf, 0)
		if err != nil && err != io.EOF {
			m.fail(err)
			return
		}
		m.hdr = buf[:n]
		return
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		m.fail(err)
		return
	}
	m.raw = raw
	m.hdr = raw[:headerEnd(raw, hs)]
}

func (m *message) fail(err error) {
	if errors.Is(err, fs.ErrNotExist) {
		m.gone = true
		return
	}
	m.err = fmt.Errorf("search: uid %d: %w", m.c.UID, err)
}

// headerEnd bounds the header block: the index's header size when it fits,
// else the first blank line.
func headerEnd(raw []byte, hs int) int {
	if hs > 0 && hs <= len(raw) {
		return hs
	}
	if i := bytes.Index(raw, []byte("\n\r\n")); i >= 0 {
		return i + 3
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	return len(raw)
}

func (m *message) header() []byte {
	m.loadRaw(false)
	return m.hdr
}

func (m *message) headerText() string {
	if m.hdrText == nil {
		s := headerText(m.header())
		m.hdrText = &s
	}
	return *m.hdrText
}

func (m *message) bodyText() string {
	if m.bText == nil {
		m.loadRaw(true)
		s := ""
		if m.raw != nil {
			s = bodyText(m.raw, len(m.hdr))
		}
		m.bText = &s
	}
	return *m.bText
}

// release drops everything loaded for m.
func (m *message) release() {
	*m = message{c: m.c, i: m.i, env: m.env}
}

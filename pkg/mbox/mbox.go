package mbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/msgheader"
)

// MaxHeader bounds the header block held to read UW's fields; the rest of
// a longer block is passed through as text, unread.
const MaxHeader = 256 << 10

// bufSize bounds a line looked at whole: a longer line is text, passed
// through in pieces (a separator is never that long).
const bufSize = 64 << 10

// Flag is an IMAP system flag UW's Status and X-Status fields carry.
type Flag uint8

const (
	Seen Flag = 1 << iota
	Answered
	Flagged
	Deleted
	Draft
)

// ErrNotMbox: the file does not start with a "From " line.
var ErrNotMbox = errors.New("not an mbox file (no \"From \" line at the start)")

// Folder is what UW keeps for the whole file: from the pseudo-message's
// X-IMAP field or a first message's X-IMAPbase. Zero when absent.
type Folder struct {
	UIDValidity uint32
	UIDLast     uint32 // the highest UID UW gave: UIDNEXT is one more
	Keywords    []string
	Pseudo      bool // the data came from UW's pseudo-message
}

// Message is one message of the file. Its text (header block without
// UW's fields, then the body, ">From " unquoted) is read from the Reader
// before the next call to Next.
type Message struct {
	Offset   int64     // where its "From " line starts in the file
	Sender   string    // the "From " line's envelope sender
	Date     time.Time // the "From " line's date: the internal date
	Flags    Flag
	Keywords []string
	UID      uint32 // X-UID; 0 when absent or not a UID
	BadUID   string // an X-UID that is not a UID, as written
}

// Reader reads an mbox file one message at a time.
type Reader struct {
	br  *bufio.Reader
	loc *time.Location
	off int64 // bytes of the file consumed

	folder  Folder
	started bool
	next    []byte // the separator line starting the next message (copied)
	nextOff int64
	eof     bool

	// The current message's text: the header block first, then lines
	// from br until the next separator.
	head       []byte
	inBody     bool
	lineStart  bool
	prevBlank  bool
	heldBlank  []byte // an empty line not yet known to be text
	out        []byte // bytes ready for Read
	bodyDone   bool
	curStarted bool
}

// NewReader reads an mbox file from r; dates without a zone are in loc
// (UW and procmail write local time), time.Local when nil.
func NewReader(r io.Reader, loc *time.Location) *Reader {
	if loc == nil {
		loc = time.Local
	}
	return &Reader{br: bufio.NewReaderSize(r, bufSize), loc: loc}
}

// Folder is UW's folder data, known after the first call to Next.
func (r *Reader) Folder() Folder { return r.folder }

// readLine returns the next line or piece of a line longer than the
// buffer (whole reports which); the slice is valid until the next read.
func (r *Reader) readLine() (line []byte, whole bool, err error) {
	line, err = r.br.ReadSlice('\n')
	r.off += int64(len(line))
	switch {
	case err == nil:
		return line, true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return line, false, nil
	case err == io.EOF && len(line) > 0:
		return line, true, nil
	}
	return line, false, err
}

// Next advances to the next message; io.EOF after the last. Text of the
// previous message not yet read is skipped.
func (r *Reader) Next() (*Message, error) {
	if !r.started {
		r.started = true
		if err := r.first(); err != nil {
			return nil, err
		}
		m, err := r.begin()
		if err != nil || m == nil {
			return m, err
		}
		if f, ok := r.pseudo(); ok {
			r.folder = f
			if _, err := io.Copy(io.Discard, r); err != nil {
				return nil, err
			}
			return r.Next()
		}
		return m, nil
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	m, err := r.begin()
	if err != nil || m == nil {
		return m, err
	}
	return m, nil
}

// first reads the file's first line, which must be a separator.
func (r *Reader) first() error {
	line, whole, err := r.readLine()
	if err == io.EOF {
		r.eof = true
		return nil
	}
	if err != nil {
		return err
	}
	if !whole || !bytes.HasPrefix(line, []byte("From ")) {
		return ErrNotMbox
	}
	r.next, r.nextOff = bytes.Clone(line), 0
	return nil
}

// begin starts the message whose separator is r.next: reads its header
// block and UW's fields. It returns nil, io.EOF when there is none.
func (r *Reader) begin() (*Message, error) {
	if r.next == nil {
		return nil, io.EOF
	}
	m := &Message{Offset: r.nextOff}
	m.Sender, m.Date, _ = parseFromLine(r.next, r.loc)
	r.next = nil
	r.head, r.out, r.heldBlank = r.head[:0], r.out[:0], nil
	r.inBody, r.bodyDone, r.prevBlank, r.lineStart = false, false, false, true
	r.curStarted = true
	// The header block: lines up to and including the empty line.
	for !r.eof && len(r.head) < MaxHeader {
		line, whole, err := r.readLine()
		if err == io.EOF {
			r.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		if r.lineStart {
			line = unquote(line)
		}
		r.head = append(r.head, line...)
		r.lineStart = whole
		if whole && isBlank(line) && (len(r.head) == len(line) || r.head[len(r.head)-len(line)-1] == '\n') {
			r.prevBlank = true
			break
		}
	}
	r.parseFields(m)
	r.out = append(r.out, r.head...)
	r.inBody = true
	return m, nil
}

// Read reads the current message's text.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.bodyDone || !r.curStarted {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	if len(r.out) == 0 {
		r.out = r.out[:0:cap(r.out)]
	}
	return n, nil
}

// fill moves the next line (or piece) of the body into out, deciding
// whether it is the next separator.
func (r *Reader) fill() error {
	if r.eof {
		r.bodyDone = true // a last empty line held is the writer's separator
		return nil
	}
	start := r.off
	line, whole, err := r.readLine()
	if err == io.EOF {
		r.eof = true
		r.bodyDone = true
		return nil
	}
	if err != nil {
		return err
	}
	if !r.lineStart {
		r.out = append(r.out, line...)
		r.lineStart = whole
		return nil
	}
	if whole && r.prevBlank && isSeparator(line, r.loc) {
		r.next, r.nextOff = bytes.Clone(line), start
		r.bodyDone = true
		return nil
	}
	if r.heldBlank != nil {
		r.out = append(r.out, r.heldBlank...)
		r.heldBlank = nil
	}
	r.lineStart = whole
	if whole && isBlank(line) {
		r.heldBlank = append(r.heldBlank[:0:0], line...)
		r.prevBlank = true
		return nil
	}
	r.prevBlank = false
	r.out = append(r.out, unquote(line)...)
	return nil
}

func isBlank(line []byte) bool {
	return string(line) == "\n" || string(line) == "\r\n"
}

// unquote removes one '>' from a ">...>From " line.
func unquote(line []byte) []byte {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i > 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
		return line[1:]
	}
	return line
}

func isSeparator(line []byte, loc *time.Location) bool {
	if !bytes.HasPrefix(line, []byte("From ")) {
		return false
	}
	_, _, err := parseFromLine(line, loc)
	return err == nil
}

// internalField names UW's fields, which are not message text.
var internalFields = []string{"Status", "X-Status", "X-Keywords", "X-UID", "X-IMAP", "X-IMAPbase", "Content-Length"}

// parseFields reads UW's fields from r.head into m and removes them.
func (r *Reader) parseFields(m *Message) {
	block := r.head
	kept := make([]byte, 0, len(block))
	for len(block) > 0 {
		end := msgheader.FieldEnd(block)
		field := block[:end]
		block = block[end:]
		name, raw, ok := bytes.Cut(field, []byte(":"))
		name = bytes.TrimRight(name, " \t")
		which := ""
		if ok {
			for _, f := range internalFields {
				if msgheader.NameIs(name, f) {
					which = f
				}
			}
		}
		if which == "" {
			kept = append(kept, field...)
			continue
		}
		v := msgheader.Unfold(string(raw))
		switch which {
		case "Status":
			if strings.ContainsRune(v, 'R') {
				m.Flags |= Seen
			}
		case "X-Status":
			for _, c := range v {
				switch c {
				case 'A':
					m.Flags |= Answered
				case 'F':
					m.Flags |= Flagged
				case 'D':
					m.Flags |= Deleted
				case 'T':
					m.Flags |= Draft
				}
			}
		case "X-Keywords":
			m.Keywords = append(m.Keywords, keywords(strings.Fields(strings.ReplaceAll(v, ",", " ")))...)
		case "X-UID":
			if u, err := strconv.ParseUint(v, 10, 32); err == nil && u > 0 {
				m.UID = uint32(u)
			} else {
				m.BadUID = v
			}
		case "X-IMAP", "X-IMAPbase":
			if m.Offset == 0 {
				r.folder = parseIMAPBase(v)
				r.folder.Pseudo = which == "X-IMAP"
			}
		}
	}
	r.head = kept
}

// pseudo reports whether the message just begun is UW's pseudo-message.
func (r *Reader) pseudo() (Folder, bool) {
	return r.folder, r.folder.Pseudo
}

// parseIMAPBase reads "uidvalidity uidlast keyword...".
func parseIMAPBase(v string) Folder {
	f := strings.Fields(v)
	var out Folder
	if len(f) > 0 {
		if u, err := strconv.ParseUint(f[0], 10, 32); err == nil {
			out.UIDValidity = uint32(u)
		}
	}
	if len(f) > 1 {
		if u, err := strconv.ParseUint(f[1], 10, 32); err == nil {
			out.UIDLast = uint32(u)
		}
	}
	if len(f) > 2 {
		out.Keywords = keywords(f[2:])
	}
	return out
}

// keywords keeps the words that are IMAP atoms and not system flags.
func keywords(words []string) []string {
	var out []string
	for _, w := range words {
		if mailbox.ValidKeyword(w) {
			out = append(out, w)
		}
	}
	return out
}

var months = map[string]time.Month{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

var weekdays = map[string]bool{"Mon": true, "Tue": true, "Wed": true, "Thu": true, "Fri": true, "Sat": true, "Sun": true}

// parseFromLine reads "From sender Www Mmm dd hh:mm[:ss] [zone] yyyy
// [zone]"; the sender may hold spaces, so the date is found by its
// weekday and month.
func parseFromLine(line []byte, loc *time.Location) (string, time.Time, error) {
	s := strings.TrimRight(string(line[len("From "):]), "\r\n")
	f := strings.Fields(s)
	for i := 1; i+4 < len(f)+1; i++ {
		if !weekdays[f[i]] || i+1 >= len(f) {
			continue
		}
		if _, ok := months[f[i+1]]; !ok {
			continue
		}
		t, err := parseDate(f[i+1:], loc)
		if err != nil {
			return "", time.Time{}, err
		}
		return strings.Join(f[:i], " "), t, nil
	}
	return "", time.Time{}, fmt.Errorf("no date in %q", s)
}

func parseDate(f []string, loc *time.Location) (time.Time, error) {
	// f: month day time then year and zone in either order.
	if len(f) < 4 || len(f) > 5 {
		return time.Time{}, fmt.Errorf("date %q", strings.Join(f, " "))
	}
	mon := months[f[0]]
	day, err := strconv.Atoi(f[1])
	if err != nil || day < 1 || day > 31 {
		return time.Time{}, fmt.Errorf("day %q", f[1])
	}
	hms := strings.Split(f[2], ":")
	if len(hms) < 2 || len(hms) > 3 {
		return time.Time{}, fmt.Errorf("time %q", f[2])
	}
	var clock [3]int
	for i, p := range hms {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 60 || len(p) > 2 {
			return time.Time{}, fmt.Errorf("time %q", f[2])
		}
		clock[i] = n
	}
	year, zone := -1, loc
	for _, w := range f[3:] {
		if n, err := strconv.Atoi(w); err == nil && len(w) == 4 && w[0] != '+' && w[0] != '-' {
			year = n
			continue
		}
		z, err := parseZone(w, loc)
		if err != nil {
			return time.Time{}, err
		}
		zone = z
	}
	if year < 0 {
		return time.Time{}, fmt.Errorf("no year in %q", strings.Join(f, " "))
	}
	return time.Date(year, mon, day, clock[0], clock[1], clock[2], 0, zone), nil
}

func parseZone(w string, loc *time.Location) (*time.Location, error) {
	if len(w) == 5 && (w[0] == '+' || w[0] == '-') {
		n, err := strconv.Atoi(w[1:])
		if err != nil || n%100 >= 60 {
			return nil, fmt.Errorf("zone %q", w)
		}
		off := (n/100*60 + n%100) * 60
		if w[0] == '-' {
			off = -off
		}
		return time.FixedZone("", off), nil
	}
	switch w {
	case "UT", "UTC", "GMT":
		return time.UTC, nil
	}
	for _, c := range w {
		if c < 'A' || c > 'Z' {
			return nil, fmt.Errorf("zone %q", w)
		}
	}
	return loc, nil // a zone name (PST, MET DST): its offset is unknown, take loc's
}

package maildir

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/mailbox"
)

// Flag is an IMAP system flag a Maildir info suffix carries.
type Flag uint8

const (
	Seen Flag = 1 << iota
	Answered
	Flagged
	Deleted
	Draft
)

// maxListLine bounds a line of dovecot-uidlist or dovecot-keywords.
const maxListLine = 64 << 10

// Message is one message file of a folder.
type Message struct {
	Path     string
	UID      uint32
	Flags    Flag
	Keywords []string
	Date     time.Time // the file's modification time
}

// Folder is a Maildir folder read: its messages in UID order, held
// packed (see entry) and handed out one at a time by Each, so a folder
// of N messages costs about N×(entrySize + name length) bytes, not a
// Message with its strings per file.
type Folder struct {
	UIDValidity uint32 // from dovecot-uidlist; 0 when there is none
	UIDNext     uint32
	Renumbered  int // messages whose listed UID was taken or out of range

	dir     string
	kw      [26]string
	names   []byte  // every file name, back to back
	entries []entry // in UID order once Read returns
}

// entry is one message file packed: its name is names[off:off+nameLen],
// the basename (what the uidlist names and the sort compares) the first
// baseLen bytes of it. Keywords are the info suffix's letters as a bit
// set, resolved through Folder.kw only when the message is handed out.
type entry struct {
	sec      int64 // the modification time (first: no padding, 32 bytes)
	nsec     uint32
	off      uint32
	uid      uint32
	keywords uint32 // bit i: keyword letter 'a'+i
	nameLen  uint16
	baseLen  uint16
	flags    Flag
	inNew    bool
}

// Len is the number of messages.
func (f *Folder) Len() int { return len(f.entries) }

// Each calls fn with each message in UID order; it stops at fn's first
// error and returns it. The Message is built for the call: nothing of it
// is kept by the Folder.
func (f *Folder) Each(fn func(Message) error) error {
	for i := range f.entries {
		if err := fn(f.message(&f.entries[i])); err != nil {
			return err
		}
	}
	return nil
}

// Messages returns every message in UID order (for small folders and
// tests: it builds them all at once).
func (f *Folder) Messages() []Message {
	ms := make([]Message, 0, len(f.entries))
	f.Each(func(m Message) error { ms = append(ms, m); return nil })
	return ms
}

func (f *Folder) message(e *entry) Message {
	sub := "cur"
	if e.inNew {
		sub = "new"
	}
	m := Message{Path: filepath.Join(f.dir, sub, string(f.name(e))), UID: e.uid, Flags: e.flags,
		Date: time.Unix(e.sec, int64(e.nsec)), Keywords: keywordNames(e.keywords, &f.kw)}
	return m
}

func (f *Folder) name(e *entry) []byte { return f.names[e.off : e.off+uint32(e.nameLen)] }
func (f *Folder) base(e *entry) []byte { return f.names[e.off : e.off+uint32(e.baseLen)] }

// UIDList is a parsed dovecot-uidlist: basename (the name before ':')
// to UID.
type UIDList struct {
	UIDValidity, NextUID uint32
	UIDs                 map[string]uint32
}

// ParseUIDList reads dovecot-uidlist, versions 1 ("1 uidvalidity nextuid")
// and 3 ("3 V<uidvalidity> N<nextuid> G<guid> ..."); records are
// "uid [ext...] :basename" (version 3) or "uid basename" (version 1).
// A bad record is an error naming its line.
func ParseUIDList(r io.Reader) (*UIDList, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxListLine)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("dovecot-uidlist: %w", err)
		}
		return nil, errors.New("dovecot-uidlist: empty")
	}
	l := &UIDList{UIDs: map[string]uint32{}}
	head := strings.Fields(sc.Text())
	if len(head) == 0 {
		return nil, errors.New("dovecot-uidlist: line 1: empty")
	}
	version := head[0]
	switch version {
	case "1":
		if len(head) < 3 {
			return nil, fmt.Errorf("dovecot-uidlist: line 1: %q", sc.Text())
		}
		var err1, err2 error
		l.UIDValidity, err1 = parseUID(head[1])
		l.NextUID, err2 = parseUID(head[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("dovecot-uidlist: line 1: %q", sc.Text())
		}
	case "3":
		for _, f := range head[1:] {
			var err error
			switch f[0] {
			case 'V':
				l.UIDValidity, err = parseUID(f[1:])
			case 'N':
				l.NextUID, err = parseUID(f[1:])
			}
			if err != nil {
				return nil, fmt.Errorf("dovecot-uidlist: line 1: %q: %w", f, err)
			}
		}
	default:
		return nil, fmt.Errorf("dovecot-uidlist: version %q not known", version)
	}
	for n := 2; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		uidText, rest, _ := strings.Cut(line, " ")
		uid, err := parseUID(uidText)
		var base string
		if version == "3" {
			_, base, _ = strings.Cut(rest, ":")
		} else {
			base = strings.TrimSpace(rest)
		}
		if err != nil || base == "" || strings.ContainsAny(base, "/\x00") {
			return nil, fmt.Errorf("dovecot-uidlist: line %d: %q", n, line)
		}
		if _, dup := l.UIDs[base]; !dup {
			l.UIDs[base] = uid
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dovecot-uidlist: %w", err)
	}
	return l, nil
}

func parseUID(s string) (uint32, error) {
	u, err := strconv.ParseUint(s, 10, 32)
	if err != nil || u == 0 {
		return 0, fmt.Errorf("not a UID: %q", s)
	}
	return uint32(u), nil
}

// ParseKeywords reads dovecot-keywords: "index name" lines, index 0–25
// standing for the letters a–z of the info suffix.
func ParseKeywords(r io.Reader) ([26]string, error) {
	var kw [26]string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxListLine)
	for n := 1; sc.Scan(); n++ {
		idx, name, ok := strings.Cut(sc.Text(), " ")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i >= 26 || !mailbox.ValidKeyword(name) {
			return kw, fmt.Errorf("dovecot-keywords: line %d: %q", n, sc.Text())
		}
		kw[i] = name
	}
	if err := sc.Err(); err != nil {
		return kw, fmt.Errorf("dovecot-keywords: %w", err)
	}
	return kw, nil
}

// ParseName splits a message file name into its basename (the part the
// uidlist names) and the flags and keywords of its ":2," suffix, the
// keywords in letter order, each once.
func ParseName(name string, kw *[26]string) (base string, flags Flag, keywords []string) {
	base, flags, letters := parseName(name)
	return base, flags, keywordNames(letters, kw)
}

// keywordNames names the keyword letters (bit i for 'a'+i) through
// dovecot-keywords; a letter it does not name is no keyword.
func keywordNames(letters uint32, kw *[26]string) (keywords []string) {
	for i := range 26 {
		if letters&(1<<i) != 0 && kw != nil && kw[i] != "" {
			keywords = append(keywords, kw[i])
		}
	}
	return keywords
}

// parseName is ParseName without the keyword names: the letters a–z of
// the suffix as a bit set (bit i for 'a'+i), allocating nothing.
func parseName(name string) (base string, flags Flag, letters uint32) {
	base, info, ok := strings.Cut(name, ":2,")
	if !ok {
		// Some writers on file systems without ':' use ';' or '!'.
		if b, i, ok2 := strings.Cut(name, "!2,"); ok2 {
			base, info = b, i
		} else {
			base, _, _ = strings.Cut(name, ":")
			return base, 0, 0
		}
	}
	for i := 0; i < len(info); i++ {
		switch c := info[i]; {
		case c == 'S':
			flags |= Seen
		case c == 'R':
			flags |= Answered
		case c == 'F':
			flags |= Flagged
		case c == 'T':
			flags |= Deleted
		case c == 'D':
			flags |= Draft
		case 'a' <= c && c <= 'z':
			letters |= 1 << (c - 'a')
		}
	}
	return base, flags, letters
}

// Read reads the folder in dir (which holds cur/ and new/). A missing
// dovecot-uidlist means no UIDs are known; a damaged one is an error. One
// of cur/ and new/ may be missing (copies made by tools that drop empty
// directories, such as git, lose it); both missing is not a Maildir.
func Read(dir string) (*Folder, error) {
	var list *UIDList
	if f, err := os.Open(filepath.Join(dir, "dovecot-uidlist")); err == nil {
		list, err = ParseUIDList(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var kw [26]string
	if f, err := os.Open(filepath.Join(dir, "dovecot-keywords")); err == nil {
		kw, err = ParseKeywords(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f := &Folder{dir: dir, kw: kw}
	missing := 0
	for _, sub := range []string{"cur", "new"} {
		err := f.list(filepath.Join(dir, sub), sub == "new")
		if errors.Is(err, fs.ErrNotExist) && missing == 0 {
			missing++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	// Unused capacity of the appends is dropped before the sorts.
	f.entries = slices.Clip(f.entries)
	f.names = slices.Clip(f.names)
	if list != nil {
		f.UIDValidity, f.UIDNext = list.UIDValidity, list.NextUID
	}
	if err := f.number(list); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return f, nil
}

// listBatch is how many directory entries are read at a time: the
// os.DirEntry values of one batch are all the listing holds besides the
// packed entries.
const listBatch = 512

// list appends the regular, non-hidden files of dir to f, packed.
func (f *Folder) list(dir string, inNew bool) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		batch, err := d.ReadDir(listBatch)
		for _, e := range batch {
			name := e.Name()
			if !e.Type().IsRegular() || strings.HasPrefix(name, ".") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // gone since the listing (another writer moved it)
			}
			if len(name) > math.MaxUint16 || len(f.names)+len(name) > math.MaxUint32 {
				return fmt.Errorf("%s: too many or too long file names", dir)
			}
			base, flags, letters := parseName(name)
			if inNew {
				flags &^= Seen // new/ holds unseen mail whatever the name says
			}
			mt := info.ModTime()
			f.entries = append(f.entries, entry{off: uint32(len(f.names)), nameLen: uint16(len(name)),
				baseLen: uint16(len(base)), keywords: letters, sec: mt.Unix(), nsec: uint32(mt.Nanosecond()),
				flags: flags, inNew: inNew})
			f.names = append(f.names, name...)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// number gives every entry its UID and leaves the entries in UID order.
// Listed UIDs first, each once, to the first file by basename; the rest
// after the highest, by basename. Only sorts in place: no memory per
// message beyond the entries.
func (f *Folder) number(list *UIDList) error {
	byBase := func(a, b entry) int { return bytes.Compare(f.base(&a), f.base(&b)) }
	byUIDBase := func(a, b entry) int {
		if a.uid != b.uid {
			return cmp.Compare(a.uid, b.uid)
		}
		return byBase(a, b)
	}
	if list != nil {
		for i := range f.entries {
			e := &f.entries[i]
			// The map index by a []byte conversion does not allocate.
			if uid, ok := list.UIDs[string(f.base(e))]; ok {
				e.uid = uid
			}
		}
		// Of two files given one UID, the first by basename keeps it, so
		// the choice does not depend on the directory's order.
		slices.SortFunc(f.entries, byUIDBase)
		var last uint32
		for i := range f.entries {
			e := &f.entries[i]
			switch {
			case e.uid == 0:
			case e.uid == last:
				f.Renumbered++
				e.uid = 0
			default:
				last = e.uid
				f.UIDNext = max(f.UIDNext, e.uid+1)
			}
		}
	}
	// The unlisted (UID 0) come first, by basename.
	slices.SortFunc(f.entries, byUIDBase)
	next := max(f.UIDNext, 1)
	for n := 0; n < len(f.entries) && f.entries[n].uid == 0; n++ {
		if next == 0 {
			return errors.New("UIDs exhausted")
		}
		f.entries[n].uid = next
		next++
	}
	f.UIDNext = next
	slices.SortFunc(f.entries, byUIDBase)
	return nil
}

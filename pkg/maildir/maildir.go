package maildir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// Folder is a Maildir folder read: its messages in UID order.
type Folder struct {
	UIDValidity uint32 // from dovecot-uidlist; 0 when there is none
	UIDNext     uint32
	Messages    []Message
	Renumbered  int // messages whose listed UID was taken or out of range
}

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
// uidlist names) and the flags and keywords of its ":2," suffix.
func ParseName(name string, kw *[26]string) (base string, flags Flag, keywords []string) {
	base, info, ok := strings.Cut(name, ":2,")
	if !ok {
		// Some writers on file systems without ':' use ';' or '!'.
		if b, i, ok2 := strings.Cut(name, "!2,"); ok2 {
			base, info = b, i
		} else {
			base, _, _ = strings.Cut(name, ":")
			return base, 0, nil
		}
	}
	for _, c := range info {
		switch {
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
		case 'a' <= c && c <= 'z' && kw != nil && kw[c-'a'] != "":
			keywords = append(keywords, kw[c-'a'])
		}
	}
	return base, flags, keywords
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
	type file struct {
		Message
		base string
	}
	var files []file
	missing := 0
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) && missing == 0 {
			missing++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // gone since the listing (another writer moved it)
			}
			base, flags, keywords := ParseName(e.Name(), &kw)
			if sub == "new" {
				flags &^= Seen // new/ holds unseen mail whatever the name says
			}
			files = append(files, file{Message{Path: filepath.Join(dir, sub, e.Name()), Flags: flags,
				Keywords: keywords, Date: info.ModTime()}, base})
		}
	}
	// By name, so which of two files given one UID keeps it does not
	// depend on the directory's order.
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.base, b.base) })
	f := &Folder{}
	if list != nil {
		f.UIDValidity, f.UIDNext = list.UIDValidity, list.NextUID
	}
	// Listed UIDs first, each once; the rest after the highest, by name.
	used := map[uint32]bool{}
	var unlisted []int
	for i := range files {
		if list != nil {
			if uid, ok := list.UIDs[files[i].base]; ok && !used[uid] {
				files[i].UID = uid
				used[uid] = true
				f.UIDNext = max(f.UIDNext, uid+1)
				continue
			} else if ok {
				f.Renumbered++
			}
		}
		unlisted = append(unlisted, i)
	}
	next := max(f.UIDNext, 1)
	for _, i := range unlisted {
		if next == 0 {
			return nil, fmt.Errorf("%s: UIDs exhausted", dir)
		}
		files[i].UID = next
		next++
	}
	f.UIDNext = next
	slices.SortFunc(files, func(a, b file) int { return int64cmp(int64(a.UID), int64(b.UID)) })
	f.Messages = make([]Message, len(files))
	for i := range files {
		f.Messages[i] = files[i].Message
	}
	return f, nil
}

func int64cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

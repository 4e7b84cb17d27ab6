package main

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/maildir"
	"gocyrus/pkg/mbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// job is one user's source: an mbox file or directory of them, or a
// Maildir root, imported under base (the user's INBOX or a folder).
type job struct {
	user, path, folder string
}

// foreign imports mbox files and Maildir folders (cyr_import -f).
type foreign struct {
	st     *store.Store
	format string // "mbox" or "maildir"
	rep    *report
	notes  []string
}

// readUserList reads "user path [folder]" lines; '#' starts a comment.
func readUserList(path string) ([]job, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var jobs []job
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		w := strings.Fields(line)
		switch len(w) {
		case 0:
			continue
		case 2, 3:
			j := job{user: w[0], path: w[1]}
			if len(w) == 3 {
				j.folder = w[2]
			}
			jobs = append(jobs, j)
		default:
			return nil, fmt.Errorf("%s:%d: want \"user path [folder]\", got %q", path, n, sc.Text())
		}
	}
	return jobs, sc.Err()
}

// target is one mailbox to make: its internal name and source.
type target struct {
	name, src string
}

// targets finds the mailboxes of a job: the source itself under base,
// and for a directory every mbox file (by relative path) or Maildir
// folder below it (Maildir++ ".A.B" and nested folders alike).
func (fi *foreign) targets(j job) ([]target, error) {
	base := mboxname.UserInbox(j.user)
	if j.folder != "" {
		for _, p := range strings.Split(j.folder, "/") {
			base += "." + folderPart(p)
		}
	}
	st, err := os.Stat(j.path)
	if err != nil {
		return nil, err
	}
	var out []target
	if fi.format == "mbox" && !st.IsDir() {
		return []target{{base, j.path}}, nil
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a Maildir (a directory with cur/ and new/)", j.path)
	}
	err = filepath.WalkDir(j.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(j.path, p)
		if fi.format == "mbox" {
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				if strings.EqualFold(rel, "INBOX") && j.folder == "" {
					out = append(out, target{base, p})
				} else {
					out = append(out, target{base + "." + folderPath(rel), p})
				}
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "cur", "new", "tmp":
			return fs.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "cur")); err != nil {
			return nil
		}
		switch {
		case rel == ".":
			out = append(out, target{base, p})
		case strings.HasPrefix(d.Name(), ".") && filepath.Dir(rel) == ".":
			// Maildir++: ".A.B" is A/B, names already in modified UTF-7.
			out = append(out, target{base + d.Name(), p})
		default:
			out = append(out, target{base + "." + folderPath(rel), p})
		}
		return nil
	})
	return out, err
}

// folderPart is one level of a folder name from a file name: modified
// UTF-7, a '.' inside it kept as '^' (Cyrus's internal form).
func folderPart(s string) string {
	return strings.ReplaceAll(mboxname.EncodeUTF7(s), ".", "^")
}

func folderPath(rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, p := range parts {
		parts[i] = folderPart(p)
	}
	return strings.Join(parts, ".")
}

// run imports every job; the user's INBOX is made first when no source
// gives it, so folders have their owner's INBOX.
func (fi *foreign) run(ctx context.Context, jobs []job, tick func()) {
	for _, j := range jobs {
		if err := mboxname.Validate(mboxname.UserInbox(j.user)); err != nil || strings.ContainsAny(j.user, "./") {
			fi.rep.problem("user %q: not a user name", j.user)
			continue
		}
		ts, err := fi.targets(j)
		if err != nil {
			fi.rep.problem("%s: %v", j.path, err)
			continue
		}
		inbox := mboxname.UserInbox(j.user)
		hasInbox := false
		for _, t := range ts {
			hasInbox = hasInbox || t.name == inbox
		}
		if !hasInbox {
			if _, err := fi.st.Lookup(ctx, inbox); err != nil {
				if _, err := fi.st.CreateMailbox(ctx, inbox, store.CreateOptions{}); err != nil {
					fi.rep.problem("%s: %v", inbox, err)
					continue
				}
			}
		}
		for _, t := range ts {
			if err := fi.importOne(ctx, j.user, t); err != nil {
				if errors.Is(err, context.Canceled) {
					return
				}
				fi.rep.problem("%s (from %s): %v", t.name, t.src, err)
			}
		}
		if tick != nil {
			tick()
		}
	}
}

// uniqueID is derived from the mailbox name and source path, so a rerun
// names the same directory: it finishes an interrupted import there and
// finds a finished one done.
func uniqueID(name, src string) string {
	abs, _ := filepath.Abs(src)
	sum := sha1.Sum([]byte(name + "\x00" + abs))
	return hex.EncodeToString(sum[:12])
}

func (fi *foreign) importOne(ctx context.Context, user string, t target) error {
	if err := mboxname.Validate(t.name); err != nil {
		return err
	}
	id := uniqueID(t.name, t.src)
	var uidv uint32
	if cur, err := fi.st.Lookup(ctx, t.name); err == nil {
		if cur.UniqueID != id {
			return fmt.Errorf("the mailbox exists already (not imported over it)")
		}
		uidv = cur.UIDValidity // a rerun: done, or finishing what was begun
	}
	var idx mailbox.ImportIndex
	var bytes int64
	var count int
	var err error
	switch fi.format {
	case "mbox":
		idx, err = fi.mboxIndex(t, &uidv, &count, &bytes)
	default:
		idx, err = fi.maildirIndex(t, &uidv, &count, &bytes)
	}
	if err != nil {
		return err
	}
	if uidv == 0 {
		if uidv, err = fi.st.NextUIDValidity(ctx); err != nil {
			return err
		}
	}
	e := &store.Entry{Name: t.name, Partition: fi.st.Config().Defaultpartition(), UniqueID: id, UIDValidity: uidv,
		ACL: acl.ACL{{ID: user, Rights: acl.All}}, CreatedModseq: 1, FolderModseq: 1}
	if err := fi.st.ImportMailbox(ctx, e, nil, idx); err != nil {
		return err
	}
	fi.rep.mailboxes++
	fi.rep.messages += count
	fi.rep.bytes += bytes
	return nil
}

var mboxFlags = []struct {
	from mbox.Flag
	to   mailbox.Flags
}{{mbox.Seen, mailbox.FlagSeen}, {mbox.Answered, mailbox.FlagAnswered}, {mbox.Flagged, mailbox.FlagFlagged},
	{mbox.Deleted, mailbox.FlagDeleted}, {mbox.Draft, mailbox.FlagDraft}}

var maildirFlags = []struct {
	from maildir.Flag
	to   mailbox.Flags
}{{maildir.Seen, mailbox.FlagSeen}, {maildir.Answered, mailbox.FlagAnswered}, {maildir.Flagged, mailbox.FlagFlagged},
	{maildir.Deleted, mailbox.FlagDeleted}, {maildir.Draft, mailbox.FlagDraft}}

// mboxIndex streams an mbox file. A message keeps its X-UID when it is
// above the previous one; one without gets the next UID; one whose
// X-UID is bad or not above the previous (a duplicate) is read again at
// the end and given a UID after the highest, and reported. Only the
// offsets of those are held.
func (fi *foreign) mboxIndex(t target, uidv *uint32, count *int, bytes *int64) (mailbox.ImportIndex, error) {
	var idx mailbox.ImportIndex
	st, err := os.Stat(t.src)
	if err != nil {
		return idx, err
	}
	// The folder data comes first in the file: read it before streaming.
	if f, err := os.Open(t.src); err == nil {
		r := mbox.NewReader(f, time.Local)
		_, err := r.Next()
		f.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return idx, fmt.Errorf("%s: %w", t.src, err)
		}
		if *uidv == 0 {
			*uidv = r.Folder().UIDValidity
		}
		idx.UIDNext = r.Folder().UIDLast + 1
	}
	idx.Stream = func(add func(mailbox.ImportRecord) error) error {
		f, err := os.Open(t.src)
		if err != nil {
			return err
		}
		defer f.Close()
		var prev uint32
		var late []int64
		put := func(m *mbox.Message, r io.Reader, uid uint32) error {
			ir := mailbox.ImportRecord{UID: uid, Keywords: m.Keywords, ModSeq: 1, InternalDate: m.Date, SaveDate: time.Now()}
			if m.Date.IsZero() {
				ir.InternalDate = st.ModTime()
			}
			for _, fl := range mboxFlags {
				if m.Flags&fl.from != 0 {
					ir.Flags |= fl.to
				}
			}
			cr := &crlfReader{r: r}
			ir.Body = cr
			if err := add(ir); err != nil {
				return err
			}
			*count++
			*bytes += cr.n
			return nil
		}
		r := mbox.NewReader(f, time.Local)
		for {
			m, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", t.src, err)
			}
			uid := m.UID
			switch {
			case uid == 0 && m.BadUID == "":
				uid = prev + 1
			case uid <= prev:
				late = append(late, m.Offset)
				continue
			}
			if err := put(m, r, uid); err != nil {
				return err
			}
			prev = uid
		}
		if len(late) > 0 {
			next := max(prev, idx.UIDNext-1)
			fi.notes = append(fi.notes, fmt.Sprintf("%s: %d messages with a bad or repeated X-UID renumbered from %d", t.name, len(late), next+1))
			for _, off := range late {
				r := mbox.NewReader(io.NewSectionReader(f, off, st.Size()-off), time.Local)
				m, err := r.Next()
				if err != nil {
					return fmt.Errorf("%s: offset %d: %w", t.src, off, err)
				}
				next++
				if err := put(m, r, next); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return idx, nil
}

func (fi *foreign) maildirIndex(t target, uidv *uint32, count *int, bytes *int64) (mailbox.ImportIndex, error) {
	var idx mailbox.ImportIndex
	f, err := maildir.Read(t.src)
	if err != nil {
		return idx, err
	}
	if *uidv == 0 {
		*uidv = f.UIDValidity
	}
	idx.UIDNext = f.UIDNext
	if f.Renumbered > 0 {
		fi.notes = append(fi.notes, fmt.Sprintf("%s: %d messages with a repeated UID in dovecot-uidlist renumbered", t.name, f.Renumbered))
	}
	idx.Stream = func(add func(mailbox.ImportRecord) error) error {
		return f.Each(func(m maildir.Message) error {
			ir := mailbox.ImportRecord{UID: m.UID, Keywords: m.Keywords, ModSeq: 1, InternalDate: m.Date, SaveDate: time.Now()}
			for _, fl := range maildirFlags {
				if m.Flags&fl.from != 0 {
					ir.Flags |= fl.to
				}
			}
			src, err := os.Open(m.Path)
			if err != nil {
				return err
			}
			cr := &crlfReader{r: src}
			ir.Body = cr
			err = add(ir)
			src.Close()
			if err != nil {
				return err
			}
			*count++
			*bytes += cr.n
			return nil
		})
	}
	return idx, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusindex"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
	"gocyrus/pkg/twoskip"
)

// box is one mailbox of the Cyrus list.
type box struct {
	name string // internal
	typ  string
	d    cyrusindex.DList
}

type importer struct {
	st    *store.Store
	src   *config.Config
	rep   *report
	boxes []box
	// byID maps a Cyrus uniqueid to its mailbox name; sieveBoxes are the
	// users' "#sieve" mailboxes (Cyrus 3.6 keeps scripts there).
	byID       map[string]string
	sieveBoxes map[string]box
}

// internalName turns a Cyrus 3.x list key ("user\x1falice\x1fWork",
// "example.com!user\x1fbob") into our internal name; a "." inside a level
// is "^" as in Cyrus's internal names.
func internalName(dbname string) string {
	dom, rest, ok := strings.Cut(dbname, "!")
	if !ok {
		dom, rest = "", dbname
	}
	parts := strings.Split(rest, "\x1f")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, ".", "^")
	}
	name := strings.Join(parts, ".")
	if dom != "" {
		return dom + "!" + name
	}
	return name
}

func (imp *importer) readList() error {
	path := filepath.Join(imp.src.Configdirectory(), "mailboxes.db")
	recs, err := twoskip.ReadFile(path)
	if err != nil {
		return err
	}
	imp.byID = map[string]string{}
	imp.sieveBoxes = map[string]box{}
	for _, r := range recs {
		key, ok := bytes.CutPrefix(r.Key, []byte("N"))
		if !ok {
			continue // "I<uniqueid>" and other indexes repeat what "N" says
		}
		d, _, err := cyrusindex.ParseDList(r.Value)
		if err != nil || !d.IsKV {
			imp.rep.problem("%s: entry %q: %v", path, key, err)
			continue
		}
		b := box{name: internalName(string(key)), typ: d.Str("T"), d: d}
		switch {
		case strings.ContainsAny(b.typ, "dir"):
			continue // a tombstone, an intermediate or a remote mailbox
		case strings.HasSuffix(b.name, ".#sieve"):
			if user, ok := mboxname.UserOf(b.name); ok {
				imp.sieveBoxes[user] = b
			}
			continue
		}
		imp.byID[d.Str("I")] = b.name
		imp.boxes = append(imp.boxes, b)
	}
	return nil
}

// dirOf finds a mailbox's directory: the uuid layout, else the legacy
// one (hashed or not, full-name hashing or not).
func (imp *importer) dirOf(b box) (string, error) {
	part := b.d.Str("P")
	root, ok := imp.src.Partitions()[part]
	if !ok {
		return "", fmt.Errorf("partition %q not in the Cyrus imapd.conf", part)
	}
	candidates := []string{mboxname.UUIDPath(root, b.d.Str("I"))}
	for _, hash := range []bool{imp.src.Bool("hashimapspool"), !imp.src.Bool("hashimapspool")} {
		for _, full := range []bool{imp.src.Bool("fulldirhash"), !imp.src.Bool("fulldirhash")} {
			candidates = append(candidates, mboxname.LegacyPath(root, b.name, hash, full))
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "cyrus.header")); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("no cyrus.header in %s or the legacy layouts", candidates[0])
}

func (imp *importer) partition(part string) string {
	if _, err := imp.st.PartitionPath(part); err == nil {
		return part
	}
	return imp.st.Config().Defaultpartition()
}

var systemFlags = []struct {
	cyrus uint32
	ours  mailbox.Flags
}{
	{cyrusindex.FlagAnswered, mailbox.FlagAnswered},
	{cyrusindex.FlagFlagged, mailbox.FlagFlagged},
	{cyrusindex.FlagDeleted, mailbox.FlagDeleted},
	{cyrusindex.FlagDraft, mailbox.FlagDraft},
	{cyrusindex.FlagSeen, mailbox.FlagSeen},
}

func (imp *importer) importMailbox(ctx context.Context, b box) error {
	dir, err := imp.dirOf(b)
	if err != nil {
		return err
	}
	hdr, err := cyrusindex.ReadHeader(dir)
	if err != nil {
		return err
	}
	x, err := cyrusindex.ReadIndex(dir)
	if err != nil {
		return err
	}
	if hdr.UniqueID != b.d.Str("I") {
		return fmt.Errorf("%s names uniqueid %s, mailboxes.db %s", filepath.Join(dir, "cyrus.header"), hdr.UniqueID, b.d.Str("I"))
	}
	var aclText strings.Builder
	if a, ok := b.d.Get("A"); ok {
		for i, id := range a.Keys {
			fmt.Fprintf(&aclText, "%s\t%s\t", id, a.Items[i].Atom)
		}
	}
	rights, err := acl.Parse(aclText.String())
	if err != nil {
		return fmt.Errorf("ACL %q: %w", aclText.String(), err)
	}
	uidv, _ := strconv.ParseUint(b.d.Str("V"), 10, 32)
	if uidv == 0 {
		uidv = uint64(x.UIDValidity)
	}
	e := &store.Entry{Name: b.name, Partition: imp.partition(b.d.Str("P")), ACL: rights, UniqueID: hdr.UniqueID,
		UIDValidity: uint32(uidv), Type: b.typ}
	e.MTime, _ = strconv.ParseInt(b.d.Str("M"), 10, 64)
	e.CreatedModseq, _ = strconv.ParseUint(b.d.Str("C"), 10, 64)
	e.FolderModseq, _ = strconv.ParseUint(b.d.Str("F"), 10, 64)
	idx := mailbox.ImportIndex{UIDNext: x.LastUID + 1, HighestModSeq: x.HighestModSeq, DeletedModSeq: x.DeletedModSeq}
	var bytes int64
	for _, r := range x.Records {
		if r.SystemFlags&cyrusindex.FlagExpunged != 0 {
			idx.DeletedModSeq = max(idx.DeletedModSeq, r.ModSeq)
			continue
		}
		ir := mailbox.ImportRecord{UID: r.UID, ModSeq: r.ModSeq, InternalDate: r.InternalDate, SaveDate: r.SaveDate,
			Source: filepath.Join(dir, strconv.FormatUint(uint64(r.UID), 10)+".")}
		for _, f := range systemFlags {
			if r.SystemFlags&f.cyrus != 0 {
				ir.Flags |= f.ours
			}
		}
		for i, name := range hdr.UserFlags {
			if name != "" && r.HasUserFlag(i) {
				ir.Keywords = append(ir.Keywords, name)
			}
		}
		idx.Records = append(idx.Records, ir)
		bytes += int64(r.Size)
	}
	if err := imp.st.ImportMailbox(ctx, e, nil, idx); err != nil {
		return err
	}
	imp.rep.mailboxes++
	imp.rep.messages += len(idx.Records)
	imp.rep.bytes += bytes
	return nil
}

// userDBDir is where Cyrus keeps a user's seen and subscription files:
// by the INBOX's uniqueid (3.x uuid layout) or by hashed name (legacy).
func (imp *importer) userFiles(user, uuidName, legacySuffix string) []string {
	conf := imp.src.Configdirectory()
	var out []string
	if id := imp.inboxID(user); id != "" {
		out = append(out, filepath.Join(mboxname.UUIDPath(filepath.Join(conf, "user"), id), uuidName))
	}
	for _, full := range []bool{imp.src.Bool("fulldirhash"), !imp.src.Bool("fulldirhash")} {
		h := string(mboxname.HashChar(user, full))
		out = append(out, filepath.Join(conf, "user", h, user+legacySuffix))
	}
	return out
}

func (imp *importer) inboxID(user string) string {
	for _, b := range imp.boxes {
		if b.name == mboxname.UserInbox(user) {
			return b.d.Str("I")
		}
	}
	return ""
}

func (imp *importer) users() []string {
	var users []string
	for _, b := range imp.boxes {
		if mboxname.IsUserInbox(b.name) {
			u, _ := mboxname.UserOf(b.name)
			users = append(users, u)
		}
	}
	return users
}

// firstExisting returns the first of paths that exists ("" if none).
func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func (imp *importer) importSeen(ctx context.Context) {
	for _, user := range imp.users() {
		path := firstExisting(imp.userFiles(user, "seen.db", ".seen"))
		if path == "" {
			continue
		}
		recs, err := twoskip.ReadFile(path)
		if err != nil {
			imp.rep.problem("seen state of %s: %v", user, err)
			continue
		}
		for _, r := range recs {
			f := strings.Fields(string(r.Value))
			if len(f) < 4 || f[0] != "1" {
				imp.rep.problem("%s: seen record %q: not the version 1 form", path, r.Key)
				continue
			}
			lastRead, _ := strconv.ParseInt(f[1], 10, 64)
			lastUID, _ := strconv.ParseUint(f[2], 10, 32)
			lastChange, _ := strconv.ParseInt(f[3], 10, 64)
			seen := store.Seen{LastRead: lastRead, LastUID: uint32(lastUID), LastChange: lastChange}
			if len(f) > 4 {
				seen.SeenUIDs = f[4]
			}
			// The import replaces whatever seen state a rerun finds.
			if _, err := imp.st.UpdateSeen(ctx, user, string(r.Key), func(cur *store.Seen) (bool, error) {
				*cur = seen
				return true, nil
			}); err != nil {
				imp.rep.problem("%s: seen record %q: %v", path, r.Key, err)
				continue
			}
			imp.rep.seen++
		}
	}
}

func (imp *importer) importSubs(ctx context.Context) {
	for _, user := range imp.users() {
		path := firstExisting(imp.userFiles(user, "sub.db", ".sub"))
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			imp.rep.problem("subscriptions of %s: %v", user, err)
			continue
		}
		// Version 2 opens with a "\x1fVER\x1f" line; older files list
		// internal names.
		v2 := bytes.HasPrefix(data, []byte("\x1fVER\x1f"))
		for line := range strings.Lines(string(data)) {
			name, _, _ := strings.Cut(strings.TrimRight(line, "\n"), "\t")
			if name == "" || strings.HasPrefix(name, "\x1fVER\x1f") {
				continue
			}
			if rest, ok := strings.CutPrefix(name, "N"); ok && v2 {
				// Version 2: "N" and the list key, the user's INBOX as "INBOX".
				if tail, ok := strings.CutPrefix(rest, "INBOX"); ok && (tail == "" || tail[0] == '\x1f') {
					rest = "user\x1f" + strings.ReplaceAll(user, ".", "^") + tail
				}
				name = internalName(rest)
			}
			if err := imp.st.Subscribe(ctx, user, name); err != nil {
				imp.rep.problem("%s: subscription %q: %v", path, name, err)
				continue
			}
			imp.rep.subs++
		}
	}
}

// quotaResources maps Cyrus's quota file keys to our resources.
var quotaResources = map[string]quota.Resource{"S": quota.Storage, "M": quota.Message, "AS": quota.AnnotationStorage, "NF": quota.NumFolders}

func (imp *importer) importQuotas(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(imp.src.Configdirectory(), "quota", "*", "*"))
	for _, path := range files {
		root := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			imp.rep.problem("quota root %s: %v", root, err)
			continue
		}
		l := quota.NoLimits()
		if bytes.HasPrefix(data, []byte("%(")) {
			d, _, err := cyrusindex.ParseDList(data)
			if err != nil {
				imp.rep.problem("%s: %v", path, err)
				continue
			}
			for i, k := range d.Keys {
				res, ok := quotaResources[k]
				if !ok || !d.Items[i].IsList || len(d.Items[i].Items) < 2 {
					continue
				}
				if n, err := strconv.ParseInt(d.Items[i].Items[1].Atom, 10, 64); err == nil {
					l[res] = n
				}
			}
		} else {
			// Cyrus 2.4: "<bytes used>\n<storage limit in KiB>\n".
			f := strings.Fields(string(data))
			if len(f) < 2 {
				imp.rep.problem("%s: neither the dlist nor the two-line form", path)
				continue
			}
			if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				l[quota.Storage] = n
			}
		}
		if err := imp.st.SetQuota(ctx, root, l); err != nil {
			imp.rep.problem("quota root %s: %v", root, err)
			continue
		}
		imp.rep.quotas++
	}
}

// ownerPlaceholder stands for the mailbox owner in Cyrus 3.x annotation keys.
const ownerPlaceholder = "[.OwNeR.]"

func (imp *importer) importAnnotations(ctx context.Context) {
	path := filepath.Join(imp.src.Configdirectory(), "annotations.db")
	recs, err := twoskip.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		imp.rep.problem("annotations: %v", err)
		return
	}
	for _, r := range recs {
		parts := strings.Split(string(r.Key), "\x00")
		if len(parts) < 3 {
			imp.rep.problem("%s: key %q: not <mailbox>\\0<entry>\\0<user>", path, r.Key)
			continue
		}
		id, entry, user := parts[0], parts[1], parts[2]
		name, ok := imp.byID[id]
		if id == "" {
			imp.rep.problem("%s: server annotation %s not imported", path, entry)
			continue
		}
		if !ok {
			continue // of a mailbox not imported (deleted, #sieve)
		}
		if user == ownerPlaceholder {
			user, _ = mboxname.UserOf(name)
		}
		// The value: a u32 length, four bytes of padding (an unsigned
		// long on the 64-bit machines that wrote it), the bytes.
		if len(r.Value) < 8 {
			imp.rep.problem("%s: value of %q too short", path, r.Key)
			continue
		}
		n := binary.BigEndian.Uint32(r.Value)
		if uint64(n) > uint64(len(r.Value)-8) {
			imp.rep.problem("%s: value of %q runs past its record", path, r.Key)
			continue
		}
		if err := imp.st.ImportMetadata(ctx, name, entry, user, slices.Clone(r.Value[8:8+n])); err != nil {
			imp.rep.problem("annotation %s %s of %s: %v", entry, user, name, err)
			continue
		}
		imp.rep.annotations++
	}
}

func (imp *importer) importSieve(ctx context.Context) {
	scripts := sievescripts.FromConfig(imp.st.Config())
	for _, user := range imp.users() {
		found, active, err := imp.userScripts(user)
		if err != nil {
			imp.rep.problem("Sieve scripts of %s: %v", user, err)
			continue
		}
		if len(found) == 0 {
			continue
		}
		dir, err := scripts.UserDir(user)
		if err != nil {
			imp.rep.problem("Sieve scripts of %s: %v", user, err)
			continue
		}
		for name, src := range found {
			if err := dir.Put(name, src); err != nil {
				imp.rep.problem("Sieve script %s of %s: %v", name, user, err)
				continue
			}
			imp.rep.sieve++
		}
		if active != "" {
			if err := dir.SetActive(active); err != nil {
				imp.rep.problem("active Sieve script %s of %s: %v", active, user, err)
			}
		}
	}
	_ = ctx
}

// userScripts finds a user's scripts: "<name>.script" files in the
// sievedir (Cyrus up to 3.4), else the messages of the user's "#sieve"
// mailbox (3.6: Subject is the name, the body the script); the active one
// is what "defaultbc" links to.
func (imp *importer) userScripts(user string) (map[string][]byte, string, error) {
	sievedir := imp.src.String("sievedir")
	var dirs []string
	if id := imp.inboxID(user); id != "" {
		dirs = append(dirs, mboxname.UUIDPath(sievedir, id))
	}
	dirs = append(dirs, filepath.Join(sievedir, string(mboxname.HashChar(user, false)), user),
		filepath.Join(sievedir, string(mboxname.HashChar(user, true)), user))
	found := map[string][]byte{}
	active := ""
	for _, d := range dirs {
		if link, err := os.Readlink(filepath.Join(d, "defaultbc")); err == nil && active == "" {
			active = strings.TrimSuffix(filepath.Base(link), ".bc")
		}
		files, _ := filepath.Glob(filepath.Join(d, "*.script"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return nil, "", err
			}
			found[strings.TrimSuffix(filepath.Base(f), ".script")] = src
		}
	}
	if b, ok := imp.sieveBoxes[user]; ok && len(found) == 0 {
		dir, err := imp.dirOf(b)
		if err != nil {
			return nil, "", err
		}
		x, err := cyrusindex.ReadIndex(dir)
		if err != nil {
			return nil, "", err
		}
		for _, r := range x.Records {
			if r.SystemFlags&cyrusindex.FlagExpunged != 0 {
				continue
			}
			path := filepath.Join(dir, strconv.FormatUint(uint64(r.UID), 10)+".")
			msg, err := os.ReadFile(path)
			if err != nil {
				return nil, "", err
			}
			head, body, ok := bytes.Cut(msg, []byte("\r\n\r\n"))
			if !ok {
				return nil, "", fmt.Errorf("%s: no header end", path)
			}
			name := ""
			for line := range strings.Lines(string(head)) {
				if v, ok := strings.CutPrefix(line, "Subject: "); ok {
					name = strings.TrimSpace(v)
				}
			}
			if name == "" {
				return nil, "", fmt.Errorf("%s: no Subject naming the script", path)
			}
			found[name] = body
		}
	}
	return found, active, nil
}

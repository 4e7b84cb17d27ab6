package main

import (
	"bytes"
	"context"
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
	"gocyrus/pkg/cyrusdbfile"
	"gocyrus/pkg/cyrusindex"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
)

// box is one mailbox of the Cyrus list.
type box struct {
	name string // internal
	typ  string
	v    cyrusindex.ListValue
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

func (imp *importer) readList() error {
	path := filepath.Join(imp.src.Configdirectory(), "mailboxes.db")
	recs, _, err := cyrusdbfile.ReadFile(path)
	if err != nil {
		return err
	}
	imp.byID = map[string]string{}
	imp.sieveBoxes = map[string]box{}
	byUUID := isByUUID(recs)
	for _, r := range recs {
		b, ok, err := listEntry(r, byUUID)
		if err != nil {
			imp.rep.problem("%s: entry %q: %v", path, r.Key, err)
			continue
		}
		if !ok {
			continue
		}
		switch {
		case strings.ContainsAny(b.typ, "dir"):
			continue // a tombstone, an intermediate or a remote mailbox
		case strings.HasSuffix(b.name, ".#sieve"):
			if user, ok := mboxname.UserOf(b.name); ok {
				imp.sieveBoxes[user] = b
			}
			continue
		}
		if id := b.v.UniqueID; id != "" {
			imp.byID[id] = b.name
		}
		imp.boxes = append(imp.boxes, b)
	}
	return nil
}

// isByUUID tells Cyrus 3.6's mailboxes.db ("N<name>" and "I<uniqueid>"
// keys) from the older ones keyed by the internal name alone: only the
// 3.6 form has "I" entries whose dlist names the mailbox.
func isByUUID(recs []cyrusdbfile.Record) bool {
	for _, r := range recs {
		if len(r.Key) == 0 || r.Key[0] != 'I' || !bytes.HasPrefix(r.Value, []byte("%(")) {
			continue
		}
		if d, _, err := cyrusindex.ParseDList(r.Value); err == nil && d.IsKV && d.Str("N") != "" {
			return true
		}
	}
	return false
}

// listEntry reads one mailboxes.db record: Cyrus 3.6's "N<name>" with a
// dlist, 3.0–3.4's internal name with a dlist, or 2.x's internal name
// with "<type> <partition> <ACL>" (the type a number: 0 a local mailbox;
// its bits remote 1, reserved 2, netnews 4, moving 8, deleted 16). ok is
// false for the records that only index others.
func listEntry(r cyrusdbfile.Record, byUUID bool) (b box, ok bool, err error) {
	key := string(r.Key)
	if byUUID {
		rest, ok := strings.CutPrefix(key, "N")
		if !ok {
			return box{}, false, nil // "I<uniqueid>" and others repeat what "N" says
		}
		key = cyrusindex.InternalName(rest)
	}
	if key == "" {
		return box{}, false, errors.New("empty name")
	}
	if bytes.HasPrefix(r.Value, []byte("%(")) {
		v, err := cyrusindex.ParseListValue(r.Value)
		if err != nil {
			return box{}, false, err
		}
		return box{name: key, typ: v.Type, v: v}, true, nil
	}
	f := strings.SplitN(string(r.Value), " ", 3)
	if len(f) < 2 {
		return box{}, false, errors.New("neither a dlist nor \"<type> <partition> <ACL>\"")
	}
	t, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil {
		return box{}, false, fmt.Errorf("type %q: %w", f[0], err)
	}
	typ := "e"
	switch {
	case t&16 != 0:
		typ = "d"
	case t&(1|8) != 0:
		typ = "r"
	case t&2 != 0:
		typ = "i"
	}
	v := cyrusindex.ListValue{Type: typ, Partition: f[1]}
	if len(f) == 3 {
		fields := strings.Split(strings.TrimSuffix(f[2], "\t"), "\t")
		for i := 0; i+1 < len(fields); i += 2 {
			v.ACL = append(v.ACL, cyrusindex.ACLPair{ID: fields[i], Rights: fields[i+1]})
		}
	}
	return box{name: key, typ: typ, v: v}, true, nil
}

// dirOf finds a mailbox's directory: the uuid layout, else the legacy
// one (hashed or not, full-name hashing or not).
func (imp *importer) dirOf(b box) (string, error) {
	part := b.v.Partition
	root, ok := imp.src.Partitions()[part]
	if !ok {
		return "", fmt.Errorf("partition %q not in the Cyrus imapd.conf", part)
	}
	var candidates []string
	if id := b.v.UniqueID; id != "" {
		candidates = append(candidates, mboxname.UUIDPath(root, id))
	}
	for _, full := range []bool{imp.src.Bool("fulldirhash"), !imp.src.Bool("fulldirhash")} {
		for _, hashed := range []bool{true, false} {
			candidates = append(candidates, mboxname.LegacyPath(root, b.name, hashed, full))
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
	if id := b.v.UniqueID; id != "" && hdr.UniqueID != id {
		return fmt.Errorf("%s names uniqueid %s, mailboxes.db %s", filepath.Join(dir, "cyrus.header"), hdr.UniqueID, id)
	}
	// Lists older than 3.0 name no uniqueid: the header does, and the
	// seen and annotation databases key by it.
	imp.byID[hdr.UniqueID] = b.name
	var aclText strings.Builder
	for _, a := range b.v.ACL {
		fmt.Fprintf(&aclText, "%s\t%s\t", a.ID, a.Rights)
	}
	rights, err := acl.Parse(aclText.String())
	if err != nil {
		return fmt.Errorf("ACL %q: %w", aclText.String(), err)
	}
	uidv := b.v.UIDValidity
	if uidv == 0 {
		uidv = x.UIDValidity
	}
	e := &store.Entry{Name: b.name, Partition: imp.partition(b.v.Partition), ACL: rights, UniqueID: hdr.UniqueID,
		UIDValidity: uidv, Type: b.typ, MTime: b.v.MTime, CreatedModseq: b.v.CreatedModseq, FolderModseq: b.v.FolderModseq}
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

// inboxID is the uniqueid of the user's INBOX, from mailboxes.db or,
// for lists older than 3.0, from its cyrus.header once imported.
func (imp *importer) inboxID(user string) string {
	inbox := mboxname.UserInbox(user)
	for _, b := range imp.boxes {
		if b.name == inbox && b.v.UniqueID != "" {
			return b.v.UniqueID
		}
	}
	for id, name := range imp.byID {
		if name == inbox {
			return id
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
		recs, _, err := cyrusdbfile.ReadFile(path)
		if err != nil {
			imp.rep.problem("seen state of %s: %v", user, err)
			continue
		}
		for _, r := range recs {
			v, err := cyrusindex.ParseSeenValue(r.Value)
			if err != nil {
				imp.rep.problem("%s: seen record %q: %v", path, r.Key, err)
				continue
			}
			seen := store.Seen{LastRead: v.LastRead, LastUID: v.LastUID, LastChange: v.LastChange, SeenUIDs: v.SeenUIDs}
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
		recs, _, err := cyrusdbfile.ReadFile(path)
		if err != nil {
			imp.rep.problem("subscriptions of %s: %v", user, err)
			continue
		}
		// Version 2 (3.6) has a "\x1fVER\x1f" record and keys "N" and
		// the list key, the user's INBOX as "INBOX"; older ones list
		// internal names.
		v2 := false
		for _, r := range recs {
			if string(r.Key) == "\x1fVER\x1f" {
				v2 = true
			}
		}
		for _, r := range recs {
			name := string(r.Key)
			if name == "" || name == "\x1fVER\x1f" {
				continue
			}
			if rest, ok := strings.CutPrefix(name, "N"); ok && v2 {
				if tail, ok := strings.CutPrefix(rest, "INBOX"); ok && (tail == "" || tail[0] == '\x1f') {
					rest = "user\x1f" + strings.ReplaceAll(user, ".", "^") + tail
				}
				name = cyrusindex.InternalName(rest)
			}
			if err := imp.st.Subscribe(ctx, user, name); err != nil {
				imp.rep.problem("%s: subscription %q: %v", path, name, err)
				continue
			}
			imp.rep.subs++
		}
	}
}

// quotaResources maps Cyrus's quota record keys to our resources.
var quotaResources = map[string]quota.Resource{"S": quota.Storage, "M": quota.Message, "AS": quota.AnnotationStorage, "NF": quota.NumFolders}

// importQuotas reads the quota roots: quotalegacy files (quota/<h>/<root>)
// and the database form (quotas.db, quota_db: twoskip, skiplist or flat).
func (imp *importer) importQuotas(ctx context.Context) {
	conf := imp.src.Configdirectory()
	files, _ := filepath.Glob(filepath.Join(conf, "quota", "*", "*"))
	for _, path := range files {
		root := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			imp.rep.problem("quota root %s: %v", root, err)
			continue
		}
		imp.setQuota(ctx, path, root, data)
	}
	path := filepath.Join(conf, "quotas.db")
	recs, _, err := cyrusdbfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		imp.rep.problem("quotas: %v", err)
		return
	}
	for _, r := range recs {
		imp.setQuota(ctx, path, string(r.Key), r.Value)
	}
}

// setQuota sets a root's limits from a quota value: the dlist form
// (3.x: "%(S (used limit) M (used limit) …)") or 2.4's "<bytes used>
// <storage limit in KiB>" (two lines in a file, a space in a database).
func (imp *importer) setQuota(ctx context.Context, path, root string, data []byte) {
	v, err := cyrusindex.ParseQuotaValue(data)
	if err != nil {
		imp.rep.problem("%s: quota root %s: %v", path, root, err)
		return
	}
	l := quota.NoLimits()
	for k, res := range quotaResources {
		if n := v.Limit[k]; n >= 0 {
			l[res] = n
		}
	}
	if err := imp.st.SetQuota(ctx, root, l); err != nil {
		imp.rep.problem("quota root %s: %v", root, err)
		return
	}
	imp.rep.quotas++
}

// listedNames returns the set of the list's mailbox names.
func (imp *importer) listedNames() map[string]bool {
	names := make(map[string]bool, len(imp.boxes))
	for _, b := range imp.boxes {
		names[b.name] = true
	}
	return names
}

func (imp *importer) importAnnotations(ctx context.Context) {
	path := filepath.Join(imp.src.Configdirectory(), "annotations.db")
	recs, _, err := cyrusdbfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		imp.rep.problem("annotations: %v", err)
		return
	}
	listed := imp.listedNames()
	for _, r := range recs {
		id, entry, user, err := cyrusindex.ParseAnnotationKey(r.Key)
		if err != nil {
			imp.rep.problem("%s: %v", path, err)
			continue
		}
		if id == "" {
			imp.rep.problem("%s: server annotation %s not imported", path, entry)
			continue
		}
		// 3.6 keys by uniqueid; Cyrus 2.4 by the internal mailbox name.
		name, ok := imp.byID[id]
		if !ok && listed[id] {
			name, ok = id, true
		}
		if !ok {
			continue // of a mailbox not imported (deleted, #sieve)
		}
		if user == cyrusindex.AnnotationOwner {
			user, _ = mboxname.UserOf(name)
		}
		val, err := cyrusindex.ParseAnnotationValue(r.Value)
		if err != nil {
			imp.rep.problem("%s: value of %q: %v", path, r.Key, err)
			continue
		}
		if err := imp.st.ImportMetadata(ctx, name, entry, user, slices.Clone(val)); err != nil {
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
// sievedir (Cyrus up to 3.4) and the messages of the user's "#sieve"
// mailbox (3.6: Subject is the name, the body the script), which is what
// Cyrus served when it has one, so its script wins over a file of the
// same name left behind; the active one is what "defaultbc" links to.
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
	if b, ok := imp.sieveBoxes[user]; ok {
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

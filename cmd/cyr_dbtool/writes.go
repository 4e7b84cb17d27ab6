package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusindex"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// A set or delete is read from Cyrus's form by the one reader of that form
// (pkg/cyrusindex), checked as the package that owns the record checks its
// own writes, and written through that package's transaction, so quota
// charges, change notifications and the uniqueness of uniqueids hold. A
// value refused is a *refusal: nothing was written.

// refusal is a set or delete refused before anything was written.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

func refuse(format string, a ...any) error { return &refusal{fmt.Sprintf(format, a...)} }

// maxKey bounds a key: Cyrus's longest (an annotation key of a long
// mailbox name) is far shorter.
const maxKey = 4096

// checkKey refuses what no key of any view may be.
func checkKey(key []byte) error {
	switch {
	case len(key) == 0:
		return refuse("empty key")
	case len(key) > maxKey:
		return refuse("key of %d bytes, more than %d", len(key), maxKey)
	}
	return nil
}

// valueRefusal turns a reader's ErrValue into a refusal.
func valueRefusal(err error) error {
	if errors.Is(err, cyrusindex.ErrValue) {
		return refuse("%v", err)
	}
	return err
}

// mailboxes.db: "N<name>" is a mailbox's entry; "I<uniqueid>" repeats it
// (with N naming the mailbox), since gocyrus keeps one entry per mailbox.
// set replaces the entry or, as Cyrus, adds one (the spool is not made:
// reconstruct does that); delete removes the entry alone (UnlistMailbox).

func setMailbox(ctx context.Context, st *store.Store, key, val []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	lv, err := cyrusindex.ParseListValue(val)
	if err != nil {
		return valueRefusal(err)
	}
	var name string
	switch key[0] {
	case 'N':
		name = cyrusindex.InternalName(string(key[1:]))
		if lv.Name != "" && cyrusindex.InternalName(lv.Name) != name {
			return refuse("the value names mailbox %s (N), the key %s", cyrusindex.InternalName(lv.Name), name)
		}
	case 'I':
		id := string(key[1:])
		if lv.Name == "" {
			return refuse("an I record's value names its mailbox (N)")
		}
		if lv.UniqueID != "" && lv.UniqueID != id {
			return refuse("the value says uniqueid %s (I), the key %s", lv.UniqueID, id)
		}
		lv.UniqueID = id
		name = cyrusindex.InternalName(lv.Name)
	default:
		return refuse("unknown key %.40q: mailboxes.db keys are N<name> or I<uniqueid>", key)
	}
	e, err := listEntry(st, name, lv)
	if err != nil {
		return err
	}
	parts := map[string]bool{}
	for p := range st.Config().Partitions() {
		parts[strings.ToLower(p)] = true
	}
	err = mboxlist.New(st.DB()).CheckEntry(ctx, e, mboxlist.ParseOptions{Partitions: parts})
	var de *mboxlist.DumpError
	if errors.As(err, &de) {
		return refuse("%s", de.Msg)
	}
	if err != nil {
		return err
	}
	_, err = st.ModifyMailbox(ctx, name, func(cur *store.Entry) error {
		// What the Cyrus value does not carry stays as it was.
		e.SpecialUse, e.Server, e.NameHistory, e.Extra = cur.SpecialUse, cur.Server, cur.NameHistory, cur.Extra
		*cur = *e
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return st.AdoptMailbox(ctx, e)
	}
	return err
}

// listEntry makes the list entry a mailboxes.db value describes.
func listEntry(st *store.Store, name string, lv cyrusindex.ListValue) (*store.Entry, error) {
	e := &store.Entry{Name: name, Partition: lv.Partition, UniqueID: lv.UniqueID, UIDValidity: lv.UIDValidity,
		Type: lv.Type, MTime: lv.MTime, CreatedModseq: lv.CreatedModseq, FolderModseq: lv.FolderModseq}
	if e.Type == "e" {
		e.Type = "" // an email mailbox, as gocyrus writes it
	}
	if e.UniqueID == "" && !e.IsDeleted() {
		return nil, refuse("mailbox %s: no uniqueid (I)", name)
	}
	deleteRight := acl.DeleteRightFromConfig(st.Config())
	for _, a := range lv.ACL {
		r, err := acl.ParseRights(a.Rights, deleteRight)
		if err != nil || a.ID == "" {
			return nil, refuse("mailbox %s: ACL entry %q %q: %v", name, a.ID, a.Rights, err)
		}
		e.ACL = append(e.ACL, acl.Entry{ID: a.ID, Rights: r})
	}
	return e, nil
}

func deleteMailbox(ctx context.Context, st *store.Store, key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	switch key[0] {
	case 'N':
		_, err := st.UnlistMailbox(ctx, cyrusindex.InternalName(string(key[1:])))
		if errors.Is(err, store.ErrNotFound) {
			return nil // as Cyrus: deleting an absent key is no error
		}
		return err
	case 'I':
		e, _, err := mboxlist.New(st.DB()).FindUniqueID(ctx, string(key[1:]))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return refuse("I%s is mailbox %s's own record in gocyrus: delete its N record", key[1:], e.Name)
	}
	return refuse("unknown key %.40q: mailboxes.db keys are N<name> or I<uniqueid>", key)
}

// The quota database: "<root>" and its limits; the usage in a value is
// what the charges of the mailboxes add up to, kept by the quota code,
// so set takes the limits only (quota -f recounts the usage).

var quotaResources = map[string]quota.Resource{"S": quota.Storage, "M": quota.Message, "AS": quota.AnnotationStorage, "NF": quota.NumFolders}

func setQuota(ctx context.Context, st *store.Store, key, val []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	root := string(key)
	if err := mboxname.Validate(root); err != nil {
		return refuse("quota root %.60q: %v", root, err)
	}
	q, err := cyrusindex.ParseQuotaValue(val)
	if err != nil {
		return valueRefusal(err)
	}
	l := quota.NoLimits()
	for k, r := range quotaResources {
		l[r] = q.Limit[k]
	}
	err = st.SetQuota(ctx, root, l)
	if errors.Is(err, quota.ErrBadLimit) {
		return refuse("%v", err)
	}
	return err
}

func deleteQuota(ctx context.Context, st *store.Store, key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	err := st.RemoveQuota(ctx, string(key))
	if errors.Is(err, store.ErrNoQuotaRoot) {
		return nil
	}
	return err
}

// <user>.seen: "<uniqueid>" and "1 lastread lastuid lastchange seenuids".

func checkUniqueID(id []byte) error {
	for _, c := range id {
		if c <= ' ' || c >= 0x7f {
			return refuse("uniqueid %.40q: not printable ASCII", id)
		}
	}
	return nil
}

func setSeen(ctx context.Context, st *store.Store, user string, key, val []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkUniqueID(key); err != nil {
		return err
	}
	v, err := cyrusindex.ParseSeenValue(val)
	if err != nil {
		return valueRefusal(err)
	}
	_, err = st.UpdateSeen(ctx, user, string(key), func(s *store.Seen) (bool, error) {
		*s = store.Seen{LastRead: v.LastRead, LastUID: v.LastUID, LastChange: v.LastChange, SeenUIDs: v.SeenUIDs}
		return true, nil
	})
	return err
}

func deleteSeen(ctx context.Context, st *store.Store, user string, key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return st.DeleteSeenRecord(ctx, user, string(key))
}

// <user>.sub: "N<name>" with an empty value per subscription, and the
// version record.

const subVersionKey = "\x1fVER\x1f"

func subName(key []byte) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	rest, ok := bytes.CutPrefix(key, []byte("N"))
	if !ok {
		return "", refuse("unknown key %.40q: subscription keys are N<name>", key)
	}
	name := cyrusindex.InternalName(string(rest))
	if err := mboxname.Validate(name); err != nil {
		return "", refuse("mailbox %.60q: %v", name, err)
	}
	return name, nil
}

func setSub(ctx context.Context, st *store.Store, user string, key, val []byte) error {
	if string(key) == subVersionKey {
		if string(val) != "2" {
			return refuse("the version record is 2")
		}
		return nil // what gocyrus shows already
	}
	name, err := subName(key)
	if err != nil {
		return err
	}
	if len(val) != 0 {
		return refuse("a subscription's value is empty")
	}
	return st.Subscribe(ctx, user, name)
}

func deleteSub(ctx context.Context, st *store.Store, user string, key []byte) error {
	if string(key) == subVersionKey {
		return refuse("the version record stays")
	}
	name, err := subName(key)
	if err != nil {
		return err
	}
	return st.Unsubscribe(ctx, user, name)
}

// annotations.db: "<uniqueid> NUL <entry> NUL <userid> NUL" (uniqueid ""
// for the server) and Cyrus's binary value; set and delete go through
// SetMetadata, which charges X-ANNOTATION-STORAGE. Keys hold NUL bytes,
// so they come through batch (standard input), not the command line.

func annotationTarget(ctx context.Context, st *store.Store, key []byte) (mailbox, entry, user string, err error) {
	if err := checkKey(key); err != nil {
		return "", "", "", err
	}
	id, entry, user, err := cyrusindex.ParseAnnotationKey(key)
	if err != nil {
		return "", "", "", valueRefusal(err)
	}
	if id == "" {
		return "", entry, user, nil
	}
	e, _, err := mboxlist.New(st.DB()).FindUniqueID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", "", refuse("no mailbox has uniqueid %.40q", id)
	}
	if err != nil {
		return "", "", "", err
	}
	if user == cyrusindex.AnnotationOwner {
		user, _ = mboxname.UserOf(e.Name)
	}
	return e.Name, entry, user, nil
}

func setAnnotation(ctx context.Context, st *store.Store, key, val []byte) error {
	mailbox, entry, user, err := annotationTarget(ctx, st, key)
	if err != nil {
		return err
	}
	v, err := cyrusindex.ParseAnnotationValue(val)
	if err != nil {
		return valueRefusal(err)
	}
	return metadataRefusal(st.SetMetadata(ctx, mailbox, entry, user, append([]byte{}, v...)))
}

func deleteAnnotation(ctx context.Context, st *store.Store, key []byte) error {
	mailbox, entry, user, err := annotationTarget(ctx, st, key)
	if err != nil {
		return err
	}
	return metadataRefusal(st.SetMetadata(ctx, mailbox, entry, user, nil))
}

// metadataRefusal: the metadata code's refusals of an entry name, a size
// or the annotation quota are the administrator's to correct.
func metadataRefusal(err error) error {
	if errors.Is(err, mboxlist.ErrBadMetadata) || errors.Is(err, store.ErrOverQuota) {
		return refuse("%v", err)
	}
	return err
}

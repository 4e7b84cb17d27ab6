package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
)

// Store is the mail store of one configuration.
type Store struct {
	cfg    *config.Config
	db     cyrusdb.DB
	list   *mboxlist.List
	quota  *quota.Store
	policy acl.Policy
	ns     mboxname.Namespace
	log    *slog.Logger // never nil: New puts a discarding logger in its place

	partitions map[string]string
	// publishTimeout bounds a change notification: it runs inside a
	// client's APPEND, STORE or EXPUNGE, whose data is already safe.
	publishTimeout time.Duration
	// quotaTimeout bounds a quota charge made under a mailbox's lock
	// (0 = mailbox.DefaultQuotaTimeout).
	quotaTimeout time.Duration
}

// defaultPublishTimeout: a notification that cannot be sent in this time
// is dropped (watchers also poll), rather than holding the session.
const defaultPublishTimeout = 5 * time.Second

// New returns the store of cfg kept in db.
func New(cfg *config.Config, db cyrusdb.DB, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pol, err := acl.PolicyFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	parts := map[string]string{}
	for name, path := range cfg.Partitions() {
		parts[strings.ToLower(name)] = path
	}
	if len(parts) == 0 {
		return nil, errors.New("no partition-NAME is configured")
	}
	return &Store{
		cfg: cfg, db: db, list: mboxlist.New(db), quota: quota.New(db),
		policy: pol, ns: mboxname.NamespaceFromConfig(cfg), log: log, partitions: parts,
		publishTimeout: defaultPublishTimeout,
	}, nil
}

// PartitionPath returns the spool root of a partition.
func (s *Store) PartitionPath(partition string) (string, error) {
	p, ok := s.partitions[strings.ToLower(partition)]
	if !ok {
		return "", fmt.Errorf("partition %q is not configured", partition)
	}
	return p, nil
}

// ErrUnknownPartition refuses a partition a client or tool named that no
// partition-NAME configures (Cyrus: IMAP_PARTITION_UNKNOWN).
var ErrUnknownPartition = errors.New("unknown partition")

// requestedPartition checks a partition named by the caller (CREATE's or
// RENAME's partition argument) and returns its canonical (lower-case) name.
func (s *Store) requestedPartition(partition string) (string, error) {
	if _, err := s.PartitionPath(partition); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnknownPartition, err)
	}
	return strings.ToLower(partition), nil
}

// Dir returns the spool directory of a mailbox entry.
func (s *Store) Dir(e *mboxlist.Entry) (string, error) {
	root, err := s.PartitionPath(e.Partition)
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.Name, err)
	}
	if e.LegacyDirs() || e.UniqueID == "" {
		return dirOfLegacy(root, e, s.cfg.Hashimapspool(), s.cfg.Fulldirhash()), nil
	}
	return mboxname.UUIDPath(root, e.UniqueID), nil
}

// choosePartition applies Cyrus's order: explicit, parent's, defaultpartition, most free space.
func (s *Store) choosePartition(explicit string, parent *mboxlist.Entry) (string, error) {
	if explicit != "" {
		return s.requestedPartition(explicit)
	}
	if parent != nil && parent.Partition != "" {
		return parent.Partition, nil
	}
	if d := s.cfg.Defaultpartition(); d != "" {
		if _, err := s.PartitionPath(d); err != nil {
			return "", fmt.Errorf("defaultpartition: %w", err)
		}
		return strings.ToLower(d), nil
	}
	return selectPartition(s.cfg.PartitionSelectMode(), s.partitions, statPartition, rand.Float64), nil
}

// nearestParent returns the closest existing ancestor's entry, or nil.
func (s *Store) nearestParent(ctx context.Context, name string) (*mboxlist.Entry, error) {
	for p, ok := mboxname.Parent(name); ok; p, ok = mboxname.Parent(p) {
		e, err := s.list.Lookup(ctx, p)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, mboxlist.ErrNotFound) {
			return nil, err
		}
	}
	return nil, nil
}

// CreateOptions tune CreateMailbox.
type CreateOptions struct {
	Partition  string  // "" = parent's, defaultpartition, or the freest
	ACL        acl.ACL // nil = inherited as Cyrus does (docs/CYRUS-BEHAVIOUR.md §3.5)
	SpecialUse string
	// Quota is how strictly X-NUM-FOLDERS is checked (Ignore for admin tools).
	Quota quota.Mode
}

// ErrNotCreated wraps failures that left nothing behind.
var ErrNotCreated = errors.New("mailbox not created")

// CreateMailbox makes a new mailbox: spool directory, then list entry.
func (s *Store) CreateMailbox(ctx context.Context, name string, opt CreateOptions) (*mboxlist.Entry, error) {
	if err := mboxname.Validate(name); err != nil {
		return nil, err
	}
	if _, err := s.list.Lookup(ctx, name); err == nil {
		return nil, fmt.Errorf("%w: %s", mboxlist.ErrExists, name)
	}
	parent, err := s.nearestParent(ctx, name)
	if err != nil {
		return nil, err
	}
	part, err := s.choosePartition(opt.Partition, parent)
	if err != nil {
		return nil, err
	}
	a := opt.ACL
	if a == nil {
		var parentACL acl.ACL
		if parent != nil {
			parentACL = parent.ACL
		}
		a = acl.InitialACL(name, parentACL, parent != nil, s.cfg.Defaultacl())
	}
	e := &mboxlist.Entry{Name: name, Partition: part, ACL: a, UniqueID: mboxname.NewUniqueID(),
		SpecialUse: opt.SpecialUse, CreatedModseq: 1, FolderModseq: 1}
	if s.cfg.MailboxLegacyDirs() || (parent != nil && parent.LegacyDirs()) {
		e.Type = "l"
	}
	dir, err := s.Dir(e)
	if err != nil {
		return nil, err
	}
	// From the server-wide counter, never the clock: the name may have
	// been deleted and created again within the second (RFC 3501 §2.3.1.1).
	if e.UIDValidity, err = s.list.NextUIDValidity(ctx); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotCreated, name, err)
	}
	if err := mailbox.Create(dir, mailbox.Header{Name: name, UniqueID: e.UniqueID, UIDValidity: e.UIDValidity}); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotCreated, name, err)
	}
	// The entry and its X-NUM-FOLDERS charge are one transaction: a
	// charge made ahead of the entry would be missed by a rename or
	// delete of the tree racing with the creation.
	var delta quota.Usage
	delta[quota.NumFolders] = 1
	if err := s.quota.Charge(ctx, s.createPin(e), delta, opt.Quota); err != nil {
		mailbox.Delete(dir)
		return nil, err
	}
	if e.SpecialUse != "" {
		// As Cyrus writes the special-use annotation after creating
		// the mailbox: it is a change of its own (docs/CYRUS-BEHAVIOUR.md §11.3).
		s.mailboxChanged(ctx, e)
	}
	s.publish(ctx, name)
	return e, nil
}

// createPin pins a creation's charge to e's name being free, and creates
// the entry in the charge's transaction.
func (s *Store) createPin(e *mboxlist.Entry) quota.Pin {
	return func(ctx context.Context) (quota.Pinned, error) {
		if _, err := s.list.Lookup(ctx, e.Name); err == nil {
			return quota.Pinned{}, fmt.Errorf("%w: %s", mboxlist.ErrExists, e.Name)
		} else if !errors.Is(err, mboxlist.ErrNotFound) {
			return quota.Pinned{}, err
		}
		cond, op, err := mboxlist.CreateTxn(e)
		if err != nil {
			return quota.Pinned{}, err
		}
		return quota.Pinned{Mailbox: e.Name, Conds: []cyrusdb.Cond{cond}, Ops: []cyrusdb.Op{op}}, nil
	}
}

// DeleteMailbox deletes a mailbox; a user's INBOX takes its whole tree
// with it (as Cyrus deletes user.X). With delete_mode: delayed each
// mailbox is moved under the deleted prefix (see deleted.go) and kept;
// a mailbox already there, or any with delete_mode: immediate, is removed
// for real. It returns the deleted entries as they were.
func (s *Store) DeleteMailbox(ctx context.Context, name string) ([]*mboxlist.Entry, error) {
	var gone []*mboxlist.Entry
	var err error
	if s.DelayedDelete() && !s.IsDeletedName(name) {
		gone, err = s.delayDelete(ctx, name)
	} else {
		gone, err = s.removeNow(ctx, name, mboxname.IsUserInbox(name))
	}
	s.removeRootsOf(ctx, gone)
	return gone, err
}

// removeRootsOf removes the quota roots named by deleted mailboxes, as
// Cyrus does: a mailbox created again under the name starts without the
// old limits. What the root still counted (mailboxes below it that were
// not deleted) goes back to the next root up.
func (s *Store) removeRootsOf(ctx context.Context, deleted []*mboxlist.Entry) {
	for _, e := range deleted {
		if _, err := s.quota.Get(ctx, e.Name); err != nil {
			continue // not a root (or unreadable: the root stays)
		}
		if err := s.RemoveQuota(ctx, e.Name); err != nil {
			s.log.Warn("removing the quota root of a deleted mailbox", "root", e.Name, "err", err)
		}
	}
}

// RemoveMailbox removes a mailbox for real whatever delete_mode says (a
// user's INBOX with its tree): the undoing of a creation that failed
// half-way, which must leave nothing under the deleted prefix.
func (s *Store) RemoveMailbox(ctx context.Context, name string) ([]*mboxlist.Entry, error) {
	return s.removeNow(ctx, name, mboxname.IsUserInbox(name))
}

// UnlistMailbox removes one mailbox's list entry alone (cyr_dbtool
// delete of an N record): what it charged to its quota root is given back
// in the list's own transaction; its spool directory, metadata, quota root
// and children stay, so reconstruct -f can list it again.
func (s *Store) UnlistMailbox(ctx context.Context, name string) (*mboxlist.Entry, error) {
	removed, err := s.list.DeleteWith(ctx, name, false, s.forgetCharges)
	if err != nil {
		return nil, err
	}
	s.publish(ctx, name)
	return removed[0], nil
}

// removeNow removes name (with recursive its subtree): list entries,
// spool directories, metadata, and what they charged to their quota root.
func (s *Store) removeNow(ctx context.Context, name string, recursive bool) ([]*mboxlist.Entry, error) {
	// What was charged for the mailboxes is given back in the list's
	// own transaction: exactly once, and never a charge made for a
	// mailbox created again under the name afterwards.
	removed, err := s.list.DeleteWith(ctx, name, recursive, s.forgetCharges)
	if err != nil {
		return nil, err
	}
	for _, e := range removed {
		if dir, err := s.Dir(e); err == nil {
			if err := mailbox.Delete(dir); err != nil {
				s.log.Warn("deleting a mailbox directory", "mailbox", e.Name, "dir", dir, "err", err)
			}
		}
		if err := s.list.DeleteMetadata(ctx, e.Name); err != nil {
			s.log.Warn("deleting a mailbox's metadata", "mailbox", e.Name, "err", err)
		}
		s.publish(ctx, e.Name)
	}
	return removed, nil
}

// forgetCharges is the mboxlist.Also of a delete: the quota records of
// the removed mailboxes go.
func (s *Store) forgetCharges(ctx context.Context, old, _ []string) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
	return s.quota.ForgetTxn(ctx, old)
}

// moveCharges is the mboxlist.Also of a rename: the quota records follow
// the names (and, with rootsFollow, the roots they name).
func (s *Store) moveCharges(rootsFollow bool) mboxlist.Also {
	return func(ctx context.Context, old, new []string) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
		return s.quota.RenameTxn(ctx, old, new, rootsFollow)
	}
}

// moveSpool moves one mailbox's files for a rename; a mailbox whose
// directory is already gone has nothing to move.
func moveSpool(oldDir, newDir, newName string) error {
	err := mailbox.Rename(oldDir, newDir, newName)
	if errors.Is(err, mailbox.ErrNotFound) && !Exists(oldDir) {
		return nil
	}
	return err
}

// RenameMailbox moves a mailbox and its subtree to newName (and, when
// partition is given, to that partition).
func (s *Store) RenameMailbox(ctx context.Context, oldName, newName, partition string) error {
	if err := mboxname.Validate(newName); err != nil {
		return err
	}
	if newName == oldName && partition == "" {
		return fmt.Errorf("%w: %s", mboxlist.ErrExists, newName)
	}
	if mboxname.IsDescendant(newName, oldName) {
		return fmt.Errorf("cannot move %s into itself", oldName)
	}
	if partition != "" {
		var err error
		if partition, err = s.requestedPartition(partition); err != nil {
			return err
		}
	}
	// The charges and metadata follow the names in the list's own
	// transaction, and a root named by a renamed mailbox moves with it.
	moved, err := s.list.RenameWith(ctx, oldName, newName, partition, true, s.renameAlso(true))
	if err != nil {
		return err
	}
	for _, m := range moved {
		oldDir, err1 := s.Dir(m.Old)
		newDir, err2 := s.Dir(m.New)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		// Same directory (uniqueid layout): only cyrus.header's name changes.
		if err := mailbox.Rename(oldDir, newDir, m.New.Name); err != nil {
			return fmt.Errorf("moving %s to %s: %w (run reconstruct on %s)", oldDir, newDir, err, m.New.Name)
		}
		s.publish(ctx, m.Old.Name)
		s.publish(ctx, m.New.Name)
	}
	return nil
}

// Open opens a mailbox by name with its quota hook and change
// notification wired. mode is how appends are checked against quota.
func (s *Store) Open(ctx context.Context, name string, mode quota.Mode) (*mailbox.Mailbox, *mboxlist.Entry, error) {
	e, err := s.list.Lookup(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	mb, err := s.OpenEntry(e, mode, nil)
	if err != nil {
		return nil, nil, err
	}
	return mb, e, nil
}

// mailboxOptions returns the hooks for the mailbox of entry e. Its quota
// charges follow the mailbox (by uniqueid) across renames made by any
// process while it is open, and stop when it is deleted.
func (s *Store) mailboxOptions(e *mboxlist.Entry, mode quota.Mode) mailbox.Options {
	return mailbox.Options{
		Logger: s.log,
		Quota:  &quotaHook{s: s, pin: s.followMailbox(e), id: pendingID(e), mode: mode},
		Notify: func(n string) {
			ctx, cancel := context.WithTimeout(context.Background(), s.publishTimeout)
			defer cancel()
			s.publish(ctx, n)
		},
		// semidelayed, like immediate, unlinks at once: the index
		// always keeps tombstones (QRESYNC), which is what Cyrus's
		// semidelayed mode defers.
		KeepExpunged: s.cfg.ExpungeMode() == "delayed",
		QuotaTimeout: s.quotaTimeout,
	}
}

func (s *Store) publish(ctx context.Context, name string) {
	if err := s.db.Publish(ctx, name); err != nil {
		s.log.Debug("publishing a change", "mailbox", name, "err", err)
	}
}

// quotaHook charges a mailbox's appends and expunges to its governing
// root, found at the time of each change (roots may be set while a mailbox
// is open) and charged in the same transaction (quota.Store.ChargeHeld),
// under the name the mailbox has at that moment. The mailbox calls it under
// its exclusive lock with what its index holds (mailbox.QuotaHook).
type quotaHook struct {
	s    *Store
	pin  quota.Pin
	id   string // the key of its pending mark
	mode quota.Mode
}

func (h *quotaHook) Check(ctx context.Context, bytes, msgs int64) error {
	var d quota.Usage
	d[quota.Storage], d[quota.Message] = bytes, msgs
	return overQuota(h.s.quota.Check(ctx, h.pin, d, h.mode))
}

func (h *quotaHook) Charge(ctx context.Context, held mailbox.QuotaHeld, bytes, msgs int64) error {
	mode := h.mode
	if bytes <= 0 && msgs <= 0 {
		mode = quota.Ignore // giving back is always allowed
	}
	return overQuota(h.s.quota.ChargeHeld(ctx, h.pin, h.id, quota.Held(held), bytes, msgs, mode))
}

func (h *quotaHook) Sync(ctx context.Context, held mailbox.QuotaHeld) error {
	return h.s.quota.SyncHeld(ctx, h.pin, h.id, quota.Held(held))
}

// overQuota makes a quota refusal one the mailbox package knows.
func overQuota(err error) error {
	if errors.Is(err, quota.ErrOverQuota) {
		return fmt.Errorf("%w: %w", mailbox.ErrOverQuota, err)
	}
	return err
}

// pendingID is the key of a mailbox's pending quota mark: its uniqueid,
// or for an entry without one its name (after a prefix no uniqueid has).
func pendingID(e *mboxlist.Entry) string {
	if e.UniqueID != "" {
		return e.UniqueID
	}
	return "/" + e.Name
}

// ResolvePending syncs the quota charge of every mailbox marked pending
// with what its index holds, under the mailbox's exclusive lock: after a
// process died (master runs it when a child dies abnormally; quota -f and
// ctl_cyrusdb -r too), a charge made ahead of an index commit that never
// happened is given back. It returns how many mailboxes it synced.
func (s *Store) ResolvePending(ctx context.Context) (int, error) {
	ids, err := s.quota.Pending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		var e *mboxlist.Entry
		if name, ok := strings.CutPrefix(id, "/"); ok {
			e, err = s.list.Lookup(ctx, name)
		} else {
			e, _, err = s.list.FindUniqueID(ctx, id)
		}
		if errors.Is(err, mboxlist.ErrNotFound) {
			errs = append(errs, s.quota.ClearPending(ctx, id)) // deleted: nothing charged
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.SyncQuota(ctx, e); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// SyncQuota makes what is charged for the mailbox of entry e equal to what
// its index holds (reconstruct's quota step), clearing its pending mark.
func (s *Store) SyncQuota(ctx context.Context, e *mboxlist.Entry) error {
	dir, err := s.Dir(e)
	if err != nil {
		return err
	}
	mb, err := mailbox.Open(dir, s.mailboxOptions(e, quota.Ignore))
	if err != nil {
		return fmt.Errorf("%s: %w", e.Name, err)
	}
	defer mb.Close()
	return mb.SyncQuota(ctx)
}

// followMailbox pins charges to the mailbox of entry e wherever it is now:
// its name as long as the list entry there still holds its uniqueid, else
// the name the list now gives that uniqueid (renamed by some process while
// open), else none (deleted: the charge fails, a give-back charges
// nothing). Each charge is conditioned on the entry it resolved, so a
// rename or delete racing with it makes it resolve again.
func (s *Store) followMailbox(e *mboxlist.Entry) quota.Pin {
	var mu sync.Mutex
	name, id := e.Name, e.UniqueID
	return func(ctx context.Context) (quota.Pinned, error) {
		mu.Lock()
		cur := name
		mu.Unlock()
		got, ver, err := s.list.LookupVersion(ctx, cur)
		if err == nil && got.UniqueID == id {
			return quota.Pinned{Mailbox: cur, Conds: []cyrusdb.Cond{mboxlist.EntryCond(cur, ver)}}, nil
		}
		if err != nil && !errors.Is(err, mboxlist.ErrNotFound) {
			return quota.Pinned{}, err
		}
		if id == "" { // an entry without uniqueid is known by its name only
			return quota.Pinned{}, fmt.Errorf("%w: %s", quota.ErrNoMailbox, cur)
		}
		got, ver, err = s.list.FindUniqueID(ctx, id)
		if errors.Is(err, mboxlist.ErrNotFound) {
			return quota.Pinned{}, fmt.Errorf("%w: %s", quota.ErrNoMailbox, cur)
		}
		if err != nil {
			return quota.Pinned{}, err
		}
		mu.Lock()
		name = got.Name
		mu.Unlock()
		return quota.Pinned{Mailbox: got.Name, Conds: []cyrusdb.Cond{mboxlist.EntryCond(got.Name, ver)}}, nil
	}
}

// Exists reports whether path exists (for tools that inspect the spool).
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// WalkSpool calls fn for every directory under a partition root that holds
// a cyrus.header (reconstruct -f).
func WalkSpool(root string, fn func(dir string, h mailbox.Header) error) error {
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable corners are skipped, not fatal
		}
		if !d.IsDir() {
			return nil
		}
		if _, err := os.Stat(filepath.Join(p, "cyrus.header")); err != nil {
			return nil
		}
		h, err := mailbox.ReadHeader(p)
		if err != nil {
			return nil
		}
		return fn(p, h)
	})
}

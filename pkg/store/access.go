package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
)

// What the protocols and tools ask of the store besides creating,
// deleting and renaming: lookups, subscriptions, seen state, metadata and
// quota reads, opening and reconstructing a mailbox. Each is the one door
// to its part; the parts themselves stay inside the store.

// Config is the configuration the store was made with.
func (s *Store) Config() *config.Config { return s.cfg }

// Namespace is the namespace of mailbox names (altnamespace,
// unixhierarchysep, virtdomains) in the store's configuration.
func (s *Store) Namespace() mboxname.Namespace { return s.ns }

// Policy is the rights policy (implicit owner and admin rights).
func (s *Store) Policy() acl.Policy { return s.policy }

// DB is the databases the store keeps its records in, for the subsystems
// that keep their own keys there (duplicate delivery records, Sieve's
// vacation memory, POP3 login claims, change notifications) and for the
// tool that opened them to close.
func (s *Store) DB() cyrusdb.DB { return s.db }

// Lookup returns the list entry of a mailbox (ErrNotFound).
func (s *Store) Lookup(ctx context.Context, name string) (*Entry, error) {
	return s.list.Lookup(ctx, name)
}

// Walk calls fn for name and every mailbox below it ("" = all), in
// order, including deleted and intermediate entries.
func (s *Store) Walk(ctx context.Context, name string, fn func(*Entry) error) error {
	return s.list.Walk(ctx, name, fn)
}

// HasChildren reports whether any mailbox is below name.
func (s *Store) HasChildren(ctx context.Context, name string) (bool, error) {
	return s.list.HasChildren(ctx, name)
}

// ModifyMailbox changes a mailbox's list entry (its ACL, special use…)
// through fn, atomically; the change then takes the mailbox's next modseq
// (mailboxChanged).
func (s *Store) ModifyMailbox(ctx context.Context, name string, fn func(*Entry) error) (*Entry, error) {
	e, err := s.list.Modify(ctx, name, fn)
	if err != nil {
		return nil, err
	}
	s.mailboxChanged(ctx, e)
	return e, nil
}

// Subscribe, Unsubscribe and Subscriptions keep a user's subscriptions.
// A change is published on SubscriptionTopic(user) (IMAP NOTIFY).
func (s *Store) Subscribe(ctx context.Context, user, mailbox string) error {
	if err := s.list.Subscribe(ctx, user, mailbox); err != nil {
		return err
	}
	s.publish(ctx, SubscriptionTopic(user))
	return nil
}

func (s *Store) Unsubscribe(ctx context.Context, user, mailbox string) error {
	if err := s.list.Unsubscribe(ctx, user, mailbox); err != nil {
		return err
	}
	s.publish(ctx, SubscriptionTopic(user))
	return nil
}

// SubscriptionTopic and MetadataTopic name the change topics (for Watch)
// of a user's subscriptions and of a mailbox's metadata ("" the
// server's). They begin with a byte no mailbox name has, so no mailbox's
// topic or prefix topic covers them; cyrusdb.PrefixTopic(MetadataTopic(p))
// covers the metadata of every mailbox whose name begins with p.
func SubscriptionTopic(user string) string { return "\x01subscriptions\x01" + user }

func MetadataTopic(mailbox string) string { return "\x01metadata\x01" + mailbox }

func (s *Store) Subscriptions(ctx context.Context, user string) ([]string, error) {
	return s.list.Subscriptions(ctx, user)
}

// GetSeen and UpdateSeen keep a user's seen state of a mailbox (by
// uniqueid): the \Seen set of a mailbox the user does not own, and the
// highest UID claimed \Recent. Every change is a read-modify-write
// through UpdateSeen (mboxlist.List.UpdateSeen), atomic across processes.
func (s *Store) GetSeen(ctx context.Context, user, uniqueid string) (Seen, error) {
	return s.list.GetSeen(ctx, user, uniqueid)
}

func (s *Store) UpdateSeen(ctx context.Context, user, uniqueid string, fn func(*Seen) (bool, error)) (Seen, error) {
	return s.list.UpdateSeen(ctx, user, uniqueid, fn)
}

// GetMetadata returns one metadata value of a mailbox ("" = the server);
// user "" is the shared value.
func (s *Store) GetMetadata(ctx context.Context, mailbox, entry, user string) ([]byte, error) {
	return s.list.GetMetadata(ctx, mailbox, entry, user)
}

// ListMetadata returns the values of a mailbox under an entry prefix.
func (s *Store) ListMetadata(ctx context.Context, mailbox, prefix, user string) ([]MetadataEntry, error) {
	return s.list.ListMetadata(ctx, mailbox, prefix, user)
}

// GetQuota returns a quota root's limits and usage (ErrNoQuotaRoot).
func (s *Store) GetQuota(ctx context.Context, root string) (QuotaRoot, error) {
	return s.quota.Get(ctx, root)
}

// QuotaRootOf returns the name of the quota root governing mailbox, if any.
func (s *Store) QuotaRootOf(ctx context.Context, mailbox string) (string, bool, error) {
	return s.quota.RootOf(ctx, mailbox)
}

// QuotaRoots returns the quota roots at or below prefix ("" = all).
func (s *Store) QuotaRoots(ctx context.Context, prefix string) ([]QuotaRoot, error) {
	return s.quota.List(ctx, prefix)
}

// CacheQuotaRoots keeps the set of quota roots in memory, refreshed when
// another process changes it (lmtpd: a lookup per recipient otherwise).
func (s *Store) CacheQuotaRoots(on bool) { s.quota.CacheRoots(on) }

// WouldExceed reports the resource over its limit when the root governing
// mailbox refuses another message of size bytes under mode (LMTP's
// RCPT-time check; the charge at delivery decides for good).
func (s *Store) WouldExceed(ctx context.Context, mailbox string, size int64, mode QuotaMode) (QuotaResource, bool, error) {
	if mode == quota.Ignore {
		return 0, false, nil
	}
	root, ok, err := s.quota.RootOf(ctx, mailbox)
	if err != nil || !ok {
		return 0, false, err
	}
	qr, err := s.quota.Get(ctx, root)
	if errors.Is(err, quota.ErrNoRoot) {
		return 0, false, nil // removed meanwhile
	}
	if err != nil {
		return 0, false, err
	}
	var delta quota.Usage
	delta[quota.Storage], delta[quota.Message] = max(size, 1), 1
	res, over := quota.Exceeded(qr.Limits, qr.Usage, delta, mode)
	return res, over, nil
}

// Watch returns a channel that receives after a change to the mailbox
// named name in any process, and the function that stops watching.
func (s *Store) Watch(ctx context.Context, name string) (<-chan struct{}, func(), error) {
	return s.db.Subscribe(ctx, name)
}

// OpenEntry opens the mailbox of a list entry already looked up, its
// appends checked against quota under mode. notify, when not nil,
// replaces the store's change notification (lmtpd batches them).
func (s *Store) OpenEntry(e *Entry, mode QuotaMode, notify func(mailbox string)) (*mailbox.Mailbox, error) {
	dir, err := s.Dir(e)
	if err != nil {
		return nil, err
	}
	opts := s.mailboxOptions(e, mode)
	if notify != nil {
		opts.Notify = notify
	}
	mb, err := mailbox.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	return mb, nil
}

// Reconstruct rebuilds the index of the mailbox of entry e from its
// message files (opts.Name and opts.UniqueID come from e) and, unless it
// is a dry run, makes its quota charge what the rebuilt index holds, as
// Cyrus's reconstruct does.
func (s *Store) Reconstruct(ctx context.Context, e *Entry, opts mailbox.ReconstructOptions) (*mailbox.ReconstructReport, error) {
	dir, err := s.Dir(e)
	if err != nil {
		return nil, err
	}
	opts.Name, opts.UniqueID = e.Name, e.UniqueID
	if opts.Logger == nil {
		opts.Logger = s.log
	}
	// A lost index takes a new UIDVALIDITY, from the same counter as a
	// creation.
	opts.NewUIDValidity = func() (uint32, error) { return s.list.NextUIDValidity(ctx) }
	rep, err := mailbox.Reconstruct(dir, opts)
	if err != nil {
		return rep, err
	}
	if !opts.DryRun && rep.UIDValidity != e.UIDValidity {
		// The list says what the spool says (dumps, name history).
		if err := s.recordUIDValidity(ctx, e, rep.UIDValidity); err != nil {
			return rep, err
		}
	}
	if !opts.DryRun {
		if err := s.SyncQuota(ctx, e); err != nil {
			return rep, err
		}
		if err := s.SyncAnnotationQuota(ctx, e); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// errMoved: the entry no longer names the mailbox reconstructed.
var errMoved = errors.New("mailbox moved")

// recordUIDValidity writes v into e's list entry unless the name now
// belongs to another mailbox (renamed or deleted meanwhile: the spool's
// cyrus.header stays the truth, and the entry follows at the next
// reconstruct).
func (s *Store) recordUIDValidity(ctx context.Context, e *Entry, v uint32) error {
	_, err := s.list.Modify(ctx, e.Name, func(c *Entry) error {
		if c.UniqueID != e.UniqueID {
			return errMoved
		}
		c.UIDValidity = v
		return nil
	})
	if errors.Is(err, errMoved) || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// AdoptMailbox adds to the list a mailbox found in the spool without an
// entry (reconstruct -f); its directory must already be where Dir(e) says.
func (s *Store) AdoptMailbox(ctx context.Context, e *Entry) error {
	// Its UIDVALIDITY must never be handed out again.
	if err := s.list.RaiseUIDValidity(ctx, e.UIDValidity); err != nil {
		return err
	}
	if err := s.list.Create(ctx, e); err != nil {
		return err
	}
	s.publish(ctx, e.Name)
	return nil
}

// SettlePending clears now the quota pending marks this process's recent
// appends left to be cleared later (pkg/mailbox SettlePending): a process
// calls it before closing its databases, so a clean exit leaves no mark
// for store.ResolvePending to find.
func SettlePending() { mailbox.SettlePending() }

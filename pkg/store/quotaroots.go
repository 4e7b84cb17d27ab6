package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// SetQuota sets a quota root's limits. A new root takes over what is
// charged for every mailbox it now governs (docs/CYRUS-BEHAVIOUR.md §4.2: creating a
// root re-points the mailboxes beneath it), atomically with its creation.
func (s *Store) SetQuota(ctx context.Context, root string, l quota.Limits) error {
	return s.quota.Set(ctx, root, l)
}

// RemoveQuota removes a quota root; its usage goes back to the next root up.
func (s *Store) RemoveQuota(ctx context.Context, root string) error {
	return s.quota.Remove(ctx, root)
}

// usage is what one mailbox charges to its root: its messages, its
// metadata values and itself.
func (s *Store) usage(ctx context.Context, e *mboxlist.Entry) (quota.Usage, error) {
	var u quota.Usage
	dir, err := s.Dir(e)
	if err != nil {
		return u, err
	}
	bytes, msgs, err := mailbox.Usage(dir)
	if err != nil {
		return u, err
	}
	u[quota.Storage], u[quota.Message], u[quota.NumFolders] = bytes, msgs, 1
	if u[quota.AnnotationStorage], err = s.list.MetadataBytes(ctx, e.Name); err != nil {
		return u, err
	}
	return u, nil
}

// UnreadableError names a mailbox whose spool could not be read while
// recomputing usage.
type UnreadableError struct {
	Mailbox string
	Err     error
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("%s: %v (run reconstruct)", e.Mailbox, e.Err)
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// RecomputeUsage returns what every mailbox at or below prefix ("" = all)
// uses according to its spool: the one computation of usage from the
// spool, which quota -f and the tests compare the databases with. A
// mailbox whose spool cannot be read is left out and reported through
// unreadable (which may be nil).
func (s *Store) RecomputeUsage(ctx context.Context, prefix string, unreadable func(*UnreadableError)) (map[string]quota.Usage, error) {
	out := map[string]quota.Usage{}
	err := s.list.Walk(ctx, prefix, func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() {
			return nil
		}
		u, err := s.usage(ctx, e)
		if err != nil {
			if unreadable != nil {
				unreadable(&UnreadableError{Mailbox: e.Name, Err: err})
			}
			return nil
		}
		out[e.Name] = u
		return nil
	})
	return out, err
}

// FixUsage recomputes the usage of root ("" = mailboxes no root governs)
// from the spool and writes it (quota -f), retrying while other processes
// change it meanwhile. It returns the usage before and after.
func (s *Store) FixUsage(ctx context.Context, root string, dryRun bool, unreadable func(*UnreadableError)) (before, after quota.Usage, err error) {
	for range 50 {
		stored, err := s.RecomputeUsage(ctx, root, unreadable)
		if err != nil {
			return before, after, err
		}
		before, after, err = s.quota.Fix(ctx, root, stored, dryRun)
		if !errors.Is(err, cyrusdb.ErrConflict) {
			return before, after, err
		}
		unreadable = nil // reported once is enough
	}
	return before, after, fmt.Errorf("quota: %s: usage keeps changing, try again when the server is quieter", root)
}

// SyncAnnotationQuota makes the X-ANNOTATION-STORAGE charged for the
// mailbox of entry e what its metadata values take (reconstruct's quota
// step, with SyncQuota for its messages).
func (s *Store) SyncAnnotationQuota(ctx context.Context, e *mboxlist.Entry) error {
	pin := func(ctx context.Context) (quota.Pinned, error) {
		cur, ver, err := s.list.LookupVersion(ctx, e.Name)
		if err != nil {
			return quota.Pinned{}, err
		}
		if cur.UniqueID != e.UniqueID {
			return quota.Pinned{}, fmt.Errorf("%w: %s", quota.ErrNoMailbox, e.Name)
		}
		return quota.Pinned{Mailbox: e.Name, Conds: []cyrusdb.Cond{mboxlist.EntryCond(e.Name, ver)}}, nil
	}
	return s.quota.SyncAnnotation(ctx, pin, s.list.MetadataBytes)
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
)

// Delayed delete (delete_mode: delayed, Cyrus's default): a deleted mailbox
// is renamed to "<domain>!<deletedprefix>.<original local name>.<HEX time>"
// and kept, files, ACL, uniqueid and metadata included, until cyr_expire -D
// purges it. Only administrators see or reach names under the prefix.

// DeletedMailbox is one delayed-deleted mailbox.
type DeletedMailbox struct {
	Name, Original string
	DeletedAt      time.Time
}

// ErrNotDeleted: PurgeDeleted was given a name outside the deleted prefix.
var ErrNotDeleted = errors.New("not a delayed-deleted mailbox")

// collisionTries bounds how many later seconds a delayed delete tries when
// the name of this second is taken (the same mailbox deleted twice in one
// second).
const collisionTries = 60

// DeletedPrefix returns the top-level name delayed deletes go under.
func (s *Store) DeletedPrefix() string {
	if p := s.cfg.Deletedprefix(); p != "" {
		return p
	}
	return "DELETED"
}

// DelayedDelete reports whether DELETE keeps mailboxes (delete_mode: delayed).
func (s *Store) DelayedDelete() bool { return s.cfg.DeleteMode() != "immediate" }

// IsDeletedName reports whether an internal name lies under the deleted
// prefix (in any domain): such names are hidden from everyone but admins.
func (s *Store) IsDeletedName(name string) bool {
	_, local := mboxname.SplitDomain(name)
	p := s.DeletedPrefix()
	return local == p || strings.HasPrefix(local, p+".")
}

// deletedName is the name a delayed delete at time at gives name.
func (s *Store) deletedName(name string, at time.Time) string {
	domain, local := mboxname.SplitDomain(name)
	return mboxname.JoinDomain(domain, fmt.Sprintf("%s.%s.%08X", s.DeletedPrefix(), local, uint32(at.Unix())))
}

// decodeDeletedName splits a delayed-deleted name into the original name
// and the deletion time; ok is false for any other name.
func (s *Store) decodeDeletedName(name string) (original string, at time.Time, ok bool) {
	domain, local := mboxname.SplitDomain(name)
	rest, found := strings.CutPrefix(local, s.DeletedPrefix()+".")
	if !found {
		return "", time.Time{}, false
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot <= 0 || len(rest)-dot-1 != 8 {
		return "", time.Time{}, false
	}
	secs, err := strconv.ParseUint(rest[dot+1:], 16, 32)
	if err != nil {
		return "", time.Time{}, false
	}
	return mboxname.JoinDomain(domain, rest[:dot]), time.Unix(int64(secs), 0).UTC(), true
}

// ListDeleted returns every delayed-deleted mailbox (all domains), in list
// order, with the original name and time decoded from its name.
func (s *Store) ListDeleted(ctx context.Context) ([]DeletedMailbox, error) {
	var out []DeletedMailbox
	err := s.list.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() || !s.IsDeletedName(e.Name) {
			return nil
		}
		if orig, at, ok := s.decodeDeletedName(e.Name); ok {
			out = append(out, DeletedMailbox{Name: e.Name, Original: orig, DeletedAt: at})
		}
		return nil
	})
	return out, err
}

// PurgeDeleted removes one delayed-deleted mailbox for real: its files,
// list entry and metadata, giving back what it charged to any quota root.
func (s *Store) PurgeDeleted(ctx context.Context, name string) error {
	if _, _, ok := s.decodeDeletedName(name); !ok {
		return fmt.Errorf("%w: %s", ErrNotDeleted, name)
	}
	_, err := s.removeNow(ctx, name, false)
	return err
}

// delayDelete moves name (a user's INBOX: its whole tree, each mailbox by
// itself) under the deleted prefix. It returns the entries as they were.
func (s *Store) delayDelete(ctx context.Context, name string) ([]*mboxlist.Entry, error) {
	var tree []*mboxlist.Entry
	if mboxname.IsUserInbox(name) {
		err := s.list.Walk(ctx, name, func(e *mboxlist.Entry) error {
			tree = append(tree, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(tree) == 0 || tree[0].Name != name {
			return nil, fmt.Errorf("%w: %s", mboxlist.ErrNotFound, name)
		}
	} else {
		e, err := s.list.Lookup(ctx, name)
		if err != nil {
			return nil, err
		}
		tree = []*mboxlist.Entry{e}
	}
	now := time.Now()
	var moved []*mboxlist.Entry
	// Deepest first, so every move takes one mailbox and nothing below it.
	for i := len(tree) - 1; i >= 0; i-- {
		if err := s.moveToDeleted(ctx, tree[i], now); err != nil {
			return moved, err
		}
		moved = append(moved, tree[i])
	}
	return moved, nil
}

// moveToDeleted renames one mailbox to its deleted name (the next free
// second when this one's is taken), moves its spool and metadata, and
// moves its usage from its quota root to the deleted name's (normally
// none: the prefix lies outside every user's root).
func (s *Store) moveToDeleted(ctx context.Context, e *mboxlist.Entry, at time.Time) error {
	m, err := s.renameToDeleted(ctx, e.Name, at)
	if err != nil {
		return err
	}
	oldDir, err1 := s.Dir(m.Old)
	newDir, err2 := s.Dir(m.New)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if err := moveSpool(oldDir, newDir, m.New.Name); err != nil {
		// Put the list entry back: the mailbox stays where its files are.
		if _, rerr := s.list.RenameWith(ctx, m.New.Name, m.Old.Name, "", false, s.renameAlso(false)); rerr != nil {
			return fmt.Errorf("moving %s to %s: %w (run reconstruct on %s)", oldDir, newDir, err, m.New.Name)
		}
		return fmt.Errorf("deleting %s: moving %s to %s: %w", e.Name, oldDir, newDir, err)
	}
	s.publish(ctx, m.Old.Name)
	s.publish(ctx, m.New.Name)
	return nil
}

// renameToDeleted moves the list entry of name alone to its deleted name,
// trying later seconds while the name is taken.
func (s *Store) renameToDeleted(ctx context.Context, name string, at time.Time) (mboxlist.Renamed, error) {
	var lastErr error
	for i := 0; i < collisionTries; i++ {
		newName := s.deletedName(name, at.Add(time.Duration(i)*time.Second))
		if err := mboxname.Validate(newName); err != nil {
			return mboxlist.Renamed{}, fmt.Errorf("cannot delete %s: its deleted name: %w", name, err)
		}
		// Its charges move with it, roots stay behind: DeleteMailbox
		// removes those the deleted names held.
		moved, err := s.list.RenameWith(ctx, name, newName, "", false, s.renameAlso(false))
		if err == nil {
			return moved[0], nil
		}
		if !errors.Is(err, mboxlist.ErrExists) {
			return mboxlist.Renamed{}, err
		}
		lastErr = err
	}
	return mboxlist.Renamed{}, fmt.Errorf("cannot delete %s: no free deleted name: %w", name, lastErr)
}

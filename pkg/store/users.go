package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/sievescripts"
)

// DeleteUser deletes a user: what Cyrus 3.6 does for an admin's DELETE of
// user.X (imapd's cmd_delete, then user_deletedata with wipe_user set):
//
//   - the user's Sieve scripts and the active-script link (sievedir; nothing
//     under sieveusehomedir, as Cyrus);
//   - the user's subscriptions;
//   - the user's seen state of mailboxes they do not own, shared folders
//     and other users' folders alike (Cyrus removes the whole seen
//     database of the user; their own \Seen lives in their mailboxes);
//   - the user's private metadata on mailboxes outside their tree and on
//     the server. Cyrus keeps these (DIFFERENCES in imapd(8)): a user
//     created again under the name would find them;
//   - every quota root of the user's hierarchy (user_deletequotaroots),
//     also roots that name no mailbox;
//   - the user's URLAUTH access keys (GENURLAUTH, RESETKEY), on every
//     mailbox: a user created again under the name would otherwise
//     validate the old user's URLs;
//   - then the user's mailboxes, as DeleteMailbox deletes user.X: with
//     delete_mode: delayed they move under the deleted prefix with their
//     messages, ACLs and metadata, and cyr_expire -D later removes only
//     those mailboxes. As in Cyrus, the user's data goes at DELETE time in
//     both modes: the user is gone at once, and a user created again
//     before the purge starts empty;
//   - last, metadata left on names of the tree that are no mailbox (an
//     earlier deletion interrupted between the list and the metadata).
//
// Entries naming the user in other mailboxes' ACLs stay, as in Cyrus
// (user_deleteacl has been a disabled stub since 2.x): they are the other
// mailboxes' owners' to change.
//
// Order: the mailboxes go last, the INBOX last of all, so that until the
// deletion is complete the user still exists. An interruption at any point
// leaves a state in which DELETE user.X (or DeleteUser) run again finishes
// the job: every step is idempotent. It returns the deleted mailboxes as
// they were.
func (s *Store) DeleteUser(ctx context.Context, userid string) ([]*mboxlist.Entry, error) {
	inbox := mboxname.UserInbox(userid)
	if err := mboxname.Validate(inbox); err != nil {
		return nil, fmt.Errorf("deleting user %q: %w", userid, err)
	}
	for _, step := range s.userDataSteps(userid, inbox) {
		if err := step.run(ctx); err != nil {
			return nil, fmt.Errorf("deleting user %s: %s: %w", userid, step.what, err)
		}
	}
	gone, err := s.deleteUserMailboxes(ctx, inbox)
	if err == nil {
		err = s.deleteOrphanMetadata(ctx, inbox)
	}
	if err != nil {
		return gone, fmt.Errorf("deleting user %s: %w", userid, err)
	}
	return gone, nil
}

// deleteOrphanMetadata removes the metadata of names in the user's tree
// that are no longer mailboxes (left by a deletion interrupted between the
// list and the metadata), which a mailbox created again under the name
// would otherwise inherit.
func (s *Store) deleteOrphanMetadata(ctx context.Context, inbox string) error {
	names, err := s.list.MetadataMailboxes(ctx, inbox)
	if err != nil {
		return err
	}
	for _, n := range names {
		_, err := s.list.Lookup(ctx, n)
		if err == nil {
			continue
		}
		if !errors.Is(err, mboxlist.ErrNotFound) {
			return err
		}
		if err := s.list.DeleteMetadata(ctx, n); err != nil {
			return fmt.Errorf("metadata of %s: %w", n, err)
		}
	}
	return nil
}

// userStep is one idempotent part of a user's deletion.
type userStep struct {
	what string
	run  func(context.Context) error
}

// userDataSteps are the parts of DeleteUser before the mailboxes, in
// order (the tests interrupt the deletion between any two).
func (s *Store) userDataSteps(userid, inbox string) []userStep {
	return []userStep{
		{"sieve scripts", func(context.Context) error {
			return sievescripts.FromConfig(s.cfg).RemoveUser(userid)
		}},
		{"subscriptions", func(ctx context.Context) error { return s.list.DeleteSubscriptions(ctx, userid) }},
		{"seen state", func(ctx context.Context) error { return s.list.DeleteSeen(ctx, userid) }},
		{"private metadata", func(ctx context.Context) error { return s.deletePrivateMetadata(ctx, userid, inbox) }},
		{"quota roots", func(ctx context.Context) error { return s.deleteQuotaRootsUnder(ctx, inbox) }},
		{"URLAUTH keys", func(ctx context.Context) error { return s.ResetURLAuthKeys(ctx, userid) }},
	}
}

// inTree reports whether name is inbox or below it.
func inTree(name, inbox string) bool {
	return name == inbox || mboxname.IsDescendant(name, inbox)
}

// deletePrivateMetadata removes userid's private values outside their own
// tree (those inside go with the mailboxes), giving back what each charged
// to its mailbox's quota root.
func (s *Store) deletePrivateMetadata(ctx context.Context, userid, inbox string) error {
	keys, err := s.list.PrivateMetadataOf(ctx, userid)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Mailbox != "" && inTree(k.Mailbox, inbox) {
			continue
		}
		if err := s.SetMetadata(ctx, k.Mailbox, k.Entry, k.User, nil); err != nil {
			return fmt.Errorf("%s %s: %w", k.Mailbox, k.Entry, err)
		}
	}
	return nil
}

// deleteQuotaRootsUnder removes every quota root at or below inbox.
func (s *Store) deleteQuotaRootsUnder(ctx context.Context, inbox string) error {
	roots, err := s.quota.List(ctx, inbox)
	if err != nil {
		return err
	}
	// Deepest first: each removal hands its usage to the next root up,
	// which is then removed in turn.
	for i := len(roots) - 1; i >= 0; i-- {
		if !inTree(roots[i].Name, inbox) {
			continue // user.bobby when deleting user.bob
		}
		if err := s.RemoveQuota(ctx, roots[i].Name); err != nil {
			return fmt.Errorf("%s: %w", roots[i].Name, err)
		}
	}
	return nil
}

// deleteUserMailboxes deletes the user's tree through its INBOX, or, when
// the INBOX is already gone (an interrupted deletion, a list restored
// without it), each mailbox left in the tree, deepest first.
func (s *Store) deleteUserMailboxes(ctx context.Context, inbox string) ([]*mboxlist.Entry, error) {
	gone, err := s.DeleteMailbox(ctx, inbox)
	if !errors.Is(err, mboxlist.ErrNotFound) {
		return gone, err
	}
	var left []string
	err = s.list.Walk(ctx, inbox, func(e *mboxlist.Entry) error {
		if !e.IsDeleted() && strings.HasPrefix(e.Name, inbox) {
			left = append(left, e.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	gone = nil
	for i := len(left) - 1; i >= 0; i-- {
		g, err := s.DeleteMailbox(ctx, left[i])
		gone = append(gone, g...)
		if err != nil && !errors.Is(err, mboxlist.ErrNotFound) {
			return gone, err
		}
	}
	return gone, nil
}

package store

import (
	"context"

	"gocyrus/pkg/mboxname"
)

// WalkSeen calls fn with every user's seen record of every mailbox (by
// uniqueid); damaged says the record did not parse (fn gets a zero Seen).
// For the readership report (arbitron) and cyr_userseen.
func (s *Store) WalkSeen(ctx context.Context, fn func(user, uniqueid string, seen Seen, damaged bool) error) error {
	return s.list.WalkSeen(ctx, fn)
}

// DeleteSeenRecord drops user's seen record of the mailbox with uniqueid.
func (s *Store) DeleteSeenRecord(ctx context.Context, user, uniqueid string) error {
	return s.list.DeleteSeenRecord(ctx, user, uniqueid)
}

// WalkSubscriptions calls fn with every user's every subscription.
func (s *Store) WalkSubscriptions(ctx context.Context, fn func(user, mailbox string) error) error {
	return s.list.WalkSubscriptions(ctx, fn)
}

// MailboxOwner returns the user owning a mailbox (user.X...), also of one
// kept by a delayed delete (DELETED.user.X....HEX is still X's, as Cyrus
// counts it).
func (s *Store) MailboxOwner(name string) (string, bool) {
	if orig, _, ok := s.decodeDeletedName(name); ok {
		name = orig
	}
	return mboxname.UserOf(name)
}

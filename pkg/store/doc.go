// Package store is the mail store as the protocols and tools see it: a
// mailbox by name. It ties the mailbox list (pkg/mboxlist), the spool
// (pkg/mailbox) and quota (pkg/quota) together, so that creating, deleting,
// renaming and opening a mailbox do all three parts in the right order.
//
// Order of operations, chosen so that a crash at any point leaves a state
// reconstruct repairs with nothing lost:
//   - Create: a UIDVALIDITY from the list's counter (mboxlist.NextUIDValidity,
//     never the clock: a value used before could name a second message
//     under an old UID), then the spool directory with its cyrus.header,
//     then the list entry. A crash after the allocation only skips a value. A crash in between leaves a directory that `reconstruct -f`
//     adopts (its header names it); a failed list insert removes it.
//   - Delete: the list entries first (one transaction for a subtree), then
//     the directories. A crash in between leaves orphan directories, which
//     no name reaches and `reconstruct -f` can bring back.
//   - Rename: with the uniqueid layout only the list changes (one
//     transaction, which moves the quota records and the metadata values
//     too); the legacy layout also moves each directory.
//   - Delayed delete (delete_mode: delayed, the default): each mailbox of
//     the deleted tree is renamed by itself, deepest first, to
//     "[domain!]<deletedprefix>.<name>.<8 hex digits of the time>" (the
//     next second when that name is taken), list entry first, then the
//     directory (legacy layout), the metadata moving in the list's
//     transaction: RenameMailbox's order, so a crash leaves what a crashed
//     rename does. Its usage moves
//     from its quota root to the deleted name's (normally none). Names
//     under the prefix are deleted for real, as PurgeDeleted does.
//   - DeleteUser (users.go): the user's data outside the mailboxes first
//     (Sieve scripts, subscriptions, seen state, private metadata, quota
//     roots, URLAUTH keys), then the mailboxes through the INBOX, so that until it is
//     complete the user still exists and running it again finishes it.
//   - CreateUser (createuser.go; imapd and pop3d at login, lmtpd at delivery): the
//     INBOX, then its quota root (an INBOX whose root cannot be set is
//     removed again, so the next attempt starts afresh), then the folders,
//     subscriptions and Sieve script, each of which may fail alone.
//   - ImportMailbox (import.go; cyr_import): the UIDVALIDITY raised out of
//     the counter's reach, then the whole spool directory (mailbox.Import,
//     header last), then the list entry, then the quota charge; each step
//     found done on a rerun is passed, so running it again finishes an
//     interrupted import and changes nothing after a complete one.
//
// The folder count (X-NUM-FOLDERS) of the governing quota root is charged
// on create and given back on delete. A metadata value and its
// X-ANNOTATION-STORAGE charge are written in one transaction (metadata.go). Message usage is charged by the spool
// through a quota hook bound to the mailbox's root when it is opened.
// After every change to a mailbox its name is published through the
// databases, so sessions idling on it in any process wake; a change of a
// user's subscriptions or of a mailbox's metadata is published on
// SubscriptionTopic or MetadataTopic (IMAP NOTIFY).
package store

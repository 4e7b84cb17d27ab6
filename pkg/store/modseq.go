package store

import (
	"context"
	"errors"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// mailboxChanged gives a committed change of mailbox e itself (its ACL, an
// annotation, its special use) the mailbox's next modseq, as Cyrus does
// (docs/CYRUS-BEHAVIOUR.md §11.3). A failure is logged, not returned: the
// change is already durable and the client must not be told it was not
// made. A crash between the two leaves the change without a modseq, which
// needs no repair (nothing a client holds is contradicted).
func (s *Store) mailboxChanged(ctx context.Context, e *Entry) {
	mb, err := s.OpenEntry(e, quota.Ignore, nil)
	if errors.Is(err, mailbox.ErrNotFound) {
		// Listed without a spool yet (ctl_mboxlist -u, cyr_dbtool set:
		// reconstruct makes it): no modseq to give.
		s.log.Debug("a changed mailbox has no spool", "mailbox", e.Name, "err", err)
		return
	}
	if err != nil {
		s.log.Warn("opening a mailbox to give its change a modseq", "mailbox", e.Name, "err", err)
		return
	}
	defer mb.Close()
	if _, err := mb.BumpModSeq(ctx); err != nil {
		s.log.Warn("giving a mailbox change a modseq", "mailbox", e.Name, "err", err)
	}
}

// mailboxNamedChanged is mailboxChanged for a mailbox known by name; a
// name no mailbox has (a value left by an interrupted deletion) is skipped.
func (s *Store) mailboxNamedChanged(ctx context.Context, name string) {
	e, err := s.list.Lookup(ctx, name)
	if errors.Is(err, mboxlist.ErrNotFound) {
		return
	}
	if err != nil {
		s.log.Warn("looking up a mailbox to give its change a modseq", "mailbox", name, "err", err)
		return
	}
	s.mailboxChanged(ctx, e)
}

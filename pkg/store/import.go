package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/mailbox"
)

// ImportMailbox brings a mailbox from another server (cyr_import) with its
// exact state: e gives the name, partition, uniqueid, UIDVALIDITY and ACL,
// idx every message with its UID, flags, modseq and dates. The order is
// Create's (docs: doc.go): the UIDVALIDITY is taken out of the counter's
// reach, the spool directory is written whole (header last), then the list
// entry, then the quota charge. A rerun finds each step done and goes on,
// so an interrupted import is finished by running it again; a name or
// directory holding another mailbox is an error wrapping ErrExists.
func (s *Store) ImportMailbox(ctx context.Context, e *Entry, keywords []string, idx mailbox.ImportIndex) error {
	if err := s.list.RaiseUIDValidity(ctx, e.UIDValidity); err != nil {
		return err
	}
	dir, err := s.Dir(e)
	if err != nil {
		return err
	}
	h := mailbox.Header{Name: e.Name, UniqueID: e.UniqueID, UIDValidity: e.UIDValidity, Keywords: keywords}
	if err := mailbox.Import(dir, h, idx); err != nil {
		old, rerr := mailbox.ReadHeader(dir)
		if !errors.Is(err, mailbox.ErrExists) || rerr != nil || old.UniqueID != e.UniqueID {
			return fmt.Errorf("import %s: %w", e.Name, err)
		}
	}
	if err := s.list.Create(ctx, e); err != nil {
		cur, lerr := s.list.Lookup(ctx, e.Name)
		if !errors.Is(err, ErrExists) || lerr != nil || cur.UniqueID != e.UniqueID {
			return fmt.Errorf("import %s: %w", e.Name, err)
		}
	}
	if err := s.SyncQuota(ctx, e); err != nil {
		return fmt.Errorf("import %s: quota: %w", e.Name, err)
	}
	s.publish(ctx, e.Name)
	return nil
}

// NextUIDValidity takes a UIDVALIDITY from the server's counter, for an
// imported mailbox whose source kept none (cyr_import -f).
func (s *Store) NextUIDValidity(ctx context.Context) (uint32, error) {
	return s.list.NextUIDValidity(ctx)
}

package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// metadataAttempts bounds the re-reading of a value that other sessions
// keep changing in the middle of a SetMetadata.
const metadataAttempts = 50

// errValueChanged tells SetMetadata that the value it replaces changed
// size since the charge was computed: the charge is computed again.
var errValueChanged = errors.New("metadata value changed meanwhile")

// SetMetadata stores one metadata value of a mailbox (nil removes it) and
// charges the change in its size to the mailbox's X-ANNOTATION-STORAGE
// (its own record and its quota root's usage), strictly: over the limit it is a
// *quota.OverQuotaError and nothing is stored. Server metadata (mailbox
// "") is under no root. The value and its charge are one transaction,
// conditioned on the value replaced and on the mailbox's list entry, so
// no crash or concurrent SETMETADATA can leave usage different from what
// is stored, and a mailbox renamed or deleted meanwhile gets no value
// under its old name (mboxlist.ErrNotFound; removing a value left under a
// name no mailbox has just removes it). The change is then published on
// MetadataTopic(mailbox), and a mailbox's value takes the mailbox's next
// modseq (mailboxChanged).
func (s *Store) SetMetadata(ctx context.Context, mailbox, entry, owner string, value []byte) error {
	if err := s.ImportMetadata(ctx, mailbox, entry, owner, value); err != nil {
		return err
	}
	if mailbox != "" {
		s.mailboxNamedChanged(ctx, mailbox)
	}
	return nil
}

// ImportMetadata is SetMetadata restoring a value another server held
// (cyr_import): the mailbox takes no new modseq, since the HIGHESTMODSEQ
// imported with it already counts the change.
func (s *Store) ImportMetadata(ctx context.Context, mailbox, entry, owner string, value []byte) error {
	err := s.setMetadata(ctx, mailbox, entry, owner, value)
	if err == nil {
		s.publish(ctx, MetadataTopic(mailbox))
	}
	return err
}

// setMetadata is SetMetadata without the change notification.
func (s *Store) setMetadata(ctx context.Context, mailbox, entry, owner string, value []byte) error {
	if mailbox == "" {
		return s.list.SetMetadata(ctx, mailbox, entry, owner, value)
	}
	for range metadataAttempts {
		old, _, _, err := s.list.SetMetadataTxn(ctx, mailbox, entry, owner, value)
		if err != nil {
			return err
		}
		var d quota.Usage
		d[quota.AnnotationStorage] = int64(len(value)) - int64(len(old))
		// Even a change of no size goes through the charge: its record's
		// version then changes, which fails a rename racing with it.
		err = s.quota.Charge(ctx, s.metadataPin(mailbox, entry, owner, value, len(old)), d, quota.Strict)
		if errors.Is(err, mboxlist.ErrNotFound) && value == nil {
			// A value left by an interrupted deletion: the mailbox's
			// charges went with it, so there is nothing to give back.
			return s.list.SetMetadata(ctx, mailbox, entry, owner, nil)
		}
		if !errors.Is(err, errValueChanged) {
			return err
		}
	}
	return fmt.Errorf("metadata %s of %s: %w, giving up", entry, mailbox, errValueChanged)
}

// metadataPin pins a SetMetadata's charge to the mailbox's current entry
// and to the value replaced still having oldLen bytes, and carries the
// write of the value: the charge and the value are one transaction.
func (s *Store) metadataPin(mailbox, entry, owner string, value []byte, oldLen int) quota.Pin {
	return func(ctx context.Context) (quota.Pinned, error) {
		_, ver, err := s.list.LookupVersion(ctx, mailbox)
		if err != nil {
			return quota.Pinned{}, err
		}
		old, cond, op, err := s.list.SetMetadataTxn(ctx, mailbox, entry, owner, value)
		if err != nil {
			return quota.Pinned{}, err
		}
		if len(old) != oldLen {
			return quota.Pinned{}, errValueChanged
		}
		return quota.Pinned{
			Mailbox: mailbox,
			Conds:   []cyrusdb.Cond{mboxlist.EntryCond(mailbox, ver), cond},
			Ops:     []cyrusdb.Op{op},
		}, nil
	}
}

// renameAlso is the mboxlist.Also of a rename: the quota records follow the
// names (moveCharges) and so do the mailboxes' metadata values, in the
// list's one transaction, so a crash leaves no value behind under an old
// name.
func (s *Store) renameAlso(rootsFollow bool) mboxlist.Also {
	charges := s.moveCharges(rootsFollow)
	return func(ctx context.Context, old, new []string) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
		conds, ops, err := charges(ctx, old, new)
		if err != nil {
			return nil, nil, err
		}
		mconds, mops, err := s.list.RenameMetadataTxn(ctx, old, new)
		if err != nil {
			return nil, nil, err
		}
		return append(conds, mconds...), append(ops, mops...), nil
	}
}

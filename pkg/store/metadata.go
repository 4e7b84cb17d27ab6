package store

import (
	"context"

	"gocyrus/pkg/quota"
)

// SetMetadata stores one metadata value of a mailbox (nil removes it) and
// charges the change in its size to the mailbox's X-ANNOTATION-STORAGE
// (its own record and its quota root's usage), strictly: over the limit it is a
// *quota.OverQuotaError and nothing is stored. Server metadata (mailbox
// "") is under no root. The charge comes first and is given back if the
// write fails; a crash between them, or two sessions replacing one value
// at once, leaves usage a little off, which `quota -f` recomputes.
func (s *Store) SetMetadata(ctx context.Context, mailbox, entry, owner string, value []byte) error {
	if mailbox == "" {
		return s.list.SetMetadata(ctx, mailbox, entry, owner, value)
	}
	old, err := s.list.GetMetadata(ctx, mailbox, entry, owner)
	if err != nil {
		return err
	}
	var d quota.Usage
	d[quota.AnnotationStorage] = int64(len(value)) - int64(len(old))
	if d[quota.AnnotationStorage] == 0 {
		return s.list.SetMetadata(ctx, mailbox, entry, owner, value)
	}
	res, err := s.quota.Reserve(ctx, mailbox, d, quota.Strict)
	if err != nil {
		return err
	}
	if err := s.list.SetMetadata(ctx, mailbox, entry, owner, value); err != nil {
		res.Release()
		return err
	}
	return res.Commit()
}

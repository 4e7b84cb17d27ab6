package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
)

// SetQuota sets a quota root's limits. A new root takes over, from the root
// that governed them until now, the usage of every mailbox it now governs
// (reference §4.2: creating a root re-points the mailboxes beneath it), so
// its figures are right from the start. Appends racing with the takeover
// can leave a small drift, which `quota -f` corrects.
func (s *Store) SetQuota(ctx context.Context, root string, l quota.Limits) error {
	if _, err := s.Quota.Get(ctx, root); err == nil {
		return s.Quota.Set(ctx, root, l)
	} else if !errors.Is(err, quota.ErrNoRoot) {
		return err
	}
	moved := map[string]quota.Usage{} // previous root -> usage moving away from it
	var total quota.Usage
	err := s.List.Walk(ctx, root, func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() {
			return nil
		}
		prev, _, err := s.Quota.RootOf(ctx, e.Name)
		if err != nil {
			return err
		}
		if len(prev) > len(root) {
			return nil // a deeper root keeps governing it
		}
		u, err := s.usage(e)
		if err != nil {
			return fmt.Errorf("%s: %w (run reconstruct)", e.Name, err)
		}
		for i := range total {
			total[i] += u[i]
		}
		if prev != "" {
			m := moved[prev]
			for i := range m {
				m[i] += u[i]
			}
			moved[prev] = m
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.Quota.Set(ctx, root, l); err != nil {
		return err
	}
	if err := s.Quota.SetUsage(ctx, root, total); err != nil {
		return err
	}
	for prev, u := range moved {
		s.charge(ctx, prev, u, -1)
	}
	return nil
}

// RemoveQuota removes a quota root; its usage goes back to the next root up.
func (s *Store) RemoveQuota(ctx context.Context, root string) error {
	r, err := s.Quota.Get(ctx, root)
	if err != nil {
		return err
	}
	if err := s.Quota.Remove(ctx, root); err != nil {
		return err
	}
	if parent, ok := mboxname.Parent(root); ok {
		if up, found, err := s.Quota.RootOf(ctx, parent); err == nil && found {
			s.charge(ctx, up, r.Usage, 1)
		}
	}
	return nil
}

// usage is what one mailbox charges to its root: its messages, its
// metadata values and itself.
func (s *Store) usage(e *mboxlist.Entry) (quota.Usage, error) {
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
	if u[quota.AnnotationStorage], err = s.List.MetadataBytes(context.Background(), e.Name); err != nil {
		return u, err
	}
	return u, nil
}

// charge adds sign × u to a root's usage, unchecked.
func (s *Store) charge(ctx context.Context, root string, u quota.Usage, sign int64) {
	var d quota.Usage
	for i := range u {
		d[i] = sign * u[i]
	}
	if r, err := s.Quota.Reserve(ctx, root, d, quota.Ignore); err == nil {
		r.Commit()
	} else {
		s.Log.Warn("moving quota usage", "root", root, "err", err)
	}
}

package quota

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
)

// pendingKey marks a mailbox (by uniqueid) whose STORAGE and MESSAGE
// charge was changed ahead of its index commit: until a writer or
// ResolvePending syncs it under the mailbox's lock, a crash may have left
// the charge ahead of the index.
func pendingKey(id string) []byte { return append([]byte(cyrusdb.PrefixQuotaPending), id...) }

// Held is what a mailbox's index holds: what its STORAGE and MESSAGE
// charge must be once the index is durable.
type Held struct{ Bytes, Msgs int64 }

// ChargeHeld is the charge of a change made by the writer holding the
// mailbox's exclusive lock, just before its index commit: the mailbox's
// record is set to held + (bytes, msgs), held being what the index holds
// now, and its root changed by the difference, in one transaction
// conditioned on the record's version, the pin and the root set. So a
// charge left ahead of the index by a crashed writer is corrected in the
// very transaction of the next charge. The transaction also marks the
// mailbox (id) pending, for ResolvePending after a crash. Under Strict and
// Overflow the whole difference is checked against the limits (a
// reduction always passes). A mailbox gone (the pin's ErrNoMailbox) is
// refused a charge and needs no give-back.
func (s *Store) ChargeHeld(ctx context.Context, pin Pin, id string, held Held, bytes, msgs int64, mode Mode) error {
	var want Usage
	want[Storage], want[Message] = held.Bytes+bytes, held.Msgs+msgs
	return s.setHeld(ctx, pin, id, want, mode, bytes <= 0 && msgs <= 0, cyrusdb.Put{Key: pendingKey(id)})
}

// SyncHeld sets the mailbox's record to held (what its durable index holds)
// and its X-NUM-FOLDERS to 1 (it exists), and clears its pending mark:
// called under the mailbox's exclusive lock (reconstruct, ResolvePending).
func (s *Store) SyncHeld(ctx context.Context, pin Pin, id string, held Held) error {
	want := Usage{Storage: held.Bytes, Message: held.Msgs, NumFolders: 1}
	return s.setHeld(ctx, pin, id, want, Ignore, true, cyrusdb.Delete{Key: pendingKey(id)})
}

func (s *Store) setHeld(ctx context.Context, pin Pin, id string, want Usage, mode Mode, reduction bool, mark cyrusdb.Op) error {
	return s.retry(ctx, "charging quota", func() error {
		pinned, err := pin(ctx)
		if errors.Is(err, ErrNoMailbox) {
			if reduction {
				// Its deletion gave back everything; only the mark is left.
				return s.clearPending(ctx, id)
			}
			return err
		}
		if err != nil {
			return err
		}
		if pinned.Mailbox == "" {
			return nil
		}
		gen, root, err := s.speculativeRoot(ctx, pinned.Mailbox)
		if err != nil {
			return err
		}
		cur, ver, err := s.vector(ctx, mailboxKey(pinned.Mailbox))
		if err != nil {
			return err
		}
		var diff Usage
		diff[Storage] = want[Storage] - cur[Storage]
		diff[Message] = want[Message] - cur[Message]
		if want[NumFolders] != 0 { // a sync: the folder count too
			diff[NumFolders] = want[NumFolders] - cur[NumFolders]
		}
		conds := append([]cyrusdb.Cond{{Key: genKey, Version: gen}, {Key: mailboxKey(pinned.Mailbox), Version: ver}}, pinned.Conds...)
		lims := NoLimits()
		if root != "" {
			l, lver, err := s.limits(ctx, root)
			if errors.Is(err, ErrNoRoot) {
				return fmt.Errorf("%w: root %s vanished", cyrusdb.ErrConflict, root)
			}
			if err != nil {
				return err
			}
			conds = append(conds, cyrusdb.Cond{Key: limitKey(root), Version: lver})
			if mode != Ignore {
				for i := range lims {
					lims[i] = l.usageLimit(Resource(i))
				}
			}
		}
		ops := append([]cyrusdb.Op{mark}, pinned.Ops...)
		if diff != (Usage{}) {
			ops = append(ops,
				cyrusdb.Add{Key: mailboxKey(pinned.Mailbox), Deltas: diff[:]},
				cyrusdb.Add{Key: bucketKey(root), Deltas: diff[:], Limits: lims[:], CheckBefore: mode == Overflow})
		}
		err = s.db.Txn(ctx, conds, ops)
		var le *cyrusdb.LimitError
		if errors.As(err, &le) {
			return &OverQuotaError{Root: root, Resource: Resource(le.Index)}
		}
		if errors.Is(err, cyrusdb.ErrLimit) {
			return &OverQuotaError{Root: root, Resource: Storage}
		}
		return err
	})
}

// SyncAnnotation sets the X-ANNOTATION-STORAGE charged for pin's mailbox
// (its record and its root's usage) to what count says its metadata
// values take now (reconstruct). count runs after the record is read and
// the transaction is conditioned on the record's version: every metadata
// change charges the record in its own transaction, so one racing with
// the count fails the condition and the count is made again.
func (s *Store) SyncAnnotation(ctx context.Context, pin Pin, count func(ctx context.Context, mailbox string) (int64, error)) error {
	return s.retry(ctx, "recounting annotation storage", func() error {
		pinned, err := pin(ctx)
		if err != nil || pinned.Mailbox == "" {
			return err
		}
		gen, root, err := s.speculativeRoot(ctx, pinned.Mailbox)
		if err != nil {
			return err
		}
		cur, ver, err := s.vector(ctx, mailboxKey(pinned.Mailbox))
		if err != nil {
			return err
		}
		n, err := count(ctx, pinned.Mailbox)
		if err != nil {
			return err
		}
		if n == cur[AnnotationStorage] {
			return nil
		}
		var diff Usage
		diff[AnnotationStorage] = n - cur[AnnotationStorage]
		conds := append([]cyrusdb.Cond{{Key: genKey, Version: gen}, {Key: mailboxKey(pinned.Mailbox), Version: ver}}, pinned.Conds...)
		return s.db.Txn(ctx, conds, append([]cyrusdb.Op{
			cyrusdb.Add{Key: mailboxKey(pinned.Mailbox), Deltas: diff[:]},
			cyrusdb.Add{Key: bucketKey(root), Deltas: diff[:]},
		}, pinned.Ops...))
	})
}

func (s *Store) clearPending(ctx context.Context, id string) error {
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: pendingKey(id)}})
}

// ClearPending drops the pending mark of a mailbox that no longer exists.
func (s *Store) ClearPending(ctx context.Context, id string) error { return s.clearPending(ctx, id) }

// Pending returns the ids of the mailboxes marked pending.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.Scan(ctx, pendingKey(""), func(k, _ []byte, _ uint64) error {
		ids = append(ids, string(k[len(cyrusdb.PrefixQuotaPending):]))
		return nil
	})
	return ids, err
}

// Check tells whether delta may be charged to pin's mailbox under mode
// now, charging nothing: a refusal is an *OverQuotaError.
func (s *Store) Check(ctx context.Context, pin Pin, delta Usage, mode Mode) error {
	if mode == Ignore || giveBack(delta) {
		return nil
	}
	pinned, err := pin(ctx)
	if err != nil {
		return err
	}
	root, ok, err := s.RootOf(ctx, pinned.Mailbox)
	if err != nil || !ok {
		return err
	}
	r, err := s.Get(ctx, root)
	if errors.Is(err, ErrNoRoot) {
		return nil // removed meanwhile
	}
	if err != nil {
		return err
	}
	for i, d := range delta {
		lim := r.Limits.usageLimit(Resource(i))
		if d <= 0 || lim < 0 {
			continue
		}
		now := r.Usage[i]
		if (mode == Overflow && now > lim) || (mode != Overflow && now+d > lim) {
			return &OverQuotaError{Root: root, Resource: Resource(i)}
		}
	}
	return nil
}

package mailbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Delayed expunge (expunge_mode: delayed, Cyrus's default): an expunged
// message's record becomes a tombstone at once, invisible to every
// session, but its file stays. The administrator lists and restores such
// messages with unexpunge, and cyr_expire -X purges them after a while.
// Deferring the unlinks also keeps EXPUNGE cheap and spares the
// filesystem a burst of inode frees while mail is being delivered.

// ExpungedMessage is a message expunged under delayed expunge whose file
// is still kept.
type ExpungedMessage struct {
	UID          uint32
	ExpungedAt   time.Time
	InternalDate time.Time
	SaveDate     time.Time
	Size         uint32
	GUID         GUID
	Flags        Flags
	Keywords     []string
}

// Expunged lists the messages whose files are kept for unexpunge, in UID
// order.
func (m *Mailbox) Expunged() ([]ExpungedMessage, error) {
	v, err := m.Snapshot()
	if err != nil {
		return nil, err
	}
	var out []ExpungedMessage
	for i := range v.img.recs {
		r := &v.img.recs[i]
		if !r.retained() {
			continue
		}
		out = append(out, ExpungedMessage{
			UID: r.UID, ExpungedAt: r.expungedAt(), InternalDate: r.InternalDate(), SaveDate: r.SaveDate(),
			Size: r.Size, GUID: r.GUID, Flags: r.Flags & systemFlagMask, Keywords: v.Keywords(*r),
		})
	}
	return out, nil
}

// PurgeExpunged removes the kept files of messages expunged before cutoff
// (cyr_expire -X) and returns their UIDs. The index marks them unlinked
// first, so an interrupted purge is finished by the next writer (unlink.go)
// or Reconstruct. Modseqs do
// not change: to every session these messages are long gone. Then the
// index is compacted: every tombstone without a file is dropped
// (Changes.Forgotten covers clients resynchronising from before).
func (m *Mailbox) PurgeExpunged(ctx context.Context, cutoff time.Time) ([]uint32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var purged []uint32
	err := m.rewrite(func(img *indexImage, _ *indexHeader, _ *[]string) ([]int, error) {
		var changed []int
		for i := range img.recs {
			r := &img.recs[i]
			if r.retained() && r.expungedAt().Before(cutoff) {
				r.Flags |= flagUnlinked
				changed = append(changed, i)
				purged = append(purged, r.UID)
			}
		}
		return changed, nil
	})
	if err != nil {
		return nil, err
	}
	if err := m.compact(); err != nil {
		return purged, fmt.Errorf("compacting the index: %w", err)
	}
	return purged, nil
}

// Unexpunge restores kept expunged messages among uids as new messages
// (new UIDs, as Cyrus's unexpunge: clients that saw the expunge must see
// new arrivals) with their flags and keywords, \Deleted cleared unless
// keepDeleted, plus the keywords in addKeywords. It returns the old UIDs
// restored and their new UIDs, pairwise. Quota applies as for COPY.
func (m *Mailbox) Unexpunge(ctx context.Context, uids []uint32, keepDeleted bool, addKeywords []string) (oldUIDs, newUIDs []uint32, err error) {
	v, err := m.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	want := map[uint32]bool{}
	for _, uid := range uids {
		want[uid] = true
	}
	var items []*pendingItem
	for i := range v.img.recs {
		r := &v.img.recs[i]
		if !r.retained() || !want[r.UID] {
			continue
		}
		path := messagePath(m.dir, r.UID)
		p, err := describeFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue // purged meanwhile, or lost: nothing to restore
		}
		if err != nil {
			return nil, nil, fmt.Errorf("unexpunge uid %d: %w", r.UID, err)
		}
		flags := r.Flags & systemFlagMask
		if !keepDeleted {
			flags &^= FlagDeleted
		}
		it := p.item(flags, append(v.Keywords(*r), addKeywords...), r.InternalDate())
		it.src, it.link = path, true
		items = append(items, it)
		oldUIDs = append(oldUIDs, r.UID)
	}
	if len(items) == 0 {
		return nil, nil, nil
	}
	if newUIDs, err = m.commitItems(ctx, items); err != nil {
		return nil, nil, err
	}
	// The copies are committed: the old files are theirs now, so the
	// tombstones give them up (a crash here at worst lets them be
	// restored twice).
	restored := map[uint32]bool{}
	for _, uid := range oldUIDs {
		restored[uid] = true
	}
	err = m.rewrite(func(img *indexImage, _ *indexHeader, _ *[]string) ([]int, error) {
		var changed []int
		for i := range img.recs {
			if r := &img.recs[i]; restored[r.UID] && r.retained() {
				r.Flags |= flagUnlinked
				changed = append(changed, i)
			}
		}
		return changed, nil
	})
	if err != nil {
		m.log.Warn("unexpunge: marking the old records", "mailbox", m.dir, "err", err)
	}
	return oldUIDs, newUIDs, nil
}

// compact drops from the index the tombstones whose files are unlinked,
// raising DeletedModSeq over them, so that the index of a busy mailbox
// does not grow forever. The index is replaced by rename under the
// writer lock; other handles reopen it when they next lock.
func (m *Mailbox) compact() error {
	wh, unlock, err := m.shared.lockWriter()
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := wh.loadIndex()
	if err != nil {
		return err
	}
	hdr := cur.hdr
	keep := make([]Record, 0, len(cur.recs))
	for _, r := range cur.recs {
		if r.expunged() && !r.retained() {
			hdr.DeletedModSeq = max(hdr.DeletedModSeq, r.ModSeq)
			continue
		}
		keep = append(keep, r)
	}
	if len(keep) == len(cur.recs) {
		return nil
	}
	hdr.NumRecords = uint32(len(keep))
	hdr.Generation++
	hdr.LastChanged = time.Now().UnixNano()
	buf := make([]byte, indexHeaderSize, indexHeaderSize+len(keep)*indexRecordSize)
	copy(buf, encodeIndexHeader(&hdr))
	for i := range keep {
		var b [indexRecordSize]byte
		encodeRecord(b[:], &keep[i])
		buf = append(buf, b[:]...)
	}
	if err := writeFileAtomic(m.dir, indexFile, buf); err != nil {
		return err
	}
	if err := syncDir(m.dir); err != nil {
		return err
	}
	wh.image = nil
	if err := wh.refresh(true); err != nil {
		return err
	}
	wh.publishImage(&indexImage{hdr: hdr, recs: keep})
	return nil
}

package mailbox

import (
	"context"
	"time"
)

// Expunge removes the live messages among uids and returns the UIDs it
// removed. The index records become tombstones keeping UID and a new
// modseq (QRESYNC VANISHED). With Options.KeepExpunged (expunge_mode:
// delayed) the files stay for unexpunge until PurgeExpunged; otherwise
// they are unlinked after the index commit.
func (m *Mailbox) Expunge(ctx context.Context, uids []uint32) ([]uint32, error) {
	return m.expunge(ctx, uids, false)
}

// ExpungeDeleted expunges the messages flagged \Deleted, among uids or, if
// uids is nil, in the whole mailbox (IMAP EXPUNGE, UID EXPUNGE, CLOSE). The
// \Deleted test happens under the writer lock.
func (m *Mailbox) ExpungeDeleted(ctx context.Context, uids []uint32) ([]uint32, error) {
	return m.expunge(ctx, uids, true)
}

func (m *Mailbox) expunge(ctx context.Context, uids []uint32, onlyDeleted bool) ([]uint32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var gone []uint32
	now := time.Now()
	err := m.rewrite(func(img *indexImage, hdr *indexHeader, _ *[]string) ([]int, error) {
		var idx []int
		if uids == nil {
			for i := range img.recs {
				if !img.recs[i].expunged() {
					idx = append(idx, i)
				}
			}
		} else {
			idx = positions(img.recs, uids)
		}
		var changed []int
		for _, i := range idx {
			r := &img.recs[i]
			if onlyDeleted && r.Flags&FlagDeleted == 0 {
				continue
			}
			hdr.HighestModSeq++
			r.Flags |= flagExpunged
			if !m.opts.KeepExpunged {
				r.Flags |= flagUnlinked
			}
			r.ModSeq = hdr.HighestModSeq
			r.setExpungedAt(now)
			hdr.Exists--
			hdr.QuotaUsed -= uint64(r.Size)
			changed = append(changed, i)
			gone = append(gone, r.UID)
		}
		return changed, nil
	})
	if err != nil || len(gone) == 0 {
		return nil, err
	}
	// Files of unlinked tombstones went inside rewrite, under the lock
	// (unlinkCommitted).
	m.notify()
	return gone, nil
}

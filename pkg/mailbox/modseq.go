package mailbox

import (
	"context"
	"time"
)

// BumpModSeq gives a change of the mailbox itself (its ACL, an
// annotation, a special use) the next modseq, as Cyrus does: the index
// header's HIGHESTMODSEQ goes up by one with no record changed, so a
// client comparing HIGHESTMODSEQ sees that the mailbox changed. The header
// is fdatasync'd before it returns the new value.
func (m *Mailbox) BumpModSeq(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	modseq, err := m.bumpModSeq()
	if err != nil {
		return 0, err
	}
	m.notify()
	return modseq, nil
}

func (m *Mailbox) bumpModSeq() (uint64, error) {
	wh, unlock, err := m.shared.lockWriter()
	if err != nil {
		return 0, err
	}
	defer unlock()
	cur, err := wh.loadIndex()
	if err != nil {
		return 0, err
	}
	hdr := cur.hdr
	hdr.HighestModSeq++
	hdr.Generation++
	hdr.LastChanged = time.Now().UnixNano()
	wh.image = nil
	if _, err := wh.index.WriteAt(encodeIndexHeader(&hdr), 0); err != nil {
		return 0, err
	}
	if err := fdatasync(wh.index); err != nil {
		return 0, err
	}
	// The records are unchanged: the new image shares them, capped so a
	// later append copies instead of writing into the old image's spare
	// capacity.
	n := len(cur.recs)
	wh.publishImage(&indexImage{hdr: hdr, recs: cur.recs[:n:n]})
	return hdr.HighestModSeq, nil
}

package mailbox

import (
	"errors"
	"os"
	"sort"
	"time"
)

// Removing the files of expunged messages. A commit that marks tombstones
// unlinked (expunge, purge, unexpunge; all go through rewrite) also sets
// the index header's UnlinkPending, in the same fdatasync; the writer then
// removes the files and clears the flag before it lets go of the exclusive
// lock. So the flag is seen set by a writer taking the lock only when the
// writer before died between the commit and the clear (the clear follows
// a directory fsync, so it never outlives the removals), and that writer
// can no longer be about to unlink anything: the next writer removes the
// files of every unlinked tombstone left in the directory and clears the
// flag (finishInterruptedUnlinks). So does the next Open, which takes the
// writer lock for it when it sees the flag: a mailbox only read from
// after the crash (a SELECT, reconstruct -n's checks) is cleaned too.
// Removing such a file is always right
// and idempotent: the index says it is gone, and its UID is below uidnext,
// so no append can ever name a file after it again.

// afterUnlinkCommit, when set (by tests), runs between the commit that
// marks tombstones unlinked and the removal of their files: the crash
// point that leaves a file of an expunged message behind.
var afterUnlinkCommit func()

// newlyUnlinked returns the UIDs of the records at changed that cur marks
// unlinked and old did not: the files a rewrite must remove.
func newlyUnlinked(old, cur []Record, changed []int) []uint32 {
	var uids []uint32
	for _, i := range changed {
		if cur[i].Flags&flagUnlinked != 0 && old[i].Flags&flagUnlinked == 0 {
			uids = append(uids, cur[i].UID)
		}
	}
	return uids
}

// removeMessageFiles removes the files of uids; a file already gone is
// fine. Lock held.
func (h *handle) removeMessageFiles(uids []uint32) error {
	var first error
	for _, uid := range uids {
		if err := os.Remove(messagePath(h.dir, uid)); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// clearUnlinkPending writes hdr back without UnlinkPending as a commit of
// its own (new generation) and returns it. It is not synced: should the
// write be lost, the next writer only looks for leftover files once more.
// Lock held.
func (h *handle) clearUnlinkPending(hdr indexHeader) (indexHeader, error) {
	hdr.UnlinkPending = false
	hdr.Generation++
	hdr.LastChanged = time.Now().UnixNano()
	if _, err := h.index.WriteAt(encodeIndexHeader(&hdr), 0); err != nil {
		return indexHeader{}, err
	}
	return hdr, nil
}

// finishInterruptedUnlinks removes, when the index says a writer died
// before removing the files its last commit marked unlinked, the files of
// every unlinked tombstone in the directory, then clears the flag. It
// costs one header read when there is nothing to do. Exclusive lock held.
func (h *handle) finishInterruptedUnlinks() error {
	hdr, err := h.readIndexHeader()
	if err != nil || !hdr.UnlinkPending {
		return err
	}
	img, err := h.loadIndex()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(h.dir)
	if err != nil {
		return err
	}
	recs := img.recs
	var gone []uint32
	for _, e := range entries {
		uid, ok := isMessageFile(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		i := sort.Search(len(recs), func(i int) bool { return recs[i].UID >= uid })
		if i < len(recs) && recs[i].UID == uid && recs[i].expunged() && !recs[i].retained() {
			gone = append(gone, uid)
		}
	}
	if err := h.removeMessageFiles(gone); err != nil {
		// Left for Reconstruct; the flag is cleared anyway, or every
		// writer would read the directory again.
		err = &os.PathError{Op: "remove expunged message file", Path: h.dir, Err: err}
		if _, cerr := h.clearUnlinkPending(img.hdr); cerr != nil {
			return errors.Join(err, cerr)
		}
		h.image = nil
		return err
	}
	if len(gone) > 0 {
		if err := syncDir(h.dir); err != nil {
			return err
		}
	}
	nh, err := h.clearUnlinkPending(img.hdr)
	if err != nil {
		h.image = nil
		return err
	}
	// Capped: img may still extend its own spare capacity.
	h.publishImage(&indexImage{hdr: nh, recs: img.recs[:len(img.recs):len(img.recs)]})
	return nil
}

// finishUnlinksAtOpen has an opener that finds the unlink-pending flag
// set in v take the writer lock once, which finishes the dead writer's
// removals (lockWriter). A writer sets the flag only under the exclusive
// lock and clears it before letting go, so a reader sees it only after a
// crash: opening costs nothing more otherwise.
func (m *Mailbox) finishUnlinksAtOpen(v *View) {
	if !v.img.hdr.UnlinkPending {
		return
	}
	if _, unlock, err := m.shared.lockWriter(); err == nil {
		unlock()
	}
}

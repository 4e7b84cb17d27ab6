package mailbox

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// StoreOp says how Store combines the given flags with a message's flags.
type StoreOp int

// Store operations (IMAP STORE FLAGS, +FLAGS, -FLAGS).
const (
	StoreReplace StoreOp = iota
	StoreAdd
	StoreRemove
)

// StoreRequest is one IMAP STORE.
type StoreRequest struct {
	UIDs     []uint32
	Op       StoreOp
	Flags    Flags
	Keywords []string
	// UnchangedSince, when non-zero, skips messages whose modseq is higher
	// (CONDSTORE); they are reported in StoreResult.Modified.
	UnchangedSince uint64
	// ListChanged asks for StoreResult.ChangedUIDs. A STORE over a large
	// mailbox does not need them (the session reports from a new View),
	// so they are not collected unless asked for.
	ListChanged bool
}

// StoreResult says how many records' flags changed (each now with its
// own new modseq), which ones when asked (ListChanged), and the UIDs
// refused by UnchangedSince.
type StoreResult struct {
	Changed     int
	ChangedUIDs []uint32
	Modified    []uint32
}

// Store changes flags. Every changed record gets its own new modseq; a
// record whose flags end up the same is left alone.
func (m *Mailbox) Store(ctx context.Context, req StoreRequest) (*StoreResult, error) {
	for _, k := range req.Keywords {
		if !ValidKeyword(k) {
			return nil, fmt.Errorf("invalid keyword %q", k)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &StoreResult{}
	err := m.rewriteWith(true, func(img *indexImage, hdr *indexHeader, keywords *[]string) ([]int, error) {
		var set KeywordSet
		for _, k := range req.Keywords {
			n, err := keywordIndex(keywords, k)
			if err != nil {
				return nil, err
			}
			set = set.With(n)
		}
		sys := req.Flags & systemFlagMask
		var changed []int
		for _, i := range positions(img.recs, req.UIDs) {
			r := &img.recs[i]
			if req.UnchangedSince != 0 && r.ModSeq > req.UnchangedSince {
				res.Modified = append(res.Modified, r.UID)
				continue
			}
			flags, kw := r.Flags, r.Keywords
			switch req.Op {
			case StoreAdd:
				flags, kw = flags|sys, kw.union(set)
			case StoreRemove:
				flags, kw = flags&^sys, kw.minus(set)
			default:
				flags, kw = sys, set
			}
			if flags == r.Flags && kw == r.Keywords {
				continue
			}
			if changed == nil {
				// The first change: the records become this
				// Store's own (a Store changing nothing copies
				// nothing), sized for every record asked.
				img.own()
				r = &img.recs[i]
				changed = make([]int, 0, len(req.UIDs))
			}
			hdr.HighestModSeq++
			r.Flags, r.Keywords, r.ModSeq = flags, kw, hdr.HighestModSeq
			changed = append(changed, i)
			if req.ListChanged {
				res.ChangedUIDs = append(res.ChangedUIDs, r.UID)
			}
		}
		res.Changed = len(changed)
		return changed, nil
	})
	if err != nil {
		return nil, err
	}
	if res.Changed > 0 {
		m.notify()
	}
	return res, nil
}

// positions returns the indexes in recs of the live records among uids,
// in UID order. uids are usually ascending already (a sequence set
// resolved in order): then they are walked as given, with no copy.
func positions(recs []Record, uids []uint32) []int {
	if !slices.IsSorted(uids) {
		uids = slices.Clone(uids)
		slices.Sort(uids)
	}
	out := make([]int, 0, min(len(uids), len(recs)))
	j := 0
	for k, uid := range uids {
		if k > 0 && uid == uids[k-1] {
			continue
		}
		if j < len(recs) && recs[j].UID < uid {
			j++
		}
		if j < len(recs) && recs[j].UID < uid {
			// A gap: jump by binary search, not record by record.
			j += sort.Search(len(recs)-j, func(i int) bool { return recs[j+i].UID >= uid })
		}
		if j < len(recs) && recs[j].UID == uid && !recs[j].expunged() {
			out = append(out, j)
		}
	}
	return out
}

// rewrite runs change on a private copy of the index under the writer lock
// and writes back the records it reports changed, the header and, if it
// added keyword names, cyrus.header; then fsyncs. change may modify the
// records at the indexes it returns and the header.
func (m *Mailbox) rewrite(change func(*indexImage, *indexHeader, *[]string) ([]int, error)) error {
	return m.rewriteWith(false, change)
}

// rewriteWith is rewrite; flagsOnly (Store: change touches only flags,
// keywords and modseqs) commits through cyrus.indexlog when it can.
func (m *Mailbox) rewriteWith(flagsOnly bool, change func(*indexImage, *indexHeader, *[]string) ([]int, error)) error {
	wh, unlock, err := m.shared.lockWriterLog(!flagsOnly, m.opts.CrashAt)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := wh.loadIndex()
	if err != nil {
		return err
	}
	img := &indexImage{hdr: cur.hdr, recs: cur.recs, shared: true}
	if !flagsOnly {
		img.own()
	}
	hdr := img.hdr
	keywords := append([]string(nil), wh.header.Keywords...)
	changed, err := change(img, &hdr, &keywords)
	if err != nil || len(changed) == 0 {
		return err
	}
	// A change of usage (expunge) is charged before the index says it:
	// a crash between the two leaves a charge the next writer corrects.
	was, now := heldOf(&cur.hdr), heldOf(&hdr)
	if q := m.opts.Quota; q != nil && was != now {
		ctx, cancel := quotaContext(m.opts.QuotaTimeout)
		err := q.Charge(ctx, was, now.Bytes-was.Bytes, now.Msgs-was.Msgs)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: quota: %w", m.dir, err)
		}
		crash(m.opts.CrashAt, "charged")
	}
	unlink := newlyUnlinked(cur.recs, img.recs, changed)
	if len(unlink) > 0 {
		hdr.UnlinkPending = true
	}
	if len(keywords) != len(wh.header.Keywords) {
		h := wh.header
		h.Keywords = keywords
		if err := writeHeader(m.dir, h); err != nil {
			return err
		}
		if err := syncDir(m.dir); err != nil {
			return err
		}
	}
	// A change spanning a few records is written in place as cheaply as
	// logged (the same pages, one fdatasync that does not grow a file),
	// unless the log already holds changes: then in place would need a
	// fold first.
	small := changed[len(changed)-1]-changed[0] < inPlaceSpan && wh.pending == nil
	if flagsOnly && !small {
		logged, err := m.commitToLog(wh, cur, img, hdr, changed)
		if err != nil || logged {
			return err
		}
		// The log is full or torn: fold it and start a new one; an
		// entry too large for any log is written into the index.
		if err := wh.foldIndexLog(m.opts.CrashAt); err != nil {
			return err
		}
		if logged, err = m.commitToLog(wh, cur, img, hdr, changed); err != nil || logged {
			return err
		}
	}
	// One write covering the span of changed records.
	lo, hi := changed[0], changed[len(changed)-1]
	buf := make([]byte, (hi-lo+1)*indexRecordSize)
	for i := lo; i <= hi; i++ {
		encodeRecord(buf[(i-lo)*indexRecordSize:], &img.recs[i])
	}
	hdr.Generation++
	hdr.LastChanged = time.Now().UnixNano()
	wh.image = nil
	if _, err := wh.index.WriteAt(buf, indexHeaderSize+int64(lo)*indexRecordSize); err != nil {
		return err
	}
	if _, err := wh.index.WriteAt(encodeIndexHeader(&hdr), 0); err != nil {
		return err
	}
	if err := fdatasync(wh.index); err != nil {
		return err
	}
	img.hdr = hdr
	if len(unlink) > 0 {
		m.unlinkCommitted(wh, img, unlink, cur.hdr.UnlinkPending)
	}
	wh.publishImage(img)
	if was != now {
		crash(m.opts.CrashAt, "committed")
		settleQuota(m.opts.Quota, m.opts.QuotaTimeout, now, m.log, m.dir)
	}
	return nil
}

// inPlaceSpan is the span of records (about ten pages of the index) up to
// which a flag change is written into the index rather than logged. A
// variable so that tests can log every change.
var inPlaceSpan = 384

// commitToLog makes a flag change durable as one cyrus.indexlog entry
// instead of an index write, and publishes the new image. It reports
// false, having changed nothing, when the log cannot take the entry.
// Exclusive lock held.
func (m *Mailbox) commitToLog(wh *handle, cur, img *indexImage, hdr indexHeader, changed []int) (bool, error) {
	base := make([]byte, indexHeaderSize)
	if _, err := wh.index.ReadAt(base, 0); err != nil {
		return false, err
	}
	hdr.Generation++
	hdr.LastChanged = time.Now().UnixNano()
	e := &logEntry{highestModSeq: hdr.HighestModSeq, generation: hdr.Generation, lastChanged: hdr.LastChanged}
	frame := encodeLogFrame(e, len(changed), func(k int) logChange {
		r := &img.recs[changed[k]]
		return logChange{uid: r.UID, flags: r.Flags, keywords: r.Keywords, modseq: r.ModSeq}
	}, cur.hdr.HighestModSeq)
	ok, err := wh.appendIndexLog(base, e, frame, m.opts.CrashAt)
	if err != nil || !ok {
		return false, err
	}
	img.hdr = hdr
	wh.publishImage(img)
	return true, nil
}

// unlinkCommitted removes the files of the tombstones the commit of img
// just marked unlinked and clears the header's UnlinkPending (unlink.go),
// unless it was already set before: then a dead writer's files are still
// to be found, by the next writer. A failure is only logged. Lock held.
func (m *Mailbox) unlinkCommitted(wh *handle, img *indexImage, uids []uint32, pendingBefore bool) {
	if afterUnlinkCommit != nil {
		afterUnlinkCommit()
	}
	err := wh.removeMessageFiles(uids)
	if err == nil {
		err = syncDir(m.dir)
	}
	if err != nil {
		// The flag stays: the next writer tries again, then leaves
		// what is left to Reconstruct.
		m.log.Warn("unlink expunged messages", "mailbox", m.dir, "err", err)
		return
	}
	if pendingBefore {
		return
	}
	hdr, err := wh.clearUnlinkPending(img.hdr)
	if err != nil {
		m.log.Warn("clear unlink pending", "mailbox", m.dir, "err", err)
		return
	}
	img.hdr = hdr
}

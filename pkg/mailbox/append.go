package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"gocyrus/pkg/panics"
)

// AppendMessage is one message for Append.
type AppendMessage struct {
	Body         io.Reader
	Flags        Flags
	Keywords     []string
	InternalDate time.Time // zero: now
	Limits       SpoolLimits
}

// PreparedAppend is one spooled message for AppendPrepared.
type PreparedAppend struct {
	Msg          *Prepared
	Flags        Flags
	Keywords     []string
	InternalDate time.Time // zero: now
}

// pendingItem is a message waiting to become <uid>. in the mailbox.
type pendingItem struct {
	src          string // file to rename (owned temp file) or hard-link
	link         bool
	unnamed      *os.File // instead of src: an unnamed file to link (unnamed.go)
	unsynced     bool     // unnamed is not fsync'd yet: the commit does it (syncItems)
	size         uint32
	guid         GUID
	headerSize   uint32
	sentDate     time.Time
	payload      []byte
	flags        Flags
	keywords     []string
	internalDate time.Time
}

// appendReq is one atomic append: all its items or none.
type appendReq struct {
	items []*pendingItem
	quota QuotaHook // nil: no quota
	// quotaTimeout bounds each charge made for it (Options.QuotaTimeout).
	quotaTimeout time.Duration
	log          *slog.Logger
	uids         []uint32
	err          error
	done         chan struct{}
}

// Append stores msgs atomically (MULTIAPPEND: all or none) and returns
// their UIDs. Each message file is written and fsync'd, then renamed and
// indexed in a group commit shared with concurrent appenders in this
// process; the call returns once the directory and the index are fsync'd.
func (m *Mailbox) Append(ctx context.Context, msgs []AppendMessage) ([]uint32, error) {
	items := make([]*pendingItem, 0, len(msgs))
	defer func() {
		for _, it := range items {
			it.discard()
		}
	}()
	// Each unnamed file holds a descriptor until the commit: a large
	// batch (a bulk import) uses named temp files instead.
	named := len(msgs) > maxUnnamedBatch
	for _, msg := range msgs {
		it, err := spoolItem(ctx, m.dir, msg.Body, named, msg.Limits)
		if err != nil {
			return nil, fmt.Errorf("append to %s: %w", m.dir, err)
		}
		it.setMeta(msg.Flags, msg.Keywords, msg.InternalDate)
		items = append(items, it)
	}
	return m.commitItems(ctx, items)
}

// CheckQuota tells whether msgs more messages of bytes in all would fit
// the mailbox's quota now (a refusal wraps ErrOverQuota): APPEND asks
// before inviting a literal. Append checks again when it stores.
func (m *Mailbox) CheckQuota(ctx context.Context, bytes, msgs int64) error {
	if m.opts.Quota == nil {
		return nil
	}
	return m.opts.Quota.Check(ctx, bytes, msgs)
}

// AppendPrepared appends spooled messages atomically: hard links when the
// spool is on the mailbox's filesystem, copies otherwise.
func (m *Mailbox) AppendPrepared(ctx context.Context, msgs []PreparedAppend) ([]uint32, error) {
	dev, err := dirDev(m.dir)
	if err != nil {
		return nil, err
	}
	var copies []string
	defer func() {
		for _, c := range copies {
			os.Remove(c)
		}
	}()
	items := make([]*pendingItem, 0, len(msgs))
	for _, msg := range msgs {
		it := msg.Msg.item(msg.Flags, msg.Keywords, msg.InternalDate)
		it.link = true
		if msg.Msg.dev != dev {
			if it.src, err = copyToTemp(m.dir, msg.Msg.source()); err != nil {
				return nil, err
			}
			it.link, it.unnamed, it.unsynced = false, nil, false // the copy is fsync'd
			copies = append(copies, it.src)
		}
		items = append(items, it)
	}
	return m.commitItems(ctx, items)
}

// CopyFrom copies the live messages of src among uids into m (IMAP COPY,
// and the first half of MOVE), hard-linking the files when both mailboxes
// share a filesystem. It returns the source UIDs found and their new UIDs,
// pairwise (UIDPLUS COPYUID). The copies keep the source's flags.
func (m *Mailbox) CopyFrom(ctx context.Context, src *Mailbox, uids []uint32) (srcUIDs, newUIDs []uint32, err error) {
	return m.CopyFromWith(ctx, src, uids, nil)
}

// CopyFlags gives the flags a copy of r (whose keywords are given) gets in
// the target: a protocol filters them by the copier's rights there.
type CopyFlags func(r Record, keywords []string) (Flags, []string)

// CopyFromWith is CopyFrom with the copies' flags chosen by flags (nil:
// the source's). flags is called once per message copied, in order.
func (m *Mailbox) CopyFromWith(ctx context.Context, src *Mailbox, uids []uint32, flags CopyFlags) (srcUIDs, newUIDs []uint32, err error) {
	v, err := src.Snapshot()
	if err != nil {
		return nil, nil, err
	}
	srcDev, err := dirDev(src.dir)
	if err != nil {
		return nil, nil, err
	}
	dev, err := dirDev(m.dir)
	if err != nil {
		return nil, nil, err
	}
	var copies []string
	defer func() {
		for _, c := range copies {
			os.Remove(c)
		}
	}()
	var items []*pendingItem
	for _, uid := range uids {
		r, ok := v.Lookup(uid)
		if !ok {
			continue
		}
		c, err := v.Cached(r)
		if err != nil {
			return nil, nil, err
		}
		it := &pendingItem{
			src: messagePath(src.dir, uid), link: true,
			size: r.Size, guid: r.GUID, headerSize: r.HeaderSize, sentDate: r.SentDate(),
			payload: encodeCached(c), flags: r.Flags, keywords: v.Keywords(r), internalDate: r.InternalDate(),
		}
		if flags != nil {
			it.flags, it.keywords = flags(r, it.keywords)
			it.flags &= systemFlagMask
		}
		if srcDev != dev {
			if it.src, err = copyToTemp(m.dir, it.src); err != nil {
				return nil, nil, err
			}
			it.link = false
			copies = append(copies, it.src)
		}
		items = append(items, it)
		srcUIDs = append(srcUIDs, uid)
	}
	if len(items) == 0 {
		return nil, nil, nil
	}
	newUIDs, err = m.commitItems(ctx, items)
	if err != nil {
		return nil, nil, err
	}
	return srcUIDs, newUIDs, nil
}

func (p *Prepared) item(flags Flags, keywords []string, internalDate time.Time) *pendingItem {
	it := &pendingItem{
		src: p.path, unnamed: p.file, unsynced: p.file != nil, size: p.size, guid: p.guid, headerSize: p.headerSize,
		sentDate: p.sentDate, payload: p.payload,
	}
	it.setMeta(flags, keywords, internalDate)
	return it
}

func (it *pendingItem) setMeta(flags Flags, keywords []string, internalDate time.Time) {
	if internalDate.IsZero() {
		internalDate = time.Now()
	}
	it.flags, it.keywords, it.internalDate = flags&systemFlagMask, keywords, internalDate
}

// discard releases an item Append spooled: a committed one was linked or
// renamed away, so this only frees the temp name or the descriptor.
func (it *pendingItem) discard() {
	if it.unnamed != nil {
		it.unnamed.Close()
		return
	}
	os.Remove(it.src)
}

func dirDev(dir string) (uint64, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0, err
	}
	return devOf(fi), nil
}

// commitItems queues the request for the group commit (which charges
// quota) and notifies.
func (m *Mailbox) commitItems(ctx context.Context, items []*pendingItem) ([]uint32, error) {
	if len(items) == 0 {
		return nil, nil
	}
	for _, it := range items {
		for _, k := range it.keywords {
			if !ValidKeyword(k) {
				return nil, fmt.Errorf("invalid keyword %q", k)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := &appendReq{items: items, quota: m.opts.Quota, quotaTimeout: m.opts.QuotaTimeout, log: m.log, done: make(chan struct{})}
	m.shared.submit(req, m.opts.CrashAt)
	if req.err != nil {
		return nil, req.err
	}
	m.notify()
	return req.uids, nil
}

func (m *Mailbox) notify() {
	if m.opts.Notify != nil {
		m.opts.Notify(m.Name())
	}
}

// submit runs req through the group commit. The first submitter becomes
// the leader and commits batches until the queue is empty; the others wait.
func (s *sharedDir) submit(req *appendReq, crashAt func(string)) {
	s.qmu.Lock()
	s.queue = append(s.queue, req)
	if s.running {
		s.qmu.Unlock()
		<-req.done
		return
	}
	s.running = true
	for len(s.queue) > 0 {
		batch := s.queue
		s.queue = nil
		s.qmu.Unlock()
		s.commitBatch(batch, crashAt)
		s.qmu.Lock()
	}
	s.running = false
	s.qmu.Unlock()
}

func finish(reqs []*appendReq, err error) {
	for _, r := range reqs {
		if err != nil && r.err == nil {
			r.err, r.uids = err, nil
		}
		close(r.done)
	}
}

// commitBatch makes every request of the batch durable with one index write
// and one pair of fsyncs (directory and index), or fails it. Quota is
// charged here, under the exclusive lock, just before the index write
// (chargeBatch): a crash between the two leaves a charge the next writer
// corrects from the index.
func (s *sharedDir) commitBatch(reqs []*appendReq, crashAt func(string)) {
	wh, unlock, err := s.lockWriter()
	if err != nil {
		finish(reqs, err)
		return
	}
	defer unlock()
	hdr, err := wh.readIndexHeader()
	if err != nil {
		finish(reqs, err)
		return
	}
	old := hdr
	// The batch's own files are fsync'd while the quota is charged: both
	// must be durable before the index names the messages, neither needs
	// the other.
	synced := syncItemsAsync(reqs)
	charged, err := chargeBatch(reqs, heldOf(&old))
	if serr := synced(); serr != nil && err == nil {
		err = fmt.Errorf("append to %s: %w", wh.header.Name, serr)
		if rerr := recharge(reqs, charged, heldOf(&old)); rerr != nil {
			err = errors.Join(err, rerr) // the next charge or SyncQuota corrects it
		}
	}
	if err != nil {
		finish(reqs, err)
		return
	}
	base := wh.cachedImage(old)
	keywords := append([]string(nil), wh.header.Keywords...)
	now := time.Now()
	var recBuf, cacheBuf []byte
	var added []Record
	var made []string // files materialised, for rollback
	ok := 0
	for _, req := range reqs {
		if req.err != nil {
			continue // refused by quota
		}
		saveKW, saveNext := len(keywords), hdr.UIDNext
		sets, err := resolveKeywords(&keywords, req.items)
		var paths []string
		for i := 0; err == nil && i < len(req.items); i++ {
			uid := hdr.UIDNext
			if uid == 0 || hdr.UIDNext == 1<<32-1 {
				err = errors.New("mailbox UID space exhausted")
				break
			}
			hdr.UIDNext++
			path := messagePath(s.dir, uid)
			if err = materialise(req.items[i], path); err == nil {
				paths = append(paths, path)
				req.uids = append(req.uids, uid)
			}
		}
		if err != nil {
			for _, p := range paths {
				os.Remove(p)
			}
			keywords, hdr.UIDNext = keywords[:saveKW], saveNext
			req.err, req.uids = fmt.Errorf("append to %s: %w", wh.header.Name, err), nil
			continue
		}
		made = append(made, paths...)
		for i, it := range req.items {
			hdr.HighestModSeq++
			cache := encodeCacheRecord(req.uids[i], it.payload)
			rec := Record{
				UID: req.uids[i], Flags: it.flags, Keywords: sets[i], ModSeq: hdr.HighestModSeq,
				Size: it.size, HeaderSize: it.headerSize, GUID: it.guid,
				cacheOffset: hdr.CacheLen + uint64(len(cacheBuf)), cacheLen: uint32(len(cache)),
			}
			rec.SetInternalDate(it.internalDate)
			rec.SetSentDate(it.sentDate)
			rec.SetSaveDate(now)
			cacheBuf = append(cacheBuf, cache...)
			var b [indexRecordSize]byte
			encodeRecord(b[:], &rec)
			recBuf = append(recBuf, b[:]...)
			added = append(added, rec)
			hdr.NumRecords++
			hdr.Exists++
			hdr.QuotaUsed += uint64(it.size)
		}
		ok++
	}
	// A request charged but failed since gives its charge back before
	// the index says so.
	if err := recharge(reqs, charged, heldOf(&hdr)); err != nil {
		for _, p := range made {
			os.Remove(p)
		}
		finish(reqs, fmt.Errorf("append to %s: %w", wh.header.Name, err))
		return
	}
	if ok == 0 {
		if charged != heldOf(&old) {
			settleBatch(reqs, heldOf(&old), wh.header.Name) // given back; the index is untouched
		}
		finish(reqs, nil)
		return
	}
	crash(crashAt, "charged")
	hdr.CacheLen += uint64(len(cacheBuf))
	hdr.Generation++
	hdr.LastChanged = now.UnixNano()
	err = s.writeCommit(wh, keywords, old, &hdr, cacheBuf, recBuf)
	if err != nil {
		for _, p := range made {
			os.Remove(p)
		}
		// Put the old header back so the half-written records are ignored.
		if _, werr := wh.index.WriteAt(encodeIndexHeader(&old), 0); werr == nil {
			_ = wh.index.Sync()
		}
		wh.image = nil
		// Give the charge back; should that fail too, the next writer
		// corrects it from the index.
		_ = recharge(reqs, heldOf(&hdr), heldOf(&old))
		err = fmt.Errorf("append to %s: %w", wh.header.Name, err)
	} else {
		wh.publishImage(nextImage(base, old, hdr, added))
		crash(crashAt, "committed")
		settleLater(s.dir, reqs) // the charge stands; its mark is cleared later (settle.go)
	}
	finish(reqs, err)
}

// syncItemsAsync starts fsyncing the files of reqs' items that Append
// spooled without (spoolItem) and returns the wait for the outcome.
func syncItemsAsync(reqs []*appendReq) func() error {
	var files []*os.File
	for _, r := range reqs {
		for _, it := range r.items {
			if it.unsynced {
				files = append(files, it.unnamed)
			}
		}
	}
	if len(files) == 0 {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	var box panics.Box
	go func() {
		defer close(done)
		defer box.Catch()
		done <- syncFiles(files)
	}()
	return func() error {
		err := <-done
		box.Rethrow()
		return err
	}
}

// syncFiles fsyncs files, several at once: concurrent fsyncs share the
// filesystem's journal commits.
func syncFiles(files []*os.File) error {
	const par = 8
	errs := make([]error, len(files))
	sem := make(chan struct{}, par)
	var box panics.Box
	var wg sync.WaitGroup
	for i, f := range files {
		if i == 0 {
			continue // this goroutine's own, below
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer box.Catch()
			errs[i] = f.Sync()
		}()
	}
	errs[0] = files[0].Sync()
	wg.Wait()
	box.Rethrow()
	return errors.Join(errs...)
}

// settleBatch settles the batch's charge (settleQuota) through the first
// request's hook that has one.
func settleBatch(reqs []*appendReq, held QuotaHeld, name string) {
	for _, r := range reqs {
		if r.quota != nil {
			settleQuota(r.quota, r.quotaTimeout, held, r.log, name)
			return
		}
	}
}

func crash(crashAt func(string), point string) {
	if crashAt != nil {
		crashAt(point)
	}
}

// chargeBatch charges the quota of the batch's requests, given held, what
// the index holds now, and returns what is charged after. The batch is
// charged in one transaction; when that is refused each request is
// charged by itself, so each gets its own answer (a refused one gets its
// err set). Any other failure fails the batch.
func chargeBatch(reqs []*appendReq, held QuotaHeld) (QuotaHeld, error) {
	hook := reqs[0].quota
	var total QuotaHeld
	for _, r := range reqs {
		if r.quota != hook {
			hook = nil // mixed hooks (modes): one by one
		}
		total.add(r.usage())
	}
	if hook != nil {
		err := reqs[0].charge(held, total)
		if err == nil {
			held.add(total)
			return held, nil
		}
		if !errors.Is(err, ErrOverQuota) || len(reqs) == 1 {
			if errors.Is(err, ErrOverQuota) {
				reqs[0].err = err
				return held, nil
			}
			return held, err
		}
	}
	for _, r := range reqs {
		if r.quota == nil {
			held.add(r.usage())
			continue
		}
		u := r.usage()
		err := r.charge(held, u)
		switch {
		case err == nil:
			held.add(u)
		case errors.Is(err, ErrOverQuota):
			r.err = err
		default:
			return held, err
		}
	}
	return held, nil
}

// recharge changes the charge from charged to want (a give-back: always
// allowed), through the hook of the batch's requests.
func recharge(reqs []*appendReq, charged, want QuotaHeld) error {
	if charged == want {
		return nil
	}
	for _, r := range reqs {
		if r.quota != nil {
			return r.charge(charged, QuotaHeld{Bytes: want.Bytes - charged.Bytes, Msgs: want.Msgs - charged.Msgs})
		}
	}
	return nil
}

// charge charges d through r's hook, given held, within r's bound: the
// caller holds the mailbox's lock.
func (r *appendReq) charge(held, d QuotaHeld) error {
	ctx, cancel := quotaContext(r.quotaTimeout)
	defer cancel()
	return r.quota.Charge(ctx, held, d.Bytes, d.Msgs)
}

func (h *QuotaHeld) add(d QuotaHeld) { h.Bytes += d.Bytes; h.Msgs += d.Msgs }

// usage is what a request adds to the mailbox's usage.
func (r *appendReq) usage() QuotaHeld {
	u := QuotaHeld{Msgs: int64(len(r.items))}
	for _, it := range r.items {
		u.Bytes += int64(it.size)
	}
	return u
}

// nextImage is the image after appending recs to base, whose header was
// old, giving hdr. Records are shared with base where possible: appending
// to a 100,000-message index must not copy it. Without a current base the
// result is nil and readers decode the file.
func nextImage(base *indexImage, old, hdr indexHeader, recs []Record) *indexImage {
	if base == nil || base.hdr != old {
		return nil
	}
	var all []Record
	if base.extended {
		all = make([]Record, len(base.recs), len(base.recs)+len(recs))
		copy(all, base.recs)
	} else {
		all = base.recs
		base.extended = true
	}
	return &indexImage{hdr: hdr, recs: append(all, recs...)}
}

// writeCommit writes the new keyword names, cache records, index records
// and index header, then fsyncs the directory and the index concurrently.
// The cache is not fsync'd: it is derivable (doc.go).
func (s *sharedDir) writeCommit(wh *handle, keywords []string, old indexHeader, hdr *indexHeader, cacheBuf, recBuf []byte) error {
	if len(keywords) != len(wh.header.Keywords) {
		h := wh.header
		h.Keywords = keywords
		if err := writeHeader(s.dir, h); err != nil {
			return err
		}
	}
	if _, err := wh.cache.WriteAt(cacheBuf, int64(old.CacheLen)); err != nil {
		return err
	}
	if _, err := wh.index.WriteAt(recBuf, indexHeaderSize+int64(old.NumRecords)*indexRecordSize); err != nil {
		return err
	}
	if _, err := wh.index.WriteAt(encodeIndexHeader(hdr), 0); err != nil {
		return err
	}
	return syncBoth(s.dir, wh.index)
}

// syncBoth fsyncs the directory and fdatasyncs the index in parallel: the
// filesystem can fold them into one journal commit.
func syncBoth(dir string, index *os.File) error {
	dirErr := make(chan error, 1)
	var box panics.Box
	go func() {
		defer close(dirErr)
		defer box.Catch()
		dirErr <- syncDir(dir)
	}()
	err := fdatasync(index)
	derr := <-dirErr
	box.Rethrow()
	if err == nil {
		err = derr
	}
	return err
}

// materialise gives an item its final name.
func materialise(it *pendingItem, path string) error {
	link := func() error { return os.Link(it.src, path) }
	switch {
	case it.unnamed != nil:
		link = func() error { return linkUnnamedOrCopy(it.unnamed, path) }
	case !it.link:
		return os.Rename(it.src, path)
	}
	err := link()
	if errors.Is(err, os.ErrExist) {
		// A file left by a writer that crashed before its index commit:
		// it was never acknowledged, so it may be replaced.
		if err = os.Remove(path); err == nil {
			err = link()
		}
	}
	return err
}

// resolveKeywords maps each item's keyword names to bits, adding names the
// mailbox does not know yet to *names.
func resolveKeywords(names *[]string, items []*pendingItem) ([]KeywordSet, error) {
	sets := make([]KeywordSet, len(items))
	for i, it := range items {
		for _, k := range it.keywords {
			n, err := keywordIndex(names, k)
			if err != nil {
				return nil, err
			}
			sets[i] = sets[i].With(n)
		}
	}
	return sets, nil
}

func keywordIndex(names *[]string, k string) (int, error) {
	for i, n := range *names {
		if equalFoldASCII(n, k) {
			return i, nil
		}
	}
	if len(*names) >= MaxKeywords {
		return 0, ErrTooManyKeywords
	}
	*names = append(*names, k)
	return len(*names) - 1, nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

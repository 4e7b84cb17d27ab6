package mailbox

import (
	"fmt"
	"sync"
)

// maxParallelSyncs bounds the goroutines (and so the threads blocked in
// fdatasync) one batch uses.
const maxParallelSyncs = 32

// syncItems makes the data of every not-yet-synced message file of the
// batch durable. It first starts writeback of all of them, so that the
// device sees the whole batch at once, then fdatasyncs them in parallel:
// concurrent syncs share journal commits and device flushes, where one
// fsync per appender, issued whenever that appender happened to finish
// writing, competed with the commits of the index. A request whose file
// fails to sync fails as a whole (MULTIAPPEND); the others go on.
func syncItems(reqs []*appendReq) {
	type job struct {
		req  *appendReq
		item *pendingItem
	}
	var jobs []job
	for _, req := range reqs {
		for _, it := range req.items {
			if it.unsynced != nil {
				startWriteback(it.unsynced)
				jobs = append(jobs, job{req, it})
			}
		}
	}
	if len(jobs) == 0 {
		return
	}
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, maxParallelSyncs)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			errs[i] = fdatasync(j.item.unsynced)
			<-sem
		}()
	}
	wg.Wait()
	for i, j := range jobs {
		if errs[i] != nil && j.req.err == nil {
			j.req.err = fmt.Errorf("append: fdatasync %s: %w", j.item.src, errs[i])
		}
	}
}

package mailbox

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Settling a run of appends' quota marks once (doc.go "Commit and
// durability"). Every append charge sets the mailbox's pending mark in
// the charge's own transaction, and the charge already sets what is
// charged to what the index holds once the commit is durable; clearing
// the mark (QuotaHook.Sync) changes nothing else. So the commit does not
// clear it at once, which cost a second synced database transaction per
// message: the first commit after a quiet spell schedules one Sync for
// the directory settleDelay later, which clears the mark for every
// append committed in between. A process that dies first leaves the mark,
// which is what the mark is for: store.ResolvePending (master after a
// child died abnormally, ctl_cyrusdb -r at start, quota -f, reconstruct)
// syncs the mailbox from its index.

// settleDelay is how long a directory's pending mark may outlive its last
// commit in a running process.
const settleDelay = 250 * time.Millisecond

type settleEntry struct {
	hook    QuotaHook
	timeout time.Duration
	log     *slog.Logger
}

var settler = struct {
	mu       *sync.Mutex
	due      map[string]settleEntry // by directory
	inflight int                    // settleDir calls past taking their entry
	idle     *sync.Cond             // on mu: inflight fell to 0
}{mu: &settleMu, due: map[string]settleEntry{}, idle: sync.NewCond(&settleMu)}

var settleMu sync.Mutex

// settleLater schedules the Sync that clears dir's pending mark, through
// the hook of the batch's first request that has one.
func settleLater(dir string, reqs []*appendReq) {
	for _, r := range reqs {
		if r.quota == nil {
			continue
		}
		settler.mu.Lock()
		_, scheduled := settler.due[dir]
		settler.due[dir] = settleEntry{hook: r.quota, timeout: r.quotaTimeout, log: r.log}
		settler.mu.Unlock()
		if !scheduled {
			time.AfterFunc(settleDelay, func() { settleDir(dir) })
		}
		return
	}
}

// settleDir runs dir's scheduled Sync, if it is still due: under the
// exclusive lock, with what the index holds (Mailbox.SyncQuota). A
// failure leaves the mark for ResolvePending; it is logged.
func settleDir(dir string) {
	settler.mu.Lock()
	e, ok := settler.due[dir]
	delete(settler.due, dir)
	if ok {
		settler.inflight++
	}
	settler.mu.Unlock()
	if !ok {
		return
	}
	defer func() {
		settler.mu.Lock()
		if settler.inflight--; settler.inflight == 0 {
			settler.idle.Broadcast()
		}
		settler.mu.Unlock()
	}()
	defer func() {
		// A bug in the hook must not take the process down from a
		// timer: the mark stays for ResolvePending.
		if p := recover(); p != nil && e.log != nil {
			e.log.Error("quota: clearing the pending mark panicked", "mailbox", dir, "panic", p)
		}
	}()
	m, err := Open(dir, Options{Logger: e.log, Quota: e.hook, QuotaTimeout: e.timeout})
	if err == nil {
		err = m.SyncQuota(context.Background())
		m.Close()
	}
	if err != nil && e.log != nil {
		e.log.Warn("quota: clearing the pending mark after appends", "mailbox", dir, "err", err)
	}
}

// SettlePending runs every scheduled clearing of a pending quota mark now
// and waits for those already running: for a process about to exit
// cleanly, and for tests.
func SettlePending() {
	defer func() {
		settler.mu.Lock()
		for settler.inflight > 0 {
			settler.idle.Wait()
		}
		settler.mu.Unlock()
	}()
	settler.mu.Lock()
	dirs := make([]string, 0, len(settler.due))
	for d := range settler.due {
		dirs = append(dirs, d)
	}
	settler.mu.Unlock()
	for _, d := range dirs {
		settleDir(d)
	}
}

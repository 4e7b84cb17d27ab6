package metrics

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// proc is this process's stats file, mapped: every count is an atomic add
// on its memory, which the kernel keeps after the process dies.
type proc struct {
	vals  []int64 // the file's counters, in the shared mapping
	file  *os.File
	index map[string]int // slot key -> index in vals
	cmds  map[string]int // upper-case command -> index of its first bucket
	other int            // first bucket of "other"
	// indexes of the slots counted by name (-1: not in this protocol)
	conns, active, authYes, authNo, quota, lmtpMsgs, lmtpBytes, lmtpRcpts, delivOK, delivFailed int
	stop                                                                                        chan struct{}
	done                                                                                        chan struct{}
}

// cur is the process's stats file; nil (stats off, or a tool) makes every
// count a no-op.
var cur atomic.Pointer[proc]

// Stats files are named <pid>-<random>.stats; one being made is
// .new-<pid>-<random> until its header is complete and it is locked.
const (
	statsSuffix = ".stats"
	newPrefix   = ".new-"
	magic       = "gocyrus-stats 1"
	// maxSlots and maxHeader bound what a collator reads from a file.
	maxSlots  = 1 << 16
	maxHeader = 1 << 22
)

// Open makes this process's stats file in dir (created if missing) for
// service (its cyrus.conf name) speaking proto (ProtoIMAP...), locks it
// for the process's life and starts counting into it. Runtime figures
// (goroutines, heap, open descriptors) are refreshed every update.
// Counting before Open, or without it, is a no-op.
func Open(dir, service, proto string, update time.Duration, log *slog.Logger) error {
	if _, ok := commandNames[proto]; !ok {
		return fmt.Errorf("metrics: unknown protocol %q", proto)
	}
	if err := checkService(service); err != nil {
		return err
	}
	// Under the directory's lock, so no collator sees the new file before
	// it is locked and takes it for debris.
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	sl := slots(proto)
	var hdr strings.Builder
	fmt.Fprintf(&hdr, "service %s\nproto %s\npid %d\n", service, proto, os.Getpid())
	for _, s := range sl {
		fmt.Fprintf(&hdr, "%c %s\n", s.kind, s.key)
	}
	first := fmt.Sprintf("%s %010d %010d\n", magic, 0, len(sl))
	off := (len(first) + hdr.Len() + 4095) &^ 4095
	first = fmt.Sprintf("%s %010d %010d\n", magic, off, len(sl))

	var rnd [6]byte
	rand.Read(rnd[:])
	base := fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(rnd[:]))
	tmp := filepath.Join(dir, newPrefix+base)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("metrics: %s: %w", tmp, err)
	}
	// The lock first: a collator never takes a file it cannot lock for dead.
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return fail(err)
	}
	if _, err := f.WriteString(first + hdr.String()); err != nil {
		return fail(err)
	}
	size := off + 8*len(sl)
	if err := f.Truncate(int64(size)); err != nil {
		return fail(err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, base+statsSuffix)); err != nil {
		unix.Munmap(mem)
		return fail(err)
	}
	p := &proc{file: f, index: map[string]int{}, cmds: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{})}
	if len(sl) > 0 {
		p.vals = unsafe.Slice((*int64)(unsafe.Pointer(&mem[off])), len(sl))
	}
	for i, s := range sl {
		p.index[s.key] = i
	}
	for _, f := range families(proto) {
		for _, s := range f.series {
			if s.hist == nil {
				continue
			}
			i := p.index[s.hist.buckets[0]]
			name := strings.TrimSuffix(strings.TrimPrefix(s.hist.labels, `command="`), `"`)
			if name == otherCommand {
				p.other = i
			} else {
				p.cmds[strings.ToUpper(name)] = i
			}
		}
	}
	at := func(k string) int {
		if i, ok := p.index[k]; ok {
			return i
		}
		return -1
	}
	pre := "cyrus_" + proto + "_"
	p.conns, p.active = at(pre+"connections_total"), at(pre+"active_connections")
	p.authYes, p.authNo = at(pre+`authenticate_total{result="yes"}`), at(pre+`authenticate_total{result="no"}`)
	p.quota = at("cyrus_quota_refusals_total")
	p.lmtpMsgs, p.lmtpBytes, p.lmtpRcpts = at("cyrus_lmtp_received_messages_total"), at("cyrus_lmtp_received_bytes_total"), at("cyrus_lmtp_received_recipients_total")
	p.delivOK, p.delivFailed = at(`cyrus_lmtp_deliveries_total{result="ok"}`), at(`cyrus_lmtp_deliveries_total{result="failed"}`)
	p.runtimeFigures()
	if update <= 0 {
		update = 10 * time.Second
	}
	go p.refresh(update, log)
	cur.Store(p)
	return nil
}

// Close stops counting and releases the file's lock: from then on a
// collator folds the counts into its totals. Tests use it; a daemon's
// exit does the same.
func Close() {
	p := cur.Swap(nil)
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.file.Close()
}

// checkService refuses a service name the stats file cannot carry.
func checkService(s string) error {
	if s == "" || len(s) > 200 || strings.ContainsAny(s, " \t\r\n\\\"") {
		return fmt.Errorf("metrics: service name %q cannot label a metric", s)
	}
	return nil
}

func (p *proc) refresh(every time.Duration, log *slog.Logger) {
	defer close(p.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.runtimeFigures()
		}
	}
}

func (p *proc) runtimeFigures() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.set("cyrus_process_goroutines", int64(runtime.NumGoroutine()))
	p.set("cyrus_process_heap_bytes", int64(ms.HeapAlloc))
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		p.set("cyrus_process_open_fds", int64(len(ents)-1)) // less ReadDir's own
	}
}

func (p *proc) set(key string, v int64) {
	if i, ok := p.index[key]; ok {
		atomic.StoreInt64(&p.vals[i], v)
	}
}

// add adds d to slot i; -1 (a slot this protocol lacks) is ignored.
func (p *proc) add(i int, d int64) {
	if i >= 0 {
		atomic.AddInt64(&p.vals[i], d)
	}
}

// ConnectionOpened counts a connection and returns the function that ends
// it (active connections go down by one).
func ConnectionOpened() func() {
	p := cur.Load()
	if p == nil {
		return func() {}
	}
	p.add(p.conns, 1)
	p.add(p.active, 1)
	return func() { p.add(p.active, -1) }
}

// Login counts a login attempt's outcome.
func Login(ok bool) {
	if p := cur.Load(); p != nil {
		if ok {
			p.add(p.authYes, 1)
		} else {
			p.add(p.authNo, 1)
		}
	}
}

// Command counts one command (its name as the protocol spells it) begun
// at start and ending now: `defer metrics.Command(name, time.Now())`.
func Command(name string, start time.Time) {
	p := cur.Load()
	if p == nil {
		return
	}
	d := time.Since(start)
	i, ok := p.cmds[name]
	if !ok {
		if i, ok = p.cmds[strings.ToUpper(name)]; !ok {
			i = p.other
		}
	}
	us := d.Microseconds()
	for b, bound := range bucketsMicros {
		if us <= bound {
			atomic.AddInt64(&p.vals[i+b], 1)
			break
		}
	}
	atomic.AddInt64(&p.vals[i+len(bucketsMicros)], 1)
	atomic.AddInt64(&p.vals[i+len(bucketsMicros)+1], us)
}

// LMTPReceived counts a message accepted for delivery (after DATA): its
// size and its number of recipients.
func LMTPReceived(bytes int64, recipients int) {
	if p := cur.Load(); p != nil {
		p.add(p.lmtpMsgs, 1)
		p.add(p.lmtpBytes, bytes)
		p.add(p.lmtpRcpts, int64(recipients))
	}
}

// LMTPDelivery counts one recipient's reply after DATA.
func LMTPDelivery(ok bool) {
	if p := cur.Load(); p != nil {
		if ok {
			p.add(p.delivOK, 1)
		} else {
			p.add(p.delivFailed, 1)
		}
	}
}

// QuotaRefused counts a request refused for being over quota.
func QuotaRefused() {
	if p := cur.Load(); p != nil {
		p.add(p.quota, 1)
	}
}

var errBadFile = errors.New("not a stats file")

package metrics

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The collator's files in the stats directory: the totals of the dead
// processes and the lock collators take turns under.
const (
	doneFile = "done"
	lockFile = ".lock"
	doneHead = "gocyrus-stats-done 1"
)

// Snapshot is the sum of every process's counts at one moment, by service.
type Snapshot struct {
	Services map[string]*ServiceStats
}

// ServiceStats are one service's sums.
type ServiceStats struct {
	Proto string
	// Processes is the number of live processes counting for it.
	Processes int
	// Values holds each slot's sum by key (dead processes' counters included).
	Values map[string]int64
}

// Value returns the sum of key for service (0 when absent).
func (s *Snapshot) Value(service, key string) int64 {
	if st := s.Services[service]; st != nil {
		return st.Values[key]
	}
	return 0
}

func (s *Snapshot) service(name, proto string) *ServiceStats {
	st := s.Services[name]
	if st == nil {
		st = &ServiceStats{Proto: proto, Values: map[string]int64{}}
		s.Services[name] = st
	}
	return st
}

// done is the done file: the counters of the processes folded so far, and
// the names of the stats files folded into them that may still exist
// (a collator that died between writing done and removing them).
type done struct {
	totals *Snapshot
	folded map[string]bool
}

// Collate sums the stats files in dir. Under the directory's lock it folds
// the counters of each dead process (its file no longer locked) into the
// done file, written whole and renamed into place before the process's
// file is removed; a file already named in done is only removed. So a dead
// process's counts are neither lost nor counted twice, whenever a collator
// stops. Gauges of a dead process are dropped. Malformed files are skipped
// and logged, never changed.
func Collate(dir string, log *slog.Logger) (*Snapshot, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	d, err := readDone(dir)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	live := &Snapshot{Services: map[string]*ServiceStats{}}
	var newlyDead, stale []string
	for _, e := range ents {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, statsSuffix) && d.folded[name]:
			stale = append(stale, path)
		case strings.HasSuffix(name, statsSuffix):
			dead, err := readStats(path, live, d.totals)
			switch {
			case err != nil:
				log.Warn("metrics: stats file skipped", "file", path, "err", err)
			case dead:
				newlyDead = append(newlyDead, name)
			}
		case strings.HasPrefix(name, newPrefix):
			// A process died making its file: nothing was counted in it.
			if lockedByOther(path) == errNotLocked {
				os.Remove(path)
			}
		}
	}
	if len(newlyDead) > 0 {
		for _, n := range newlyDead {
			d.folded[n] = true
		}
		if err := writeDone(dir, d); err != nil {
			return nil, err
		}
		for _, n := range newlyDead {
			stale = append(stale, filepath.Join(dir, n))
		}
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Warn("metrics: cannot remove a folded stats file", "file", p, "err", err)
		}
	}
	// The sum: what the dead left, plus the live.
	for name, st := range d.totals.Services {
		out := live.service(name, st.Proto)
		for k, v := range st.Values {
			out.Values[k] += v
		}
	}
	return live, nil
}

// Cleanup removes the done file and the stats files of dead processes
// (promstatsd -c, when Cyrus starts: counts from before are meaningless).
func Cleanup(dir string) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	for _, e := range ents {
		n := e.Name()
		p := filepath.Join(dir, n)
		if (strings.HasSuffix(n, statsSuffix) || strings.HasPrefix(n, newPrefix)) && lockedByOther(p) == errNotLocked {
			os.Remove(p)
		}
	}
	if err := os.Remove(filepath.Join(dir, doneFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("metrics: lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

var errNotLocked = errors.New("not locked")

// lockedByOther returns nil when a live process holds path's lock,
// errNotLocked when none does, or the error opening it.
func lockedByOther(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil
		}
		return err
	}
	return errNotLocked
}

// readStats adds the file at path to live (a live process: counters and
// gauges) or to dead (its process is gone: counters only) and reports
// which.
func readStats(path string, live, dead *Snapshot) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	isDead := false
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err == nil {
		isDead = true // held until f closes: its owner is gone
	} else if !errors.Is(err, unix.EWOULDBLOCK) {
		return false, err
	}
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	h, err := readHeader(f, fi.Size())
	if err != nil {
		return false, err
	}
	if len(h.slots) == 0 {
		return isDead, nil
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return false, err
	}
	defer unix.Munmap(mem)
	vals := unsafe.Slice((*int64)(unsafe.Pointer(&mem[h.off])), len(h.slots))
	to := live
	if isDead {
		to = dead
	}
	st := to.service(h.service, h.proto)
	if !isDead {
		st.Processes++
	}
	for i, s := range h.slots {
		if isDead && s.kind != kindCounter {
			continue
		}
		st.Values[s.key] += atomic.LoadInt64(&vals[i])
	}
	return isDead, nil
}

type header struct {
	service, proto string
	off            int
	slots          []slot
}

// readHeader reads and checks a stats file's header against its size.
func readHeader(f *os.File, size int64) (*header, error) {
	r := bufio.NewReader(io.LimitReader(f, maxHeader))
	line := func() (string, error) {
		l, err := r.ReadString('\n')
		if err != nil {
			return "", fmt.Errorf("%w: short header", errBadFile)
		}
		return strings.TrimSuffix(l, "\n"), nil
	}
	first, err := line()
	if err != nil {
		return nil, err
	}
	fields := strings.Fields(strings.TrimPrefix(first, magic))
	if !strings.HasPrefix(first, magic+" ") || len(fields) != 2 {
		return nil, fmt.Errorf("%w: first line %q", errBadFile, first)
	}
	off, err1 := strconv.Atoi(fields[0])
	n, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil || off <= 0 || off%8 != 0 || off > maxHeader || n < 0 || n > maxSlots || int64(off)+8*int64(n) > size {
		return nil, fmt.Errorf("%w: layout %q does not fit its %d bytes", errBadFile, first, size)
	}
	h := &header{off: off}
	for _, want := range []*string{&h.service, &h.proto} {
		l, err := line()
		if err != nil {
			return nil, err
		}
		_, v, ok := strings.Cut(l, " ")
		if !ok || checkService(v) != nil {
			return nil, fmt.Errorf("%w: header line %q", errBadFile, l)
		}
		*want = v
	}
	if _, err := line(); err != nil { // pid, for people reading the file
		return nil, err
	}
	for range n {
		l, err := line()
		if err != nil {
			return nil, err
		}
		if len(l) < 3 || (l[0] != kindCounter && l[0] != kindGauge) || l[1] != ' ' || strings.ContainsAny(l, "\t\r") {
			return nil, fmt.Errorf("%w: slot line %q", errBadFile, l)
		}
		h.slots = append(h.slots, slot{l[0], l[2:]})
	}
	return h, nil
}

// readDone reads dir's done file; none is an empty one.
func readDone(dir string) (*done, error) {
	d := &done{totals: &Snapshot{Services: map[string]*ServiceStats{}}, folded: map[string]bool{}}
	data, err := os.ReadFile(filepath.Join(dir, doneFile))
	if errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	lines := strings.Split(string(data), "\n")
	if lines[0] != doneHead || lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("metrics: %s/%s: %w", dir, doneFile, errBadFile)
	}
	for i, l := range lines[1 : len(lines)-1] {
		f := strings.Split(l, "\t")
		switch {
		case len(f) == 2 && f[0] == "folded":
			d.folded[f[1]] = true
		case len(f) == 4:
			v, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("metrics: %s/%s:%d: %w", dir, doneFile, i+2, errBadFile)
			}
			d.totals.service(f[0], f[1]).Values[f[2]] += v
		default:
			return nil, fmt.Errorf("metrics: %s/%s:%d: %w", dir, doneFile, i+2, errBadFile)
		}
	}
	return d, nil
}

// writeDone replaces dir's done file with d, durably, keeping in its
// folded list only the files still present.
func writeDone(dir string, d *done) error {
	var b bytes.Buffer
	b.WriteString(doneHead + "\n")
	var names []string
	for n := range d.folded {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "folded\t%s\n", n)
	}
	svcs := make([]string, 0, len(d.totals.Services))
	for s := range d.totals.Services {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	for _, s := range svcs {
		st := d.totals.Services[s]
		keys := make([]string, 0, len(st.Values))
		for k := range st.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", s, st.Proto, k, st.Values[k])
		}
	}
	tmp := filepath.Join(dir, doneFile+".new")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err = f.Write(b.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, doneFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("metrics: writing %s: %w", doneFile, err)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

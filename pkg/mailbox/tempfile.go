package mailbox

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Named temporary files carry their owner in their name:
// "tmp.<pid>-<start>.<rest>", where start is the process's start time in
// clock ticks since boot (/proc/<pid>/stat field 22; 0 where /proc is
// missing). A temp file whose owner is no longer running was left by a
// crash and can be removed whatever its age; the start time tells a
// recycled pid from the owner. Every process that shares a spool runs in
// one pid namespace (they are children of one master).
//
// Only the owner renames or removes its temp files, so a sweep that skips
// every live owner's files never races with a writer.

// ownerTag is this process's "<pid>-<start>" tag.
var ownerTag = sync.OnceValue(func() string {
	pid := os.Getpid()
	start, _ := procStart(pid)
	return fmt.Sprintf("%d-%d", pid, start)
})

// CreateTemp creates a new temp file in dir named for this process (see
// above), with infix (may be "") in its name for the reader's benefit:
// RemoveDeadTemps and Reconstruct remove it once this process is gone.
func CreateTemp(dir, infix string) (*os.File, error) { return createTemp(dir, infix) }

func createTemp(dir, infix string) (*os.File, error) {
	return os.CreateTemp(dir, tempPrefix+ownerTag()+"."+infix)
}

// procStart reads a process's start time from /proc. ok is false when
// /proc/<pid>/stat is unreadable: no such process, or no /proc.
func procStart(pid int) (uint64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name is in parentheses and may hold anything: the
	// fields are counted from the last ')'; starttime is field 22, the
	// 20th after it.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 20 {
		return 0, false
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, false
	}
	return start, true
}

// TempOwnerAlive reports whether the process named in a temp file's name
// is still running. A name without an owner tag (made by an older
// version) has no live owner.
func TempOwnerAlive(name string) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix)
	if !ok {
		return false
	}
	tag, _, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	pidText, startText, ok := strings.Cut(tag, "-")
	if !ok {
		return false
	}
	pid, err1 := strconv.Atoi(pidText)
	start, err2 := strconv.ParseUint(startText, 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return tag == ownerTag()
	}
	if got, ok := procStart(pid); ok {
		return start == 0 || got == start
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		return false // /proc works and has no such process
	}
	// No /proc: all we can ask is whether the pid exists.
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// IsTempName reports whether name is a mailbox temp file's name.
func IsTempName(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// RemoveDeadTemps removes from dir every temp file whose owner is not
// running, whatever its age, and returns their names. Live owners' files
// are left to them.
func RemoveDeadTemps(dir string) ([]string, error) {
	dead, err := deadTemps(dir)
	var removed []string
	for _, name := range dead {
		if rerr := os.Remove(filepath.Join(dir, name)); rerr == nil || errors.Is(rerr, os.ErrNotExist) {
			removed = append(removed, name)
		} else if err == nil {
			err = rerr
		}
	}
	return removed, err
}

// deadTemps lists dir's temp files whose owner is not running.
func deadTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsTempName(e.Name()) && !TempOwnerAlive(e.Name()) {
			dead = append(dead, e.Name())
		}
	}
	return dead, nil
}

// swept remembers the directories this process has swept of dead temp
// files: a writer sweeps a directory once per process, on first taking
// its exclusive lock, so the cost of reading a large directory is not
// paid on every commit. Temp files die only with their process, so once
// swept a directory stays clean of earlier crashes.
var swept struct {
	sync.Mutex
	dirs map[string]bool
}

// maxSwept bounds swept's memory in a long-running process; forgetting
// only costs a sweep more.
const maxSwept = 4096

// sweepOnce removes dir's dead temp files if this process has not done so
// yet. Errors are ignored: a sweep is housekeeping, retried by the next
// process and by reconstruct.
func sweepOnce(dir string) {
	swept.Lock()
	done := swept.dirs[dir]
	if !done {
		if swept.dirs == nil || len(swept.dirs) >= maxSwept {
			swept.dirs = map[string]bool{}
		}
		swept.dirs[dir] = true
	}
	swept.Unlock()
	if !done {
		_, _ = RemoveDeadTemps(dir)
	}
}

package cyrusdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// RecoverReport says what Recover found and did.
type RecoverReport struct {
	Dir        string
	Created    bool  // there was no database; an empty one was made
	StaleLock  int   // pid in a lock file left by a process that died; 0 if none
	Memtables  int   // write-ahead memtable files replayed at open
	Keys       int64 // live keys after recovery
	LSMBytes   int64
	VLogBytes  int64
	ChecksumOK bool // every table's checksums verified
}

func (r RecoverReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", r.Dir)
	if r.Created {
		b.WriteString("no database found, created an empty one; ")
	}
	if r.StaleLock != 0 {
		fmt.Fprintf(&b, "removed the stale lock of dead process %d; ", r.StaleLock)
	}
	if r.Memtables > 0 {
		fmt.Fprintf(&b, "replayed %d memtable log(s); ", r.Memtables)
	}
	fmt.Fprintf(&b, "%d keys, checksums verified, %d bytes of tables, %d bytes of value log", r.Keys, r.LSMBytes, r.VLogBytes)
	return b.String()
}

// Recover opens the databases of configdir offline, which makes badger
// replay its logs after a crash, verifies every table checksum and counts
// the keys. It refuses to run while any process holds the databases
// (the db service included): recovery is for a stopped server.
func Recover(configdir string, opts Options) (RecoverReport, error) {
	dbDir := DBPath(configdir)
	rep := RecoverReport{Dir: dbDir}
	if err := lockFree(dbDir, false); err != nil {
		if errors.Is(err, errLocked) {
			return rep, fmt.Errorf("cyrusdb: databases in %s are in use by another process; recovery needs a stopped server", dbDir)
		}
		return rep, err
	}
	if _, err := os.Stat(dbDir); errors.Is(err, os.ErrNotExist) {
		rep.Created = true
		if err := os.MkdirAll(dbDir, 0o700); err != nil {
			return rep, fmt.Errorf("cyrusdb: %w", err)
		}
	}
	rep.StaleLock = staleLockPid(dbDir)
	rep.Memtables = countMemtables(dbDir)

	l, err := openLocal(dbDir, Options{Logger: opts.Logger})
	if err != nil {
		return rep, err
	}
	defer l.Close()
	if err := l.bdb.VerifyChecksum(); err != nil {
		return rep, fmt.Errorf("cyrusdb: verify %s: %w", dbDir, err)
	}
	rep.ChecksumOK = true
	err = l.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			rep.Keys++
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("cyrusdb: count keys: %w", err)
	}
	if err := l.Close(); err != nil {
		return rep, fmt.Errorf("cyrusdb: close %s: %w", dbDir, err)
	}
	rep.LSMBytes, rep.VLogBytes = dirSizes(dbDir)
	return rep, nil
}

// staleLockPid reads badger's LOCK pid file; it exists without its owner
// holding the flock only when that owner died.
func staleLockPid(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "LOCK"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func countMemtables(dir string) int {
	n := 0
	matches, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Size() > 0 {
			n++
		}
	}
	return n
}

func dirSizes(dir string) (lsm, vlog int64) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		switch filepath.Ext(e.Name()) {
		case ".sst":
			lsm += fi.Size()
		case ".vlog":
			vlog += fi.Size()
		}
	}
	return lsm, vlog
}

package mailbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOpen100kColdAfterStore is BenchmarkOpen100kCold once every
// message's flags were changed (mailbench's STORE rounds): the first SELECT
// after them must cost what it did before.
func BenchmarkOpen100kColdAfterStore(b *testing.B) {
	// A copy: the STOREs must not change the mailbox other benchmarks share.
	dir := b.TempDir()
	for _, f := range []string{headerFile, indexFile, cacheFile, lockFile} {
		data, err := os.ReadFile(filepath.Join(mailbox100k(b), f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	m, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	uids := make([]uint32, 100000)
	for i := range uids {
		uids[i] = uint32(i + 1)
	}
	for _, op := range []StoreOp{StoreAdd, StoreRemove, StoreAdd} {
		if _, err := m.Store(context.Background(), StoreRequest{UIDs: uids, Op: op, Flags: FlagSeen}); err != nil {
			b.Fatal(err)
		}
	}
	m.Close()
	for b.Loop() {
		decodedIndexes.reset()
		m, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if v, _ := m.Snapshot(); len(v.Records) != 100000 {
			b.Fatal("wrong mailbox")
		}
		m.Close()
	}
}

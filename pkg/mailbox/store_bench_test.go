package mailbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// copyMailbox100k copies the shared 100,000-message index and cache into a
// private directory a benchmark may change.
func copyMailbox100k(b *testing.B) string {
	src := mailbox100k(b)
	dst := b.TempDir()
	for _, name := range []string{headerFile, indexFile, cacheFile} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return dst
}

// benchStoreAll alternates STORE 1:* +FLAGS (\Seen) and -FLAGS (\Seen) on
// 100,000 messages: every operation changes every record.
func BenchmarkStore100kAll(b *testing.B) {
	m, err := Open(copyMailbox100k(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	uids := make([]uint32, 100000)
	for i := range uids {
		uids[i] = uint32(i + 1)
	}
	ctx := context.Background()
	op := StoreAdd
	for b.Loop() {
		res, err := m.Store(ctx, StoreRequest{UIDs: uids, Op: op, Flags: FlagSeen})
		if err != nil {
			b.Fatal(err)
		}
		if res.Changed == 0 {
			b.Fatal("nothing changed")
		}
		if op == StoreAdd {
			op = StoreRemove
		} else {
			op = StoreAdd
		}
	}
}

// BenchmarkStore100kOne toggles \Flagged on one message of 100,000.
func BenchmarkStore100kOne(b *testing.B) {
	m, err := Open(copyMailbox100k(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	op := StoreAdd
	for b.Loop() {
		res, err := m.Store(ctx, StoreRequest{UIDs: []uint32{50000}, Op: op, Flags: FlagFlagged})
		if err != nil || res.Changed != 1 {
			b.Fatal(res, err)
		}
		if op == StoreAdd {
			op = StoreRemove
		} else {
			op = StoreAdd
		}
	}
}

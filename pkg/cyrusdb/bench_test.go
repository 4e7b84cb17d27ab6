package cyrusdb

import (
	"bytes"
	"fmt"
	"testing"

	"gocyrus/internal/testseed"
)

func benchOnline(b *testing.B) (*Server, DB) {
	dir := b.TempDir()
	srv := startServer(b, dir)
	db, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return srv, db
}

func BenchmarkGetOnline(b *testing.B) {
	_, db := benchOnline(b)
	put(b, db, "mbox/user.alice", string(bytes.Repeat([]byte("x"), 200)))
	ctx := testCtx(b)
	key := []byte("mbox/user.alice")
	for b.Loop() {
		if _, _, err := db.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetOnlineParallel(b *testing.B) {
	_, db := benchOnline(b)
	put(b, db, "mbox/user.alice", string(bytes.Repeat([]byte("x"), 200)))
	ctx := testCtx(b)
	b.RunParallel(func(pb *testing.PB) {
		key := []byte("mbox/user.alice")
		for pb.Next() {
			if _, _, err := db.Get(ctx, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetOffline(b *testing.B) {
	db := backends[0].open(b)
	put(b, db, "mbox/user.alice", string(bytes.Repeat([]byte("x"), 200)))
	ctx := testCtx(b)
	key := []byte("mbox/user.alice")
	for b.Loop() {
		if _, _, err := db.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTxnOnline(b *testing.B) {
	_, db := benchOnline(b)
	ctx := testCtx(b)
	val := bytes.Repeat([]byte("x"), 200)
	i := 0
	for b.Loop() {
		i++
		key := fmt.Appendf(nil, "mbox/user.u%d", i)
		if err := db.Txn(ctx, []Cond{{Key: key}}, []Op{Put{Key: key, Val: val}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddOnlineParallel(b *testing.B) {
	_, db := benchOnline(b)
	ctx := testCtx(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.Txn(ctx, nil, []Op{Add{Key: []byte("quota/user.a"), Deltas: []int64{1, 1}, Limits: []int64{-1, -1}}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkScan100k streams 100,000 records of about 200 bytes through
// the service: the size of dumping a 100,000-mailbox list.
func BenchmarkScan100k(b *testing.B) {
	srv, db := benchOnline(b)
	ctx := testCtx(b)
	val := bytes.Repeat([]byte("p"), 180)
	const total, batch = 100_000, 1000
	for start := 0; start < total; start += batch {
		ops := make([]Op, 0, batch)
		for i := start; i < start+batch; i++ {
			ops = append(ops, Put{Key: fmt.Appendf(nil, "mbox/user.u%06d", i), Val: val})
		}
		if err := srv.DB().Txn(ctx, nil, ops); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(total * 200)
	for b.Loop() {
		n := 0
		err := db.Scan(ctx, []byte("mbox/"), func(k, v []byte, _ uint64) error {
			n++
			return nil
		})
		if err != nil || n != total {
			b.Fatalf("scanned %d: %v", n, err)
		}
	}
}

// BenchmarkGetFromTables reads keys at random from 50,000 records (10 MB) that are on disk in
// badger's tables, not its memtable: the reads of a long delivery run (duplicate, quota and
// mailbox records) once the memtable has been flushed. It measures what the block cache costs
// or saves (badgerOptions).
func BenchmarkGetFromTables(b *testing.B) {
	dir := b.TempDir()
	const total, batch = 50_000, 1000
	val := bytes.Repeat([]byte("v"), 200)
	db, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := testCtx(b)
	for start := 0; start < total; start += batch {
		ops := make([]Op, 0, batch)
		for i := start; i < start+batch; i++ {
			ops = append(ops, Put{Key: fmt.Appendf(nil, "dup/%08d", i), Val: val})
		}
		if err := db.Txn(ctx, nil, ops); err != nil {
			b.Fatal(err)
		}
	}
	db.Close() // flushes the memtable to a table
	if db, err = Open(dir, Options{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	rng := testseed.Rand(b)
	for b.Loop() {
		key := fmt.Appendf(nil, "dup/%08d", rng.IntN(total))
		if _, _, err := db.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

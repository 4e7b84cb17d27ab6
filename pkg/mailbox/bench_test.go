package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// message4K is a 4 KiB message.
var message4K = func() string {
	h := testMessage(0, "benchmark")
	return h + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n", (4096-len(h))/66)
}()

// BenchmarkRawFileCreate is the disk's raw limit: create + write 4 KiB +
// fsync + rename + directory fsync.
func BenchmarkRawFileCreate(b *testing.B) {
	dir := b.TempDir()
	data := []byte(message4K)
	for i := 0; b.Loop(); i++ {
		tmp := filepath.Join(dir, fmt.Sprintf("tmp%d", i))
		f, err := os.Create(tmp)
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data)
		f.Sync()
		f.Close()
		os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("%d.", i)))
		if err := syncDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend1(b *testing.B) {
	m := newMailbox(b, Options{})
	for b.Loop() {
		if _, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(message4K)}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend16(b *testing.B) {
	m := newMailbox(b, Options{})
	var wg sync.WaitGroup
	work := make(chan struct{})
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if _, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(message4K)}}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
}

var (
	big100kOnce sync.Once
	big100kDir  string
)

// mailbox100k writes the index and cache of a 100,000-message mailbox
// directly (the message files are not needed to read flags or envelopes).
func mailbox100k(b *testing.B) string {
	big100kOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mailbox100k")
		if err != nil {
			b.Fatal(err)
		}
		big100kDir = dir
		const n = 100000
		if err := Create(dir, Header{Name: "user.big", UniqueID: "big", UIDValidity: 7}); err != nil {
			b.Fatal(err)
		}
		p := newPrepared("", []byte(message4K))
		hdr := indexHeader{UIDValidity: 7, UIDNext: n + 1, NumRecords: n, Exists: n, HighestModSeq: n}
		cache := bytes.NewBuffer(cacheFileHeader())
		index := make([]byte, indexHeaderSize, indexHeaderSize+n*indexRecordSize)
		now := time.Now()
		for uid := uint32(1); uid <= n; uid++ {
			framed := encodeCacheRecord(uid, p.payload)
			r := Record{UID: uid, Flags: Flags(uid % 8), ModSeq: uint64(uid), InternalDate: now, SaveDate: now,
				Size: p.size, HeaderSize: p.headerSize, GUID: p.guid,
				cacheOffset: uint64(cache.Len()), cacheLen: uint32(len(framed))}
			cache.Write(framed)
			var rb [indexRecordSize]byte
			encodeRecord(rb[:], &r)
			index = append(index, rb[:]...)
			hdr.QuotaUsed += uint64(p.size)
		}
		hdr.CacheLen = uint64(cache.Len())
		copy(index, encodeIndexHeader(&hdr))
		os.WriteFile(filepath.Join(dir, cacheFile), cache.Bytes(), 0o600)
		os.WriteFile(filepath.Join(dir, indexFile), index, 0o600)
	})
	return big100kDir
}

func BenchmarkOpen100k(b *testing.B) {
	dir := mailbox100k(b)
	for b.Loop() {
		m, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		v, _ := m.Snapshot()
		seen := 0
		for _, r := range v.Records {
			if r.Flags&FlagSeen != 0 {
				seen++
			}
		}
		if len(v.Records) != 100000 || seen == 0 {
			b.Fatal("wrong mailbox")
		}
		m.Close()
	}
}

func BenchmarkEnvelopes100k(b *testing.B) {
	dir := mailbox100k(b)
	m, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	for b.Loop() {
		v, _ := m.Snapshot()
		n := 0
		err := v.ForEachCached(v.Records, func(_ Record, c *Cached) error {
			if c.Envelope.Subject == "benchmark" {
				n++
			}
			return nil
		})
		if err != nil || n != 100000 {
			b.Fatal(n, err)
		}
	}
}

package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
			r := Record{UID: uid, Flags: Flags(uid % 8), ModSeq: uint64(uid),
				Size: p.size, HeaderSize: p.headerSize, GUID: p.guid,
				cacheOffset: uint64(cache.Len()), cacheLen: uint32(len(framed))}
			r.SetInternalDate(now)
			r.SetSaveDate(now)
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

// BenchmarkAppendVsRaw measures the ratios in one window: each
// round times 100 raw file creations (create, write 4 KiB, fsync, rename,
// directory fsync), 100 single-writer appends and 400 appends from 16
// concurrent writers, back to back, so a noisy disk affects all three alike.
// It reports the median over rounds of append rate / raw rate.
func BenchmarkAppendVsRaw(b *testing.B) {
	rawDir := b.TempDir()
	m := newMailbox(b, Options{})
	data := []byte(message4K)
	ctx := context.Background()
	raw := func(round, n int) time.Duration {
		start := time.Now()
		for i := 0; i < n; i++ {
			tmp := filepath.Join(rawDir, fmt.Sprintf("tmp%d-%d", round, i))
			f, err := os.Create(tmp)
			if err != nil {
				b.Fatal(err)
			}
			f.Write(data)
			f.Sync()
			f.Close()
			os.Rename(tmp, filepath.Join(rawDir, fmt.Sprintf("%d-%d.", round, i)))
			if err := syncDir(rawDir); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start) / time.Duration(n)
	}
	appendN := func(n, writers int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for g := 0; g < writers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n/writers; i++ {
					if _, err := m.Append(ctx, []AppendMessage{{Body: strings.NewReader(message4K)}}); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start) / time.Duration(n)
	}
	var one, sixteen []float64
	round := 0
	for b.Loop() {
		r := raw(round, 100)
		a1 := appendN(100, 1)
		a16 := appendN(400, 16)
		one = append(one, float64(r)/float64(a1))
		sixteen = append(sixteen, float64(r)/float64(a16))
		round++
	}
	median := func(v []float64) float64 {
		slices.Sort(v)
		return v[len(v)/2]
	}
	b.ReportMetric(median(one), "x-raw-1writer")
	b.ReportMetric(median(sixteen), "x-raw-16writers")
}

// BenchmarkOpen100kCold opens a 100,000-message mailbox no handle of the
// process has decoded yet: what the first SELECT after a restart costs.
func BenchmarkOpen100kCold(b *testing.B) {
	dir := mailbox100k(b)
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

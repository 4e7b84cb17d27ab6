package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/squat"
)

// The full-text index benchmark: indexSize messages of about 2 KB of
// words from a 5000-word vocabulary, each with one word of its own
// ("uniqNNNNN"), indexed once with squatter's rule (IndexGrams into a
// pkg/squat file). Run with
//
//	go test -run '^$' -bench 'BodyIndex' ./pkg/imapserver/search
//
// It logs the index's size as a share of the spool's.
const indexSize = 20000

var (
	indexOnce  sync.Once
	indexCands []Candidate
	indexIx    *squat.Index
	indexBoxM  *mailbox.Mailbox // closed and removed by TestMain
	indexDir   string
)

func indexBench(b *testing.B) ([]Candidate, *squat.Index) {
	indexOnce.Do(func() {
		rng := rand.New(rand.NewPCG(1, 17)) // fixed: the figures compare across runs
		vocab := make([]string, 5000)
		for i := range vocab {
			var w strings.Builder
			for range 3 + rng.IntN(7) {
				w.WriteByte(byte('a' + rng.IntN(26)))
			}
			vocab[i] = w.String()
		}
		msgs := make([]testMsg, indexSize)
		spool := 0
		for i := range msgs {
			var body strings.Builder
			for body.Len() < 2000 {
				body.WriteString(vocab[rng.IntN(len(vocab))])
				if rng.IntN(12) == 0 {
					body.WriteString("\r\n")
				} else {
					body.WriteByte(' ')
				}
			}
			fmt.Fprintf(&body, "\r\nuniq%05d\r\n", i)
			msgs[i] = testMsg{raw: mkmail(body.String(), "From: a@example.com", "To: b@example.org",
				fmt.Sprintf("Subject: message %d", i), "Date: Mon, 2 Jan 2006 15:04:05 -0700")}
			spool += len(msgs[i].raw)
		}
		dir, err := os.MkdirTemp("", "searchindexbench")
		if err != nil {
			b.Fatal(err)
		}
		indexDir = dir
		indexCands, indexBoxM = buildBox(b, filepath.Join(dir, "box"), msgs)
		m := indexBoxM
		start := time.Now()
		bld := squat.NewBuilder(indexCands[0].View.UIDValidity)
		for _, c := range indexCands {
			f, err := c.Open()
			if err != nil {
				b.Fatal(err)
			}
			fi, _ := f.Stat()
			g, err := IndexGrams(f, fi.Size(), int64(c.Record.HeaderSize))
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			bld.Add(c.UID, g)
		}
		if err := bld.Write(m.Dir(), indexCands[len(indexCands)-1].UID+1); err != nil {
			b.Fatal(err)
		}
		built := time.Since(start)
		fi, err := os.Stat(filepath.Join(m.Dir(), squat.FileName))
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		indexIx, err = squat.Read(filepath.Join(m.Dir(), squat.FileName))
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d messages, spool %d bytes; index %d bytes (%.0f%% of the spool), built in %v, read in %v",
			indexSize, spool, fi.Size(), 100*float64(fi.Size())/float64(spool), built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	})
	return indexCands, indexIx
}

func benchBodyIndex(b *testing.B, program string, useIndex bool, want int) {
	cands, ix := indexBench(b)
	k := parseKey(b, program)
	env := Env{}
	if useIndex {
		env.TextIndex = func() TextIndex { return ix }
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := Match(context.Background(), k, cands, env)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, ok := range res {
			if ok {
				n++
			}
		}
		if n != want {
			b.Fatalf("%d matches, want %d", n, want)
		}
	}
}

func BenchmarkBodyIndexRareWithout(b *testing.B) { benchBodyIndex(b, "BODY uniq01234", false, 1) }
func BenchmarkBodyIndexRareWith(b *testing.B)    { benchBodyIndex(b, "BODY uniq01234", true, 1) }
func BenchmarkBodyIndexAbsentWithout(b *testing.B) {
	benchBodyIndex(b, "BODY qqqzzzjjj", false, 0)
}
func BenchmarkBodyIndexAbsentWith(b *testing.B) { benchBodyIndex(b, "BODY qqqzzzjjj", true, 0) }

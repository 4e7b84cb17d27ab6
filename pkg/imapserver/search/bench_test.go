package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gocyrus/pkg/mailbox"
)

// benchSize messages are appended once per benchmark binary run; the
// figures are reported per message so they extrapolate to 100k.
const benchSize = 20000

var (
	benchOnce  sync.Once
	benchCands []Candidate
	benchBoxM  *mailbox.Mailbox
	benchDir   string
)

// TestMain removes the benchmark mailbox, shared by all benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchBoxM != nil {
		benchBoxM.Close()
		os.RemoveAll(benchDir)
	}
	if indexBoxM != nil {
		indexBoxM.Close()
		os.RemoveAll(indexDir)
	}
	os.Exit(code)
}

func benchBox(b *testing.B) []Candidate {
	benchOnce.Do(func() {
		msgs := make([]testMsg, benchSize)
		for i := range msgs {
			msgs[i] = testMsg{raw: plain(i, fmt.Sprintf("subject line number %d of the bench", i))}
		}
		dir, err := os.MkdirTemp("", "searchbench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
		benchCands, benchBoxM = buildBox(b, filepath.Join(dir, "box"), msgs)
	})
	return benchCands
}

func benchMatch(b *testing.B, program string, want int) {
	cands := benchBox(b)
	k := parseKey(b, program)
	b.ResetTimer()
	for b.Loop() {
		res, err := Match(context.Background(), k, cands, Env{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, ok := range res {
			if ok {
				n++
			}
		}
		if want >= 0 && n != want {
			b.Fatalf("%d matches, want %d", n, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cands)), "ns/msg")
}

func BenchmarkSearchSubject(b *testing.B) { benchMatch(b, "SUBJECT \"number 1234 \"", 1) }

func BenchmarkSearchHeaderCached(b *testing.B) { benchMatch(b, "HEADER Message-ID m1234@", 1) }

func BenchmarkSearchHeaderUncached(b *testing.B) { benchMatch(b, "HEADER X-Seq n1234", -1) }

func BenchmarkSearchFlags(b *testing.B) { benchMatch(b, "UNSEEN LARGER 10", benchSize) }

package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// mapIndex is a TextIndex kept in memory: the rule under test is what
// IndexGrams collects and how Match uses it, not pkg/squat's file.
type mapIndex struct {
	covered map[uint32]bool
	grams   map[uint32][]uint32
	asked   int
}

func (x *mapIndex) Covers(uid uint32) bool { return x.covered[uid] }

func (x *mapIndex) WithAll(grams []uint32) []uint32 {
	x.asked++
	var out []uint32
	for i, g := range grams {
		l := x.grams[g]
		if i == 0 {
			out = slices.Clone(l)
			continue
		}
		out = slices.DeleteFunc(out, func(u uint32) bool { _, ok := slices.BinarySearch(l, u); return !ok })
	}
	return out
}

// indexBox indexes the candidates whose UID keep accepts.
func indexBox(t *testing.T, cands []Candidate, keep func(uid uint32) bool) *mapIndex {
	t.Helper()
	x := &mapIndex{covered: map[uint32]bool{}, grams: map[uint32][]uint32{}}
	for _, c := range cands {
		if !keep(c.UID) {
			continue
		}
		f, err := c.Open()
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		grams, err := IndexGrams(f, fi.Size(), int64(c.Record.HeaderSize))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		x.covered[c.UID] = true
		for _, g := range grams {
			x.grams[g] = append(x.grams[g], c.UID)
		}
	}
	return x
}

// indexCorpus is varied mail: the differential corpus (MIME structures,
// transfer encodings, charsets, broken headers), the shared header
// fixture, and messages built here to put folding, charsets and encoded
// words where a gram could be split.
func indexCorpus(t *testing.T) []testMsg {
	t.Helper()
	var msgs []testMsg
	paths, err := filepath.Glob("../../../test/corpus/messages/*.eml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("corpus: %v (%d files)", err, len(paths))
	}
	paths = append(paths, "../../msgheader/testdata/shared.eml")
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, testMsg{raw: string(raw)})
	}
	built := []string{
		mkmail("--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+
			"Caf=E9 cr=E8me=\r\n br=FBl=E9e\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
			"PHA+U2NobsO8ZmZlbDwvcD4=\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\naW1hZ2VieXRlcw==\r\n"+
			"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner subject\r\n\r\ninner text\r\n--b--\r\n",
			"Subject: mp", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b"),
		mkmail("ΣΊΣΥΦΟΣ straße KELVIN \u212a bad \xe2\x82 bytes \xff\xfe end \xf0", "Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=", "Content-Type: text/plain; charset=utf-8"),
		mkmail("no header block at all"),
		"Subject: only a header\r\n",
		mkmail("caf\xe9 in latin1", "Content-Type: text/plain; charset=iso-8859-1"),
		mkmail("unknown charset text", "Content-Type: text/plain; charset=x-unknown"),
		mkmail("--c\r\nContent-Transfer-Encoding: (b64) BASE64\r\n\r\nc2Vjb25kIHBhcnQ=\r\n--c--\r\n", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=c"),
	}
	for _, raw := range built {
		msgs = append(msgs, testMsg{raw: raw})
	}
	return msgs
}

// needlesOf draws search strings from the corpus's own text: pieces of
// each message's searchable text and header (so most match somewhere),
// cut at random places, some across a part boundary, plus fixed ones.
func needlesOf(rng *rand.Rand, msgs []testMsg) []string {
	out := []string{"", "a", "ab", "zzzzqq", "café", "CAFÉ CRÈME", "schnüffel", "inner subject", "imagebytes",
		"σίσυφος", "kelvin k", "\ufffd", "subject: mp", "köln", "second part", "bytes \ufffd", "x-unknown"}
	for _, m := range msgs {
		text := oracleBodyText([]byte(m.raw), strings.Index(m.raw, "\r\n\r\n")+4) + string(rune(0)) + m.raw
		for range 1 {
			if len(text) < 2 {
				break
			}
			i := rng.IntN(len(text) - 1)
			n := 1 + rng.IntN(min(12, len(text)-i))
			out = append(out, strings.ReplaceAll(text[i:i+n], "\x00", " "))
		}
	}
	return out
}

// TestIndexSameResults: with the full-text index, BODY and TEXT (alone,
// negated, in OR) give exactly what they give without it, on the varied
// corpus, with the last messages not indexed (appended after squatter
// ran), and the index rules messages out without reading them.
func TestIndexSameResults(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	msgs := indexCorpus(t)
	cands := newBox(t, msgs)
	stale := cands[len(cands)-3].UID // the last three came after indexing
	idx := indexBox(t, cands, func(uid uint32) bool { return uid < stale })
	opens := 0
	counted := slices.Clone(cands)
	for i := range counted {
		open := counted[i].Open
		counted[i].Open = func() (*os.File, error) { opens++; return open() }
	}
	without, with := 0, 0
	for _, n := range needlesOf(rng, msgs) {
		q := quoteIMAP(n)
		for _, prog := range []string{"BODY " + q, "TEXT " + q, "NOT BODY " + q, "OR BODY " + q + " SUBJECT zz"} {
			k, err := tryParseKey(prog)
			if err != nil {
				continue // a needle the parser refuses (NUL, bare CR)
			}
			opens = 0
			plain, err := Match(context.Background(), k, counted, Env{})
			if err != nil {
				t.Fatalf("%s: %v", prog, err)
			}
			without += opens
			opens = 0
			got, err := Match(context.Background(), k, counted, Env{TextIndex: func() TextIndex { return idx }})
			if err != nil {
				t.Fatalf("%s: %v", prog, err)
			}
			with += opens
			if !slices.Equal(plain, got) {
				t.Fatalf("%s: with the index %v, without %v", prog, got, plain)
			}
		}
	}
	t.Logf("message files opened: %d without the index, %d with it", without, with)
	if idx.asked == 0 || with >= without/2 {
		t.Errorf("the index saved too little: %d opens with it, %d without (asked %d times)", with, without, idx.asked)
	}
}

// quoteIMAP quotes s as an IMAP string: a literal when it has bytes a
// quoted string cannot carry.
func quoteIMAP(s string) string {
	if strings.ContainsAny(s, "\r\n\"\\") || !isASCII(s) {
		return fmt.Sprintf("{%d+}\r\n%s", len(s), s)
	}
	return `"` + s + `"`
}

// TestIndexGramsSplitReads: the grams of a part do not depend on how its
// text arrives — a rune or a gram split between two reads — and are the
// grams of the text folded whole.
func TestIndexGramsSplitReads(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	for _, text := range []string{"Hello World", "Ünïcödé ΣΊΣΥΦΟΣ straße \u212a", "bad \xe2\x82 bytes \xff\xfe end \xf0\x9f", "ab"} {
		whole := &gramSink{set: new(gramSet)}
		whole.add([]byte(foldString(text)))
		if strings.HasSuffix(text, "\xf0\x9f") { // an incomplete rune ending the part
			whole.add([]byte(foldString(text[len(text)-4:])))
		}
		for range 50 {
			var sizes []int
			for range 20 {
				sizes = append(sizes, 1+rng.IntN(4))
			}
			g := &gramSink{set: new(gramSet)}
			g.part(&chunkedReader{data: []byte(text), sizes: sizes})
			for _, k := range whole.set.list {
				if !slices.Contains(g.set.list, k) {
					t.Fatalf("%q split %v: gram %06x missing", text, sizes, k)
				}
			}
		}
	}
}

package search

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// chunkedReader returns its data in the pieces splits cuts it into.
type chunkedReader struct {
	data  []byte
	sizes []int
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.sizes) > 0 {
		n = max(1, min(n, r.sizes[0]))
		r.sizes = r.sizes[1:]
	}
	n = copy(p, r.data[:min(n, len(p))])
	r.data = r.data[n:]
	return n, nil
}

// oracleContains is the whole-text rule foldMatcher streams.
func oracleContains(text, n string) bool { return strings.Contains(foldString(text), n) }

// TestFoldMatcherSplits: a match split anywhere between two writes, a
// rune split between them, case folding beyond ASCII, and bytes that are
// not UTF-8 all give what folding the text whole gives.
func TestFoldMatcherSplits(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	texts := []string{"Hello World", "Ünïcödé ΣΊΣΥΦΟΣ straße KELVIN \u212a", "bad \xe2\x82 bytes \xff\xfe end \xf0\x9f",
		"caf\xc3\xa9 \xf0\x9f\x98\x80 emoji", strings.Repeat("ab", 40) + "abc"}
	needles := []string{"world", "o w", "σίσυφος", "kelvin k", "\xe2\x82 bytes", "\ufffd", "\ufffd\ufffd", "é 😀", "abc", "bab", "zz", " end \xf0"}
	for _, text := range texts {
		for _, raw := range needles {
			n := foldString(raw)
			want := oracleContains(text, n)
			for trial := 0; trial < 50; trial++ {
				var sizes []int
				for i := 0; i < 20; i++ {
					sizes = append(sizes, 1+rng.IntN(4))
				}
				fm := newFoldMatcher(n)
				if got := fm.part(&chunkedReader{data: []byte(text), sizes: sizes}); got != want {
					t.Fatalf("%q in %q split %v: %v, want %v", raw, text, sizes, got, want)
				}
			}
		}
	}
}

// FuzzFoldMatcher: streaming in random pieces matches the whole-text rule.
func FuzzFoldMatcher(f *testing.F) {
	f.Add("Hello \xc3\xa9World", "LO \xc3\x89w", []byte{1, 2, 3})
	f.Add("\xf0\x9f\x98\x80\xe2\x82", "\xe2\x82", []byte{2, 1})
	f.Fuzz(func(t *testing.T, text, raw string, splits []byte) {
		n := foldString(raw)
		if n == "" {
			return
		}
		sizes := make([]int, len(splits))
		for i, s := range splits {
			sizes[i] = int(s%7) + 1
		}
		fm := newFoldMatcher(n)
		if got, want := fm.part(&chunkedReader{data: []byte(text), sizes: sizes}), oracleContains(text, n); got != want {
			t.Fatalf("%q in %q split %v: %v, want %v", raw, text, sizes, got, want)
		}
	})
}

// bodyCorpus is MIME the BODY search decodes: transfer encodings,
// charsets, nesting, damage.
var bodyCorpus = []string{
	mkmail("Plain body with Straße and ÉCOLE\r\n", "Subject: a"),
	mkmail(base64.StdEncoding.EncodeToString([]byte("base64 encoded secret words, café"))+"\r\n",
		"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"),
	mkmail("Quoted=20printable caf=E9 soft=\r\nbreak here\r\n",
		"Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable"),
	mkmail("--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--b\r\nContent-Type: image/png\r\n\r\nnot text hidden\r\n"+
		"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner subject\r\nFrom: x@y\r\n\r\ninner body text\r\n--b--\r\n",
		"Content-Type: multipart/mixed; boundary=b"),
	mkmail("part one ends here", "Content-Type: multipart/alternative; boundary=zz"), // no boundaries
	mkmail("\xe2\x82 broken utf8 \xff", "Content-Type: text/plain; charset=utf-8"),
	mkmail("unknown charset text", "Content-Type: text/plain; charset=x-unknown-thing"),
	mkmail("unknown encoding text", "Content-Transfer-Encoding: x-weird"),
	"no header at all, just text\r\n",
	mkmail("=?broken", "Content-Type: text/html; charset=koi8-r", "Content-Transfer-Encoding: base64"),
}

// TestBodyContainsMatchesOracle: the streaming BODY search gives what the
// old whole-message one gives, for needles drawn from each message's
// searchable text (so most match) and for absent ones.
func TestBodyContainsMatchesOracle(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	for i, raw := range bodyCorpus {
		checkBodyDifferential(t, rng, i, raw)
	}
}

func checkBodyDifferential(t *testing.T, rng *rand.Rand, i int, raw string) {
	t.Helper()
	hs := int64(len(raw))
	if j := strings.Index(raw, "\r\n\r\n"); j >= 0 {
		hs = int64(j + 4)
	}
	text := oracleBodyText([]byte(raw), int(hs))
	needles := []string{"ZZNOTTHEREZZ", foldString("inner"), foldString("SECRET"), foldString("café")}
	runes := []rune(text)
	for k := 0; k < 30 && len(runes) > 0; k++ {
		a := rng.IntN(len(runes))
		b := min(len(runes), a+1+rng.IntN(12))
		needles = append(needles, string(runes[a:b]))
	}
	for _, n := range needles {
		if strings.ContainsRune(n, 0) {
			continue
		}
		want := strings.Contains(text, n)
		if got := bodyContains(strings.NewReader(raw), int64(len(raw)), hs, n); got != want {
			t.Errorf("message %d, needle %q: %v, want %v", i, n, got, want)
		}
	}
}

// FuzzBodyContains: for any message, streaming agrees with the oracle.
func FuzzBodyContains(f *testing.F) {
	for _, raw := range bodyCorpus {
		f.Add(raw, uint64(1))
	}
	f.Fuzz(func(t *testing.T, raw string, seed uint64) {
		checkBodyDifferential(t, rand.New(rand.NewPCG(seed, 3)), 0, raw)
	})
}

// TestSearchSkipsMissingOrOddFiles: a message whose file is missing, or
// is not a regular file, matches no BODY/TEXT key (as in Cyrus) instead
// of failing the whole SEARCH; the others are still found.
func TestSearchSkipsMissingOrOddFiles(t *testing.T) {
	cands := newBox(t, []testMsg{{raw: plain(1, "a")}, {raw: plain(2, "b")}, {raw: plain(3, "c")}, {raw: plain(4, "d")}})
	dir := t.TempDir()
	cands[1].Open = func() (*os.File, error) { return os.Open(filepath.Join(dir, "gone")) }
	cands[2].Open = func() (*os.File, error) { return os.Open(dir) } // a directory
	for _, key := range []string{"BODY body", "TEXT body", "OR BODY body SUBJECT zz"} {
		got := matched(t, cands, key, Env{})
		if len(got) != 2 || got[0] != 1 || got[1] != 4 {
			t.Errorf("%s matched %v, want [1 4]", key, got)
		}
	}
}

// TestBodySearchMemory: BODY over a large base64 text part streams: the
// allocation does not grow with the message. Figures are logged.
func TestBodySearchMemory(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	path := filepath.Join(dir, "big")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	hdr := "Subject: big\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	f.WriteString(hdr)
	line := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("All work and no play. "), 3)[:57]) + "\r\n"
	for written := 0; written < size; written += len(line) {
		f.WriteString(line)
	}
	f.WriteString(base64.StdEncoding.EncodeToString([]byte("the needle at the end")) + "\r\n")
	fi, _ := f.Stat()
	f.Close()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	found := bodyContains(in, fi.Size(), int64(len(hdr)), foldString("needle at the"))
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("BODY over a %d MiB base64 part: found %v, %d KiB allocated", fi.Size()>>20, found, alloc>>10)
	if !found {
		t.Error("the needle at the end was not found")
	}
	if alloc > 8<<20 {
		t.Errorf("searching %d MiB allocated %d MiB", fi.Size()>>20, alloc>>20)
	}
}

package wire

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// deflated compresses chunks with compress/flate, sync-flushing after each.
func deflated(t testing.TB, level int, chunks ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		fw.Write(c)
		fw.Flush()
	}
	fw.Close()
	return buf.Bytes()
}

func TestInflateAgreesWithCompressFlate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 100<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("a1 FETCH 1:* (FLAGS ENVELOPE)\r\nSubject: hello world\r\n", 3000))
	cases := []struct {
		name   string
		chunks [][]byte
	}{
		{"empty", nil},
		{"one command", [][]byte{[]byte("a1 NOOP\r\n")}},
		{"commands", [][]byte{[]byte("a1 LOGIN u p\r\n"), []byte("a2 SELECT INBOX\r\n"), []byte("a3 LOGOUT\r\n")}},
		{"text beyond the window", [][]byte{text}},
		{"random", [][]byte{random}},
		{"mixed", [][]byte{random[:5000], text[:70000], random[:40000]}},
	}
	for _, tc := range cases {
		for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression} {
			in := deflated(t, level, tc.chunks...)
			got, err := io.ReadAll(NewInflater(bytes.NewReader(in)))
			if err != nil {
				t.Fatalf("%s level %d: %v", tc.name, level, err)
			}
			if want := bytes.Join(tc.chunks, nil); !bytes.Equal(got, want) {
				t.Fatalf("%s level %d: got %d bytes, want %d", tc.name, level, len(got), len(want))
			}
		}
	}
}

// errWouldBlock stands for a client that has sent everything it means to
// until it sees an answer.
var errWouldBlock = errors.New("no more input yet")

type stallingReader struct{ r *bytes.Reader }

func (s stallingReader) ReadByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err == io.EOF {
		return 0, errWouldBlock
	}
	return b, err
}

func (s stallingReader) Read(p []byte) (int, error) { panic("Read not expected") }

// A command ended by a Huffman block and no stored block (zlib's
// Z_PARTIAL_FLUSH, as mbsync sends) must come out without more input.
func TestInflateReturnsAtBlockEnd(t *testing.T) {
	in := deflated(t, flate.DefaultCompression, []byte("a1 NAMESPACE\r\n"))
	// Cut the sync marker's 00 00 ff ff: what is left ends in the middle
	// of the empty stored block's header, like a partial flush.
	cut := bytes.LastIndex(in, []byte{0, 0, 0xff, 0xff})
	f := NewInflater(stallingReader{bytes.NewReader(in[:cut])})
	buf := make([]byte, 100)
	n, err := f.Read(buf)
	if err != nil || string(buf[:n]) != "a1 NAMESPACE\r\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if _, err := f.Read(buf); !errors.Is(err, errWouldBlock) {
		t.Fatalf("second Read: %v, want the source's error", err)
	}
}

func TestInflateRejectsCorruptInput(t *testing.T) {
	for _, in := range [][]byte{
		{0x07},                               // BTYPE 11
		{0x00, 0x05, 0x00, 0x00, 0x00},       // stored LEN/NLEN mismatch
		{0x05, 0xff, 0xff, 0xff, 0xff, 0xff}, // dynamic header, over-subscribed
	} {
		_, err := io.ReadAll(NewInflater(bytes.NewReader(in)))
		if err == nil {
			t.Errorf("%x: no error", in)
		}
	}
}

func FuzzInflate(f *testing.F) {
	f.Add(deflated(f, flate.BestSpeed, []byte("a1 NOOP\r\n")))
	f.Add(deflated(f, flate.HuffmanOnly, []byte("a1 LOGIN user pass\r\n"), []byte("a2 LOGOUT\r\n")))
	f.Add(deflated(f, flate.NoCompression, []byte("abc")))
	f.Add(deflated(f, flate.BestCompression, bytes.Repeat([]byte("xyz"), 1000)))
	f.Add([]byte{0x05, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := io.ReadAll(io.LimitReader(NewInflater(bytes.NewReader(in)), 4<<20))
		want, werr := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(in)), 4<<20))
		if err == nil && werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("inflated %q, compress/flate %q", got, want)
		}
	})
}

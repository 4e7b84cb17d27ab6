package mailbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// TestSpoolLimits: each refusal of SpoolLimits, the size counted after
// bare LF became CRLF, and nothing left in the stage directory.
func TestSpoolLimits(t *testing.T) {
	ctx := context.Background()
	bareLF := strings.Repeat("abcdefgh\n", 100018) // 900,162 bytes, 1,000,180 stored
	cases := []struct {
		name string
		msg  string
		lim  SpoolLimits
		want error
	}{
		{"empty", "", SpoolLimits{}, ErrEmpty},
		{"nul in header", "Subject: a\x00b\r\n\r\nbody\r\n", SpoolLimits{}, ErrNUL},
		{"nul in body", "Subject: a\r\n\r\nbo\x00dy\r\n", SpoolLimits{}, ErrNUL},
		{"nul allowed", "Subject: a\r\n\r\nbo\x00dy\r\n", SpoolLimits{AllowNUL: true}, nil},
		{"bare LF over limit after conversion", bareLF, SpoolLimits{MaxSize: 1000000}, ErrTooLarge},
		{"bare LF under limit", bareLF, SpoolLimits{MaxSize: 1000180}, nil},
		{"CRLF at limit", "Subject: a\r\n\r\nb", SpoolLimits{MaxSize: 15}, nil},
		{"CRLF over limit", "Subject: a\r\n\r\nbc", SpoolLimits{MaxSize: 15}, ErrTooLarge},
	}
	for _, named := range []bool{true, false} {
		for _, tc := range cases {
			dir := t.TempDir()
			var err error
			var p *Prepared
			if named {
				p, err = Spool(ctx, dir, strings.NewReader(tc.msg), tc.lim)
			} else {
				p, err = SpoolUnnamed(ctx, dir, strings.NewReader(tc.msg), tc.lim)
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("%s (named %v): %v", tc.name, named, err)
				}
				p.Remove()
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("%s (named %v): err %v, want %v", tc.name, named, err, tc.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("%s: %d files left in stage", tc.name, len(ents))
			}
		}
	}
}

// TestSpoolChunkBoundaries: whatever sizes the reads come in (one byte at
// a time, a CR ending one read and its LF starting the next), the stored
// bytes, size and GUID are those of the whole message converted at once.
func TestSpoolChunkBoundaries(t *testing.T) {
	ctx := context.Background()
	msgs := []string{
		"Subject: x\r\n\r\nline\r\nbare\nend",
		"\nleading bare LF\n\n",
		"CR then LF across reads\r\n" + strings.Repeat("y", spoolChunk-1) + "\r\nz\n",
		strings.Repeat("q", spoolChunk-1) + "\n" + strings.Repeat("r", spoolChunk) + "\r\n",
		"lone CR\r stays\r",
	}
	for _, m := range msgs {
		want := toCRLF([]byte(m))
		for _, r := range []io.Reader{strings.NewReader(m), iotest.OneByteReader(strings.NewReader(m)), iotest.HalfReader(strings.NewReader(m))} {
			p, err := Spool(ctx, t.TempDir(), r, SpoolLimits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p.Path())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || p.Size() != int64(len(want)) || p.GUID() != newPrepared("", want).guid {
				t.Fatalf("message %q stored as %q (size %d)", trunc([]byte(m)), trunc(got), p.Size())
			}
			ref := newPrepared("", want)
			if !bytes.Equal(p.payload, ref.payload) || p.headerSize != ref.headerSize {
				t.Fatalf("message %q: cache entry differs from the in-memory parse", trunc([]byte(m)))
			}
			p.Remove()
		}
	}
}

// genMessage streams a message of about size bytes, generated on the fly:
// a small multipart whose second part is the bulk.
type genMessage struct {
	head, tail string
	bulk       int64
	pos        int64
}

func newGenMessage(size int64) *genMessage {
	head := "Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nsmall\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	tail := "\r\n--b--\r\n"
	return &genMessage{head: head, tail: tail, bulk: size - int64(len(head)+len(tail))}
}

var genLine = []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n")

func (g *genMessage) Read(p []byte) (int, error) {
	total := int64(len(g.head)) + g.bulk + int64(len(g.tail))
	if g.pos >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.pos < total {
		var c byte
		switch h := int64(len(g.head)); {
		case g.pos < h:
			c = g.head[g.pos]
		case g.pos < h+g.bulk:
			c = genLine[(g.pos-h)%int64(len(genLine))]
		default:
			c = g.tail[g.pos-h-g.bulk]
		}
		p[n] = c
		n++
		g.pos++
	}
	return n, nil
}

// TestSpoolMemoryBounded: spooling a 256 MiB message allocates a few MiB,
// not the message.
func TestSpoolMemoryBounded(t *testing.T) {
	const size = 256 << 20
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p, err := SpoolUnnamed(context.Background(), dir, newGenMessage(size), SpoolLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("spooled %d bytes: %d bytes allocated, heap in use %d -> %d", p.Size(), alloc, before.HeapInuse, after.HeapInuse)
	if p.Size() != size {
		t.Fatalf("size %d, want %d", p.Size(), size)
	}
	if alloc > 8<<20 {
		t.Errorf("spool allocated %d bytes for a %d-byte message", alloc, size)
	}
	if after.HeapInuse > before.HeapInuse+8<<20 {
		t.Errorf("heap in use grew from %d to %d", before.HeapInuse, after.HeapInuse)
	}
	c, err := decodeCached(p.payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Body.Parts) != 2 || c.Body.Parts[1].Size != uint32(size-len(newGenMessage(size).head)-len("\r\n--b--\r\n")) {
		t.Errorf("body structure %+v", c.Body)
	}
}

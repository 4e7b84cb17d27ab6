package mailbox

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestManyBoundariesBounded: a 256 MiB message of nothing but boundary
// lines is spooled with bounded memory into a small cache entry: at most
// maxMIMEParts body-structure entries, the last part taking the rest.
func TestManyBoundariesBounded(t *testing.T) {
	const size = 256 << 20
	hdr := "Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
	line := "--b\r\n"
	body := io.MultiReader(strings.NewReader(hdr), &lineRepeater{line: line, n: size / len(line)})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() { // samples the heap: the parse's live memory is the point
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- top
				return
			case <-tick.C:
			}
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
		}
	}()
	p, err := SpoolUnnamed(context.Background(), t.TempDir(), body, SpoolLimits{})
	close(stop)
	top := <-peak
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	grew := int64(top) - int64(before.HeapInuse)
	c, err := decodeCached(p.payload)
	if err != nil {
		t.Fatal(err)
	}
	parts := countParts(c.Body)
	t.Logf("%d MiB of boundaries: %d parts, cache entry %d KiB, heap in use %d MiB before, grew at most %d MiB",
		p.Size()>>20, parts, len(p.payload)>>10, before.HeapInuse>>20, grew>>20)
	if parts > maxMIMEParts+maxMIMEDepth {
		t.Errorf("%d body-structure entries, want at most %d", parts, maxMIMEParts)
	}
	if len(p.payload) > 2<<20 {
		t.Errorf("cache entry of %d bytes", len(p.payload))
	}
	if grew > 48<<20 {
		t.Errorf("spooling grew the heap by %d MiB", grew>>20)
	}
	last := c.Body.Parts[len(c.Body.Parts)-1]
	if int64(last.Size) < size/2 {
		t.Errorf("the last part holds %d bytes: the rest of the body is not folded into it", last.Size)
	}
}

func countParts(bs *BodyStructure) int {
	if bs == nil {
		return 0
	}
	n := 1 + countParts(bs.Message)
	for _, p := range bs.Parts {
		n += countParts(p)
	}
	return n
}

// lineRepeater yields n copies of line.
type lineRepeater struct {
	line string
	n    int
	off  int
}

func (r *lineRepeater) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && r.n > 0 {
		k := copy(p, r.line[r.off:])
		p, total, r.off = p[k:], total+k, r.off+k
		if r.off == len(r.line) {
			r.off, r.n = 0, r.n-1
		}
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

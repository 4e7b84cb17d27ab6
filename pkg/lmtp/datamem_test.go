package lmtp

import (
	"bufio"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lineSource yields n copies of line without allocating.
type lineSource struct {
	line string
	n    int
	off  int
}

func (s *lineSource) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && s.n > 0 {
		k := copy(p, s.line[s.off:])
		p, total, s.off = p[k:], total+k, s.off+k
		if s.off == len(s.line) {
			s.off, s.n = 0, s.n-1
		}
	}
	if total == 0 && s.n == 0 {
		return 0, io.EOF
	}
	return total, nil
}

// TestReadDataMemory: lmtpd's own part of a 256 MiB DATA, from the
// connection to the stage file, allocates a bounded amount (its buffer
// and the header block), whatever the size of the message. (The spool
// into each mailbox is pkg/mailbox's part; see TestDeliverMemory.)
func TestReadDataMemory(t *testing.T) {
	line := strings.Repeat("m", 1022) + "\r\n"
	n := 256 << 10 // 256 MiB
	in := io.MultiReader(strings.NewReader("Subject: big\r\n\r\n"), &lineSource{line: line, n: n}, strings.NewReader(".\r\n"))
	c := &conn{srv: &Server{}, nc: nopConn{}, r: bufio.NewReaderSize(in, 16<<10)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st, err := c.readData(io.Discard)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(16 + n*len(line)); st.size != want {
		t.Fatalf("size %d, want %d", st.size, want)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("256 MiB DATA: %d bytes allocated while reading", alloc)
	// TotalAlloc is process-wide: background work of earlier tests (and
	// the race detector) counts too, hence a margin far below the 256 MiB
	// that holding the message would take.
	if alloc > 16<<20 {
		t.Errorf("reading 256 MiB of DATA allocated %d bytes", alloc)
	}
}

// TestDeliverMemory: a whole 256 MiB delivery through lmtpd (DATA, stage
// file, spool into the mailbox) keeps the heap bounded: it streams.
func TestDeliverMemory(t *testing.T) {
	_, addr := newTestServer(t, []string{"user.alice"})
	c := dialLMTP(t, addr)
	c.cmd(250, "MAIL FROM:<a@x>")
	c.cmd(250, "RCPT TO:<alice>")
	c.cmd(354, "DATA")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		var max uint64
		for {
			select {
			case <-stop:
				peak <- max
				return
			case <-time.After(50 * time.Millisecond): // sampling period
			}
			runtime.ReadMemStats(&m)
			max = maxOf(max, m.HeapInuse)
		}
	}()
	line := strings.Repeat("m", 1022) + "\r\n"
	io.Copy(c.tp.W, io.MultiReader(strings.NewReader("Subject: big\r\n\r\n"), &lineSource{line: line, n: 256 << 10}, strings.NewReader(".\r\n")))
	c.tp.W.Flush()
	reply := c.expect(250)
	close(stop)
	p := <-peak
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("256 MiB delivery allocated %d MiB in all", alloc>>20)
	// Allocation in all catches a peak the sampling missed: holding the
	// message once would take 256 MiB.
	if alloc > 128<<20 {
		t.Errorf("a 256 MiB delivery allocated %d MiB", alloc>>20)
	}
	t.Logf("256 MiB delivery: %s; heap in use %d MiB before, peak %d MiB", reply, before.HeapInuse>>20, p>>20)
	// HeapInuse is process-wide (the server's other goroutines, the race
	// detector's shadow of the heap is not counted): a margin far below
	// the 256 MiB that holding the message would take.
	if p > before.HeapInuse+32<<20 {
		t.Errorf("heap grew by %d MiB", (p-before.HeapInuse)>>20)
	}
}

func maxOf(a, b uint64) uint64 { return max(a, b) }

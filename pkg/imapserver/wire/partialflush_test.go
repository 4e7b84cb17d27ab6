package wire

import (
	"bufio"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// releasingReader hands out the client's bytes one command at a time: a
// read past what has been released fails, as a client waiting for the
// answer sends nothing more.
type releasingReader struct {
	data []byte
	off  int
	end  int
}

var errNothingSent = errors.New("read past what the client has sent")

func (r *releasingReader) Read(p []byte) (int, error) {
	if r.off == r.end {
		return 0, errNothingSent
	}
	n := copy(p, r.data[r.off:r.end])
	r.off += n
	return n, nil
}

// TestInflatePartialFlushFromZlib feeds what zlib itself produced (the
// fixture) command by command: each command must come out of the
// Inflater before any byte of the next one is sent. Z_PARTIAL_FLUSH (mbsync)
// ends a command with Huffman blocks and no stored block, which a decoder
// that waits for a sync marker never returns.
func TestInflatePartialFlushFromZlib(t *testing.T) {
	f, err := os.ReadFile("testdata/partial_flush.txt")
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string]*releasingReader{}
	var order []string
	type step struct {
		level string
		cmd   []byte
		n     int
	}
	var steps []step
	for _, line := range strings.Split(string(f), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		cmd, err1 := hex.DecodeString(fields[1])
		sent, err2 := hex.DecodeString(fields[2])
		if len(fields) != 3 || err1 != nil || err2 != nil {
			t.Fatalf("bad fixture line %q", line)
		}
		src := streams[fields[0]]
		if src == nil {
			src = &releasingReader{}
			streams[fields[0]] = src
			order = append(order, fields[0])
		}
		src.data = append(src.data, sent...)
		steps = append(steps, step{fields[0], cmd, len(sent)})
	}
	for _, level := range order {
		src := streams[level]
		// The session's Reader wraps its buffered reader, as Wrap does.
		inf := NewInflater(bufio.NewReaderSize(src, readBufferSize))
		for _, st := range steps {
			if st.level != level {
				continue
			}
			src.end += st.n
			got := make([]byte, len(st.cmd))
			if _, err := io.ReadFull(inf, got); err != nil {
				t.Fatalf("level %s: reading %q: %v", level, st.cmd[:min(len(st.cmd), 30)], err)
			}
			if string(got) != string(st.cmd) {
				t.Fatalf("level %s: got %q, want %q", level, got, st.cmd)
			}
		}
	}
}

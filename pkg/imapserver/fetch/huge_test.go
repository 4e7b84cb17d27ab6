package fetch

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gocyrus/internal/hugemsg"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// memoryBound is what one FETCH of the huge message may allocate: buffers,
// never the message or a part of it.
const memoryBound = 4 << 20

// countingWriter counts what it is given and keeps only the start.
type countingWriter struct {
	n    int64
	head []byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if room := 256 - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(room, len(p))]...)
	}
	c.n += int64(len(p))
	return len(p), nil
}

// TestFetchHugeMessageInBoundedMemory fetches sections of a 256 MiB (hugemsg.Size)
// message (a base64 part and a quoted-printable part that is one line of
// 128 MiB) and checks that each FETCH allocates a few MiB at most, that
// is, streams the file: reading the message, a part or a line into memory
// would allocate over a hundred.
func TestFetchHugeMessageInBoundedMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "1.")
	l, err := hugemsg.Write(path, hugemsg.Size)
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{Seq: 1, UID: 1, Record: mailbox.Record{UID: 1, Size: uint32(l.Size)},
		Open: func() (*os.File, error) { return os.Open(path) }}
	lit := func(n int64) string { return "{" + strconv.FormatInt(n, 10) + "}\r\n" }
	for _, tc := range []struct {
		items string
		head  string // how the answer starts
	}{
		{"BODY.PEEK[]", "BODY[] " + lit(l.Size)},
		{"BINARY.SIZE[1]", "BINARY.SIZE[1] " + strconv.FormatInt(l.Part1Decoded, 10)},
		{"BINARY.PEEK[1]", "BINARY[1] ~" + lit(l.Part1Decoded)}, // the bytes hold NUL
		{"BINARY.SIZE[2]", "BINARY.SIZE[2] " + strconv.FormatInt(l.Part2Decoded, 10)},
		{"BINARY.PEEK[2]", "BINARY[2] " + lit(l.Part2Decoded)},
		{"BODY.PEEK[1]<0.100>", "BODY[1]<0> {100}\r\n"},
		{"BODY.PEEK[2]<10000000.100>", "BODY[2]<10000000> {100}\r\n"},
		{"BINARY.PEEK[2]<4000000.100>", "BINARY[2]<4000000> {100}\r\nAAAA"},
		{"BODY.PEEK[2.MIME] BODY.PEEK[TEXT]<0.10>", "BODY[2.MIME] {"},
	} {
		var out countingWriter
		var ferr error
		start := time.Now()
		u := hugemsg.Measure(func() {
			w := wire.NewWriter(&out)
			_, ferr = Write(w, m, parseItems(t, tc.items))
			if ferr == nil {
				ferr = w.Flush()
			}
		})
		if ferr != nil {
			t.Fatalf("%s: %v", tc.items, ferr)
		}
		hugemsg.Bound(t, tc.items+" ("+strconv.FormatInt(out.n, 10)+" bytes in "+time.Since(start).Round(time.Millisecond).String()+")", u, memoryBound)
		if !bytes.HasPrefix(out.head, []byte(tc.head)) {
			t.Errorf("%s: answer starts %q, want %q", tc.items, out.head, tc.head)
		}
	}
}

package wire

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"
)

// Responses written through pooled compressors, one per response, form a
// single valid raw DEFLATE stream.
func TestDeflaterStreamAcrossResponses(t *testing.T) {
	var conn bytes.Buffer
	d := NewDeflater(&conn)
	if err := d.Flush(); err != nil || conn.Len() != 0 {
		t.Fatalf("Flush with nothing written sent %d bytes (%v)", conn.Len(), err)
	}
	var want strings.Builder
	for i, resp := range []string{"* OK hello\r\n", strings.Repeat("* 1 FETCH (FLAGS (\\Seen))\r\n", 500), "a3 OK done\r\n"} {
		want.WriteString(resp)
		if _, err := io.WriteString(d, resp); err != nil {
			t.Fatal(err)
		}
		if err := d.Flush(); err != nil {
			t.Fatal(err)
		}
		if d.fw != nil {
			t.Fatalf("response %d: compressor kept after Flush", i)
		}
		// Everything so far decodes without the stream's end.
		got := make([]byte, want.Len())
		if _, err := io.ReadFull(NewInflater(bytes.NewReader(conn.Bytes())), got); err != nil || string(got) != want.String() {
			t.Fatalf("response %d: %v", i, err)
		}
	}
	got, err := io.ReadAll(flate.NewReader(io.MultiReader(&conn, bytes.NewReader([]byte{1, 0, 0, 0xff, 0xff}))))
	if err != nil || string(got) != want.String() {
		t.Fatalf("compress/flate read %d bytes, %v", len(got), err)
	}
}

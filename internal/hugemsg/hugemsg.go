// Package hugemsg writes a huge test message and measures what a piece of
// code allocates, so that tests can show a server sends a message of
// hundreds of MiB in bounded memory (FETCH, RETR, TOP). Test use only.
package hugemsg

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// Layout says what Write wrote, for checking the answers.
type Layout struct {
	Size int64 // the whole file
	// Part1Decoded is the decoded size of part 1 (base64, 76-character
	// lines); Part2Decoded of part 2 (quoted-printable: a line starting
	// with ".", then one line without a break holding "=41" over and
	// over, hostile to anything that reads a line at a time).
	Part1Decoded, Part2Decoded int64
	Part1Encoded               int64 // part 1's body as stored
}

// DotLine is part 2's first line, which a POP3 server must dot-stuff.
const DotLine = ".a line starting with a dot"

// Write writes a multipart/mixed message of about size bytes to path,
// CRLF line ends: half of it part 1, the rest part 2.
func Write(path string, size int64) (Layout, error) {
	f, err := os.Create(path)
	if err != nil {
		return Layout{}, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var l Layout
	head := "From: big@example.org\r\nTo: bob@example.org\r\nSubject: huge\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	w.WriteString(head)
	raw := make([]byte, 57)
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(raw)))
	lines := (size / 2) / 78
	for i := int64(0); i < lines; i++ {
		for j := range raw {
			raw[j] = byte(i + int64(j))
		}
		base64.StdEncoding.Encode(enc, raw)
		if i > 0 {
			w.WriteString("\r\n")
		}
		w.Write(enc)
	}
	l.Part1Decoded = lines * int64(len(raw))
	l.Part1Encoded = lines*78 - 2
	mid := "\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + DotLine + "\r\n"
	w.WriteString(mid)
	tail := "\r\n--b--\r\n"
	used := int64(len(head)) + l.Part1Encoded + int64(len(mid)) + int64(len(tail))
	runs := max(size-used, 3) / 3
	chunk := strings.Repeat("=41", 4096)
	for left := runs; left > 0; {
		n := min(left, 4096)
		w.WriteString(chunk[:3*n])
		left -= n
	}
	w.WriteString(tail)
	l.Part2Decoded = int64(len(DotLine)) + 2 + runs
	l.Size = used + 3*runs
	if err := w.Flush(); err != nil {
		f.Close()
		return l, err
	}
	if err := f.Close(); err != nil {
		return l, err
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != l.Size {
		return l, fmt.Errorf("hugemsg: wrote %v bytes, meant %d (%v)", fi.Size(), l.Size, err)
	}
	return l, nil
}

// Usage is what a measured function allocated.
type Usage struct {
	TotalAlloc uint64 // bytes allocated during the call, freed or not
	HeapInuse  int64  // growth of the heap in use across the call
}

func (u Usage) String() string {
	return fmt.Sprintf("allocated %.2f MiB, heap in use %+.2f MiB", float64(u.TotalAlloc)/(1<<20), float64(u.HeapInuse)/(1<<20))
}

// Measure runs f between two garbage collections and reports what it
// allocated. Run nothing else in the process meanwhile (no t.Parallel).
func Measure(f func()) Usage {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return Usage{TotalAlloc: after.TotalAlloc - before.TotalAlloc, HeapInuse: int64(after.HeapInuse) - int64(before.HeapInuse)}
}

// Bound fails t when u passes limit bytes allocated or held, and logs u
// with what was measured either way.
func Bound(t testing.TB, what string, u Usage, limit uint64) {
	t.Helper()
	t.Logf("%s: %v", what, u)
	if u.TotalAlloc > limit || u.HeapInuse > int64(limit) {
		t.Errorf("%s: %v, over the bound of %d MiB: the message is being read into memory", what, u, limit>>20)
	}
}

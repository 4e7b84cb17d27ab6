package mailbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
)

func encodeBinary(t testing.TB, in string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := EncodeBinary(&out, strings.NewReader(in), int64(len(in)))
	return out.String(), err
}

func TestEncodeBinary(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"text kept, bare LF made CRLF", "Subject: a\n\nline\nnext\n", "Subject: a\r\n\r\nline\r\nnext\r\n"},
		{"top-level binary", "Subject: b\r\nContent-Transfer-Encoding: binary\r\n\r\nx\x00y\nz\n",
			"Subject: b\r\nContent-Transfer-Encoding: base64\r\n\r\neAB5CnoK\r\n"},
		{"folded CTE field replaced", "Content-Transfer-Encoding:\r\n binary\r\nX: y\r\n\r\nab",
			"Content-Transfer-Encoding: base64\r\nX: y\r\n\r\nYWI=\r\n"},
		{"NUL in 8bit part: CTE added, lines CRLF", "Subject: c\r\n\r\na\x00\nb",
			"Subject: c\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("a\x00\r\nb")) + "\r\n"},
		{"multipart: delimiter CRLF is not content",
			"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\n--b\nContent-Transfer-Encoding: binary\n\n\x01\n\n--b\r\nContent-Type: text/plain\r\n\r\nt\n--b--\nepi\n",
			"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\nAQo=\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nt\r\n--b--\r\nepi\r\n"},
		{"message/rfc822 inside", "Content-Type: message/rfc822\r\n\r\nContent-Transfer-Encoding: binary\r\n\r\n\x00",
			"Content-Type: message/rfc822\r\n\r\nContent-Transfer-Encoding: base64\r\n\r\nAA==\r\n"},
		{"long base64 lines", "Content-Transfer-Encoding: binary\r\n\r\n" + strings.Repeat("\x00", 60),
			"Content-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("A", 76) + "\r\nAAAA\r\n"},
	}
	for _, tc := range tests {
		got, err := encodeBinary(t, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
}

func TestEncodeBinaryRefuses(t *testing.T) {
	for _, in := range []string{
		"Subject: a\x00\r\n\r\nx",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n\x00\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"Content-Transfer-Encoding: quoted-printable\r\n\r\na\x00",
	} {
		if _, err := encodeBinary(t, in); !errors.Is(err, ErrNUL) {
			t.Errorf("%q: %v, want ErrNUL", in, err)
		}
	}
	deep := strings.Repeat("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n", 100)
	if _, err := encodeBinary(t, deep); !errors.Is(err, ErrNotStorable) {
		t.Errorf("deep nesting: %v, want ErrNotStorable", err)
	}
	big := "X: " + strings.Repeat("a", maxBinaryHeader) + "\r\n\r\nx"
	if _, err := encodeBinary(t, big); !errors.Is(err, ErrNotStorable) {
		t.Errorf("huge header: %v, want ErrNotStorable", err)
	}
}

// TestOpenBinaryFile: the streamed (file-backed) form equals the
// in-memory one, and closing it early ends its writer.
func TestOpenBinaryFile(t *testing.T) {
	in := "Content-Transfer-Encoding: binary\r\n\r\n" + strings.Repeat("a\x00\nb\r\n", 50000)
	want, err := encodeBinary(t, in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rc, err := OpenBinary(context.Background(), dir, strings.NewReader(in), int64(len(in)), 100)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != want {
		t.Fatalf("streamed form differs (%d bytes, %v; want %d)", len(got), err, len(want))
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	rc, err = OpenBinary(context.Background(), dir, strings.NewReader(in), int64(len(in)), 100)
	if err != nil {
		t.Fatal(err)
	}
	rc.Read(make([]byte, 10))
	if err := rc.Close(); err != nil { // must not hang
		t.Fatal(err)
	}
}

// FuzzEncodeBinary: never a panic, and what is kept holds no NUL and no
// bare LF (the store's CRLF invariant).
func FuzzEncodeBinary(f *testing.F) {
	f.Add("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\nContent-Transfer-Encoding: binary\n\n\x00\n--b--\n")
	f.Add("Subject: x\n\nbody\x00\n")
	f.Add("Content-Type: message/rfc822\r\n\r\nContent-Transfer-Encoding: binary\r\n\r\n\x00")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := encodeBinary(t, in)
		if err != nil {
			return
		}
		if strings.IndexByte(out, 0) >= 0 {
			t.Fatalf("NUL kept: %q -> %q", in, out)
		}
		if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
			t.Fatalf("bare LF kept: %q -> %q", in, out)
		}
	})
}

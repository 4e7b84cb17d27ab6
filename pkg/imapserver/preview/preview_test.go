package preview

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// of runs Of over a message given as a string.
func of(msg string) string {
	hs := strings.Index(msg, "\r\n\r\n")
	if hs < 0 {
		hs = len(msg)
	} else {
		hs += 4
	}
	return Of(strings.NewReader(msg), int64(len(msg)), int64(hs))
}

func TestOf(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct{ name, msg, want string }{
		{"plain, white space collapsed",
			"Subject: hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello   world,\r\n\r\nthis is\ta   preview test.\r\n",
			"Hello world, this is a preview test."},
		{"no Content-Type is text/plain", "Subject: x\r\n\r\n  \r\n body\r\n", "body"},
		{"quoted-printable latin-1 html, head and tags stripped",
			"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" +
				"Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"<html><head><title>T</title><style>p{}</style></head><body><p>Caf=E9 &amp; <b>bold</b></p>\r\n" +
				"<p>next</p><!-- a > comment --><script>x<y</script>&#233;&#xE9;&nbsp;&bogus; a < b</body></html>\r\n--b--\r\n",
			"Café & bold next éé &bogus; a < b"},
		{"base64 utf-8",
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZSBhdXMgS8O2bG4=\r\n",
			"Grüße aus Köln"},
		{"first text part after an image and an attachment",
			"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: image/png\r\n\r\nPNG\r\n" +
				"--x\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nattached\r\n" +
				"--x\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--y--\r\n--x--\r\n",
			"inner text"},
		{"attached message skipped",
			"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nhidden\r\n--x--\r\n", ""},
		{"no text part", "Content-Type: image/gif\r\n\r\nGIF89a\r\n", ""},
		{"unknown charset: bytes kept, invalid UTF-8 replaced",
			"Content-Type: text/plain; charset=x-unknown\r\n\r\nab\xffc\r\n", "ab\uFFFDc"},
		{"NUL and control characters are white space", "Subject: x\r\n\r\na\x00b\x01\x1bc\r\n", "a b c"},
		{"cut at 256 characters without a trailing space", "Subject: x\r\n\r\n" + long,
			strings.Repeat("word ", 51) + "w"},
		{"attribute with > in quotes", "Content-Type: text/html\r\n\r\n<a title=\"x>y\">link</a>", "link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := of(tc.msg)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			checkPreview(t, got)
		})
	}
}

// checkPreview holds for every preview: UTF-8, at most MaxChars
// characters, no control characters, no leading, trailing or double space.
func checkPreview(t testing.TB, p string) {
	t.Helper()
	if !utf8.ValidString(p) || utf8.RuneCountInString(p) > MaxChars || strings.TrimSpace(p) != p ||
		strings.Contains(p, "  ") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		t.Fatalf("bad preview %q", p)
	}
}

// A huge message with no line break, and deep nesting, are read only as
// far as the bounds allow.
func TestOfBounded(t *testing.T) {
	huge := &countingReader{size: 50 << 20, header: "Content-Type: text/html\r\n\r\n<"}
	if got := Of(huge, huge.size, int64(len(huge.header))-1); got != "" {
		t.Errorf("one unclosed tag of 50 MB: %q", got)
	}
	if huge.read > maxScan+16<<10 {
		t.Errorf("read %d bytes of a 50 MB text part, bound %d", huge.read, maxScan)
	}
	att := &countingReader{size: 50 << 20, header: "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n\r\n"}
	if got := Of(att, att.size, 44); got != "" {
		t.Errorf("50 MB attachment: %q", got)
	}
	if att.read > maxRead+16<<10 {
		t.Errorf("read %d bytes of a 50 MB message, bound %d", att.read, maxRead)
	}
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		b.WriteString("Content-Type: multipart/mixed; boundary=b" + itoa(i) + "\r\n\r\n--b" + itoa(i) + "\r\n")
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
	if got := of(b.String()); got != "" {
		t.Errorf("text 1000 multiparts deep: %q", got)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// countingReader is a message of size bytes, a header then "a"s, built on
// the fly, counting what is read.
type countingReader struct {
	size   int64
	header string
	read   int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off+int64(n) < c.size {
		i := off + int64(n)
		if i < int64(len(c.header)) {
			p[n] = c.header[i]
		} else {
			p[n] = 'a'
		}
		n++
	}
	c.read += int64(n)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

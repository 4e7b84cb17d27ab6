package fetch

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeAll decodes in whole and one byte at a time (which splits escapes
// and quanta everywhere), checks that both and decodedSize agree, and
// returns the decoding.
func decodeAll(t testing.TB, enc, in string) string {
	t.Helper()
	out, err := io.ReadAll(newDecoder(enc, strings.NewReader(in)))
	if err != nil {
		t.Fatalf("%s %.30q: %v", enc, in, err)
	}
	split, err := io.ReadAll(newDecoder(enc, iotest.OneByteReader(strings.NewReader(in))))
	if err != nil || string(split) != string(out) {
		t.Fatalf("%s %.30q: one byte at a time gives %.40q, %v; whole %.40q", enc, in, split, err, out)
	}
	size, _, err := decodedSize(newDecoder(enc, strings.NewReader(in)))
	if err != nil || size != int64(len(out)) {
		t.Fatalf("decodedSize = %d, %v; decoded %d", size, err, len(out))
	}
	return string(out)
}

func TestBase64(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"aGVsbG8=", "hello"},
		{"aGVs\r\nbG8=\r\n", "hello"},
		{"aGVsbA==", "hell"},
		{"aGVsbA", "hell"},       // padding missing
		{"aGVs!!bG8*=", "hello"}, // garbage skipped
		{"aA==aGk=", "hhi"},      // concatenated encodings
		{"a", ""},                // a lone sextet is no byte
		{"AAEC/w==", "\x00\x01\x02\xff"},
	}
	for _, tt := range tests {
		if got := decodeAll(t, "base64", tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuotedPrintable(t *testing.T) {
	long := strings.Repeat("x", 9000)
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain\r\n", "plain\r\n"},
		{"bare LF\n", "bare LF\r\n"},
		{"soft=\r\nbreak\r\n", "softbreak\r\n"},
		{"soft=  \r\nbreak", "softbreak"},
		{"trailing   \t\r\nx", "trailing\r\nx"},
		{"=3D=3d=C3=A9", "==\xc3\xa9"},
		{"=ZZ =4 =", "=ZZ =4 "},
		{"end=", "end"},
		{long + "=41" + long + "\r\n", long + "A" + long + "\r\n"},
		{long[:8191] + "=41\r\n", long[:8191] + "A\r\n"},
		{long[:8190] + "=41\r\n", long[:8190] + "A\r\n"},
	}
	for _, tt := range tests {
		if got := decodeAll(t, "quoted-printable", tt.in); got != tt.want {
			t.Errorf("%.30q: got %.40q (%d), want %.40q (%d)", tt.in, got, len(got), tt.want, len(tt.want))
		}
	}
}

// TestHeaderText: envelope text is ASCII as it is, UTF-8 as an RFC 2047
// utf-8 word, and raw bytes that are not UTF-8 (an unencoded Latin-1
// header) become 'X' as Cyrus sends them, never a utf-8 word holding them.
func TestHeaderText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"caf\xe9 cr\xe8me raw":    "cafX crXme raw",
		"Andr\xe9":                "AndrX",
		"café":                    "=?utf-8?q?caf=C3=A9?=",
		"caf\xe9 café":            "=?utf-8?q?cafX_caf=C3=A9?=",
		"\xff\xfe":                "XX",
		"tab\tand\x01control\xe9": "=?utf-8?q?tab=09and=01controlX?=",
	} {
		if got := headerText(in); got != want {
			t.Errorf("headerText(%q) = %q, want %q", in, got, want)
		}
	}
}

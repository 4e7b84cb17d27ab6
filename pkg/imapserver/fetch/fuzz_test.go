package fetch

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"gocyrus/pkg/imapserver/wire"
)

// FuzzSections fetches random sections of random messages: no panic, and
// every answer is either a framed response or an error before any output.
func FuzzSections(f *testing.F) {
	specs := []string{
		"BODY[]", "BODY[1.2.3]<1.5>", "BODY[2.HEADER.FIELDS (a b)]", "BODY[1.MIME] BODY[3.TEXT]",
		"BINARY[1] BINARY.SIZE[2.1]", "RFC822.HEADER RFC822.TEXT", "BODY[HEADER.FIELDS.NOT (subject)]<2.3>",
	}
	for i, m := range append([]string{nestedMessage, rfc3501Message}, malformedMessages...) {
		f.Add([]byte(m), specs[i%len(specs)])
	}
	f.Fuzz(func(t *testing.T, raw []byte, spec string) {
		if strings.ContainsAny(spec, "\r\n{") {
			return
		}
		r := wire.NewReader(strings.NewReader("a FETCH 1 ("+spec+")\r\n"), wire.Options{})
		if _, err := r.ReadCommand(); err != nil {
			return
		}
		c, err := wire.ParseFetch(r, false)
		if err != nil {
			return
		}
		m := fileMessage(t, raw)
		out, _, err := render(m, c.Items)
		var we *wire.Error
		switch {
		case errors.Is(err, errUnframed):
			t.Fatalf("unframed output %q", out)
		case err != nil && !errors.As(err, &we) && !strings.HasPrefix(err.Error(), "fetch: no mailbox view"):
			t.Fatalf("%s: %v", spec, err)
		}
	})
}

// FuzzDecoders checks that the decoders never fail and that reading in
// pieces, reading whole and counting agree.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{"aGVsbG8=", "a=\r\nb=3D", "=4", strings.Repeat("=", 5000) + "\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, enc := range []string{"base64", "quoted-printable"} {
			whole, err := io.ReadAll(newDecoder(enc, strings.NewReader(string(in))))
			if err != nil {
				t.Fatal(err)
			}
			split, err := io.ReadAll(newDecoder(enc, iotest.HalfReader(strings.NewReader(string(in)))))
			if err != nil || string(split) != string(whole) {
				t.Fatalf("%s: split %q whole %q", enc, split, whole)
			}
			if n, _, err := decodedSize(newDecoder(enc, strings.NewReader(string(in)))); err != nil || n != int64(len(whole)) {
				t.Fatalf("%s: size %d, decoded %d", enc, n, len(whole))
			}
		}
	})
}

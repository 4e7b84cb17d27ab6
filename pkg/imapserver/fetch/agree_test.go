package fetch

import (
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
)

// partSizes lists every part number of a cached structure with the size
// the cache recorded for it, numbering as RFC 3501 does.
func partSizes(bs *mailbox.BodyStructure, prefix string, isMessage bool, out map[string]uint32) {
	switch {
	case len(bs.Parts) > 0:
		for i, p := range bs.Parts {
			path := prefix + itoa(i+1)
			out[path] = p.Size
			partSizes(p, path+".", false, out)
		}
	case isMessage:
		path := prefix + "1"
		out[path] = bs.Size
		partSizes(bs, path+".", false, out)
	case bs.Message != nil:
		partSizes(bs.Message, prefix, true, out)
	}
}

// TestPartsAgreeWithCache checks that the file walker finds every part the
// cached BODYSTRUCTURE describes, with the size it gives, malformed
// messages included.
func TestPartsAgreeWithCache(t *testing.T) {
	msgs := append([]string{nestedMessage, rfc3501Message}, malformedMessages...)
	b := newBox(t, msgs...)
	for i := range msgs {
		m := b.message(i)
		c, err := b.view.Cached(m.Record)
		if err != nil {
			t.Fatal(err)
		}
		sizes := map[string]uint32{}
		partSizes(c.Body, "", true, sizes)
		for path, size := range sizes {
			got, _, err := render(m, parseItems(t, "BODY.PEEK["+path+"]"))
			if err != nil {
				t.Fatalf("message %d BODY[%s]: %v", i, path, err)
			}
			got = strings.TrimPrefix(got, "BODY["+path+"] ")
			want := `""`
			if size > 0 {
				want = "{" + itoa(int(size)) + "}"
			}
			if !strings.HasPrefix(got, want) {
				t.Errorf("message %d %q: BODY[%s] = %.40q, cache says %d octets", i, msgs[i], path, got, size)
			}
		}
	}
}

// TestMalformed fetches every kind of section from broken messages.
func TestMalformed(t *testing.T) {
	items := "BODY[] BODY[HEADER] BODY[TEXT] BODY[1] BODY[1.MIME] BODY[1.1] BODY[2] BODY[1.HEADER] " +
		"BODY[1.TEXT] BODY[HEADER.FIELDS (subject)] BODY[1.HEADER.FIELDS.NOT (x)] BINARY[1] BINARY.SIZE[1.1] " +
		"BODYSTRUCTURE ENVELOPE"
	b := newBox(t, malformedMessages...)
	for i := range malformedMessages {
		if _, _, err := render(b.message(i), parseItems(t, items)); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
}

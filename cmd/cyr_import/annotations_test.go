package main

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"gocyrus/internal/cyrusfixture"
	"gocyrus/pkg/cyrusdbfile"
	"gocyrus/pkg/cyrusindex"
)

// newer3x is a value as Cyrus 3.x writes it: 2.4's fields, then a u64
// modseq and a flags byte.
func newer3x(value string) []byte {
	b := cyrusfixture.AnnotationValue24(value, "text/plain", 0)
	b = binary.BigEndian.AppendUint64(b, 42)
	return append(b, 0)
}

// Issue 16: the value of an annotations.db record is read from every
// shape Cyrus wrote it in: 2.4's (length word, value, content type,
// modifiedsince; the words 8 bytes on 64-bit machines, 4 on 32-bit ones),
// 3.x's (the same then a modseq and flags), and the values the real Cyrus
// 3.6.1 wrote (test/compat/cyrus-tree).
func TestAnnotationValueShapes(t *testing.T) {
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"2.4 64-bit":            {cyrusfixture.AnnotationValue24("work things", "text/plain", 1300000000), "work things"},
		"2.4 32-bit":            {cyrusfixture.AnnotationValue24Word4("work things", "text/plain", 1300000000), "work things"},
		"2.4 empty":             {cyrusfixture.AnnotationValue24("", "text/plain", 0), ""},
		"2.4 32-bit empty":      {cyrusfixture.AnnotationValue24Word4("", "text/plain", 0), ""},
		"2.4 NULs in value":     {cyrusfixture.AnnotationValue24("a\x00b", "application/octet-stream", 0), "a\x00b"},
		"2.4 32-bit short":      {cyrusfixture.AnnotationValue24Word4("ab", "text/plain", 7), "ab"},
		"3.x":                   {newer3x("notes"), "notes"},
		"3.x short":             {newer3x("ab"), "ab"},
		"3.x empty":             {newer3x(""), ""},
		"length and value only": {append([]byte{0, 0, 0, 2, 0, 0, 0, 0}, "hi"...), "hi"},
	}
	for name, c := range cases {
		got, err := cyrusindex.ParseAnnotationValue(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, c.want)
		}
	}
	recs, _, err := cyrusdbfile.ReadFile(filepath.Join("..", "..", "test", "compat", "cyrus-tree", "conf", "annotations.db"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"alice notes": true, "work things": true}
	for _, r := range recs {
		got, err := cyrusindex.ParseAnnotationValue(r.Value)
		if err != nil {
			t.Fatalf("%q: %v", r.Key, err)
		}
		delete(want, string(got))
	}
	if len(want) != 0 {
		t.Errorf("values of the real 3.6.1 database not read: %v", want)
	}
}

// Damaged values are errors, never panics or reads past the record.
func TestAnnotationValueHostile(t *testing.T) {
	for _, v := range [][]byte{nil, {0}, {0, 0, 0, 9, 0, 0, 0, 0, 'a'}, {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0, 0}} {
		if got, err := cyrusindex.ParseAnnotationValue(v); err == nil {
			t.Errorf("%q: %q, no error", v, got)
		}
	}
}

func FuzzAnnotationValue(f *testing.F) {
	f.Add(cyrusfixture.AnnotationValue24("work things", "text/plain", 1))
	f.Add(cyrusfixture.AnnotationValue24Word4("x", "text/plain", 1))
	f.Add(newer3x("notes"))
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := cyrusindex.ParseAnnotationValue(v)
		if err == nil && len(got) > len(v) {
			t.Fatal("value longer than the record")
		}
	})
}

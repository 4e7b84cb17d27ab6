package cyrusindex

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseListValue(t *testing.T) {
	good := "%(T e I 0123456789abcdefghijklmn P default V 1700000000 C 1 F 2 M 1700000001 A %(dbw lrswipkxtecdan anyone lr))"
	v, err := ParseListValue([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := ListValue{Type: "e", UniqueID: "0123456789abcdefghijklmn", Partition: "default", UIDValidity: 1700000000,
		MTime: 1700000001, CreatedModseq: 1, FolderModseq: 2,
		ACL: []ACLPair{{"dbw", "lrswipkxtecdan"}, {"anyone", "lr"}}}
	v.D = DList{}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("got %+v\nwant %+v", v, want)
	}
	for _, bad := range []string{
		"", "garbage(", "%(T e", "(T e)", "%(T e) x", "%(V x)", "%(V 4294967296)", "%(M -1)",
		"%(A (x lr))", "%(A %(x (l r)))", "%(T (e))", "%(T e\x00)", "%(P " + strings.Repeat("x", maxValue) + ")",
	} {
		if _, err := ParseListValue([]byte(bad)); !errors.Is(err, ErrValue) {
			t.Errorf("%.40q: err %v, want ErrValue", bad, err)
		}
	}
}

func TestParseQuotaValue(t *testing.T) {
	for _, c := range []struct {
		in          string
		used, limit map[string]int64
	}{
		{"%(S (10 1000) M (1 50) AS (0) NF (2) MODSEQ 7)",
			map[string]int64{"S": 10, "M": 1, "AS": 0, "NF": 2}, map[string]int64{"S": 1000, "M": 50, "AS": -1, "NF": -1}},
		{"%(S (0 -1))", map[string]int64{"S": 0}, map[string]int64{"S": -1, "M": -1, "AS": -1, "NF": -1}},
		{"2048\n100\n", map[string]int64{"S": 2048}, map[string]int64{"S": 100, "M": -1, "AS": -1, "NF": -1}},
	} {
		q, err := ParseQuotaValue([]byte(c.in))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(q.Used, c.used) || !reflect.DeepEqual(q.Limit, c.limit) {
			t.Errorf("%q: %v %v, want %v %v", c.in, q.Used, q.Limit, c.used, c.limit)
		}
	}
	for _, bad := range []string{"", "x", "1 2 3", "%(S (x))", "%(S 1)", "%(S (1 2 3))", "%(X (1 2))",
		"%(MODSEQ x)", "%(S (1 2)) junk", "%(S (1\x00 2))", "1 x"} {
		if _, err := ParseQuotaValue([]byte(bad)); !errors.Is(err, ErrValue) {
			t.Errorf("%q: err %v, want ErrValue", bad, err)
		}
	}
}

func TestParseSeenValue(t *testing.T) {
	v, err := ParseSeenValue([]byte("1 1796673557 3 1796673558 1:2,3"))
	if want := (SeenValue{1796673557, 3, 1796673558, "1:2,3"}); err != nil || v != want {
		t.Errorf("got %+v %v, want %+v", v, err, want)
	}
	if v, err := ParseSeenValue([]byte("1 0 0 0 ")); err != nil || v != (SeenValue{}) {
		t.Errorf("empty seen set: %+v %v", v, err)
	}
	for _, bad := range []string{"", "2 0 0 0 1", "1 0 0", "1 x 0 0 1", "1 0 -1 0 1", "1 0 0 0 1 2", "1 0 0 0 1\x00", "1 0 0 0 a"} {
		if _, err := ParseSeenValue([]byte(bad)); !errors.Is(err, ErrValue) {
			t.Errorf("%q: err %v, want ErrValue", bad, err)
		}
	}
}

func TestInternalName(t *testing.T) {
	for in, want := range map[string]string{
		"user\x1falice\x1fWork":      "user.alice.Work",
		"example.com\x1duser\x1fbob": "example.com!user.bob",
		"example.com!user\x1fbob":    "example.com!user.bob",
		"shared\x1fa.b":              "shared.a^b",
	} {
		if got := InternalName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestParseAnnotation(t *testing.T) {
	id, entry, user, err := ParseAnnotationKey([]byte("abc\x00/comment\x00cyrus\x00"))
	if err != nil || id != "abc" || entry != "/comment" || user != "cyrus" {
		t.Errorf("key: %q %q %q %v", id, entry, user, err)
	}
	for _, bad := range []string{"", "abc", "abc\x00/c", "abc\x00comment\x00\x00", "a\x00/c\x00u\x00x"} {
		if _, _, _, err := ParseAnnotationKey([]byte(bad)); !errors.Is(err, ErrValue) {
			t.Errorf("key %q: %v, want ErrValue", bad, err)
		}
	}
	v, err := ParseAnnotationValue([]byte("\x00\x00\x00\x02\x00\x00\x00\x00hi\x00text/plain\x00"))
	if err != nil || string(v) != "hi" {
		t.Errorf("value: %q %v", v, err)
	}
	for _, bad := range []string{"", "\x00\x00\x00", "\x00\x00\x00\x05\x00\x00\x00\x00hi", "\xff\xff\xff\xff\x00\x00\x00\x00"} {
		if _, err := ParseAnnotationValue([]byte(bad)); !errors.Is(err, ErrValue) {
			t.Errorf("value %q: %v, want ErrValue", bad, err)
		}
	}
}

// FuzzParseValues: no value panics any of the value readers, and a
// refusal is always ErrValue.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"%(T e I x P default V 1 A %(a lr))", "%(S (1 2) M (3))", "1 2", "1 0 0 0 1:3", "{3+}\r\nabc", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for name, parse := range map[string]func([]byte) error{
			"list":  func(b []byte) error { _, err := ParseListValue(b); return err },
			"quota": func(b []byte) error { _, err := ParseQuotaValue(b); return err },
			"seen":  func(b []byte) error { _, err := ParseSeenValue(b); return err },
			"akey":  func(b []byte) error { _, _, _, err := ParseAnnotationKey(b); return err },
			"aval":  func(b []byte) error { _, err := ParseAnnotationValue(b); return err },
		} {
			if err := parse(b); err != nil && !errors.Is(err, ErrValue) {
				t.Errorf("%s %q: %v is not ErrValue", name, b, err)
			}
		}
	})
}

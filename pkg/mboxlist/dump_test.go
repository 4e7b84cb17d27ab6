package mboxlist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRoundTripCyrus36Dump imports a dump taken from a real Cyrus 3.6.1
// server (partitions, ACLs with group: and negative entries, uniqueids,
// name history) and dumps it back byte for byte.
func TestRoundTripCyrus36Dump(t *testing.T) {
	want, err := os.ReadFile("testdata/cyrus36.dump")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParseDump(bytes.NewReader(want), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := openList(t)
	if err := l.Import(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	n, err := l.Dump(context.Background(), &got, DumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Fatalf("dumped %d of %d", n, len(entries))
	}
	if got.String() != string(want) {
		t.Fatalf("round trip differs:\n--- got\n%s\n--- want\n%s", got.String(), want)
	}
}

func TestImportCyrus2Dump(t *testing.T) {
	f, err := os.Open("testdata/cyrus2x.dump")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := ParseDump(f, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := openList(t)
	if err := l.Import(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	e, err := l.Lookup(context.Background(), "user.awilliam")
	if err != nil {
		t.Fatal(err)
	}
	// 2.x "lrswipcda": c = k+x, d = t+e.
	if e.Partition != "default" || e.ACL.String() != "awilliam\tlrswipkxtecda\t" || !e.LegacyDirs() {
		t.Fatalf("entry = %+v acl %q", e, e.ACL.String())
	}
	e, err = l.Lookup(context.Background(), "shared.board")
	if err != nil || e.Partition != "news" || len(e.ACL) != 3 || e.ACL[2].ID != "-group:spammers" {
		t.Fatalf("shared.board = %+v %v", e, err)
	}
}

func TestParseDumpErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, dump string
		line       int
	}{
		{"json bad rights", "{\n\"user.a\": {\"partition\": \"default\", \"acl\": {\"a\": \"lrsQ\"}},\n}\n", 2},
		{"json missing partition", "{\n\"user.a\": {\"partition\": \"default\", \"acl\": {}},\n\"user.b\": {\"acl\": {}}\n}\n", 3},
		{"json bad name", "{\n\"user..a\": {\"partition\": \"default\"}\n}\n", 2},
		{"json truncated", "{\n\"user.a\": {\"partition\": \"default\"},\n\"user.b\": {\"part", 3},
		{"json duplicate", "{\n\"user.a\": {\"partition\": \"p\"},\n\"user.a\": {\"partition\": \"p\"}\n}\n", 3},
		{"json bad number", "{\n\"user.a\": {\"partition\": \"p\", \"uidvalidity\": \"x1\"}\n}\n", 2},
		{"tab odd acl", "user.a\tdefault\ta\tlrs\t\nuser.b\tdefault\tb\t\n", 2},
		{"tab no partition", "user.a\tdefault\ta\tlrs\t\nuser.b\n", 2},
		{"tab bad rights", "user.a\tdefault\ta\tlrs\t\n\nuser.b\tdefault\tb\tlrsZ\t\n", 3},
		{"tab path escape", "user.a/../../etc\tdefault\ta\tlrs\t\n", 1},
		{"tab identifier not UTF-8", "user.a\tdefault\ta\tlrs\t\nuser.b\tdefault\t\xb0\tlrs\t\n", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDump(strings.NewReader(tc.dump), ParseOptions{})
			var de *DumpError
			if !errors.As(err, &de) || de.Line != tc.line {
				t.Fatalf("err = %v, want line %d", err, tc.line)
			}
		})
	}
}

func TestDumpPartitionFilter(t *testing.T) {
	l := openList(t)
	create(t, l, "user.a", "user.b")
	l.Modify(context.Background(), "user.b", func(e *Entry) error { e.Partition = "other"; return nil })
	var out bytes.Buffer
	n, err := l.Dump(context.Background(), &out, DumpOptions{Partition: "other"})
	if err != nil || n != 1 || !strings.Contains(out.String(), `"user.b": {"name": "user.b"`) || strings.Contains(out.String(), `"user.a"`) {
		t.Fatalf("dump = %d %v\n%s", n, err, out.String())
	}
}

func FuzzParseDump(f *testing.F) {
	if b, err := os.ReadFile("testdata/cyrus36.dump"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile("testdata/cyrus2x.dump"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("user.a\t0 default a\tlrs\t\n"))
	f.Add([]byte("user.a\te default\ta\tlrs\t>abc 1 2 3 4 \\Sent\n"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseDump(bytes.NewReader(data), ParseOptions{})
		if err != nil {
			return
		}
		// Whatever parses must dump and parse again to the same entries.
		var buf bytes.Buffer
		buf.WriteString("{\n")
		for i, e := range entries {
			if i > 0 {
				buf.WriteString(",\n")
			}
			if err := writeDumpEntry(&buf, e); err != nil {
				t.Fatalf("dump of a parsed entry: %v", err)
			}
		}
		buf.WriteString("\n}\n")
		again, err := ParseDump(&buf, ParseOptions{})
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, buf.String())
		}
		if len(again) != len(entries) {
			t.Fatalf("re-parse gave %d entries, want %d", len(again), len(entries))
		}
		for i := range again {
			if a, b := fmt.Sprint(again[i].ACL), fmt.Sprint(entries[i].ACL); a != b || again[i].Name != entries[i].Name {
				t.Fatalf("entry %d changed: %s %s vs %s %s", i, again[i].Name, a, entries[i].Name, b)
			}
		}
	})
}

// BenchmarkDump100k dumps a 100,000-mailbox list (target: ≤ 2 s).
func BenchmarkDump100k(b *testing.B) {
	l := openList(b)
	ctx := context.Background()
	var entries []*Entry
	for i := 0; i < 100000; i++ {
		entries = append(entries, &Entry{Name: fmt.Sprintf("user.u%05d", i), Partition: "default",
			UniqueID: fmt.Sprintf("%024d", i), UIDValidity: 1, MTime: 1700000000,
			ACL: mustACL(b, fmt.Sprintf("u%05d\tlrswipkxtecdan\t", i))})
	}
	if err := l.Import(ctx, entries); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out countingWriter
		if n, err := l.Dump(ctx, &out, DumpOptions{}); err != nil || n != 100000 {
			b.Fatal(n, err)
		}
		b.SetBytes(int64(out))
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

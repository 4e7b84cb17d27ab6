package maildir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadUIDsFlagsKeywords(t *testing.T) {
	d := t.TempDir()
	write(t, filepath.Join(d, "dovecot-uidlist"), "3 V1700000000 N20 Gabc\n"+
		"4 :100.M1.host,S=10\n"+
		"9 S=5 W=6 :200.M2.host\n"+
		"9 :250.M9.host\n") // UID 9 twice: the second is renumbered
	write(t, filepath.Join(d, "dovecot-keywords"), "0 $Junk\n1 project\n")
	write(t, filepath.Join(d, "cur", "100.M1.host,S=10:2,FSa"), "a\n")
	write(t, filepath.Join(d, "cur", "200.M2.host:2,RTDb"), "b\n")
	write(t, filepath.Join(d, "cur", "250.M9.host:2,"), "c\n")
	write(t, filepath.Join(d, "new", "300.M3.host"), "d\n")
	write(t, filepath.Join(d, "new", "150.M4.host:2,S"), "e\n") // new/ is unseen
	write(t, filepath.Join(d, "tmp", "999.partial"), "x")
	f, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	if f.UIDValidity != 1700000000 || f.UIDNext != 23 || f.Renumbered != 1 {
		t.Errorf("folder %+v", f)
	}
	type want struct {
		uid   uint32
		name  string
		flags Flag
		kw    string
	}
	wants := []want{{4, "100.M1.host,S=10:2,FSa", Flagged | Seen, "$Junk"}, {9, "200.M2.host:2,RTDb", Answered | Deleted | Draft, "project"},
		{20, "150.M4.host:2,S", 0, ""}, {21, "250.M9.host:2,", 0, ""}, {22, "300.M3.host", 0, ""}}
	if len(f.Messages()) != len(wants) {
		t.Fatalf("%d messages: %+v", len(f.Messages()), f.Messages())
	}
	for i, w := range wants {
		m := f.Messages()[i]
		if m.UID != w.uid || filepath.Base(m.Path) != w.name || m.Flags != w.flags || strings.Join(m.Keywords, " ") != w.kw {
			t.Errorf("message %d: %+v, want %+v", i, m, w)
		}
	}
}

func TestNoUIDList(t *testing.T) {
	d := t.TempDir()
	write(t, filepath.Join(d, "cur", "2.b:2,S"), "b\n")
	write(t, filepath.Join(d, "cur", "1.a:2,"), "a\n")
	os.MkdirAll(filepath.Join(d, "new"), 0o755)
	f, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Messages()) != 2 || f.Messages()[0].UID != 1 || filepath.Base(f.Messages()[0].Path) != "1.a:2," || f.Messages()[1].Flags != Seen || f.UIDNext != 3 {
		t.Errorf("%+v", f)
	}
}

func TestHostileLists(t *testing.T) {
	for _, in := range []string{"", "7 V1\n", "3 Vx\n", "3 V1 N2\nabc :x\n", "3 V1 N2\n5 :\n", "3 V1 N2\n5 :a/b\n", "1 1\n",
		"3 V1 N2\n" + strings.Repeat("9", maxListLine+1) + "\n", "3 V1 N2\n0 :a\n"} {
		if _, err := ParseUIDList(strings.NewReader(in)); err == nil {
			t.Errorf("%.40q: no error", in)
		}
	}
	for _, in := range []string{"26 x\n", "a b\n", "0 bad(kw\n", "0\n"} {
		if _, err := ParseKeywords(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	d := t.TempDir()
	write(t, filepath.Join(d, "dovecot-uidlist"), "3 Vnope\n")
	os.MkdirAll(filepath.Join(d, "cur"), 0o755)
	if _, err := Read(d); err == nil || !strings.Contains(err.Error(), d) {
		t.Errorf("damaged uidlist: %v", err)
	}
}

func FuzzParseUIDList(f *testing.F) {
	f.Add("3 V1700000000 N20 Gabc\n4 :100.M1.host,S=10\n9 S=5 W=6 :200\n")
	f.Add("1 5 7\n3 1.a\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseUIDList(strings.NewReader(in))
		if err != nil {
			return
		}
		for base, uid := range l.UIDs {
			if uid == 0 || base == "" || strings.Contains(base, "/") {
				t.Fatalf("%q -> %d", base, uid)
			}
		}
	})
}

func FuzzParseName(f *testing.F) {
	f.Add("1.a:2,FSab")
	f.Add("x!2,Tz")
	f.Fuzz(func(t *testing.T, name string) {
		kw := [26]string{"a", "b"}
		base, _, _ := ParseName(name, &kw)
		if len(base) > len(name) {
			t.Fatal(base)
		}
	})
}

// TestReadOneSubdirMissing: a copy that dropped the empty new/ (git does)
// still reads; with neither cur/ nor new/ it is not a Maildir.
func TestReadOneSubdirMissing(t *testing.T) {
	d := t.TempDir()
	write(t, filepath.Join(d, "cur", "1.a:2,S"), "a\n")
	f, err := Read(d)
	if err != nil || len(f.Messages()) != 1 {
		t.Fatalf("cur/ only: %v, %+v", err, f)
	}
	if _, err := Read(t.TempDir()); err == nil {
		t.Fatal("neither cur/ nor new/: read as a Maildir")
	}
}

package mailbox

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func importFixture(t *testing.T) (string, Header, ImportIndex) {
	t.Helper()
	src := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d1 := time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)
	d2 := time.Date(2021, 6, 15, 8, 30, 15, 0, time.FixedZone("", -7*3600))
	in := ImportIndex{UIDNext: 9, HighestModSeq: 40, DeletedModSeq: 30, Records: []ImportRecord{
		{UID: 3, Flags: FlagSeen | FlagAnswered, Keywords: []string{"$Forwarded"}, ModSeq: 12, InternalDate: d1, SaveDate: d1,
			Source: write("3.", "Subject: a\r\n\r\nbody a\r\n")},
		{UID: 7, Flags: FlagFlagged, Keywords: []string{"NonJunk", "$Forwarded"}, ModSeq: 35, InternalDate: d2, SaveDate: d2,
			Source: write("7.", "Subject: b\r\n\r\nbody bb\r\n")},
	}}
	h := Header{Name: "user.alice", UniqueID: "abu0ipb6hebltxg3j1j711kp", UIDValidity: 1796659793}
	return filepath.Join(t.TempDir(), "mbox"), h, in
}

// An imported mailbox keeps every UID, flag, keyword, modseq, date,
// UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ it was given.
func TestImportKeepsState(t *testing.T) {
	dir, h, in := importFixture(t)
	if err := Import(dir, h, in); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if v.UIDValidity != h.UIDValidity || v.UIDNext != 9 || v.HighestModSeq != 40 {
		t.Errorf("uidvalidity %d uidnext %d highestmodseq %d", v.UIDValidity, v.UIDNext, v.HighestModSeq)
	}
	if len(v.Records) != 2 {
		t.Fatalf("%d records", len(v.Records))
	}
	for i, want := range in.Records {
		r := v.Records[i]
		got := v.FlagNames(r)
		slices.Sort(got)
		wantFlags := append(want.Flags.Names(), want.Keywords...)
		slices.Sort(wantFlags)
		if r.UID != want.UID || r.ModSeq != want.ModSeq || !r.InternalDate().Equal(want.InternalDate) ||
			!slices.Equal(got, wantFlags) {
			t.Errorf("record %d: uid %d modseq %d date %v flags %q; want %+v", i, r.UID, r.ModSeq, r.InternalDate(), got, want)
		}
		_, off := r.InternalDate().Zone()
		if _, wantOff := want.InternalDate.Zone(); off != wantOff {
			t.Errorf("record %d: zone offset %d, want %d", i, off, wantOff)
		}
		body, err := os.ReadFile(m.MessagePath(r.UID))
		src, _ := os.ReadFile(want.Source)
		if err != nil || string(body) != string(src) || int(r.Size) != len(src) {
			t.Errorf("record %d: file %q (%v), want %q", i, body, err, src)
		}
	}
}

// A rerun leaves an imported mailbox alone; an interrupted import (no
// header yet) is cleared and done again.
func TestImportRerun(t *testing.T) {
	dir, h, in := importFixture(t)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	// Debris of an interrupted run: a message file and an index, no header.
	for _, n := range []string{"5.", "cyrus.index"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Import(dir, h, in); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "5.")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("debris 5. kept: %v", err)
	}
	if err := Import(dir, h, in); !errors.Is(err, ErrExists) {
		t.Errorf("rerun: %v, want ErrExists", err)
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if v, _ := m.Snapshot(); len(v.Records) != 2 {
		t.Errorf("after rerun: %d records", len(v.Records))
	}
}

func TestImportRefusesBadState(t *testing.T) {
	dir, h, in := importFixture(t)
	in.Records[1].UID = 3
	if err := Import(dir, h, in); !errors.Is(err, ErrInvalidImport) {
		t.Errorf("UIDs out of order: %v", err)
	}
	if _, err := ReadHeader(dir); err == nil {
		t.Error("a refused import left a mailbox")
	}
}

// Records given by Stream, with their text from a reader, import as
// Records do; a stream that fails leaves no mailbox and no debris.
func TestImportStream(t *testing.T) {
	dir, h, in := importFixture(t)
	recs := in.Records
	in.Records = nil
	in.Stream = func(add func(ImportRecord) error) error {
		for _, r := range recs {
			b, err := os.ReadFile(r.Source)
			if err != nil {
				return err
			}
			r.Source, r.Body = "", strings.NewReader(string(b))
			if err := add(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := Import(dir, h, in); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.Snapshot()
	m.Close()
	if err != nil || len(v.Records) != 2 || v.Records[1].UID != 7 || v.UIDNext != 9 {
		t.Fatalf("%v %+v", err, v)
	}

	dir2 := filepath.Join(t.TempDir(), "mbox")
	boom := errors.New("source unreadable")
	in.Stream = func(add func(ImportRecord) error) error {
		if err := add(ImportRecord{UID: 1, Body: strings.NewReader("Subject: x\r\n\r\n")}); err != nil {
			return err
		}
		return boom
	}
	if err := Import(dir2, h, in); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	left, _ := os.ReadDir(dir2)
	for _, e := range left {
		if e.Name() != lockFile {
			t.Errorf("debris %s", e.Name())
		}
	}
	if _, err := ReadHeader(dir2); err == nil {
		t.Error("a failed import left a mailbox")
	}
}

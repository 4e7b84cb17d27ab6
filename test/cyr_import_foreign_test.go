package test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 16 item 4: files written by real programs (test/compat/foreign,
// made by scripts/make-foreign-fixtures: formail for the mbox, under UW's
// pseudo-message; Dovecot 2.3 for the Maildir) imported by cyr_import -f
// keep UIDVALIDITY, UIDs, flags, keywords and internal dates; a repeated
// X-UID is renumbered after the highest and reported; a rerun changes
// nothing.
func TestCyrImportForeign(t *testing.T) {
	t.Setenv("TZ", "UTC") // the mbox's "From " dates are local time
	s := newSite(t, "altnamespace: no", "unixhierarchysep: no")
	src := t.TempDir()
	copyTree(t, filepath.Join("compat", "foreign"), src)
	mt, err := os.ReadFile(filepath.Join(src, "maildir.mtimes"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(mt)), "\n") {
		name, sec, _ := strings.Cut(line, " ")
		f, _ := strconv.ParseFloat(sec, 64)
		when := time.Unix(int64(f), 0)
		if err := os.Chtimes(filepath.Join(src, "maildir", name), when, when); err != nil {
			t.Fatal(err)
		}
	}
	list := filepath.Join(src, "users")
	os.WriteFile(list, []byte("# user path\ndove "+filepath.Join(src, "maildir")+"\n"), 0o600)
	// The second run finds both done: it imports no message again.
	mboxOut := []string{"imported 1 mailboxes, 3 messages", "imported 1 mailboxes, 0 messages"}
	maildirOut := []string{"imported 2 mailboxes, 3 messages", "imported 2 mailboxes, 0 messages"}
	for run := range 2 {
		r := s.run("", "cyr_import", "-q", "-f", "mbox", "-u", "uw", filepath.Join(src, "uw.mbox"))
		if r.code != 0 || !strings.Contains(r.stdout, mboxOut[run]) ||
			(run == 0 && !strings.Contains(r.stdout, "renumbered: user.uw: 1 messages with a bad or repeated X-UID renumbered from 11")) {
			t.Fatalf("run %d: mbox: exit %d\n%s%s", run, r.code, r.stdout, r.stderr)
		}
		r = s.run("", "cyr_import", "-f", "maildir", "-U", list)
		if r.code != 0 || !strings.Contains(r.stdout, maildirOut[run]) {
			t.Fatalf("run %d: maildir: exit %d\n%s%s", run, r.code, r.stdout, r.stderr)
		}
	}
	st, done := s.openStore(t)
	defer done()
	type msg struct {
		uid   uint32
		flags string
		date  string
		text  string
	}
	check := func(name string, uidv, uidnext uint32, want []msg) {
		t.Helper()
		m, e, err := st.Open(context.Background(), name, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer m.Close()
		v, err := m.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if (uidv != 0 && e.UIDValidity != uidv) || v.UIDValidity != e.UIDValidity || v.UIDNext != uidnext {
			t.Errorf("%s: uidvalidity %d/%d uidnext %d", name, e.UIDValidity, v.UIDValidity, v.UIDNext)
		}
		if len(v.Records) != len(want) {
			t.Fatalf("%s: %d messages, want %d", name, len(v.Records), len(want))
		}
		for i, w := range want {
			r := v.Records[i]
			f := v.FlagNames(r)
			slices.Sort(f)
			body, _ := os.ReadFile(m.MessagePath(r.UID))
			if r.UID != w.uid || strings.Join(f, " ") != w.flags || r.InternalDate().UTC().Format(time.RFC3339) != w.date ||
				!strings.Contains(string(body), w.text) || strings.Contains(string(body), "X-UID") || strings.Contains(string(body), "\n\n") {
				t.Errorf("%s #%d: uid %d flags %q date %s body %q; want %+v", name, i, r.UID, f, r.InternalDate().UTC().Format(time.RFC3339), body, w)
			}
		}
	}
	check("user.uw", 1741000000, 12, []msg{
		{3, `\Answered \Flagged \Seen project`, "2025-03-04T09:15:02Z", "body one\r\nFrom the quoted line\r\n"},
		{8, `\Draft`, "2025-03-05T11:00:00Z", "Subject: two\r\n"},
		{11, `$Junk \Seen`, "2025-03-06T12:30:00Z", "repeated UID"},
	})
	check("user.dove", 1796663621, 3, []msg{
		{1, `$Junk \Flagged \Seen`, "2025-03-04T09:15:02Z", "Subject: dovecot one"},
		{2, `\Answered project`, "2025-03-05T11:00:00Z", "Subject: dovecot one"},
	})
	check("user.dove.Archive", 0, 2, []msg{{1, `\Deleted \Draft`, "2025-03-06T12:30:00Z", "Subject: dovecot two"}})
}

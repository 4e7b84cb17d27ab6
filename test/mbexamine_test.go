package test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// mbexamineShape keeps of an mbexamine report what both programs can
// print alike (mbexamine.8, DIFFERENCES): it drops the lines of fields
// gocyrus's index does not have (generation, minor version, header and
// record sizes, mailbox options, last POP3 login, LASTUPD, CACHEVER,
// THRID), blanks what differs between two builds of the same tree (path,
// unique id, UIDVALIDITY, save and append times, modseqs: Cyrus counts
// the creation and ACL changes too) and Cyrus 3.6.1's
// sequence column (always 000001), and the cached header block (Cyrus
// keeps only some fields there, gocyrus the whole header).
func mbexamineShape(s string) string {
	for _, r := range []struct{ re, with string }{
		{`(?m)^  (Generation Number|Minor Version|Header Size|Mailbox Options|Last POP3 Login):.*\n`, ""},
		{`LASTUPD :\d+ `, ""}, {`CACHEVER:\d+ +`, ""}, {`  THRID: \w+`, ""},
		{`(?m)^(  Path to mailbox: |  Unique ID: ).*`, "$1<x>"},
		{`UIDValidity: \d+`, "UIDValidity: <x>"}, {`Last Append Date: .*`, "Last Append Date: <x>"},
		{`SAVEDATE:\d+`, "SAVEDATE:<x>"}, {`(MODSEQ:|Highest Mod Sequence: )\d+`, "$1<x>"}, {`(?m)^\d{6}>`, "NNNNNN>"},
		{`(?s) CacHdr>\{\d+\}.*?\n From>`, " CacHdr><x>\n From>"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return s
}

// TestMbexamineMatchesCyrus compares mbexamine with Cyrus 3.6.1's
// (test/compat/fixtures/mbexamine.txt) on the same tree as chk_cyrus's:
// the header, index header, records (GUIDs, sizes, dates, flags as
// Cyrus's bits and names, user flag words) and cache entries (ENVELOPE,
// BODYSTRUCTURE, BODY, From/To/Cc/Bcc/Subject in Cyrus's form), -u, -q on
// a sound and on a damaged mailbox, an unknown mailbox; then -s, where
// Cyrus 3.6.1 finds nothing but the first message.
func TestMbexamineMatchesCyrus(t *testing.T) {
	t.Setenv("TZ", "UTC")
	s, dir := chkSite(t)
	ctx := context.Background()
	st, closeStore := s.openStore(t)
	for _, name := range []string{"user.chk", "user.chk.Sub"} {
		if _, err := st.ModifyMailbox(ctx, name, func(e *store.Entry) error {
			var err error
			e.ACL, err = e.ACL.Apply("cyrus", "lrswipkxtecda", 0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	closeStore()
	compare := func(c fixtureCase) {
		t.Helper()
		r := s.run("", "mbexamine", strings.Fields(c.args)...)
		got := result{r.code, mbexamineShape(r.stdout), r.stderr}
		want := result{c.code, mbexamineShape(c.stdout), c.stderr}
		if got != want {
			t.Errorf("mbexamine %s differs from Cyrus 3.6.1:\ngot  exit %d\n%s\n--stderr--\n%s\nwant exit %d\n%s\n--stderr--\n%s",
				c.args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
	}
	for _, args := range []string{"user.chk.Sub", "-u 2 user.chk", "-u 9 user.chk", "-q user.chk", "-q user.chk user.chk.Sub"} {
		compare(fixture(t, "mbexamine.txt", args, 0))
	}
	c := fixture(t, "mbexamine.txt", "user.nosuch", 0)
	if r := s.run("", "mbexamine", "user.nosuch"); r.code != c.code || r.stdout != c.stdout || !strings.HasPrefix(r.stderr, "mbexamine: user.nosuch: ") {
		t.Errorf("unknown mailbox: exit %d, %q, %q; Cyrus: exit %d, %q, and we add the reason on stderr", r.code, r.stdout, r.stderr, c.code, c.stdout)
	}
	if r := s.run("", "mbexamine", "-s", "3", "user.chk"); r.code != 0 || r.stdout != s.must("", "mbexamine", "-u", "3", "user.chk") ||
		!strings.Contains(r.stdout, "000003> UID:00000003 ") {
		t.Errorf("-s 3: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	st, closeStore = s.openStore(t)
	mb, _, err := st.Open(ctx, "user.chk.Sub", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	// \Seen is left out: Cyrus kept the administrator's \Seen in its seen
	// database, not in the index.
	if _, err := mb.Store(ctx, mailbox.StoreRequest{UIDs: []uint32{1}, Op: mailbox.StoreAdd,
		Flags: mailbox.FlagFlagged | mailbox.FlagAnswered, Keywords: []string{"$Forwarded"}}); err != nil {
		t.Fatal(err)
	}
	mb.Close()
	closeStore()
	compare(fixture(t, "mbexamine.txt", "user.chk.Sub", 1))

	// The damaged mailbox: 5 bytes more in 3. than the index says.
	f, err := os.OpenFile(dir+"/3.", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("extra"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	compare(fixture(t, "mbexamine.txt", "-q user.chk", 1))
}

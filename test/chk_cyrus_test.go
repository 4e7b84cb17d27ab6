package test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chkSite builds the tree of test/compat/fixtures/chk_cyrus.txt: user.chk
// with 3 messages and user.chk.Sub with 1, internal names as Cyrus's
// (unixhierarchysep: no), and returns user.chk's directory.
func chkSite(t *testing.T) (*site, string) {
	s := newSite(t, "unixhierarchysep: no", "altnamespace: no")
	msg := func(i int) cyrusMessage {
		return cyrusMessage{text: fmt.Sprintf("From: a@example.org\r\nTo: chk@example.org\r\nSubject: m%d\r\n"+
			"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody %d\r\n", i, i), recv: "07-Dec-2026 10:00:00 +0000"}
	}
	s.buildCyrusScenario(map[string][]cyrusMessage{
		"user.chk": {msg(1), msg(2), msg(3)}, "user.chk.Sub": {msg(1)},
	}, nil)
	dir := strings.TrimSpace(s.must("", "mbpath", "user.chk"))
	return s, dir
}

// spoolState lists every file under dir with its size and modification
// time, to show a run changed nothing.
func spoolState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %v\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestChkCyrusMatchesCyrus compares chk_cyrus with Cyrus 3.6.1's
// (test/compat/fixtures/chk_cyrus.txt) on the same tree: a healthy
// mailbox, a child, an unknown partition, a message file removed
// ("user.chk uid 2 not found" on stdout), -P with -M (usage, 255), and an
// unknown mailbox (same stdout and exit; we add the reason on stderr,
// chk_cyrus.8). Nothing in the spool changes.
func TestChkCyrusMatchesCyrus(t *testing.T) {
	s, dir := chkSite(t)
	for _, args := range []string{"-M user.chk", "-M user.chk.Sub", "-P nosuch"} {
		compareWithFixture(t, s, "chk_cyrus", fixture(t, "chk_cyrus.txt", args, 0))
	}
	c := fixture(t, "chk_cyrus.txt", "-P default -M user.chk", 0)
	if r := s.run("", "chk_cyrus", "-P", "default", "-M", "user.chk"); r.code != c.code || !strings.HasPrefix(r.stderr, c.stderr) {
		t.Errorf("-P with -M: exit %d, stderr %q; Cyrus exits %d with %q", r.code, r.stderr, c.code, c.stderr)
	}
	c = fixture(t, "chk_cyrus.txt", "-M user.nosuch", 0)
	if r := s.run("", "chk_cyrus", "-M", "user.nosuch"); r.code != c.code || r.stdout != c.stdout ||
		!strings.HasPrefix(r.stderr, c.stderr) || !strings.Contains(r.stderr, "chk_cyrus: user.nosuch: ") {
		t.Errorf("unknown mailbox: exit %d, stdout %q, stderr %q; Cyrus exits %d, stdout %q, stderr %q and we add the reason",
			r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
	}

	if err := os.Remove(filepath.Join(dir, "2.")); err != nil {
		t.Fatal(err)
	}
	before := spoolState(t, s.spool)
	compareWithFixture(t, s, "chk_cyrus", fixture(t, "chk_cyrus.txt", "-M user.chk", 1))
	if after := spoolState(t, s.spool); after != before {
		t.Errorf("chk_cyrus changed the spool:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// TestChkCyrusFindsUnreadable: a message file that exists but cannot be
// read (a directory in its place: root opens any file, so a mode would
// not do) is reported, on every partition walk, with the other problems,
// and the run goes on to the next mailbox.
func TestChkCyrusFindsUnreadable(t *testing.T) {
	s, dir := chkSite(t)
	if err := os.Remove(filepath.Join(dir, "1.")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "3.")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "3."), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"-P", "default"}, {"-Pdefault"}, {"-M", "user.chk"}} {
		r := s.run("", "chk_cyrus", args...)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if r.code != 0 || len(lines) != 2 || lines[0] != "user.chk uid 1 not found" ||
			!strings.HasPrefix(lines[1], "user.chk uid 3 unreadable: ") || !strings.Contains(lines[1], "is a directory") {
			t.Errorf("chk_cyrus %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if args == nil && !strings.Contains(r.stderr, "Examining partition: ALL PARTITIONS\nchecking: user.chk\nchecking: user.chk.Sub\n") {
			t.Errorf("chk_cyrus: stderr %q", r.stderr)
		}
	}
	if r := s.run("", "chk_cyrus", "-P", "other"); r.code != 0 || r.stdout != "" || r.stderr != "Examining partition: other\n" {
		t.Errorf("chk_cyrus -P other: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
}

// TestChkCyrusDamagedIndex: a mailbox whose cyrus.index is garbage is
// reported on stdout, the other mailboxes are still checked, mbexamine
// says why on stderr, and neither program changes a byte on disk.
func TestChkCyrusDamagedIndex(t *testing.T) {
	s, dir := chkSite(t)
	sub := strings.TrimSpace(s.must("", "mbpath", "user.chk.Sub"))
	if err := os.WriteFile(filepath.Join(sub, "cyrus.index"), []byte("garbage\x00\xff"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "2.")); err != nil {
		t.Fatal(err)
	}
	before := spoolState(t, s.spool)
	r := s.run("", "chk_cyrus")
	t.Logf("chk_cyrus:\n%s", r.stdout)
	if r.code != 0 || !strings.Contains(r.stdout, "user.chk uid 2 not found\n") || !strings.Contains(r.stdout, "user.chk.Sub unreadable: ") {
		t.Errorf("chk_cyrus: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = s.run("", "mbexamine", "user.chk.Sub", "user.chk")
	if r.code != 0 || !strings.Contains(r.stderr, "mbexamine: user.chk.Sub: ") || !strings.Contains(r.stdout, "Examining user.chk... Mailbox Header Info:") ||
		strings.Contains(r.stdout, "user.chk.Sub") {
		t.Errorf("mbexamine: exit %d\n%s--stderr--\n%s", r.code, r.stdout, r.stderr)
	}
	if after := spoolState(t, s.spool); after != before {
		t.Errorf("the spool changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}

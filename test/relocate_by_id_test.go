package test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// relocateShape keeps of relocate_by_id's output what both programs print
// alike (relocate_by_id.8, DIFFERENCES): the spool root and the uniqueids
// differ between two builds of the same tree, and -n's cyrus.cache line
// (Cyrus 3.6.1 made no cyrus.cache for these mailboxes).
func relocateShape(s, spool string) string {
	s = strings.ReplaceAll(s, spool+"/", "<spool>/")
	s = regexp.MustCompile(`(?m)^\tRenaming: \S+/cyrus\.cache\t -> \S+\n`).ReplaceAllString(s, "")
	return regexp.MustCompile(`uuid/\w/\w/\w+`).ReplaceAllString(s, "uuid/<id>")
}

// TestRelocateByIDMatchesCyrus runs the cases of Cyrus 3.6.1's capture
// (test/compat/fixtures/relocate_by_id.txt) in the same order on the same
// tree in the hashed legacy layout: a dry run listing the files, a
// user's tree deepest first, a shared mailbox below another (hashed on its
// second level: spool/t/shared/team), -q, -u, and the not-found and
// already-relocated replies; then checks each mailbox opens at its uuid
// directory with its messages and nothing is left of the by-name tree.
func TestRelocateByIDMatchesCyrus(t *testing.T) {
	s := newSite(t, "unixhierarchysep: no", "altnamespace: no", "mailbox_legacy_dirs: yes", "hashimapspool: yes")
	ctx := context.Background()
	names := []string{"user.alice", "user.alice.Work", "user.bob", "user.bob.Lists", "shared", "shared.team"}
	st, closeStore := s.openStore(t)
	for _, n := range names {
		if _, err := st.CreateMailbox(ctx, n, store.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mb, _, err := st.Open(ctx, "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n")}}); err != nil {
		t.Fatal(err)
	}
	mb.Close()
	closeStore()

	checkUsage(t, "relocate_by_id", fixture(t, "relocate_by_id.txt", "-h", 0))
	c := fixture(t, "relocate_by_id.txt", "", 0)
	if r := s.run("", "relocate_by_id"); r.code != c.code || r.stdout != "" || r.stderr != "relocate_by_id: "+c.stderr {
		t.Errorf("no mailbox: exit %d %q %q; Cyrus: exit %d %q", r.code, r.stdout, r.stderr, c.code, c.stderr)
	}
	seen := map[string]int{}
	for _, args := range []string{"-n user.alice", "user.alice", "user.alice", "user.nosuch", "shared.team", "-q shared", "-u bob", "-u nosuch"} {
		c := fixture(t, "relocate_by_id.txt", args, seen[args])
		seen[args]++
		r := s.run("", "relocate_by_id", strings.Fields(args)...)
		got := result{r.code, relocateShape(r.stdout, s.spool), r.stderr}
		want := result{c.code, relocateShape(c.stdout, "/tmp/relocate-cyrus/spool"), c.stderr}
		if got != want {
			t.Errorf("relocate_by_id %s differs from Cyrus 3.6.1:\ngot  exit %d\n%s\n--stderr--\n%s\nwant exit %d\n%s\n--stderr--\n%s",
				args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
	}

	st, closeStore = s.openStore(t)
	defer closeStore()
	for _, n := range names {
		mb, e, err := st.Open(ctx, n, quota.Ignore)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		v, _ := mb.Snapshot()
		dir := mb.Dir()
		mb.Close()
		if e.LegacyDirs() || dir != mboxname.UUIDPath(s.spool, e.UniqueID) || (n == "user.alice") != (v.Exists() == 1) {
			t.Errorf("%s: entry %+v, in %s with %d messages", n, e, dir, v.Exists())
		}
	}
	for _, d := range []string{"a", "b", "s", "t"} {
		if store.Exists(filepath.Join(s.spool, d)) {
			t.Errorf("%s left in the spool", d)
		}
	}
}

// TestReconstructAdoptsLegacyTree: reconstruct -f finds mailboxes the list
// lost in a hashed by-name tree, shared ones below another and other
// users' folders included, at the directories Cyrus 3.6 uses (a name's
// second level picks the hash letter: spool/t/shared/team), and the list
// entries it writes lead back to them.
func TestReconstructAdoptsLegacyTree(t *testing.T) {
	s := newSite(t, "unixhierarchysep: no", "altnamespace: no", "mailbox_legacy_dirs: yes", "hashimapspool: yes")
	ctx := context.Background()
	want := map[string]string{
		"user.alice": "a/user/alice", "user.alice.Work": "a/user/alice/Work",
		"shared": "s/shared", "shared.team": "t/shared/team", "shared.team.x": "t/shared/team/x",
	}
	st, closeStore := s.openStore(t)
	for _, n := range []string{"user.alice", "user.alice.Work", "shared", "shared.team", "shared.team.x"} {
		if _, err := st.CreateMailbox(ctx, n, store.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	closeStore()
	for n, rel := range want {
		if got := s.must("", "mbpath", n); got != filepath.Join(s.spool, rel)+"\n" {
			t.Fatalf("%s made in %q, want %s", n, got, rel)
		}
	}
	dump := s.must("", "ctl_mboxlist", "-d")
	pruned := regexp.MustCompile(`(?m)^"(user\.alice\.Work|shared\.team|shared\.team\.x)".*\n`).ReplaceAllString(dump, "")
	pruned = strings.Replace(pruned, "},\n}", "}\n}", 1)
	s.must("", "ctl_mboxlist", "-d", "-x")
	s.must(pruned, "ctl_mboxlist", "-u")
	s.must("", "reconstruct", "-f", "user.alice")
	s.must("", "reconstruct", "-f", "shared")
	for n, rel := range want {
		if got := s.must("", "mbpath", n); got != filepath.Join(s.spool, rel)+"\n" {
			t.Errorf("%s adopted at %q, want %s", n, got, rel)
		}
		s.must("", "reconstruct", n)
	}
}

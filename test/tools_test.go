package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gocyrus/pkg/cyrusdb"
)

const dump2x = "user.awilliam\tdefault\tawilliam\tlrswipcda\t\n" +
	"shared.board\tdefault\tanyone\tlrs\tgroup:staff\tlrswipcd\t-bob\tw\t\n"

func TestCtlMboxlistRoundTripsARealCyrusDump(t *testing.T) {
	want, err := os.ReadFile("../pkg/mboxlist/testdata/cyrus36.dump")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, "partition-other: "+t.TempDir())
	s.must(string(want), "ctl_mboxlist", "-u")
	if got := s.must("", "ctl_mboxlist", "-d"); got != string(want) {
		t.Fatalf("dump after undump differs:\n--- got\n%s--- want\n%s", got, want)
	}
}

func TestCtlMboxlistImports2xAndIsAllOrNothing(t *testing.T) {
	s := newSite(t)
	s.must(dump2x, "ctl_mboxlist", "-u")
	before := s.must("", "ctl_mboxlist", "-d")
	for _, frag := range []string{`"user.awilliam": {"name": "user.awilliam"`, `"awilliam": "lrswipkxtecda"`,
		`"group:staff": "lrswipkxtecd"`, `"-bob": "w"`} {
		if !strings.Contains(before, frag) {
			t.Errorf("dump lacks %s:\n%s", frag, before)
		}
	}
	bad := "user.new\tdefault\tnew\tlrs\t\nuser.broken\tdefault\tx\tlrsQ\t\n"
	r := s.run(bad, "ctl_mboxlist", "-u")
	if r.code == 0 || !strings.Contains(r.stderr, "line 2") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("malformed undump: exit %d, stderr %q", r.code, r.stderr)
	}
	if after := s.must("", "ctl_mboxlist", "-d"); after != before {
		t.Fatalf("a refused undump changed the list:\n%s", after)
	}
	// -d -p -x removes exactly the dumped partition's entries.
	s.must("", "ctl_mboxlist", "-d", "-x", "-p", "default")
	if got := s.must("", "ctl_mboxlist", "-d"); got != "{\n}\n" {
		t.Fatalf("after -x: %q", got)
	}
}

func TestToolsUsageAndConfigErrors(t *testing.T) {
	s := newSite(t)
	if r := s.run("", "ctl_mboxlist"); r.code != 64 || !strings.Contains(r.stderr, "exactly one of -d") {
		t.Errorf("no mode: %+v", r)
	}
	if r := s.run("", "ctl_cyrusdb", "-rc"); r.code != 64 {
		t.Errorf("-rc: %+v", r)
	}
	bad := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(bad, []byte("configdirectory: /tmp\nadmins cyrus\n"), 0o644)
	r := runBin(t, "", "ctl_mboxlist", "-C", bad, "-d")
	if r.code != 78 || !strings.Contains(r.stderr, bad+":2:") {
		t.Errorf("bad config: %+v", r)
	}
	r = runBin(t, "", "ctl_mboxlist", "-C", "/nonexistent/imapd.conf", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "/nonexistent/imapd.conf") {
		t.Errorf("missing config: %+v", r)
	}
}

func TestSaslpasswd(t *testing.T) {
	s := newSite(t)
	if r := s.run("pw\n", "saslpasswd", "-p", "alice"); r.code == 0 || !strings.Contains(r.stderr, "user not found") {
		t.Fatalf("update of a missing user: %+v", r)
	}
	s.must("s3cret\n", "saslpasswd", "-c", "-p", "alice")
	s.must("other\n", "saslpasswd", "-p", "alice")
	s.must("", "saslpasswd", "-d", "alice")
	if r := s.run("", "saslpasswd", "-d", "alice"); r.code == 0 {
		t.Fatalf("second delete succeeded")
	}
	if r := s.run("", "saslpasswd", "-cp", "bob"); r.code == 0 || !strings.Contains(r.stderr, "no password") {
		t.Fatalf("empty stdin: %+v", r)
	}
	// Nothing in the database files contains the password.
	filepath.Walk(s.configdir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "s3cret") {
				t.Errorf("%s contains the plaintext password", p)
			}
		}
		return nil
	})
}

func TestCtlCyrusdbRecoverAndCheckpoint(t *testing.T) {
	s := newSite(t)
	s.must(dump2x, "ctl_mboxlist", "-u")
	out := s.must("", "ctl_cyrusdb", "-r")
	if !strings.Contains(out, "mailbox list: 2 entries, all readable") {
		t.Fatalf("recover output: %s", out)
	}
	s.must("", "ctl_cyrusdb", "-c")
	s.must("", "ctl_cyrusdb", "-c")
	for _, b := range []string{"db.backup1", "db.backup2"} {
		if _, err := os.Stat(filepath.Join(s.configdir, b, cyrusdb.BackupFileName)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
}

// TestToolsRoutedThroughTheDBService: with a db service running (as master
// runs it), the tools work online; with the databases held by a process
// that serves no socket, they refuse with a clear message.
func TestToolsRoutedThroughTheDBService(t *testing.T) {
	s := newSite(t)
	srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	s.must(dump2x, "ctl_mboxlist", "-u")
	s.must("pw\n", "saslpasswd", "-c", "-p", "carol")
	s.must("", "ctl_cyrusdb", "-c")
	db, _ := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	users := 0
	db.Scan(context.Background(), []byte("P"), func(_, _ []byte, _ uint64) error { users++; return nil })
	db.Close()
	if users != 1 {
		t.Fatalf("sasldb users seen through the service: %d", users)
	}
	if r := s.run("", "ctl_cyrusdb", "-r"); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("recover while served: %+v", r)
	}
	srv.Close()

	held, err := cyrusdb.Open(s.configdir, cyrusdb.Options{}) // offline: holds the lock, serves nothing
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if held.Online() {
		t.Fatal("expected an offline open")
	}
	r := s.run("", "ctl_mboxlist", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "locked by another process") {
		t.Fatalf("tool with the databases held: %+v", r)
	}
}

// TestToolsSwitchToTheConfigOwner: started as root, a tool runs as the
// owner of configdirectory, so the files it creates keep that owner.
func TestToolsSwitchToTheConfigOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root)")
	}
	const uid, gid = 4321, 4322
	s := newSite(t)
	for d := s.dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	os.Chmod(s.imapdConf, 0o644)
	if err := os.Chown(s.configdir, uid, gid); err != nil {
		t.Fatal(err)
	}
	s.must("pw\n", "saslpasswd", "-c", "-p", "dave")
	n := 0
	filepath.Walk(filepath.Join(s.configdir, "db"), func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		n++
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != uid {
			t.Errorf("%s owned by %d, want %d", p, st.Uid, uid)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no database files created")
	}
}

// ctl_mboxlist -u refuses an inconsistent dump whole, in both formats, with
// the line of the first problem and exit 65, leaving the list unchanged:
// alice given bob's uniqueid (her INBOX would show his messages), an entry
// on a partition imapd.conf does not configure.
func TestCtlMboxlistRefusesInconsistentDumps(t *testing.T) {
	const bobUID = "g7nx4md6d982a3b1m8nrwxq0"
	js := func(name, part, uid string) string {
		return `"` + name + `": {"name": "` + name + `", "mtime": "1796037978", "uidvalidity": "1796037979", "createdmodseq": "1", "foldermodseq": "1", "mbtype": "e", "partition": "` +
			part + `", "acl": {"x": "lrswipkxtecdan"}, "uniqueid": "` + uid + `", "name_history": []}`
	}
	tab := func(name, part, uid string) string {
		return name + "\te " + part + "\tx\tlrswipkxtecdan\t>" + uid + " 1796037978 1796037979 1 1"
	}
	s := newSite(t)
	s.must("{\n"+js("user.bob", "default", bobUID)+"\n}\n", "ctl_mboxlist", "-u")
	before := s.must("", "ctl_mboxlist", "-d")
	cases := []struct{ name, dump, want string }{
		{"json: alice given bob's uniqueid", "{\n" + js("user.carol", "default", "carol000000000000000000aa") + ",\n" +
			js("user.alice", "default", bobUID) + "\n}\n",
			"line 3: mailbox user.alice: uniqueid " + bobUID + " is that of the existing mailbox user.bob"},
		{"text: alice given bob's uniqueid", tab("user.carol", "default", "carol000000000000000000aa") + "\n" +
			tab("user.alice", "default", bobUID) + "\n",
			"line 2: mailbox user.alice: uniqueid " + bobUID + " is that of the existing mailbox user.bob"},
		{"json: two mailboxes, one uniqueid", "{\n" + js("user.dave", "default", "dave0000000000000000000aa") + ",\n" +
			js("user.erin", "default", "dave0000000000000000000aa") + "\n}\n",
			"line 3: mailbox user.erin: uniqueid dave0000000000000000000aa is also that of mailbox user.dave"},
		{"json: unconfigured partition", "{\n" + js("user.carol", "default", "carol000000000000000000aa") + ",\n" +
			js("user.alice", "nowhere", "alice000000000000000000aa") + "\n}\n",
			`line 3: mailbox user.alice: partition "nowhere" is not configured (no partition-nowhere in imapd.conf)`},
		{"text: unconfigured partition", tab("user.carol", "default", "carol000000000000000000aa") + "\n" +
			tab("user.alice", "nowhere", "alice000000000000000000aa") + "\n",
			`line 2: mailbox user.alice: partition "nowhere" is not configured (no partition-nowhere in imapd.conf)`},
	}
	for _, tc := range cases {
		r := s.run(tc.dump, "ctl_mboxlist", "-u")
		if r.code != 65 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 65 and %q", tc.name, r.code, r.stderr, tc.want)
		}
		if after := s.must("", "ctl_mboxlist", "-d"); after != before {
			t.Fatalf("%s: the refused dump changed the list:\n%s", tc.name, after)
		}
	}
}

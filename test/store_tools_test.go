package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// populate creates mailboxes with n messages each through the store, with
// the databases opened directly, and returns their directories.
func (s *site) populate(mailboxes map[string]int) map[string]string {
	s.t.Helper()
	st, closeStore := s.openStore(s.t)
	defer closeStore()
	ctx := context.Background()
	dirs := map[string]string{}
	names := make([]string, 0, len(mailboxes))
	for n := range mailboxes {
		names = append(names, n)
	}
	// Parents before children.
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if len(names[j]) < len(names[i]) {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	for _, name := range names {
		e, err := st.CreateMailbox(ctx, name, store.CreateOptions{})
		if err != nil {
			s.t.Fatal(err)
		}
		mb, _, err := st.Open(ctx, name, quota.Ignore)
		if err != nil {
			s.t.Fatal(err)
		}
		for i := 0; i < mailboxes[name]; i++ {
			msg := fmt.Sprintf("From: a@example.org\r\nSubject: %s %d\r\n\r\nbody %d\r\n", name, i, i)
			if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(msg)}}); err != nil {
				s.t.Fatal(err)
			}
		}
		mb.Close()
		dirs[name], _ = st.Dir(e)
	}
	return dirs
}

func TestMbpath(t *testing.T) {
	s := newSite(t)
	dirs := s.populate(map[string]int{"user.alice": 0, "user.alice.Sent": 0, "user.carol^smith": 0})
	out := s.must("", "mbpath", "user/alice", "user/alice/Sent", "user/carol.smith")
	want := dirs["user.alice"] + "\n" + dirs["user.alice.Sent"] + "\n" + dirs["user.carol^smith"] + "\n"
	if out != want {
		t.Fatalf("mbpath = %q, want %q", out, want)
	}
	if !regexp.MustCompile(`/uuid/[a-z0-9]/[a-z0-9]/[a-z0-9]{24}$`).MatchString(dirs["user.alice"]) {
		t.Errorf("not the uuid layout: %s", dirs["user.alice"])
	}
	if got := s.must("", "mbpath", "-u", "alice"); got != dirs["user.alice"]+"\n" {
		t.Errorf("-u: %q", got)
	}
	r := s.run("", "mbpath", "user/nosuch", "user/alice")
	if r.code != 65 || r.stdout != dirs["user.alice"]+"\n" || !strings.Contains(r.stderr, "user/nosuch: Mailbox does not exist") {
		t.Errorf("missing mailbox: %+v", r)
	}
	if r := s.run("", "mbpath", "-s", "user/nosuch", "user/alice"); r.code != 65 || r.stdout != "" {
		t.Errorf("-s: %+v", r)
	}
}

func TestQuotaReportAndFix(t *testing.T) {
	s := newSite(t)
	s.populate(map[string]int{"user.alice": 2, "user.alice.Sent": 1, "user.bob": 0})
	cfg, _ := config.LoadImapd(s.imapdConf)
	db, _ := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	st, _ := store.New(cfg, db, nil)
	l := quota.NoLimits()
	l[quota.Storage], l[quota.Message] = 10000, 500
	st.SetQuota(context.Background(), "user.alice", l)
	// A new root takes over what its mailboxes hold. Make the recorded
	// usage drift (as a crash between a charge and its message could)
	// so that -f has something to fix.
	if _, _, err := quota.New(st.DB()).Fix(context.Background(), "user.alice", map[string]quota.Usage{}, false); err != nil {
		t.Fatal(err)
	}
	db.Close()

	want := "   Quota   % Used     Used             Resource Root\n" +
		"   10000        0        0              STORAGE user/alice\n" +
		"     500        0        0              MESSAGE user/alice\n" +
		"                         0 X-ANNOTATION-STORAGE user/alice\n" +
		"                         0        X-NUM-FOLDERS user/alice\n"
	if got := s.must("", "quota"); got != want {
		t.Fatalf("report before -f:\n%s\nwant:\n%s", got, want)
	}
	r := s.run("", "quota", "-f")
	if r.code != 0 || !strings.Contains(r.stderr, "user.alice: MESSAGE usage was 0, now 3\n") ||
		!strings.Contains(r.stderr, "user.alice: X-NUM-FOLDERS usage was 0, now 2\n") {
		t.Fatalf("quota -f: %+v", r)
	}
	if !strings.Contains(r.stdout, "     500        0        3              MESSAGE user/alice\n") {
		t.Fatalf("report after -f:\n%s", r.stdout)
	}
	// Fixed figures stay fixed: a second -f has nothing to say.
	if r := s.run("", "quota", "-f", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("second quota -f: %+v", r)
	}
	if got := s.must("", "quota", "user/bob"); got != "   Quota   % Used     Used             Resource Root\n" {
		t.Errorf("no roots under user/bob: %q", got)
	}
}

func TestReconstructRestoresMessages(t *testing.T) {
	s := newSite(t)
	dirs := s.populate(map[string]int{"user.alice": 3, "user.alice.Work": 2})
	if got := s.must("", "reconstruct", "-r", "user/alice"); got != "user/alice\nuser/alice/Work\n" {
		t.Fatalf("healthy reconstruct: %q", got)
	}
	// The index is derived: delete it and every message comes back with its UID.
	os.Remove(filepath.Join(dirs["user.alice"], "cyrus.index"))
	// A stray message file is adopted.
	os.WriteFile(filepath.Join(dirs["user.alice.Work"], "7."), []byte("Subject: stray\r\n\r\nx\r\n"), 0o600)
	out := s.must("", "reconstruct", "-r", "user/alice")
	if !strings.Contains(out, "user.alice cyrus.index missing") || !strings.Contains(out, "user/alice/Work\n") {
		t.Fatalf("repair output:\n%s", out)
	}
	for name, want := range map[string][]uint32{"user.alice": {1, 2, 3}, "user.alice.Work": {1, 2, 7}} {
		mb, err := mailbox.Open(dirs[name], mailbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := mb.Snapshot()
		var got []uint32
		for _, r := range v.Records {
			got = append(got, r.UID)
		}
		mb.Close()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: UIDs %v, want %v", name, got, want)
		}
	}
	r := s.run("", "reconstruct", "user/nosuch")
	if r.code == 0 || !strings.Contains(r.stderr, "user/nosuch: Mailbox does not exist") {
		t.Fatalf("missing mailbox: %+v", r)
	}
	// -n reports without changing; -f adopts a directory the list lacks.
	os.Remove(filepath.Join(dirs["user.alice"], "cyrus.index"))
	s.must("", "reconstruct", "-n", "user/alice")
	if _, err := os.Stat(filepath.Join(dirs["user.alice"], "cyrus.index")); !os.IsNotExist(err) {
		t.Fatalf("-n changed the mailbox: %v", err)
	}
	s.must("", "reconstruct", "user/alice")
	s.must("", "ctl_mboxlist", "-d")
	dump := s.must("", "ctl_mboxlist", "-d")
	pruned := regexp.MustCompile(`(?m)^"user\.alice\.Work".*\n`).ReplaceAllString(dump, "")
	pruned = strings.Replace(pruned, "},\n}", "}\n}", 1)
	s.must(pruned, "ctl_mboxlist", "-u")
	s.must("", "ctl_mboxlist", "-d", "-x")
	s.must(pruned, "ctl_mboxlist", "-u")
	if r := s.run("", "mbpath", "user/alice/Work"); r.code == 0 {
		t.Fatal("user/alice/Work still listed")
	}
	out = s.must("", "reconstruct", "-f", "user/alice")
	if !strings.Contains(out, "discovered user/alice/Work at "+dirs["user.alice.Work"]) {
		t.Fatalf("-f output:\n%s", out)
	}
	if got := s.must("", "mbpath", "user/alice/Work"); got != dirs["user.alice.Work"]+"\n" {
		t.Fatalf("adopted mailbox path %q", got)
	}
}

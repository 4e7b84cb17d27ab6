package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// listNames returns the names LIST ref pattern answers for c.
func listNames(t *testing.T, c *imapclient.Client, ref, pattern string) []string {
	t.Helper()
	boxes, err := c.List(ref, pattern, nil).Collect()
	if err != nil {
		t.Fatalf("LIST %q %q: %v", ref, pattern, err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	return names
}

// TestDeleteModeDelayed: with the default delete_mode (delayed) a user's
// DELETE hides the folder from the user, an admin finds it under
// DELETED.<name>.<hex time>, and its files stay on disk.
func TestDeleteModeDelayed(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "unixhierarchysep: 0")
	addr := startImapd(t, s)
	alice := dialIMAP(t, addr, "alice", nil)
	if err := alice.Create("Old", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msg := "From: a@example.org\r\nSubject: keep me\r\n\r\nstill here\r\n"
	app := alice.Append("Old", int64(len(msg)), nil)
	app.Write([]byte(msg))
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatal(err)
	}
	dir := strings.TrimSpace(s.must("", "mbpath", "user.alice.Old"))
	if err := alice.Delete("Old").Wait(); err != nil {
		t.Fatal(err)
	}

	for _, n := range listNames(t, alice, "", "*") {
		if strings.Contains(n, "Old") || strings.Contains(n, "DELETED") {
			t.Fatalf("alice still lists %q", n)
		}
	}
	if _, err := alice.Select("Old", nil).Wait(); err == nil {
		t.Fatal("alice selected her deleted folder")
	}

	admin := dialIMAP(t, addr, "cyrus", nil)
	deleted := listNames(t, admin, "", "DELETED.*")
	want := regexp.MustCompile(`^DELETED\.user\.alice\.Old\.[0-9A-F]{8}$`)
	if len(deleted) != 1 || !want.MatchString(deleted[0]) {
		t.Fatalf(`admin LIST "" "DELETED.*" = %q`, deleted)
	}
	if _, err := alice.Status("Shared Folders."+deleted[0], &imap.StatusOptions{NumMessages: true}).Wait(); err == nil {
		t.Fatal("alice got STATUS of the deleted mailbox")
	}

	// The spool directory and the message file are still there.
	kept := strings.TrimSpace(s.must("", "mbpath", deleted[0]))
	if kept != dir {
		t.Errorf("mbpath of the deleted mailbox = %s, was %s", kept, dir)
	}
	if b, err := os.ReadFile(filepath.Join(kept, "1.")); err != nil || !strings.Contains(string(b), "still here") {
		t.Fatalf("message file: %q %v", b, err)
	}

	// cyradm's lm shows it to the admin as Cyrus's does.
	r := cyradmRun(t, addr, "secret", "lm DELETED.*\n", "--user", "cyrus")
	if r.code != 0 || !strings.Contains(r.stdout, deleted[0]) {
		t.Fatalf("cyradm lm DELETED.*: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestDeleteModeImmediate: delete_mode: immediate removes the folder and
// its files at once.
func TestDeleteModeImmediate(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "unixhierarchysep: 0", "delete_mode: immediate")
	addr := startImapd(t, s)
	dir := strings.TrimSpace(s.must("", "mbpath", "user.alice.Work"))
	alice := dialIMAP(t, addr, "alice", nil)
	if err := alice.Delete("Work").Wait(); err != nil {
		t.Fatal(err)
	}
	admin := dialIMAP(t, addr, "cyrus", nil)
	if names := listNames(t, admin, "", "DELETED.*"); len(names) != 0 {
		t.Fatalf("immediate mode kept %q", names)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory %s left: %v", dir, err)
	}
}

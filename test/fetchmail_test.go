package test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
)

// TestFetchmailDrainsAMaildrop: Debian's fetchmail retrieves and deletes a
// 1,000-message maildrop through pop3d.
func TestFetchmailDrainsAMaildrop(t *testing.T) {
	fetchmail, err := exec.LookPath("fetchmail")
	if err != nil {
		t.Skip("needs Debian package fetchmail")
	}
	s := newSite(t, "allowplaintext: 1")
	msgs := make([]string, 1000)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("From: sender@example.org\r\nTo: alice@example.org\r\nSubject: message %d\r\nMessage-ID: <%d@example.org>\r\n\r\nbody %d\r\n.dot line %d\r\n", i, i, i, i)
	}
	popFixture(t, s, msgs)
	inbox := mustMbpath(t, s, "user/alice") // before pop3d holds the databases
	host, port, _ := net.SplitHostPort(startPop3d(t, s))

	out := filepath.Join(s.dir, "fetched")
	rc := filepath.Join(s.dir, "fetchmailrc")
	conf := fmt.Sprintf("set no bouncemail\npoll %s service %s protocol pop3 auth password user \"alice\" password \"secret\" sslproto \"\" mda \"/bin/sh -c 'cat >> %s; echo ==END== >> %s'\"\n",
		host, port, out, out)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// As root fetchmail locks /var/run/fetchmail.pid whatever HOME says, so
	// two test runs at once would refuse each other: a private lock file.
	cmd := exec.Command(fetchmail, "-f", rc, "--nodetach", "--nosyslog", "-a", "-i", filepath.Join(s.dir, "fetchids"),
		"--pidfile", filepath.Join(s.dir, "fetchmail.pid"))
	cmd.Env = append(os.Environ(), "HOME="+s.dir, "FETCHMAILHOME="+s.dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fetchmail: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(got), "==END==\n")
	if len(parts)-1 != len(msgs) {
		t.Fatalf("fetchmail delivered %d messages, want %d", len(parts)-1, len(msgs))
	}
	for i := range msgs {
		if !strings.Contains(string(got), fmt.Sprintf("Subject: message %d\n", i)) || !strings.Contains(string(got), fmt.Sprintf("\n.dot line %d\n", i)) {
			t.Fatalf("message %d missing or altered", i)
		}
	}
	// fetchmail deleted what it retrieved: the INBOX is empty.
	mb, err := mailbox.Open(inbox, mailbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil || v.Exists() != 0 {
		t.Fatalf("INBOX after fetchmail: %d messages (%v)", v.Exists(), err)
	}
}

func mustMbpath(t *testing.T, s *site, name string) string {
	t.Helper()
	return strings.TrimSpace(s.must("", "mbpath", name))
}

package test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocyrus/pkg/procinfo"
)

// TestCyrInfoProcListsSessions: sessions in two imapd processes and a
// pop3d (one selected, one in IDLE, one not logged in, a POP3 maildrop
// open, a POP3 client not logged in) are listed by cyr_info proc, one line
// per session in Cyrus's format (test/compat/fixtures/cyr_info_proc.txt);
// after a kill -9 of one imapd its rows are gone and its socket removed,
// the others still listed.
func TestCyrInfoProcListsSessions(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	s.populate(map[string]int{"user.alice": 1, "user.bob": 0})
	serveDatabases(t, s, "alice", "bob")
	imapd := startImapdDaemon(t, s, "imapd.log")
	doomed := startImapdDaemon(t, s, "imapd2.log")
	pop3 := startDaemon(t, s, "pop3d")
	procDir := filepath.Join(s.configdir, "proc")

	dial := func(addr string) (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(hangTimeout))
		br := bufio.NewReader(c)
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		return c, br
	}
	// say sends line and returns the first line not starting with "* ".
	say := func(c net.Conn, br *bufio.Reader, line string) string {
		t.Helper()
		c.Write([]byte(line + "\r\n"))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if !strings.HasPrefix(l, "* ") {
				return strings.TrimRight(l, "\r\n")
			}
		}
	}
	selected, selR := dial(imapd.addr)
	if r := say(selected, selR, "a LOGIN alice secret"); !strings.HasPrefix(r, "a OK") {
		t.Fatal(r)
	}
	if r := say(selected, selR, "b SELECT INBOX"); !strings.HasPrefix(r, "b OK") {
		t.Fatal(r)
	}
	idle, idleR := dial(imapd.addr)
	if r := say(idle, idleR, "a LOGIN bob secret"); !strings.HasPrefix(r, "a OK") {
		t.Fatal(r)
	}
	if r := say(idle, idleR, "b IDLE"); !strings.HasPrefix(r, "+ ") {
		t.Fatalf("IDLE: %q", r)
	}
	dial(imapd.addr) // not logged in
	pop, popR := dial(pop3)
	say(pop, popR, "USER alice")
	if r := say(pop, popR, "PASS secret"); !strings.HasPrefix(r, "+OK") {
		t.Fatal(r)
	}
	dial(pop3) // not logged in
	other, otherR := dial(doomed.addr)
	if r := say(other, otherR, "a LOGIN bob secret"); !strings.HasPrefix(r, "a OK") {
		t.Fatal(r)
	}

	host := procinfo.HostName(context.Background(), "127.0.0.1")
	client := "[127.0.0.1]"
	if host != "" {
		client = host + " " + client
	}
	t.Logf("127.0.0.1 is %q", client)
	line := func(pid, service, rest string) string {
		return fmt.Sprintf("%s %s %s %s", pid, service, client, rest)
	}
	imapPid, doomedPid := fmt.Sprint(imapd.pid), fmt.Sprint(doomed.pid)
	live := []string{
		line(imapPid, "imap", "alice user.alice "),
		line(imapPid, "imap", "bob  idle"),
		line(imapPid, "imap", "  "),
	}
	popRows := []string{"pop3 " + client + " alice user.alice ", "pop3 " + client + "   "}
	// procLines lists the sessions, the pop3d's pid replaced by "POP".
	procLines := func() []string {
		t.Helper()
		out := s.must("", "cyr_info", "proc")
		var lines []string
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			pid, rest, _ := strings.Cut(l, " ")
			if pid != imapPid && pid != doomedPid && strings.HasPrefix(rest, "pop3 ") {
				l = "POP " + rest
			}
			lines = append(lines, l)
		}
		slices.Sort(lines)
		return lines
	}
	sorted := func(l ...string) []string { slices.Sort(l); return l }
	want := sorted(append(append(slices.Clone(live), line(doomedPid, "imap", "bob  ")),
		"POP "+popRows[0], "POP "+popRows[1])...)
	if got := procLines(); !slices.Equal(got, want) {
		t.Fatalf("cyr_info proc:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if err := syscall.Kill(doomed.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	want = sorted(append(slices.Clone(live), "POP "+popRows[0], "POP "+popRows[1])...)
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		got := procLines()
		if slices.Equal(got, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after kill -9 of %s, cyr_info proc:\n%s\nwant\n%s", doomedPid, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if _, err := os.Lstat(procinfo.SocketPath(procDir, doomed.pid)); !os.IsNotExist(err) {
		t.Errorf("the killed imapd's socket is left: %v", err)
	}
	if ents, err := os.ReadDir(procDir); err != nil || len(ents) != 2 {
		t.Errorf("%s holds %v (%v), want the two live daemons' sockets", procDir, ents, err)
	}
}

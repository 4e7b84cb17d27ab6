package test

import (
	"bufio"
	"context"
	"encoding/base64"
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

// TestCyrInfoProcListsSessions: sessions in two imapd processes, a pop3d,
// an lmtpd and a timsieved (one selected, one in IDLE, one not logged in, a
// POP3 maildrop open, a POP3 client not logged in, an LMTP client inside
// DATA and one idle after LHLO, a ManageSieve client logged in and one not)
// are listed by cyr_info proc, one line per session in Cyrus's format
// (test/compat/fixtures/cyr_info_proc.txt); after a kill -9 of one imapd
// its rows are gone and its socket removed, the others still listed.
// Cyrus 3.6.1's lmtpd and timsieved list nothing
// (test/compat/fixtures/cyr_info_proc_lmtp_sieve.txt); ours list their
// sessions in the same format (lmtpd.8, timsieved.8: DIFFERENCES).
func TestCyrInfoProcListsSessions(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "sievedir: "+filepath.Join(t.TempDir(), "sieve"))
	s.populate(map[string]int{"user.alice": 1, "user.bob": 0})
	serveDatabases(t, s, "alice", "bob")
	imapd := startImapdDaemon(t, s, "imapd.log")
	doomed := startImapdDaemon(t, s, "imapd2.log")
	pop3 := startDaemon(t, s, "pop3d")
	lmtpd := startDaemon(t, s, "lmtpd", "-a")
	sieved := startDaemon(t, s, "timsieved")
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
	inData, inDataR := dial(lmtpd)
	for _, l := range []string{"LHLO client.example", "MAIL FROM:<a@example.org>", "RCPT TO:<alice>"} {
		inData.Write([]byte(l + "\r\n"))
		for {
			r, err := inDataR.ReadString('\n')
			if err != nil || !strings.HasPrefix(r, "2") {
				t.Fatalf("%s: %q %v", l, r, err)
			}
			if r[3] == ' ' {
				break
			}
		}
	}
	if r := say(inData, inDataR, "DATA"); !strings.HasPrefix(r, "354") {
		t.Fatalf("DATA: %q", r)
	}
	inData.Write([]byte("Subject: half a message\r\n"))
	lhlo, lhloR := dial(lmtpd)
	if r := say(lhlo, lhloR, "LHLO client.example"); !strings.HasPrefix(r, "250-") {
		t.Fatalf("LHLO: %q", r)
	}
	// sieveSay sends a ManageSieve command and returns its OK/NO line.
	sieveSay := func(c net.Conn, br *bufio.Reader, line string) string {
		t.Helper()
		c.Write([]byte(line + "\r\n"))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if strings.HasPrefix(l, "OK") || strings.HasPrefix(l, "NO") || strings.HasPrefix(l, "BYE") {
				return strings.TrimRight(l, "\r\n")
			}
		}
	}
	sieveDial := func() (net.Conn, *bufio.Reader) {
		c, br := dial(sieved)
		for { // the rest of the capability greeting
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(l, "OK") {
				return c, br
			}
		}
	}
	sv, svR := sieveDial()
	plain := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret"))
	if r := sieveSay(sv, svR, `AUTHENTICATE "PLAIN" "`+plain+`"`); r != "OK" {
		t.Fatalf("sieve AUTHENTICATE: %q", r)
	}
	if r := sieveSay(sv, svR, "LISTSCRIPTS"); r != "OK" {
		t.Fatalf("LISTSCRIPTS: %q", r)
	}
	sieveDial() // not logged in
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
	others := []string{
		"- pop3 " + client + " alice user.alice ", "- pop3 " + client + "   ",
		"- lmtp " + client + "   data", "- lmtp " + client + "   ",
		"- sieve " + client + " alice  ", "- sieve " + client + "   ",
	}
	// procLines lists the sessions, the pid of every daemon but the two
	// imapds replaced by "-".
	procLines := func() []string {
		t.Helper()
		out := s.must("", "cyr_info", "proc")
		var lines []string
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			pid, rest, _ := strings.Cut(l, " ")
			if pid != imapPid && pid != doomedPid {
				l = "- " + rest
			}
			lines = append(lines, l)
		}
		slices.Sort(lines)
		return lines
	}
	sorted := func(l ...string) []string { slices.Sort(l); return l }
	want := sorted(append(append(slices.Clone(live), line(doomedPid, "imap", "bob  ")), others...)...)
	if got := procLines(); !slices.Equal(got, want) {
		t.Fatalf("cyr_info proc:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if err := syscall.Kill(doomed.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	want = sorted(append(slices.Clone(live), others...)...)
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
	if ents, err := os.ReadDir(procDir); err != nil || len(ents) != 4 {
		t.Errorf("%s holds %v (%v), want the four live daemons' sockets", procDir, ents, err)
	}
}

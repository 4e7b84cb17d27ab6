package test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestImapSeesPop3DeletionsAtOnce: an IMAP session idling on the INBOX is
// told of a POP3 session's deletions as soon as the POP3 session quits,
// through the db service's change notification (pop3d and imapd are
// separate processes sharing the databases through the service).
func TestImapSeesPop3DeletionsAtOnce(t *testing.T) {
	s := newSite(t, "allowplaintext: 1")
	imapAddr := startImapd(t, s) // alice has 2 messages; the db service runs in this process
	popAddr := startPop3d(t, s)

	expunged := make(chan uint32, 4)
	c := dialIMAP(t, imapAddr, "alice", &imapclient.UnilateralDataHandler{
		Expunge: func(n uint32) { expunged <- n },
	})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	conn, err := net.Dial("tcp", popAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	expectOK := func(cmd string) {
		t.Helper()
		if cmd != "" {
			fmt.Fprintf(conn, "%s\r\n", cmd)
		}
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("POP3 %q: %q %v", cmd, line, err)
		}
	}
	expectOK("") // greeting
	expectOK("USER alice")
	expectOK("PASS secret")
	expectOK("DELE 1")
	start := time.Now()
	expectOK("QUIT")
	select {
	case n := <-expunged:
		if n != 1 {
			t.Fatalf("EXPUNGE %d, want 1", n)
		}
		t.Logf("IMAP saw the POP3 deletion %v after QUIT", time.Since(start))
	case <-time.After(hangTimeout):
		t.Fatalf("the idling IMAP session was not told of the POP3 deletion within %v", hangTimeout)
	}
}

package test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/sasldb"
)

// startImapd populates the site, serves its databases from the test (so
// the test and imapd share them) and runs imapd on a loopback port.
func startImapd(t *testing.T, s *site) string {
	t.Helper()
	s.populate(map[string]int{"user.alice": 2, "user.alice.Work": 0, "user.bob": 0})
	srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob", "cyrus"} {
		if err := sasldb.New(db).SetPassword(context.Background(), u, "secret", true); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(filepath.Join(binDir, "imapd"), "-C", s.imapdConf, "-l", addr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("imapd stderr:\n%s", stderr.String())
		}
	})
	for deadline := time.Now().Add(hangTimeout); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("imapd did not listen on %s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dialIMAP(t *testing.T, addr, user string, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{UnilateralDataHandler: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, "secret").Wait(); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func TestImapdWithGoIMAPClient(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "imapidlepoll: 1")
	addr := startImapd(t, s)
	c := dialIMAP(t, addr, "alice", nil)

	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	if strings.Join(names, " ") != "INBOX Work" {
		t.Fatalf("LIST: %v", names)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 2 {
		t.Fatalf("SELECT: %+v %v", sel, err)
	}
	msg := "From: carol@example.org\r\nSubject: from go-imap\r\n\r\nhi\r\n"
	ap := c.Append("INBOX", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagFlagged}})
	ap.Write([]byte(msg))
	ap.Close()
	ad, err := ap.Wait()
	if err != nil || ad.UID != 3 {
		t.Fatalf("APPEND: %+v %v", ad, err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2, 3), &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
	if err != nil || len(msgs) != 3 || msgs[2].Envelope.Subject != "from go-imap" {
		t.Fatalf("FETCH: %v %v", msgs, err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "go-imap"}}}, nil).Wait()
	if err != nil || fmt.Sprint(sd.AllUIDs()) != "[3]" {
		t.Fatalf("SEARCH: %+v %v", sd, err)
	}
	cd, err := c.Copy(imap.SeqSetNum(2), "Work").Wait()
	if err != nil || cd.DestUIDs.String() != "1" {
		t.Fatalf("COPY: %+v %v", cd, err)
	}
	if _, err := c.Move(imap.SeqSetNum(3), "Work").Wait(); err != nil {
		t.Fatalf("MOVE: %v", err)
	}
	gone, err := c.Expunge().Collect()
	if err != nil || fmt.Sprint(gone) != "[1]" {
		t.Fatalf("EXPUNGE: %v %v", gone, err)
	}
	st, err := c.Status("Work", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || *st.NumMessages != 2 {
		t.Fatalf("STATUS: %+v %v", st, err)
	}
	if err := c.SetACL("Work", "bob", imap.RightModificationReplace, imap.RightSet("lrs")).Wait(); err != nil {
		t.Fatal(err)
	}
	acl, err := c.GetACL("Work").Wait()
	if err != nil || string(acl.Rights["bob"]) != "lrs" {
		t.Fatalf("GETACL: %+v %v", acl, err)
	}

	admin := dialIMAP(t, addr, "cyrus", nil)
	if err := admin.SetQuota("user/alice", map[imap.QuotaResourceType]int64{imap.QuotaResourceStorage: 100}).Wait(); err != nil {
		t.Fatal(err)
	}
	qr, err := c.GetQuotaRoot("INBOX").Wait()
	if err != nil || len(qr) != 1 || qr[0].Resources[imap.QuotaResourceStorage].Limit != 100 {
		t.Fatalf("GETQUOTAROOT: %+v %v", qr, err)
	}

	// A second session idles on INBOX and sees the first one's changes.
	var mu sync.Mutex
	var seen []string
	events := make(chan struct{}, 16)
	note := func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
		events <- struct{}{}
	}
	b := dialIMAP(t, addr, "alice", &imapclient.UnilateralDataHandler{
		Expunge: func(n uint32) { note(fmt.Sprintf("EXPUNGE %d", n)) },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				note(fmt.Sprintf("EXISTS %d", *d.NumMessages))
			}
		},
		Fetch: func(m *imapclient.FetchMessageData) { note("FETCH") },
	})
	if _, err := b.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := b.Idle()
	if err != nil {
		t.Fatal(err)
	}
	ap = c.Append("INBOX", int64(len(msg)), nil)
	ap.Write([]byte(msg))
	ap.Close()
	if _, err := ap.Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-events:
	case <-time.After(hangTimeout):
		t.Fatal("the idling session was not told of the new message")
	}
	idle.Close()
	idle.Wait()
	mu.Lock()
	if !strings.Contains(strings.Join(seen, ","), "EXISTS 2") {
		t.Errorf("idle saw %v", seen)
	}
	mu.Unlock()
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
}

const imaplibScript = `
import imaplib, sys
host, port = sys.argv[1].rsplit(":", 1)
m = imaplib.IMAP4(host, int(port))
print(m.login("alice", "secret")[0])
print(m.list()[1])
typ, data = m.select("INBOX")
print("select", typ, data)
typ, data = m.append("INBOX", "(\\Seen)", None, b"From: py@example.org\r\nSubject: from python\r\n\r\nhello\r\n")
print("append", typ, data)
print("fetch", m.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
print("search", m.search(None, "SUBJECT", "python"))
print("store", m.store("1", "+FLAGS", "(\\Deleted)"))
print("expunge", m.expunge())
print("copy", m.copy("1", "Work"))
print("getacl", m.getacl("INBOX"))
print("myrights", m.myrights("Work"))
print("quotaroot", m.getquotaroot("INBOX"))
print("getquota", m.getquota("INBOX"))
print("logout", m.logout()[0])
`

func TestImapdWithPythonImaplib(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	script := filepath.Join(t.TempDir(), "client.py")
	os.WriteFile(script, []byte(imaplibScript), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "python3", script, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	for _, want := range []string{
		"OK\n", `(\\HasNoChildren) "/" INBOX`, "select OK [b'2']", "append OK [b'[APPENDUID",
		"from python", "search ('OK', [b'3'])", "expunge ('OK', [b'1'])",
		"getacl ('OK', [b'INBOX alice lrswipkxtecdan'])", "myrights ('OK', [b'Work lrswipkxtecdan'])",
		"getquota ('NO', [b'Permission denied'])", "logout BYE",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("imaplib output lacks %q:\n%s", want, out)
		}
	}
}
